from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestBehaviourRiskFirst(AccountTestInvoicingCommon):
    """Risk first in the behaviour screens: a customer who never paid is the
    most worrying one, categories come by severity, and no predicted payment
    date lies in the past."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.Behaviour = cls.env["relance.partner.behaviour"]
        cls.today = fields.Date.context_today(cls.Behaviour)
        Partner = cls.env["res.partner"]
        cls.never = Partner.create({"name": "Bar Le Balto", "is_company": True})
        cls.late = Partner.create({"name": "Garage Dupont", "is_company": True})
        cls.newcomer = Partner.create({"name": "Client Neuf", "is_company": True})
        # never paid: 40 days overdue, nothing settled
        cls.never_invoice = cls._invoice(cls.never, 900.0, due_days=-40)
        # pays 10 days late: three invoices settled 10 days after their due date
        for _index in range(3):
            invoice = cls._invoice(cls.late, 100.0, due_days=-60)
            cls._register_payment(
                invoice, payment_date=invoice.invoice_date_due + timedelta(days=10)
            )
        cls.late_open = cls._invoice(cls.late, 500.0, due_days=-30)
        # nothing due yet, nothing settled
        cls._invoice(cls.newcomer, 200.0, due_days=10)
        cls.Behaviour._refresh(cls.company)

    @classmethod
    def _invoice(cls, partner, amount, due_days):
        due = cls.today + timedelta(days=due_days)
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

    def _row(self, partner):
        return self.Behaviour.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def test_never_paid_shows_the_age_of_its_oldest_overdue_item(self):
        never = self._row(self.never)
        self.assertEqual(never.payment_behaviour, "never_paid")
        self.assertEqual(never.payment_count, 0)
        # not 0.0 days: the age of the oldest overdue item
        self.assertEqual(never.oldest_overdue_days, 40)
        self.assertEqual(never.payment_delay_avg, 40.0)
        self.assertEqual(self.never.payment_behaviour, "never_paid")
        newcomer = self._row(self.newcomer)
        self.assertEqual(newcomer.payment_behaviour, "no_history")
        self.assertEqual(newcomer.oldest_overdue_days, 0)
        self.assertEqual(self._row(self.late).payment_behaviour, "late")
        self.assertEqual(self._row(self.late).oldest_overdue_days, 30)
        # the engine finds no habit to shift the levels by
        habits = self.Behaviour._get_habits(self.company, self.never.ids)
        self.assertEqual(habits, {self.never.id: (0.0, 0)})

    def test_average_delay_of_the_screen_leaves_no_history_out(self):
        """The pivot's average delay counts the never-paid customer at 40 days
        late and leaves the customer without history out (no 0.0 on time):
        (40 + 10) / 2 = 25."""
        [(average,)] = self.Behaviour._read_group(
            [("partner_id", "in", (self.never | self.late | self.newcomer).ids)],
            [],
            ["payment_delay_avg:avg"],
        )
        self.assertAlmostEqual(average, 25.0)

    def test_categories_by_severity(self):
        partners = self.never | self.late | self.newcomer
        domain = [("partner_id", "in", partners.ids)]
        # the list: the most worrying first, whatever the names
        self.assertEqual(
            self.Behaviour.search(domain).partner_id,
            self.never | self.late | self.newcomer,
        )
        # groups (pivot, graph, grouped list) follow the severity, not the
        # alphabet (which would put "late" before "never_paid")
        groups = self.Behaviour.formatted_read_group(
            domain, ["payment_behaviour"], ["__count"]
        )
        self.assertEqual(
            [group["payment_behaviour"] for group in groups],
            ["never_paid", "late", "no_history"],
        )
        descending = self.Behaviour.formatted_read_group(
            domain, ["payment_behaviour"], ["__count"], order="payment_behaviour desc"
        )
        self.assertEqual(
            [group["payment_behaviour"] for group in descending],
            ["no_history", "late", "never_paid"],
        )
        # a grouped list shows every category, in that order
        expanded = self.Behaviour.with_context(read_group_expand=True).web_read_group(
            domain, ["payment_behaviour"], ["__count"]
        )
        self.assertEqual(
            [group["payment_behaviour"] for group in expanded["groups"]],
            ["never_paid", "very_late", "late", "no_history", "on_time", "early"],
        )
        # the customers' and invoices' groupings too
        partner_groups = self.env["res.partner"].formatted_read_group(
            [("id", "in", partners.ids)], ["payment_behaviour"], ["__count"]
        )
        self.assertEqual(
            [group["payment_behaviour"] for group in partner_groups],
            ["never_paid", "late", "no_history"],
        )
        move_groups = self.env["account.move"].formatted_read_group(
            [("partner_id", "in", partners.ids), ("move_type", "=", "out_invoice")],
            ["relance_payment_behaviour"],
            ["__count"],
        )
        self.assertEqual(
            [group["relance_payment_behaviour"] for group in move_groups],
            ["never_paid", "late", "no_history"],
        )

    def test_predicted_date_never_in_the_past(self):
        """Due 30 days ago by a customer who pays 10 days late: by his habit
        it was expected 20 days ago; it is now expected from today on, and
        counts as later than his habit."""
        invoice = self.late_open
        self.assertEqual(invoice.predicted_payment_date, self.today)
        self.assertTrue(invoice.relance_past_habit)
        Move = self.env["account.move"]
        mine = [("partner_id", "in", (self.never | self.late | self.newcomer).ids)]
        self.assertFalse(
            Move.search([*mine, ("predicted_payment_date", "<", self.today)]),
            "no predicted date in the past",
        )
        self.assertEqual(
            Move.search([*mine, ("relance_past_habit", "=", True)]),
            self.never_invoice | invoice,
        )
        self.assertEqual(
            Move.search([*mine, ("predicted_payment_date", "=", self.today)]),
            self.never_invoice | invoice,
        )
        # it moves with today
        with self.subTest("tomorrow"):
            tomorrow = self.today + timedelta(days=1)
            invoice.invalidate_recordset(["predicted_payment_date"])
            with freeze_time(tomorrow):
                self.assertEqual(invoice.predicted_payment_date, tomorrow)
