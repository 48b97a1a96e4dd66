"""The collection KPIs without a database (engine/kpi.py): each formula on a
case computed by hand in the comments."""

import unittest

from ..engine import kpi


class TestKpiFormulas(unittest.TestCase):
    def setUp(self):
        super().setUp()
        # receivables 2,500 at the end of a 30-day month, 600 of them not due,
        # 1,900 overdue (500 of them by more than 60 days); 2,200 open at the
        # end of the month before; sales of 1,000, 1,000 and 2,000 over the
        # last three months (the most recent first)
        self.figures = kpi.Figures(
            receivable=2500.0,
            current=600.0,
            overdue=1900.0,
            overdue_60=500.0,
            receivable_start=2200.0,
            months=[(30, 1000.0), (31, 1000.0), (31, 2000.0)],
        )

    def test_dso_by_the_countback_method(self):
        # 2,500 - 1,000 (30 days) - 1,000 (31 days) = 500 left,
        # 500 / 2,000 of the third month = 7.75 days: 30 + 31 + 7.75
        self.assertAlmostEqual(kpi.dso(self.figures), 68.75)

    def test_best_possible_dso(self):
        # 600 not due: 600 / 1,000 of the latest month of 30 days = 18
        self.assertAlmostEqual(kpi.best_possible_dso(self.figures), 18.0)

    def test_average_days_delinquent(self):
        # 68.75 - 18 = 50.75
        self.assertAlmostEqual(kpi.average_days_delinquent(self.figures), 50.75)

    def test_collection_effectiveness_index(self):
        # collected: 2,200 + 1,000 - 2,500 = 700; collectable: 2,200 + 1,000
        # - 600 = 2,600; 700 / 2,600 = 26.92 %
        self.assertAlmostEqual(
            kpi.collection_effectiveness(self.figures), 100 * 700 / 2600
        )

    def test_overdue_over_60_share(self):
        # 500 / 1,900 = 26.3 %
        self.assertAlmostEqual(kpi.overdue_60_share(self.figures), 100 * 500 / 1900)

    def test_receivables_older_than_the_months_of_sales(self):
        """5,000 open for 12 months of 100 (30 days each): the 1,200 of the
        12 months cover 360 days, the 3,800 left count at the average 100/30
        a day: 360 + 1,140 = 1,500 days."""
        figures = kpi.Figures(receivable=5000.0, months=[(30, 100.0)] * 12)
        self.assertAlmostEqual(kpi.dso(figures), 1500.0)

    def test_credit_notes_and_no_sales(self):
        # a month of net credit notes (-50) adds to what is left: 150 of 200
        figures = kpi.Figures(receivable=100.0, months=[(30, -50.0), (30, 200.0)])
        self.assertAlmostEqual(kpi.dso(figures), 30 + 30 * 150 / 200)
        # no sales at all: 0, as the behaviour's DSO; nothing open: 0
        self.assertEqual(kpi.dso(kpi.Figures(receivable=100.0, months=[(30, 0.0)])), 0)
        self.assertEqual(kpi.dso(kpi.Figures(months=[(30, 500.0)])), 0)
        # nothing collectable: no CEI
        self.assertIsNone(kpi.collection_effectiveness(kpi.Figures(months=[(30, 0.0)])))
