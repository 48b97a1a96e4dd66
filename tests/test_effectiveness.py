"""Effectiveness per level and channel, against items of the same age that
were not reminded: a case computed by hand (relance.effectiveness)."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestEffectiveness(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.today = today = fields.Date.context_today(cls.env.user)
        cls.env["relance.plan"].search(
            [("company_id", "=", cls.company.id), ("is_default", "=", True)]
        ).is_default = False
        cls.env.flush_all()
        cls.plan = cls.env["relance.plan"].create(
            {
                "name": "Effectiveness plan",
                "company_id": cls.company.id,
                "is_default": True,
                "level_ids": [
                    Command.create({"name": "Friendly", "offset_days": 5}),
                    Command.create({"name": "Firm", "offset_days": 15}),
                ],
            }
        )
        cls.friendly, cls.firm = cls.plan._get_ordered_levels()
        Partner = cls.env["res.partner"]
        reminded = Partner.create({"name": "Client Relancé", "is_company": True})
        silent = Partner.create({"name": "Client Jamais Relancé", "is_company": True})
        # reminded 5 days after the due date, 60 days ago: 1,000 (600 paid 3
        # days later, 400 20 days later) and 500 (paid 10 days later)
        cls.day = today - timedelta(days=60)
        due = cls.day - timedelta(days=5)
        first = cls._invoice(reminded, 1000.0, due)
        second = cls._invoice(reminded, 500.0, due)
        cls.reminder = cls.env["relance.reminder"].create(
            {
                "partner_id": reminded.id,
                "level_id": cls.friendly.id,
                "date": cls.day,
                "currency_id": cls.company.currency_id.id,
                "amount_due": 1500.0,
                "move_line_ids": [Command.set(cls._items(first | second).ids)],
            }
        )
        cls.reminder.write({"email_state": "sent", "state": "sent"})
        cls._pay(first, 600.0, cls.day + timedelta(days=3))
        cls._pay(first, 400.0, cls.day + timedelta(days=20))
        cls._pay(second, 500.0, cls.day + timedelta(days=10))
        # never reminded: 800 due 100 days ago, open at 5 days (the level's
        # age), paid 30 days after it; 300 paid before reaching that age
        old_due = today - timedelta(days=100)
        cls._pay(cls._invoice(silent, 800.0, old_due), 800.0, old_due + timedelta(35))
        cls._pay(cls._invoice(silent, 300.0, old_due), 300.0, old_due + timedelta(2))

    @classmethod
    def _invoice(cls, partner, amount, due):
        return cls._create_invoice(
            partner_id=partner.id,
            invoice_date=due - timedelta(days=30),
            invoice_date_due=due,
            invoice_payment_term_id=False,
            invoice_line_ids=[
                Command.create({"name": "Service", "price_unit": amount, "tax_ids": []})
            ],
            post=True,
        )

    @classmethod
    def _items(cls, moves):
        return moves.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )

    @classmethod
    def _pay(cls, invoice, amount, day):
        cls._register_payment(invoice, amount=amount, payment_date=day)

    def test_level_effectiveness_against_the_baseline(self):
        """Reminded 1,500: paid within 7 days 600 (40 %), within 15 days
        600 + 500 = 1,100, within 30 days 1,500; days to pay 20 and 10,
        median 15.  Not reminded, at the same age (5 days): 800 paid 30 days
        later: nothing within 7 or 15 days, 800 within 30, median 30."""
        result = self.env["relance.reminder"]._get_level_effectiveness(
            self.today - timedelta(days=120), self.today, company_ids=self.company.ids
        )
        self.assertEqual([row["level_id"] for row in result], [self.friendly.id])
        row = result[0]
        self.assertEqual(row["reminded_amount"], 1500.0)
        self.assertEqual(row["paid_7_amount"], 600.0)
        self.assertEqual(row["paid_15_amount"], 1100.0)
        self.assertEqual(row["paid_30_amount"], 1500.0)
        self.assertAlmostEqual(row["paid_7_share"], 40.0)
        self.assertEqual(row["median_days_to_pay"], 15.0)
        baseline = row["baseline"]
        self.assertEqual(baseline["reminded_amount"], 800.0)
        self.assertEqual(
            (
                baseline["paid_7_amount"],
                baseline["paid_15_amount"],
                baseline["paid_30_amount"],
            ),
            (0.0, 0.0, 800.0),
        )
        self.assertEqual(baseline["median_days_to_pay"], 30.0)
        # another period: nothing
        self.assertFalse(
            self.env["relance.reminder"]._get_level_effectiveness(
                self.today - timedelta(days=30), self.today
            )
        )

    def test_pivot_per_level_and_channel(self):
        Report = self.env["relance.effectiveness"]
        groups = Report.formatted_read_group(
            [("kind", "=", "reminded")],
            ["level_id", "channel"],
            ["reminded_amount:sum", "paid_30_amount:sum"],
        )
        self.assertEqual(len(groups), 1)
        self.assertEqual(groups[0]["channel"], "email")
        self.assertEqual(groups[0]["reminded_amount:sum"], 1500.0)
        baseline = Report.search(
            [("kind", "=", "baseline"), ("level_id", "=", self.firm.id)]
        )
        # at 15 days the 800 was still open, paid 20 days later
        self.assertEqual(baseline.mapped("reminded_amount"), [800.0])
        self.assertEqual(baseline.mapped("paid_30_amount"), [800.0])
        self.assertEqual(baseline.mapped("paid_15_amount"), [0.0])
