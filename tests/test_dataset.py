from collections import Counter, defaultdict

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


@tagged("post_install", "-at_install")
class TestDatasetCopiedBlocks(TestDataset):
    """The same promises when the ORM writes one block of 80 invoices and
    tools/dataset_writer.py copies it in bulk SQL (as for 20,000 invoices and
    more): every test above runs again on the copied dataset."""

    @classmethod
    def setUpClass(cls):
        super(TestDataset, cls).setUpClass()
        cls.summary = generate(cls.env, n_invoices=160, seed=7, block_invoices=80)
        cls.partners = cls.env["res.partner"].search([("ref", "=like", "RELGEN-%")])
        cls.habit = {p.id: p.ref.split("-")[1] for p in cls.partners}
        cls.invoices = cls.env["account.move"].search(
            [("move_type", "=", "out_invoice"), ("partner_id", "in", cls.partners.ids)]
        )

    def test_summary(self):
        self.assertEqual(self.summary["blocks"], 2)
        self.assertEqual(self.summary["invoices"], 160)
        self.assertEqual(len(self.invoices), 160)
        # 8 customers a block, every habit in each
        self.assertEqual(self.summary["customers"], 16)
        self.assertEqual(len(self.partners), 16)
        self.assertEqual(
            self.summary["habits"],
            {"on_time": 6, "late_10": 4, "early": 2, "late_45": 2, "never": 2},
        )
        self.assertEqual(dict(Counter(self.habit.values())), self.summary["habits"])

    def test_habit_written_on_customers(self):
        self.assertEqual(len(set(self.partners.mapped("ref"))), 16)
        self.assertEqual(len(set(self.partners.mapped("email"))), 16)
        for partner in self.partners:
            self.assertTrue(partner.comment)

    def test_copy_is_what_the_orm_computes(self):
        """Residuals, reconciled flags and payment states of the copy are the
        ones the ORM computes again from its lines and reconciliations."""
        moves = self.env["account.move"].search(
            [("partner_id", "in", self.partners.ids)]
        )
        lines = moves.line_ids
        self.assertEqual(len(moves.partner_id), 16)

        def stored():
            self.env.flush_all()
            return self.env.execute_query(
                SQL(
                    """
                    SELECT l.id, l.amount_residual, l.amount_residual_currency,
                           l.reconciled, m.amount_residual, m.payment_state
                      FROM account_move_line l
                      JOIN account_move m ON m.id = l.move_id
                     WHERE l.id = ANY(%s) ORDER BY l.id
                    """,
                    lines.ids,
                )
            )

        before = stored()
        Line, Move = self.env["account.move.line"], self.env["account.move"]
        for name in ("amount_residual", "amount_residual_currency", "reconciled"):
            self.env.add_to_compute(Line._fields[name], lines)
        for name in ("amount_residual", "payment_state"):
            self.env.add_to_compute(Move._fields[name], moves)
        self.assertEqual(stored(), before)

    def test_copy_names_and_links(self):
        """Each copied entry has its own name; payments, bank lines, credit
        notes and matching numbers point into their own copy."""
        self.env.flush_all()
        checks = self.env.execute_query(
            SQL(
                """
                SELECT
                  (SELECT COUNT(*) FROM account_move_line l
                     JOIN account_move m ON m.id = l.move_id
                    WHERE m.partner_id = ANY(%(p)s)
                      AND l.partner_id IS DISTINCT FROM m.partner_id),
                  (SELECT COUNT(*) FROM account_partial_reconcile apr
                     JOIN account_move_line d ON d.id = apr.debit_move_id
                     JOIN account_move_line c ON c.id = apr.credit_move_id
                    WHERE d.partner_id = ANY(%(p)s)
                      AND d.partner_id IS DISTINCT FROM c.partner_id),
                  (SELECT COUNT(*) FROM account_move_line l
                    WHERE l.partner_id = ANY(%(p)s)
                      AND l.full_reconcile_id IS NOT NULL
                      AND l.matching_number <> l.full_reconcile_id::text),
                  (SELECT COUNT(*) FROM account_payment pay
                     JOIN account_move m ON m.id = pay.move_id
                    WHERE pay.partner_id = ANY(%(p)s)
                      AND (m.origin_payment_id IS DISTINCT FROM pay.id
                           OR m.name <> pay.name)),
                  (SELECT COUNT(*) FROM account_bank_statement_line st
                     JOIN account_move m ON m.id = st.move_id
                    WHERE st.partner_id = ANY(%(p)s)
                      AND m.statement_line_id IS DISTINCT FROM st.id),
                  (SELECT COUNT(*) FROM account_move r
                     JOIN account_move i ON i.id = r.reversed_entry_id
                    WHERE r.partner_id = ANY(%(p)s)
                      AND (r.partner_id <> i.partner_id
                           OR r.ref <> 'Credit note for ' || i.name)),
                  (SELECT COUNT(*) - COUNT(DISTINCT (name, journal_id))
                     FROM account_payment WHERE partner_id = ANY(%(p)s))
                """,
                p=self.partners.ids,
            )
        )[0]
        self.assertEqual(checks, (0, 0, 0, 0, 0, 0, 0))
        # the copy's customers pay like the block's: same habit, same amounts
        first, second = self.partners.sorted("id")[:8], self.partners.sorted("id")[8:]
        self.assertEqual(
            [self.habit[p.id] for p in first], [self.habit[p.id] for p in second]
        )

        def residuals(partner):
            invoices = self.invoices.filtered(lambda m: m.partner_id == partner)
            return sorted(invoices.mapped("amount_residual"))

        for one, two in zip(first, second, strict=True):
            self.assertEqual(residuals(one), residuals(two))
