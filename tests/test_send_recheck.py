"""Sending reads the reminder's items again (#12 item 4): an invoice paid,
cancelled, disputed or promised after its reminder was made is not chased
when the reminder goes out, is confirmed or is retried; a reminder left with
nothing to chase cancels itself and says why.  Through the real sending path
and a real SMTP server on 127.0.0.1."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .real_smtp import RealSmtpMixin


@tagged("post_install", "-at_install")
class TestSendRecheck(RealSmtpMixin, AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.email = "credit@company.example.com"
        cls.plan = cls.env["relance.plan"].create(
            {
                "name": "Recheck plan",
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
            {"name": "Dupont SARL", "email": "compta@dupont.example.com"}
        )
        cls.env["mail.mail"].sudo().search([]).unlink()

    def setUp(self):
        super().setUp()
        freezer = freeze_time("2026-02-04 09:00:00")  # a Wednesday
        freezer.start()
        self.addCleanup(freezer.stop)
        self.smtp = self._start_smtp()

    def _invoice(self, amount):
        return self._create_invoice_one_line(
            price_unit=amount,
            tax_ids=self.env["account.tax"],
            partner_id=self.customer,
            invoice_date=date(2026, 1, 2),
            invoice_date_due=date(2026, 1, 2),
            post=True,
        )

    def _reminder(self, invoices, state="to_send"):
        items = invoices.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        return self.env["relance.reminder"].create(
            {
                "partner_id": self.customer.id,
                "level_id": self.plan.level_ids.id,
                "date": date(2026, 2, 4),
                "state": state,
                "currency_id": self.company.currency_id.id,
                "amount_due": sum(invoices.mapped("amount_residual")),
                "move_line_ids": [Command.set(items.ids)],
            }
        )

    def _line(self, reminder, invoice):
        return reminder.line_ids.filtered(lambda line: line.move_id == invoice)

    def _bodies(self):
        return [
            message["message"].get_body(("html", "plain")).get_content()
            for message in self.smtp.messages
        ]

    def test_paid_invoice_left_out_of_the_email(self):
        """Paid after the reminder was made: the email that leaves lists the
        other invoice only, for its amount; the paid line says why."""
        paid, open_ = self._invoice(300.0), self._invoice(700.0)
        reminder = self._reminder(paid | open_)
        self.assertEqual(reminder.amount_due, 1000.0)
        self._register_payment(paid)
        self.assertIn(paid.payment_state, ("in_payment", "paid"))

        reminder._send_reminders()

        self.assertEqual((reminder.state, reminder.email_state), ("sent", "sent"))
        self.assertEqual(len(self.smtp.messages), 1)
        body = self._bodies()[0]
        self.assertIn(open_.name, body)
        self.assertNotIn(paid.name, body, "a paid invoice is not chased")
        self.assertEqual(self._line(reminder, paid).left_out, "paid")
        self.assertFalse(self._line(reminder, paid).level_id)
        self.assertFalse(self._line(reminder, open_).left_out)
        self.assertEqual(reminder.move_line_ids.move_id, open_)
        self.assertEqual(reminder.amount_due, 700.0)
        self.assertIn(paid.name, reminder.message_ids[1:].mapped("body")[0] or "")

    def test_all_paid_cancels_and_sends_nothing(self):
        invoice = self._invoice(500.0)
        reminder = self._reminder(invoice)
        self._register_payment(invoice)

        reminder._send_reminders()
        self.env["mail.mail"].process_email_queue()

        self.assertEqual(reminder.state, "cancel")
        self.assertFalse(reminder.email_state)
        self.assertFalse(self.smtp.messages, "nothing sent")
        self.assertIn("Nothing left to chase", reminder.cancel_reason)
        self.assertIn(invoice.name, reminder.cancel_reason)
        self.assertIn("paid", reminder.cancel_reason)
        self.assertIn(
            "Nothing left to chase", "".join(reminder.message_ids.mapped("body"))
        )

    def test_cancelled_invoice(self):
        invoice = self._invoice(500.0)
        reminder = self._reminder(invoice)
        invoice.button_draft()
        invoice.button_cancel()

        reminder._send_reminders()

        self.assertEqual(reminder.state, "cancel")
        self.assertEqual(self._line(reminder, invoice).left_out, "cancelled")
        self.assertIn("cancelled", reminder.cancel_reason)
        self.assertFalse(self.smtp.messages)

    def test_disputed_invoice_at_confirmation(self):
        """Confirming a reminder to review re-reads its items too."""
        disputed, open_ = self._invoice(200.0), self._invoice(800.0)
        reminder = self._reminder(disputed | open_, state="draft")
        self.env["relance.dispute"].create(
            {
                "move_id": disputed.id,
                "reason_id": self.env.ref("account_relance.dispute_reason_price").id,
            }
        )
        reminder.action_confirm()
        self.assertEqual(reminder.state, "to_send")
        self.assertEqual(self._line(reminder, disputed).left_out, "disputed")
        self.assertEqual(reminder.amount_due, 800.0)

        reminder._send_reminders()
        self.assertEqual(reminder.state, "sent")
        body = self._bodies()[0]
        self.assertIn(open_.name, body)
        self.assertNotIn(disputed.name, body)

    def test_confirming_a_reminder_with_nothing_to_chase_cancels_it(self):
        invoice = self._invoice(500.0)
        reminder = self._reminder(invoice, state="draft")
        self._register_payment(invoice)
        reminder.action_confirm()
        self.assertEqual(reminder.state, "cancel")
        self.assertIn(invoice.name, reminder.cancel_reason)

    def test_promised_invoice_at_retry(self):
        """A reminder in error, retried after the customer promised to pay:
        it cancels itself rather than chasing the promised invoice."""
        self.mail_server.smtp_port = 1  # our server refuses: the email fails
        invoice = self._invoice(500.0)
        reminder = self._reminder(invoice)
        reminder._send_reminders()
        self.assertEqual(reminder.state, "error")

        self.env["relance.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "date": date(2026, 2, 20),
            }
        )
        self.assertTrue(invoice.relance_paused_until)
        reminder.action_retry()
        self.assertEqual(reminder.state, "cancel")
        self.assertEqual(self._line(reminder, invoice).left_out, "promised")
        self.assertIn("promise", reminder.cancel_reason.lower())
        self.assertFalse(self.smtp.messages)

    def test_one_query_for_a_batch(self):
        """Re-reading the items costs one query, whatever the batch size."""
        reminders = self.env["relance.reminder"]
        for __ in range(5):
            reminders |= self._reminder(self._invoice(100.0))
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.env["relance.reminder.send"]._recheck_items(reminders)
