"""What the credit controller reads about an email: whose a delivery error
is, and a customer's chatter that never says "sent" for an email that did
not leave.  Real SMTP server on 127.0.0.1 (tests/real_smtp.py), Odoo's real
mail queue."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .real_smtp import RealSmtpMixin


@tagged("post_install", "-at_install")
class TestDeliveryWording(RealSmtpMixin, AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.email = "credit@company.example.com"
        cls.env.user.email = "controller@company.example.com"
        cls.plan = cls.env["relance.plan"].create(
            {
                "name": "Wording plan",
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
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Client Mail",
                "is_company": True,
                "email": "compta@client-mail.example.com",
            }
        )
        cls.env["mail.mail"].sudo().search([]).unlink()

    def setUp(self):
        super().setUp()
        freezer = freeze_time("2026-02-04 09:00:00")
        freezer.start()
        self.addCleanup(freezer.stop)

    def _reminder(self):
        invoice = self._create_invoice_one_line(
            price_unit=500.0,
            tax_ids=self.env["account.tax"],
            partner_id=self.customer,
            invoice_date=date(2026, 1, 2),
            invoice_date_due=date(2026, 1, 2),
            post=True,
        )
        items = invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        return self.env["relance.reminder"].create(
            {
                "partner_id": self.customer.id,
                "level_id": self.plan.level_ids.id,
                "date": date(2026, 2, 4),
                "state": "to_send",
                "currency_id": self.company.currency_id.id,
                "amount_due": invoice.amount_residual,
                "move_line_ids": [Command.set(items.ids)],
            }
        )

    def _customer_notes(self, reminder):
        return [
            message.body
            for message in self.customer.message_ids
            if reminder.name in (message.body or "")
        ]

    def test_our_server_down_is_said_to_be_ours(self):
        self._start_smtp(refuse=True)
        reminder = self._reminder()
        reminder.with_context(mail_notify_force_send=False)._send_reminders()
        # queued: nothing said yet on the customer
        self.assertEqual(reminder.email_state, "queued")
        self.assertEqual(self._customer_notes(reminder), [])
        self.env["mail.mail"].process_email_queue()
        self.assertEqual((reminder.state, reminder.email_state), ("error", "error"))
        reason = reminder.email_failure_reason
        self.assertIn("Our outgoing mail server did not send the email", reason)
        self.assertIn("compta@client-mail.example.com is not in question", reason)
        self.assertIn("Connection refused", reason)
        self.assertIn(reason, reminder.error_message)
        notes = self._customer_notes(reminder)
        self.assertEqual(len(notes), 1)
        self.assertIn("was not delivered", notes[0])
        self.assertIn("Our outgoing mail server", notes[0])
        self.assertNotIn("sent by email", notes[0])

    def test_sent_once_it_left(self):
        smtp = self._start_smtp()
        reminder = self._reminder()
        reminder.with_context(mail_notify_force_send=False)._send_reminders()
        self.assertEqual(self._customer_notes(reminder), [])
        self.env["mail.mail"].process_email_queue()
        self.assertEqual(len(smtp.messages), 1)
        self.assertEqual(reminder.email_state, "sent")
        notes = self._customer_notes(reminder)
        self.assertEqual(len(notes), 1)
        self.assertIn("sent by email to", notes[0])
        self.assertIn("compta@client-mail.example.com", notes[0])

    def test_the_customers_address_is_said_to_be_theirs(self):
        """A bounce, or an address the server refuses: the customer's."""
        reminder = self._reminder()
        reminder.email_partner_ids = self.customer
        send = self.env["relance.reminder.send"]
        for failure_type in ("mail_email_invalid", "mail_bounce"):
            reason = send._get_email_failure_reason(reminder, failure_type, False)
            self.assertIn(
                "The customer's address compta@client-mail.example.com did not "
                "accept the email",
                reason,
            )
            self.assertNotIn("Our outgoing mail server", reason)
