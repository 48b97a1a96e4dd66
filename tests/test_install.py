from odoo import Command
from odoo.tests import tagged

from odoo.addons.base.tests.common import BaseCommon


@tagged("post_install", "-at_install")
class TestInstall(BaseCommon):
    def test_menus_under_accounting(self):
        """An accountant finds the reminders under Accounting > Customers and
        an admin their configuration under Accounting > Configuration."""
        menu = self.env.ref("account_relance.relance_reminder_menu")
        self.assertEqual(
            menu.parent_id.parent_id, self.env.ref("account.menu_finance_receivables")
        )
        config = self.env.ref("account_relance.relance_plan_menu")
        self.assertEqual(
            config.parent_id.parent_id,
            self.env.ref("account.menu_finance_configuration"),
        )

    def test_reminder_reference_sequence(self):
        partner = self.env["res.partner"].create({"name": "Client Test"})
        plan = self.env["relance.plan"].create(
            {"name": "Plan test", "level_ids": [Command.create({"name": "Relance 1"})]}
        )
        reminder = self.env["relance.reminder"].create(
            {"partner_id": partner.id, "level_id": plan.level_ids.id}
        )
        self.assertTrue(reminder.name.startswith("REL/"))

    def test_apps_page_describes_the_addon(self):
        """The Apps page shows the addon's own description, with its screenshot,
        not the Markdown README read as reStructuredText."""
        module = self.env["ir.module.module"].search([("name", "=", "account_relance")])
        html = str(module.description_html)
        self.assertIn("Reminders that follow each customer", html)
        self.assertIn(
            "/account_relance/static/description/screenshots/cockpit.png", html
        )
        self.assertNotIn("<pre><code>", html)
