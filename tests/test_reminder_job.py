from freezegun import freeze_time

from odoo import Command, api, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.mail.tests.common import MailCase

from .common_engine import D, ReminderEngineCommon, days


@tagged("post_install", "-at_install")
class TestReminderJob(ReminderEngineCommon, MailCase):
    def test_cron_resumes_after_a_failure_without_duplicates(self):
        """The daily job commits batch by batch: when one customer cannot get
        a reminder, the others are kept, and the next run completes the job
        with no duplicate."""
        customers = [self.customer, self._customer("Broken SAS"), self.customer_b]
        for customer in customers:
            self._invoice(customer, D)
        broken = customers[1]
        company_2 = self.setup_other_company(name="Relance Co 2")["company"]
        # the customer now belongs to another company: a reminder of this
        # company for him violates the company consistency check
        broken.company_id = company_2
        cron = self.env.ref("account_relance.ir_cron_relance_generate")
        cron.code = "model._cron_generate_reminders(batch_size=1)"
        with (
            freeze_time(days(6)),
            self.enter_registry_test_mode(),
            self.assertLogs(
                "odoo.addons.account_relance.models.relance_engine",
                level="WARNING",
            ),
        ):
            cron.method_direct_trigger()
        first = self._reminders()
        self.assertEqual(first.partner_id, self.customer | self.customer_b)
        self.assertEqual(first.level_id, self.level1)

        broken.company_id = False
        with freeze_time(days(6)), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        reminders = self._reminders()
        self.assertEqual(len(reminders), 3)
        self.assertEqual(reminders.partner_id, self.customer | broken | self.customer_b)
        self.assertEqual(reminders - first, self._reminders(broken))

        with freeze_time(days(6)), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(self._reminders(), reminders)

    def test_two_runs_at_once_cannot_both_proceed(self):
        main_company = self.env.ref("base.main_company")
        self.env["relance.engine"]._lock_run(main_company)  # this transaction runs
        # another connection, as another worker would have
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other_cr:
            other = api.Environment(other_cr, api.SUPERUSER_ID, {})
            with self.assertRaisesRegex(UserError, "already being generated"):
                other["relance.reminder"].generate_reminders(
                    date=days(6), company_ids=main_company.ids
                )
            other_cr.rollback()
        self._invoice(self.customer, D)
        self.assertEqual(len(self._run(days(6))), 1)

    def test_decision_query_count_does_not_grow_with_items(self):
        """Candidate selection and decision: the same number of queries for
        2 items and for 24 items."""
        customers = [self._customer(f"Client {i}") for i in range(2)]
        for customer in customers:
            self._invoice(customer, D)
        self._habit(customers[0], 1.0, 5)
        self.env["relance.engine"]._compute_decisions(self.company, days(6))[
            0
        ]  # warm caches
        self.env.invalidate_all()
        queries = self.env.cr.sql_log_count
        small = self.env["relance.engine"]._compute_decisions(self.company, days(6))[0]
        budget = self.env.cr.sql_log_count - queries
        self.assertEqual(sum(len(d.lines) for d in small), 2)

        for customer in customers:
            for offset in range(11):
                self._invoice(customer, days(-offset))
        self.env.invalidate_all()
        with self.assertQueryCount(budget):
            large = self.env["relance.engine"]._compute_decisions(
                self.company, days(6)
            )[0]
        self.assertEqual(sum(len(d.lines) for d in large), 24)

    def test_configuration_gaps_are_reported_not_fatal(self):
        """Archiving the default plan, a plan without levels, a level
        without channel: the preview says so, the run completes for the
        other customers, nothing raises (it used to raise a UniqueViolation
        when the engine re-created the archived plan)."""
        own_plan = self.plan.copy({"name": "Key accounts", "is_default": False})
        self.customer_b.with_company(self.company).relance_plan_id = own_plan
        self._invoice(self.customer, D)
        self._invoice(self.customer_b, D)
        self.plan.active = False
        with Form(self.env["relance.reminder.preview"]) as form:
            form.date = days(6)
        self.assertIn("has no default reminder plan", form.record.warnings)
        self.assertEqual(form.record.line_ids.partner_id, self.customer_b)
        reminders = self._run(days(6))
        self.assertEqual(reminders.partner_id, self.customer_b)

        empty = self.env["relance.plan"].create({"name": "Empty", "level_ids": []})
        self.customer.with_company(self.company).relance_plan_id = empty
        mute = own_plan.level_ids.filtered(lambda level: level.offset_days == 15)
        mute.channel_email = False
        warnings = self.env["relance.engine"]._compute_decisions(
            self.company, days(16)
        )[1]
        self.assertTrue(any("Empty has no levels" in w for w in warnings), warnings)
        self.assertTrue(any("has no channel" in w for w in warnings), warnings)
        # Reminder 2 of the customer's plan sends nothing: he is left at his level
        self.assertFalse(self._run(days(16)))

    def test_run_reminders_preview_then_create(self):
        """The credit controller previews who gets what and why, then
        creates the reminders."""
        self._habit(self.customer, 10.0, 6)
        self._invoice(self.customer, D)
        self._invoice(self.customer_b, days(-20), 500.0)
        self.customer_b.relance_excluded = False
        with Form(self.env["relance.reminder.preview"]) as preview_form:
            preview_form.date = days(6)
        preview = preview_form.record
        self.assertEqual(preview.line_ids.partner_id, self.customer_b)
        self.assertEqual(preview.line_ids.level_id, self.level2)
        self.assertAlmostEqual(preview.line_ids.amount_due, 500.0)
        self.assertIn("reaches Reminder 2", preview.line_ids.reason)
        self.assertFalse(self._reminders())

        with Form(self.env["relance.reminder.preview"]) as skipped_form:
            skipped_form.date = days(6)
            skipped_form.show_skipped = True
        self.assertEqual(skipped_form.record.reminder_count, 1)

        action = preview.action_generate()
        created = self.Reminder.search(action["domain"])
        self.assertEqual(created.partner_id, self.customer_b)
        self.assertEqual(created.level_id, self.level2)
        self.assertEqual(self._reminders(), created)

    def test_review_first_then_send(self):
        self._invoice(self.customer, days(-40))
        reminder = self._run(D)
        self.assertEqual(reminder.state, "draft")
        reminder.action_send()
        # Nothing is "sent" before it has left: the email waits in the queue.
        self.assertEqual(reminder.state, "to_send")
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "=", reminder.email_message_id.id)]
        )
        self.assertTrue(mails)
        with self.mock_mail_gateway():
            mails.send()
        self.assertIn(reminder.state, ("sent", "to_send"))
        if reminder.state == "sent":
            with self.assertRaises(UserError):
                reminder.action_cancel()

    def test_credit_controller_runs_reminders(self):
        """An invoicing user (credit controller, no admin right) runs the
        reminders of his company and cancels one."""
        user = new_test_user(
            self.env,
            login="controller",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.assertTrue(user.has_group("account_relance.group_relance_user"))
        self.assertFalse(user.has_group("account_relance.group_relance_manager"))
        self._invoice(self.customer, days(-40))
        with freeze_time(D):  # any other day is a reminder administrator's
            reminders = self.Reminder.with_user(user).generate_reminders(date=D)
        self.assertEqual(reminders.partner_id, self.customer)
        self.assertEqual(reminders.level_id, self.formal)
        reminders.action_cancel()
        self.assertEqual(reminders.state, "cancel")
        self.assertFalse(reminders.line_ids.move_line_id.relance_level_id)

    def test_reminders_of_another_company_stay_hidden(self):
        """A credit controller of one company neither sees nor runs the
        reminders of another."""
        company_2 = self.setup_other_company(name="Relance Co 2")["company"]
        self.env.user.company_ids |= company_2
        self._invoice(self.customer, days(-20), company_id=company_2.id)
        reminder = self._run(days(6), company_ids=company_2.ids)
        user = new_test_user(
            self.env,
            login="controller_1",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            reminder.with_user(user).read(["name"])
        with self.assertRaises(AccessError):
            reminder.line_ids.with_user(user).read(["amount_residual"])
        with self.assertRaises(UserError):
            self.Reminder.with_user(user).generate_reminders(
                date=days(6), company_ids=company_2.ids
            )

    def test_preview_shows_skipped_customers_with_the_reason(self):
        self._invoice(self.customer, D).dispute_state = "open"
        self._invoice(self.customer_b, D)
        with Form(self.env["relance.reminder.preview"]) as preview_form:
            preview_form.date = days(6)
            preview_form.show_skipped = True
        lines = preview_form.record.line_ids
        self.assertEqual(lines.partner_id, self.customer | self.customer_b)
        skipped = lines.filtered(lambda line: not line.will_create)
        self.assertEqual(skipped.partner_id, self.customer)
        self.assertIn("in dispute", skipped.skip_reason)
        self.assertEqual(preview_form.record.reminder_count, 1)
