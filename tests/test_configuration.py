"""Configuration that used to kill the daily job (#12 item 7): the default plan
archived or un-defaulted, a plan without levels, a level without channels.
Each is said in the preview, and the job completes for everybody else."""

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, tagged

from .common_engine import D, ReminderEngineCommon, days


@tagged("post_install", "-at_install")
class TestConfiguration(ReminderEngineCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Relance Co 2")["company"]
        cls.env.user.company_ids |= cls.company_2
        # the installed copy of the Standard plan, given at company creation
        cls.plan_2 = cls.env["relance.plan"].search(
            [("company_id", "=", cls.company_2.id), ("is_default", "=", True)]
        )
        cls.customer_2 = cls._customer("Leroy SAS")
        cls.customer_3 = cls._customer("Petit SARL")

    def _preview(self, on, companies):
        with Form(self.env["relance.reminder.preview"]) as form:
            form.date = on
            form.company_ids = companies
            form.show_skipped = True
        return form.record

    def test_cron_completes_whatever_the_configuration(self):
        """Company 1: its default plan archived (customer_b keeps a plan of
        his own, whose level 2 has no channel, customer_3 follows a plan
        without levels); company 2: its default plan un-defaulted.  The
        daily job logs each gap, reminds the one customer who can be, and
        stays active: it used to raise a UniqueViolation every day until
        Odoo deactivated it."""
        self.assertTrue(self.plan_2)
        own_plan = self.plan.copy({"name": "Key accounts", "is_default": False})
        own_plan.level_ids.filtered(lambda lv: lv.offset_days == 15).write(
            {"channel_email": False}
        )
        empty = self.env["relance.plan"].create({"name": "Empty", "level_ids": []})
        self.customer_b.with_company(self.company).relance_plan_id = own_plan
        self.customer_3.with_company(self.company).relance_plan_id = empty
        for customer in (self.customer, self.customer_b, self.customer_3):
            self._invoice(customer, days(-20))
        self._invoice(self.customer_2, days(-20), company_id=self.company_2.id)
        self.plan.active = False
        self.plan_2.is_default = False

        cron = self.env.ref("account_relance.ir_cron_relance_generate")
        with (
            freeze_time(D),
            self.enter_registry_test_mode(),
            self.assertLogs(
                "odoo.addons.account_relance.models.relance_engine", level="WARNING"
            ) as logs,
        ):
            cron.method_direct_trigger()
        log = "\n".join(logs.output)
        self.assertIn("Relance Co 2 has no default reminder plan", log)
        self.assertIn(f"{self.company.name} has no default reminder plan", log)
        self.assertIn("Empty has no levels", log)
        self.assertIn("Reminder 2 of the plan Key accounts has no channel", log)
        self.assertTrue(cron.active)
        self.assertFalse(cron.failure_count)
        reminders = self.Reminder.search(
            [("company_id", "in", (self.company | self.company_2).ids)]
        )
        # Reminder 2 sends nothing: customer_b gets the level before it
        self.assertEqual(reminders.partner_id, self.customer_b)
        self.assertEqual(
            reminders.level_id, own_plan.level_ids.sorted("offset_days")[1]
        )

    def test_preview_lists_who_is_not_reminded_and_why(self):
        empty = self.env["relance.plan"].create({"name": "Empty", "level_ids": []})
        self.customer_3.with_company(self.company).relance_plan_id = empty
        self._invoice(self.customer, days(-20))
        self._invoice(self.customer_3, days(-20))
        self.plan.is_default = False
        preview = self._preview(D, self.company)
        self.assertIn("has no default reminder plan", preview.warnings)
        self.assertIn("Empty has no levels", preview.warnings)
        self.assertFalse(preview.reminder_count)
        reasons = {line.partner_id: line.skip_reason for line in preview.line_ids}
        self.assertEqual(set(reasons), {self.customer, self.customer_3})
        self.assertIn("No reminder plan", reasons[self.customer])
        self.assertIn("has no default plan", reasons[self.customer])
        self.assertIn("Empty has no level with a channel", reasons[self.customer_3])
        self.assertEqual(preview.line_ids.mapped("amount_due"), [1000.0, 1000.0])
        # and creating gives nothing, without an error
        preview.action_generate()
        self.assertFalse(self._reminders())

    def test_every_level_without_channel_is_a_plan_without_levels(self):
        self.plan.level_ids.write({"channel_email": False, "channel_registered": False})
        self._invoice(self.customer, days(-20))
        preview = self._preview(D, self.company)
        self.assertEqual(len(preview.warnings.splitlines()), 4)
        self.assertIn(
            "Test plan has no level with a channel", preview.line_ids.skip_reason
        )
        self.assertFalse(self._run(D))

    def test_a_new_default_plan_takes_over(self):
        """Making another plan the default after archiving the Standard one:
        its customers are reminded again, nothing raises."""
        self._invoice(self.customer, days(-20))
        self.plan.active = False
        self.assertFalse(self._run(D))
        other = self.env["relance.plan"].create(
            {
                "name": "Replacement",
                "level_ids": [Command.create({"name": "Only", "offset_days": 1})],
            }
        )
        other.action_set_default()
        self.assertEqual(self._run(D).level_id, other.level_ids)
