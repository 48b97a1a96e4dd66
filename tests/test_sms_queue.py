"""SMS leave through Odoo's SMS queue, after the commit: a transaction
rolled back, a batch retried customer by customer or a worker killed before
its commit sends nothing, and nothing twice."""

import contextlib
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.sms.tests.common import SMSCase

from .sms_queue import SmsQueueMixin


class _Rollback(Exception):
    pass


@tagged("post_install", "-at_install")
class TestSmsQueue(SmsQueueMixin, AccountTestInvoicingCommon, SMSCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Dupont SARL",
                "phone": "06 12 34 56 78",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.plan = cls.env["relance.plan"].create(
            {
                "name": "SMS plan",
                "company_id": cls.env.company.id,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Friendly SMS",
                            "tone": "friendly",
                            "auto_send": True,
                            "channel_email": False,
                            "channel_sms": True,
                        }
                    )
                ],
            }
        )
        invoice = cls._create_invoice_one_line(
            price_unit=500.0,
            tax_ids=cls.env["account.tax"],
            partner_id=cls.customer,
            invoice_date=date(2026, 1, 2),
            invoice_date_due=date(2026, 1, 2),
            post=True,
        )
        items = invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        cls.reminder = cls.env["relance.reminder"].create(
            {
                "partner_id": cls.customer.id,
                "level_id": cls.plan.level_ids.id,
                "date": date(2026, 2, 4),
                "state": "to_send",
                "currency_id": cls.env.company.currency_id.id,
                "amount_due": 500.0,
                "move_line_ids": [Command.set(items.ids)],
            }
        )

    def setUp(self):
        super().setUp()
        freezer = freeze_time("2026-02-04 09:00:00")  # a Wednesday
        freezer.start()
        self.addCleanup(freezer.stop)

    def test_sms_leaves_after_the_commit_once(self):
        """Sending queues the SMS: nothing reaches the provider inside the
        transaction; the queue sends it once, and the reminder is sent."""
        reminder = self.reminder
        with self.mockSMSGateway():
            reminder._send_reminders()
            self.assertFalse(self._sms, "nothing left inside the transaction")
            self.assertEqual(
                (reminder.sms_state, reminder.state), ("queued", "to_send")
            )
            queued = self.env["sms.sms"].search(
                [("mail_message_id", "=", reminder.sms_message_id.id)]
            )
            self.assertEqual(queued.mapped("state"), ["outgoing"])
            self._run_sms_queue()
            self._run_sms_queue()  # a second run finds nothing to send
        self.assertSMSIapSent(["+33612345678"])
        self.assertEqual(len(self._sms), 1, "sent once")
        self.assertEqual((reminder.sms_state, reminder.state), ("sent", "sent"))

    def test_rolled_back_sending_sends_no_sms(self):
        """A sending rolled back (a batch the engine retries customer by
        customer, a request retried after a serialization failure) sends no
        SMS; sending again sends exactly one."""
        reminder = self.reminder
        with self.mockSMSGateway():
            with contextlib.suppress(_Rollback), self.env.cr.savepoint():
                reminder._send_reminders()
                raise _Rollback
            self.assertFalse(reminder.sms_state)
            self._run_sms_queue()
            self.assertFalse(self._sms, "the rolled back SMS never left")
            reminder._send_reminders()
            self._run_sms_queue()
        self.assertEqual(len(self._sms), 1)
        self.assertEqual(reminder.state, "sent")

    def test_provider_refusal_is_recorded_by_the_queue(self):
        """The provider refuses the number when the queue sends it: the
        reminder's SMS is in error with the provider's reason."""
        reminder = self.reminder
        with self.mockSMSGateway(sim_error="wrong_number_format"):
            reminder._send_reminders()
            self.assertEqual(reminder.state, "to_send")
            self._run_sms_queue()
        self.assertEqual((reminder.sms_state, reminder.state), ("error", "error"))
        self.assertTrue(reminder.sms_failure_reason)
