from collections import defaultdict

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..tools.dataset import generate


@tagged("post_install", "-at_install")
class TestDataset(TransactionCase):
    """The generator produces the behaviour mix it promises (small scale)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.summary = generate(cls.env, n_invoices=80, seed=7)
        cls.partners = cls.env["res.partner"].search([("ref", "=like", "RELGEN-%")])
        cls.habit = {p.id: p.ref.split("-")[1] for p in cls.partners}
        cls.invoices = cls.env["account.move"].search(
            [("move_type", "=", "out_invoice"), ("partner_id", "in", cls.partners.ids)]
        )

    def _partners(self, habit):
        return self.partners.filtered(lambda p: self.habit[p.id] == habit)

    def _payment_delays(self, habit):
        """{receivable line: [days between its due date and each payment]}
        for the invoices of the customers of ``habit`` (credit notes apart)."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT inv_line.id, pay_line.date - inv_line.date_maturity
                  FROM account_move_line inv_line
                  JOIN account_move inv ON inv.id = inv_line.move_id
                  JOIN account_partial_reconcile part
                    ON part.debit_move_id = inv_line.id
                  JOIN account_move_line pay_line ON pay_line.id = part.credit_move_id
                  JOIN account_move pay ON pay.id = pay_line.move_id
                 WHERE inv.move_type = 'out_invoice'
                   AND pay.move_type = 'entry'
                   AND inv.partner_id = ANY(%(partners)s)
                """,
                partners=self._partners(habit).ids,
            )
        )
        delays = defaultdict(list)
        for line_id, days in rows:
            delays[line_id].append(days)
        return delays

    def test_summary(self):
        self.assertEqual(self.summary["invoices"], 80)
        self.assertEqual(len(self.invoices), 80)
        self.assertEqual(self.summary["customers"], 8)
        self.assertEqual(
            set(self.summary["habits"]),
            {"early", "on_time", "late_10", "late_45", "never"},
        )

    def test_habit_written_on_customers(self):
        self.assertEqual(len(self.partners), 8)
        for partner in self.partners:
            self.assertIn(
                self.habit[partner.id],
                ("early", "on_time", "late_10", "late_45", "never"),
            )
            self.assertTrue(partner.comment)
            self.assertTrue(partner.email)

    def test_invoices_posted_over_last_year(self):
        self.assertEqual(set(self.invoices.mapped("state")), {"posted"})
        today = fields.Date.context_today(self.env.user)
        dates = self.invoices.mapped("invoice_date")
        self.assertLessEqual(max(dates), today)
        self.assertGreaterEqual(min(dates).toordinal(), today.toordinal() - 366)

    def test_late_10_customers_pay_ten_days_late(self):
        delays = self._payment_delays("late_10")
        self.assertTrue(delays)
        for days in delays.values():
            # the first payment of each installment; a partial balance comes later
            self.assertGreaterEqual(min(days), 6)
            self.assertLessEqual(min(days), 14)

    def test_late_45_customers_pay_about_45_days_late(self):
        delays = self._payment_delays("late_45")
        self.assertTrue(delays)
        for days in delays.values():
            self.assertGreaterEqual(min(days), 35)
            self.assertLessEqual(min(days), 55)

    def test_early_customers_pay_before_due_date(self):
        delays = self._payment_delays("early")
        self.assertTrue(delays)
        for days in delays.values():
            self.assertLessEqual(min(days), 0)

    def test_on_time_customers_pay_on_due_date(self):
        delays = self._payment_delays("on_time")
        self.assertTrue(delays)
        for days in delays.values():
            self.assertGreaterEqual(min(days), -1)
            self.assertLessEqual(min(days), 2)

    def test_never_pay_customers_have_open_invoices(self):
        invoices = self.invoices.filtered(
            lambda m: self.habit[m.partner_id.id] == "never" and not m.reversal_move_ids
        )
        self.assertTrue(invoices)
        self.assertFalse(
            invoices.filtered(lambda m: m.payment_state in ("paid", "in_payment"))
        )
        self.assertTrue(all(inv.amount_residual > 0 for inv in invoices))

    def test_installments(self):
        installment = self.env.ref("account.account_payment_term_advance_60days")
        invoices = self.invoices.filtered(
            lambda m: m.invoice_payment_term_id == installment
        )
        self.assertTrue(invoices)
        lines = invoices[0].line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        self.assertEqual(len(lines), 2)
        self.assertGreaterEqual(len(self.invoices.invoice_payment_term_id), 3)

    def test_two_companies_two_currencies(self):
        self.assertEqual(len(self.invoices.company_id), 2)
        self.assertEqual(len(self.summary["companies"]), 2)
        foreign = self.invoices.filtered(
            lambda m: m.currency_id != m.company_id.currency_id
        )
        self.assertTrue(foreign)
        self.assertTrue(
            self.env["res.currency.rate"].search_count(
                [
                    ("currency_id", "=", foreign[0].currency_id.id),
                    ("company_id", "=", foreign[0].company_id.id),
                ]
            )
            >= 12
        )

    def test_partial_payments(self):
        self.assertGreater(self.summary["partial_payments"], 0)
        self.assertTrue(self.invoices.filtered(lambda m: m.payment_state == "partial"))

    def test_credit_notes_reconciled(self):
        refunds = self.env["account.move"].search(
            [("move_type", "=", "out_refund"), ("partner_id", "in", self.partners.ids)]
        )
        self.assertEqual(len(refunds), self.summary["credit_notes"])
        self.assertTrue(refunds)
        for refund in refunds:
            self.assertEqual(refund.state, "posted")
            self.assertIn(refund.payment_state, ("paid", "reversed"))
            self.assertTrue(refund.reversed_entry_id)

    def test_payments_with_and_without_entry(self):
        payments = self.env["account.payment"].search(
            [("partner_id", "in", self.partners.ids)]
        )
        with_entry = payments.filtered("move_id")
        without = payments - with_entry
        self.assertEqual(len(with_entry), self.summary["payments"])
        self.assertEqual(len(without), self.summary["payments_without_entry"])
        self.assertTrue(with_entry.reconciled_invoice_ids)
        self.assertTrue(without)
        for payment in without:
            self.assertEqual(payment.state, "in_process")
            # the invoice knows its payment, its receivable is still open
            invoice = payment.invoice_ids
            self.assertEqual(len(invoice), 1)
            self.assertIn(payment, invoice.matched_payment_ids)
            self.assertTrue(invoice.amount_residual)
        statement_lines = self.env["account.bank.statement.line"].search(
            [("partner_id", "in", self.partners.ids)]
        )
        self.assertEqual(len(statement_lines), self.summary["statement_lines"])
        self.assertTrue(statement_lines)
        self.assertTrue(all(statement_lines.mapped("is_reconciled")))

    def test_no_generator_in_the_registry(self):
        """A production database holds no model of the dataset generator."""
        self.assertNotIn("relance.dataset", self.env.registry)
        self.assertFalse(
            self.env["ir.model"].search([("model", "=like", "relance.dataset%")])
        )

    def test_deterministic(self):
        """Same seed, same data (new customers, same invoices and payments)."""

        def fingerprint(partners):
            moves = self.env["account.move"].search(
                [
                    ("partner_id", "in", partners.ids),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                ],
                order="invoice_date, amount_total, id",
            )
            return [
                (
                    self.habit.get(m.partner_id.id) or m.partner_id.ref.split("-")[1],
                    m.move_type,
                    m.invoice_date,
                    m.amount_total,
                    m.amount_residual,
                )
                for m in moves
            ]

        before = self.env["res.partner"].search([("ref", "=like", "RELGEN-%")])
        generate(self.env, n_invoices=15, seed=3, second_company=False)
        first = self.env["res.partner"].search([("ref", "=like", "RELGEN-%")]) - before
        generate(self.env, n_invoices=15, seed=3, second_company=False)
        second = (
            self.env["res.partner"].search([("ref", "=like", "RELGEN-%")])
            - before
            - first
        )
        self.assertEqual(len(first), len(second))
        self.assertEqual(first.mapped("name"), second.mapped("name"))
        self.assertEqual(fingerprint(first), fingerprint(second))
