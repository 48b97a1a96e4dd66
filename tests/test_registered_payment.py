"""A payment registered without a journal entry: with the Accounting app
and a bank journal without outstanding account, Odoo only links the payment
to the invoice and calls the invoice *In Payment*, even for part of its
amount, until the bank line is matched.
The reminder asks what is still owed, never the whole invoice again, and
does not forget the invoice either."""

from datetime import date
from unittest.mock import patch

from odoo.tests import tagged

from .common_engine import D, ReminderEngineCommon, days


@tagged("post_install", "-at_install")
class TestRegisteredPayment(ReminderEngineCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_data["default_journal_bank"].inbound_payment_method_line_ids.write(
            {"payment_account_id": False}
        )

    def setUp(self):
        super().setUp()
        # the Accounting app, as Odoo's own test_account_payment emulates it
        # (Invoicing alone always gives a payment its journal entry)
        accounting_app = patch.object(
            self.env.registry["account.move"],
            "_get_invoice_in_payment_state",
            lambda move: "in_payment",
        )
        accounting_app.start()
        self.addCleanup(accounting_app.stop)

    def _pay_without_entry(self, invoice, amount):
        payment = self._register_payment(invoice, amount=amount, payment_date=D)
        self.assertFalse(payment.move_id, "the payment has no journal entry")
        self.assertIn(payment, invoice.matched_payment_ids)
        return payment

    def test_part_paid_invoice_is_reminded_for_what_is_left(self):
        invoice = self._invoice(self.customer, D, 1000.0)
        self._pay_without_entry(invoice, 400.0)
        # "In Payment", yet its journal item still owes 1000 until the bank
        # line is matched
        self.assertEqual(invoice.payment_state, "in_payment")
        preview = self.env["relance.engine"]._run(
            days(6), self.company.ids, dry_run=True
        )
        self.assertEqual(len(preview), 1, "the invoice is not forgotten")
        reminder = self._run(days(6))
        self.assertEqual(reminder.partner_id, self.customer)
        self.assertAlmostEqual(reminder.amount_due, 600.0)
        self.assertAlmostEqual(reminder.line_ids.amount_residual, 600.0)

    def test_fully_registered_invoice_is_not_reminded(self):
        invoice = self._invoice(self.customer, D, 1000.0)
        self._pay_without_entry(invoice, 1000.0)
        self.assertFalse(self._run(days(6)))

    def test_earliest_installment_is_paid_first(self):
        invoice = self._invoice(
            self.customer,
            D,
            1000.0,
            invoice_date=D,
            invoice_payment_term_id=self.pay_terms_b.id,
        )
        first, second = invoice.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        ).sorted("date_maturity")
        self.assertAlmostEqual(first.amount_residual, 300.0)
        self._pay_without_entry(invoice, 400.0)
        # both installments overdue: the first is covered, 100 of the second too
        reminder = self._run(date(2026, 5, 15))
        self.assertEqual(reminder.line_ids.move_line_id, second)
        self.assertAlmostEqual(reminder.amount_due, 600.0)
