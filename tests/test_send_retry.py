"""Retries of reminders in error (#12 item 5): the daily job retries 1, 2
then 4 days after each failed attempt and stops after the fourth; a bounced
address stops the retries at once; a reminder that never went out does not
let its items escalate.  With a real SMTP server on 127.0.0.1."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common_engine import ReminderEngineCommon, days
from .real_smtp import RealSmtpMixin
from .test_reminder_channels import BOUNCE_TEMPLATE


@tagged("post_install", "-at_install")
class TestSendRetry(RealSmtpMixin, ReminderEngineCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "credit@company.example.com"
        cls.env["mail.mail"].sudo().search([]).unlink()
        cls.cron = cls.env.ref("account_relance.ir_cron_relance_send_reminders")

    def _cron(self, day):
        with freeze_time(f"{day} 08:00:00"), self.enter_registry_test_mode():
            self.cron.method_direct_trigger()
            self.env["mail.mail"].process_email_queue()

    def _to_send(self):
        invoice = self._invoice(self.customer, date(2026, 1, 2), 500.0)
        items = invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        return self.Reminder.create(
            {
                "partner_id": self.customer.id,
                "level_id": self.level1.id,
                "date": date(2026, 2, 4),
                "state": "to_send",
                "currency_id": self.company.currency_id.id,
                "amount_due": 500.0,
                "move_line_ids": [Command.set(items.ids)],
            }
        )

    def test_backoff_then_cap_then_retry_by_hand(self):
        """Our SMTP server is down: the job tries on 4 Feb (Wednesday), then
        1 day later, 2 days later (a Saturday: the next working day), 4 days
        later, and stops; the reason says what to do; Retry by hand, the
        server back, sends it."""
        self._start_smtp(refuse=True)
        self.company.resource_calendar_id = self.env.ref(
            "resource.resource_calendar_std"
        )
        reminder = self._to_send()
        attempts = []
        day = date(2026, 2, 4)
        while day <= date(2026, 3, 10):
            before = reminder.send_attempt_count
            self._cron(day)
            if reminder.send_attempt_count != before:
                attempts.append(day)
            day += timedelta(days=1)
        self.assertEqual(
            attempts,
            [date(2026, 2, 4), date(2026, 2, 5), date(2026, 2, 9), date(2026, 2, 13)],
        )
        self.assertEqual(reminder.state, "error")
        self.assertEqual(reminder.retry_stop, "cap")
        self.assertIn("4 attempts failed", reminder.error_message)
        self.assertIn("click Retry", reminder.error_message)
        self.assertIn("Our outgoing mail server", reminder.error_message)

        smtp = self._start_smtp()
        with freeze_time("2026-03-11 10:00:00"):
            reminder.action_retry()
            self.env["mail.mail"].process_email_queue()
        self.assertEqual((reminder.state, reminder.email_state), ("sent", "sent"))
        self.assertEqual(len(smtp.messages), 1)
        self.assertFalse(reminder.retry_stop)

    def test_bounce_stops_the_retries(self):
        """A bounce: the job no longer sends to that address; corrected, a
        Retry by hand sends it to the new address."""
        smtp = self._start_smtp()
        reminder = self._to_send()
        self._cron(date(2026, 2, 4))
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(len(smtp.messages), 1)

        bounce = BOUNCE_TEMPLATE.format(
            token="retry",
            email=self.customer.email,
            message_id=reminder.email_message_id.message_id,
        )
        self.env["mail.thread"].sudo().message_process(False, bounce)
        self.assertEqual(reminder.state, "error")
        self.assertEqual(reminder.retry_stop, "bounce")
        self.assertIn("Correct the address", reminder.error_message)

        for offset in range(1, 10):
            self._cron(date(2026, 2, 4) + timedelta(days=offset))
        self.assertEqual(len(smtp.messages), 1, "never again to a bounced address")
        self.assertEqual(reminder.send_attempt_count, 1)

        self.customer.email = "paiement@dupont.example.com"
        with freeze_time("2026-02-16 10:00:00"):
            reminder.action_retry()
            self.env["mail.mail"].process_email_queue()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(smtp.messages[-1]["to"], ["paiement@dupont.example.com"])

    def test_undelivered_reminder_does_not_escalate(self):
        """A level-1 reminder whose email failed: its items do not get level
        2 while it has not reached the customer; the preview says why.  Once
        retried and sent, the next run escalates."""
        self._start_smtp(refuse=True)
        invoice = self._invoice(self.customer, D_DUE, 1000.0)
        first = self._run(days(6))
        self.assertEqual(first.level_id, self.level1)
        self.assertEqual(first.state, "error")

        decisions, __ = self.env["relance.engine"]._compute_decisions(
            self.company, days(16)
        )
        (decision,) = [d for d in decisions if d.partner_id == self.customer.id]
        self.assertFalse(decision.to_create)
        self.assertIn(invoice.name, decision.skip_reason)
        self.assertIn("did not reach the customer", decision.skip_reason)
        self.assertFalse(self._run(days(16)), "no level 2 over an undelivered level 1")
        self.assertEqual(self._reminders(self.customer), first)

        self._start_smtp()
        first.action_retry()
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(first.state, "sent")
        second = self._run(days(17))
        self.assertEqual(second.level_id, self.level2)
        self.assertIn(invoice, second.move_line_ids.move_id)


D_DUE = days(0)
