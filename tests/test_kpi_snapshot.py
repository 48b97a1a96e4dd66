"""KPI snapshots rebuilt from the accounting as it stood at a month end:
the figures of engine/kpi.py on invoices and payments dated by hand."""

import importlib.util
from datetime import date
from pathlib import Path

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

END = date(2026, 3, 31)


@tagged("post_install", "-at_install")
class TestKpiSnapshot(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.Snapshot = cls.env["relance.kpi.snapshot"]
        cls.customer = cls.env["res.partner"].create(
            {"name": "Menuiserie Bernard", "is_company": True}
        )
        # 1,000 invoiced 15/01, due 14/02, 400 paid on 20/03
        cls.january = cls._invoice(1000.0, date(2026, 1, 15), date(2026, 2, 14))
        cls._register_payment(cls.january, amount=400.0, payment_date=date(2026, 3, 20))
        # 500 invoiced 01/02, due 03/03, paid on 05/04 (after the month end)
        cls.february = cls._invoice(500.0, date(2026, 2, 1), date(2026, 3, 3))
        cls._register_payment(cls.february, amount=500.0, payment_date=date(2026, 4, 5))
        # 2,000 invoiced 10/03, due 09/04
        cls.march = cls._invoice(2000.0, date(2026, 3, 10), date(2026, 4, 9))

    @classmethod
    def _invoice(cls, amount, invoice_date, due, partner=None):
        return cls._create_invoice(
            partner_id=(partner or cls.customer).id,
            invoice_date=invoice_date,
            invoice_date_due=due,
            invoice_payment_term_id=False,
            invoice_line_ids=[
                Command.create({"name": "Service", "price_unit": amount, "tax_ids": []})
            ],
            post=True,
        )

    def _snapshot(self, partner=None, day=END):
        return self.Snapshot.search(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "=", partner.id if partner else False),
                ("date", "=", day),
            ]
        )

    def test_month_end_from_the_accounting_history(self):
        """On 31/03: open 600 of January (overdue 45 days), 500 of February
        (overdue 28 days: its payment came in April), 2,000 of March not
        due: 3,100, of which 2,000 current and 1,100 overdue, none over 60.
        Sales: 2,000 (March, 31 days), 500 (February, 28), 1,000 (January).
        DSO: 3,100 - 2,000 - 500 = 600 left, 600 / 1,000 of January's 31
        days = 18.6: 31 + 28 + 18.6 = 77.6.  Best possible: 2,000 / 2,000 of
        March = 31.  ADD: 46.6.  CEI: 1,500 open on 28/02; (1,500 + 2,000 -
        3,100) / (1,500 + 2,000 - 2,000) = 400 / 1,500 = 26.7 %."""
        self.Snapshot._snapshot(self.company, [END], today=date(2026, 4, 30))
        for row in (self._snapshot(self.customer), self._snapshot()):
            self.assertEqual(len(row), 1)
            self.assertEqual(row.date, END)
            self.assertEqual(row.amount_receivable, 3100.0)
            self.assertEqual(row.amount_current, 2000.0)
            self.assertEqual(row.amount_overdue, 1100.0)
            self.assertEqual(row.amount_overdue_60, 0.0)
            self.assertEqual(row.sales_amount, 2000.0)
            self.assertAlmostEqual(row.dso, 77.6)
            self.assertAlmostEqual(row.best_possible_dso, 31.0)
            self.assertAlmostEqual(row.add, 46.6)
            self.assertAlmostEqual(row.cei, 26.7)

    def test_over_60_days_and_the_month_in_progress(self):
        """On 20/04 (month in progress, stored under 30/04): January's 600
        are 65 days overdue; February's invoice is paid; March's 2,000 are
        11 days overdue.  Overdue 2,600, of which 600 over 60 days (23.1 %)."""
        self.Snapshot._snapshot(
            self.company, [date(2026, 4, 20)], today=date(2026, 4, 20)
        )
        row = self._snapshot(self.customer, date(2026, 4, 30))
        self.assertEqual(row.date_computed, date(2026, 4, 20))
        self.assertEqual(row.amount_overdue, 2600.0)
        self.assertEqual(row.amount_overdue_60, 600.0)
        self.assertAlmostEqual(row.overdue_60_share, 23.1)

    def test_backfill_and_nightly_job(self):
        with freeze_time("2026-04-20"):
            self.Snapshot._backfill(self.company, months=3)
            ends = self.Snapshot.search(
                [("company_id", "=", self.company.id), ("partner_id", "=", False)]
            ).mapped("date")
            self.assertEqual(
                sorted(ends),
                [date(2026, 1, 31), date(2026, 2, 28), END, date(2026, 4, 30)],
            )
            # again: replaced, not duplicated
            self.Snapshot._backfill(self.company, months=3)
            self.assertEqual(
                self.Snapshot.search_count(
                    [("company_id", "=", self.company.id), ("partner_id", "=", False)]
                ),
                4,
            )
        with freeze_time("2026-05-02"):
            self.Snapshot._cron_snapshot()
            april = self._snapshot(day=date(2026, 4, 30))
            self.assertEqual(april.date_computed, date(2026, 4, 30), "final now")
            self.assertTrue(self._snapshot(day=date(2026, 5, 31)))

    def test_jit_is_off_for_the_read_and_restored_after(self):
        # the snapshot's query runs without PostgreSQL's JIT compilation; the
        # rest of the transaction keeps the database's setting
        def jit():
            self.env.cr.execute("SELECT current_setting('jit')")
            return self.env.cr.fetchone()[0]

        self.env.cr.execute("SET LOCAL jit = on")
        with self.env["relance.engine"]._without_jit():
            self.assertEqual(jit(), "off")
        self.assertEqual(jit(), "on")
        self.Snapshot._snapshot(self.company, [END], today=date(2026, 4, 30))
        self.assertEqual(jit(), "on", "restored after the snapshot")

    def test_query_count_does_not_grow_with_the_customers(self):
        self.Snapshot._snapshot(self.company, [END], today=date(2026, 4, 30))
        with self.assertQueryCount(6):
            self.Snapshot._snapshot(self.company, [END], today=date(2026, 4, 30))
        for index in range(10):
            partner = self.env["res.partner"].create({"name": f"Client {index}"})
            self._invoice(100.0, date(2026, 3, 1), date(2026, 3, 15), partner=partner)
        self.env.flush_all()
        with self.assertQueryCount(6):
            rows = self.Snapshot._snapshot(self.company, [END], today=date(2026, 4, 30))
        self.assertEqual(len(rows), 12, "the company and its 11 customers")

    def test_backfilled_by_the_upgrade(self):
        """The 19.0.2.0.0 upgrade makes the last 12 month ends and the month
        in progress of each company, on a database that had none (the
        install hook calls the same ``_backfill``)."""
        main = self.env.ref("base.main_company")

        def month_ends():
            # sudo: the main company is none of the test user's
            return set(
                self.Snapshot.sudo()
                .search([("company_id", "=", main.id), ("partner_id", "=", False)])
                .mapped("date")
            )

        self.Snapshot.sudo().search([]).unlink()
        path = Path(__file__).parent.parent / "migrations/19.0.2.0.0/post-migrate.py"
        spec = importlib.util.spec_from_file_location("post_migrate", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "19.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(len(month_ends()), 13)
