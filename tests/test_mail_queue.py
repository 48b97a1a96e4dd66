"""The addon lives in the database's mail queue: with a real SMTP server and
Odoo's real queue, every email leaves exactly once, reminders or not."""

from collections import Counter
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .real_smtp import RealSmtpMixin

MAIL_LOGGER = "odoo.addons.mail.models.mail_mail"


@tagged("post_install", "-at_install")
class TestMailQueue(RealSmtpMixin, AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.email = "credit@company.example.com"
        cls.env.user.email = "controller@company.example.com"
        cls.plan = cls.env["relance.plan"].create(
            {
                "name": "Queue plan",
                "company_id": cls.company.id,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Friendly email",
                            "tone": "friendly",
                            "auto_send": True,
                            "channel_email": True,
                        }
                    )
                ],
            }
        )
        cls.customers = cls.env["res.partner"].create(
            [
                {"name": f"Client {index}", "email": f"client{index}@example.com"}
                for index in range(3)
            ]
        )
        # the queue holds this test's emails only (not the security notice
        # of the user's new address)
        cls.env["mail.mail"].sudo().search([]).unlink()

    def setUp(self):
        super().setUp()
        freezer = freeze_time("2026-02-04 09:00:00")  # a Wednesday
        freezer.start()
        self.addCleanup(freezer.stop)

    def _reminders(self):
        reminders = self.env["relance.reminder"]
        for customer in self.customers:
            invoice = self._create_invoice_one_line(
                price_unit=500.0,
                tax_ids=self.env["account.tax"],
                partner_id=customer,
                invoice_date=date(2026, 1, 2),
                invoice_date_due=date(2026, 1, 2),
                post=True,
            )
            items = invoice.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            )
            reminders |= reminders.create(
                {
                    "partner_id": customer.id,
                    "level_id": self.plan.level_ids.id,
                    "date": date(2026, 2, 4),
                    "state": "to_send",
                    "currency_id": self.company.currency_id.id,
                    "amount_due": invoice.amount_residual,
                    "move_line_ids": [Command.set(items.ids)],
                }
            )
        return reminders

    def test_one_queue_run_delivers_every_email_once(self):
        """20 ordinary emails deleted once sent (as Odoo's notifications
        are) and 3 reminder emails: one run of the queue delivers all 23,
        each once, logs no error, and the reminders end "sent"."""
        smtp = self._start_smtp()
        self.env["mail.mail"].create(
            [
                {
                    "subject": f"Ordinary email {index}",
                    "email_from": "company@example.com",
                    "email_to": f"someone{index}@example.com",
                    "body_html": "<p>Hello</p>",
                    "auto_delete": True,
                }
                for index in range(20)
            ]
        )
        reminders = self._reminders()
        # more emails than Odoo sends at once: they wait in the queue
        reminders.with_context(mail_notify_force_send=False)._send_reminders()
        self.assertEqual(set(reminders.mapped("email_state")), {"queued"})

        with self.assertNoLogs(MAIL_LOGGER, level="ERROR"):
            self.env["mail.mail"].process_email_queue()

        subjects = Counter(message["subject"] for message in smtp.messages)
        self.assertEqual(len(smtp.messages), 23, subjects)
        self.assertEqual(set(subjects.values()), {1}, "each email left once")
        for reminder in reminders:
            self.assertEqual(subjects[reminder.email_message_id.subject], 1)
        self.assertFalse(
            self.env["mail.mail"].search([("state", "in", ("outgoing", "exception"))]),
            "nothing left in the queue",
        )
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(set(reminders.mapped("email_state")), {"sent"})

        # a second run finds nothing to send
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(smtp.messages), 23)

    def test_email_sent_at_once_leaves_once(self):
        """A reminder sent at once (Odoo sends a message's few emails right
        after the commit, and at once in tests) leaves once, is "sent", and
        nothing of it stays in the queue for a second delivery."""
        smtp = self._start_smtp()
        reminder = self._reminders()[:1]
        with self.assertNoLogs(MAIL_LOGGER, level="ERROR"):
            reminder._send_reminders()
        self.assertEqual(len(smtp.messages), 1)
        self.assertEqual(smtp.messages[0]["to"], ["client0@example.com"])
        self.assertEqual((reminder.state, reminder.email_state), ("sent", "sent"))
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(smtp.messages), 1, "not sent a second time")

    def test_smtp_server_down_is_an_error_then_retried(self):
        """Our own SMTP server refusing the connection puts the reminder in
        error, and leaves the ordinary emails in the queue for later."""
        self._start_smtp(refuse=True)
        self.env["mail.mail"].create(
            {
                "subject": "Ordinary email",
                "email_from": "company@example.com",
                "email_to": "someone@example.com",
                "body_html": "<p>Hello</p>",
                "auto_delete": True,
            }
        )
        reminders = self._reminders()[:1]
        reminders.with_context(mail_notify_force_send=False)._send_reminders()
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(reminders.state, "error")
        self.assertEqual(reminders.email_state, "error")
        self.assertEqual(
            self.env["mail.mail"].search_count([("state", "=", "exception")]), 2
        )
