from odoo.tests import tagged

from odoo.addons.base.tests.common import BaseCommon


@tagged("post_install", "-at_install")
class TestFrenchTranslation(BaseCommon):
    """A French accountant finds the addon in French: menus, field labels,
    selections and mail templates all come from i18n/fr.po."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env_fr = cls.env(context=dict(cls.env.context, lang="fr_FR"))

    def test_menus_in_french(self):
        menus = self.env["ir.ui.menu"].search(
            [
                (
                    "id",
                    "child_of",
                    self.env.ref("account_relance.relance_customers_menu").id,
                )
            ]
        ) | self.env["ir.ui.menu"].search(
            [("id", "child_of", self.env.ref("account_relance.relance_config_menu").id)]
        )
        untranslated = [
            menu.name for menu in menus if menu.with_env(self.env_fr).name == menu.name
        ]
        self.assertFalse(untranslated, "menus left in English for a French user")
        self.assertEqual(
            self.env.ref("account_relance.relance_reminder_action")
            .with_env(self.env_fr)
            .name,
            "Relances",
        )

    def test_fields_and_selections_in_french(self):
        reminder = self.env_fr["relance.reminder"]
        description = reminder.fields_get(["state", "partner_id"])
        self.assertEqual(description["partner_id"]["string"], "Client")
        states = dict(description["state"]["selection"])
        self.assertEqual(states["sent"], "Envoyé")
        fields = self.env["ir.model.fields"].search(
            [("model", "like", "relance."), ("ttype", "!=", "one2many")]
        )
        untranslated = [
            f"{field.model}.{field.name}"
            for field in fields
            if field.field_description == field.with_env(self.env_fr).field_description
            and field.name not in ("id", "display_name", "write_date", "create_date")
            and not field.name.startswith(("message_", "activity_", "website_"))
            and field.field_description
            not in (
                "DSO",
                "SMS",
                "Date",
                "Note",
                "Description",
                "Document",
                "Documents",
                "Plan",
            )
        ]
        self.assertFalse(untranslated, "field labels without a French translation")

    def test_mail_templates_in_french(self):
        template = self.env.ref("account_relance.mail_template_relance_friendly")
        self.assertNotEqual(template.with_env(self.env_fr).subject, template.subject)

    def test_new_company_plan_in_french(self):
        """A company created later gets the standard plan with its French
        level names, as the main company has them."""
        company = self.env["res.company"].create({"name": "Filiale Relance"})
        plan = self.env["relance.plan"]._ensure_default_plan(company)[company.id]
        standard = self.env.ref("account_relance.relance_plan_standard")
        french = plan.level_ids.with_env(self.env_fr).mapped("name")
        self.assertEqual(
            french, standard.level_ids.with_env(self.env_fr).mapped("name")
        )
        self.assertNotEqual(french, plan.level_ids.mapped("name"))
