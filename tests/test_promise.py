from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, tagged

from .common_dispute import RelanceDisputeCommon


@tagged("post_install", "-at_install")
class TestPromise(RelanceDisputeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.relance_promise_grace_days = 3
        cls.env.company.relance_escalate_broken_promise = True

    def _promise(self, action, promised_date=date(2026, 3, 10), amount=None):
        with Form(self.env["relance.promise"].with_context(action["context"])) as form:
            form.date = promised_date
            form.payment_method = "transfer"
            if amount is not None:
                form.amount = amount
        return form.record

    def _run_cron(self, day):
        cron = self.env.ref("account_relance.ir_cron_relance_promise_check")
        with freeze_time(day), self.enter_registry_test_mode():
            cron.method_direct_trigger()

    def test_promise_pauses_reminders(self):
        invoice = self._invoice(1000.0)
        promise = self._promise(invoice.action_relance_new_promise())

        self.assertEqual(promise.partner_id, self.customer)
        self.assertEqual(promise.move_ids, invoice)
        self.assertEqual(promise.amount, 1000.0)
        self.assertEqual(promise.user_id, self.env.user)
        self.assertEqual(promise.date_deadline, date(2026, 3, 13))
        self.assertEqual(invoice.relance_paused_until, date(2026, 3, 13))
        self.assertEqual(self.customer.relance_promise_count, 1)
        self.assertIn("Promise to pay recorded", self.customer.message_ids[0].body)
        # a later promise on the same invoice extends the pause
        second = self._promise(
            invoice.action_relance_new_promise(), promised_date=date(2026, 4, 1)
        )
        self.assertEqual(invoice.relance_paused_until, date(2026, 4, 4))
        second.action_cancel()
        self.assertEqual(invoice.relance_paused_until, date(2026, 3, 13))
        promise.action_cancel()
        self.assertEqual(promise.state, "cancel")
        self.assertFalse(invoice.relance_paused_until)

    def test_broken_promise_detected_and_escalates(self):
        invoice = self._invoice(700.0)
        promise = self._promise(self.customer.action_relance_new_promise())
        self.assertEqual(promise.move_ids, invoice)
        company = self.env.company
        Promise = self.env["relance.promise"]

        self._run_cron("2026-03-13")  # last day of grace: still open
        self.assertEqual(promise.state, "open")
        self.assertFalse(Promise._get_escalating_partner_ids(company))

        self._run_cron("2026-03-14")
        self.assertEqual(promise.state, "broken")
        self.assertEqual(promise.date_closed, date(2026, 3, 14))
        self.assertFalse(invoice.relance_paused_until, "reminders resume")
        self.assertIn("broken", self.customer.message_ids[0].body)
        self.assertIn(
            self.customer,
            self.env["res.partner"].search(
                [("relance_promise_ids.state", "=", "broken")]
            ),
        )
        self.assertEqual(
            Promise._get_escalating_partner_ids(company), {self.customer.id}
        )

        company.relance_escalate_broken_promise = False
        self.assertFalse(Promise._get_escalating_partner_ids(company))
        company.relance_escalate_broken_promise = True

        Promise._mark_escalated(company, {self.customer.id})
        self.assertTrue(promise.escalated)
        self.assertFalse(Promise._get_escalating_partner_ids(company))

    def test_kept_promise_closes_on_payment(self):
        invoice = self._invoice(600.0)
        promise = self._promise(invoice.action_relance_new_promise())
        self._register_payment(invoice, payment_date=date(2026, 3, 5))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(promise.state, "kept")
        self.assertFalse(invoice.relance_paused_until)
        self.assertIn("kept", self.customer.message_ids[0].body)

    def test_partial_promise_kept_when_amount_paid(self):
        invoice = self._invoice(1000.0)
        promise = self._promise(invoice.action_relance_new_promise(), amount=400.0)
        self._register_payment(invoice, amount=150.0, payment_date=date(2026, 3, 1))
        self.assertEqual(promise.state, "open", "150 of the 400 promised")
        self._register_payment(invoice, amount=250.0, payment_date=date(2026, 3, 2))
        self.assertEqual(promise.amount_paid, 400.0)
        self.assertEqual(promise.state, "kept")

    def test_promise_from_reminder(self):
        invoice = self._invoice(300.0)
        plan = self.env["relance.plan"].create(
            {"name": "Plan promise", "level_ids": [Command.create({"name": "R1"})]}
        )
        reminder = self.env["relance.reminder"].create(
            {
                "partner_id": self.customer.id,
                "level_id": plan.level_ids.id,
                "move_line_ids": [Command.set(self._receivable(invoice).ids)],
            }
        )
        promise = self._promise(reminder.action_relance_new_promise())
        self.assertEqual(promise.reminder_id, reminder)
        self.assertEqual(promise.move_ids, invoice)
        self.assertEqual(reminder.relance_promise_count, 1)
        self.assertIn("Promise to pay recorded", reminder.message_ids[0].body)

    def test_broken_promise_escalates_next_reminder(self):
        Reminder = self.env["relance.reminder"]
        company = self.env.company
        if not self.env["relance.plan"]._get_default_plan(company):
            self.env["relance.plan"].create(
                {
                    "name": "Escalation test plan",
                    "is_default": True,
                    "adaptive_timing": False,
                    "level_ids": [
                        Command.create({"name": "Relance 1", "offset_days": 1}),
                        Command.create({"name": "Relance 2", "offset_days": 200}),
                    ],
                }
            )
        invoice = self._invoice(450.0)
        promise = self._promise(
            invoice.action_relance_new_promise(), promised_date=date(2026, 4, 20)
        )

        def decision():
            decisions = Reminder.generate_reminders(
                date=date(2026, 5, 1), company_ids=company.ids, dry_run=True
            )
            return next(d for d in decisions if d["partner_id"] == self.customer.id)

        self._run_cron("2026-04-20")
        self.assertEqual(promise.state, "open")
        self._run_cron("2026-04-30")
        self.assertEqual(promise.state, "broken")
        self.assertTrue(decision()["escalated"])
        self.env["relance.promise"]._mark_escalated(company, {self.customer.id})
        self.assertFalse(decision()["escalated"], "a broken promise escalates once")

    def test_breaking_promises_is_batched(self):
        """Breaking 2 or 6 overdue promises costs the same queries."""

        def queries(count):
            partners = self.env["res.partner"].create(
                [{"name": f"Client {count}-{i}"} for i in range(count)]
            )
            promises = self.env["relance.promise"].create(
                [
                    {
                        "partner_id": partner.id,
                        "move_ids": [
                            Command.set(self._invoice(80.0, partner=partner).ids)
                        ],
                        "date": date(2026, 2, 1),
                    }
                    for partner in partners
                ]
            )
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            promises._keep_or_break()
            self.env.flush_all()
            self.assertEqual(set(promises.mapped("state")), {"broken"})
            return self.cr.sql_log_count - start

        queries(1)  # warm the caches
        self.assertEqual(queries(2), queries(6))
