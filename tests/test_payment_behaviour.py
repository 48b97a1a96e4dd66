from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestPaymentBehaviour(AccountTestInvoicingCommon):
    """Hand-made cases: each figure below is computed by hand in the comments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.Behaviour = cls.env["relance.partner.behaviour"]
        cls.today = fields.Date.context_today(cls.Behaviour)
        # Every due date of the hand-made cases: 90 days ago, well inside the
        # default 12-month window.
        cls.due = cls.today - timedelta(days=90)
        cls.customer = cls.env["res.partner"].create({"name": "Client Alpha SA"})
        cls.contact = cls.env["res.partner"].create(
            {"name": "Jeanne Alpha", "parent_id": cls.customer.id}
        )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _days(self, n):
        return self.due + timedelta(days=n)

    def _invoice(self, amount, partner=None, due=None, move_type="out_invoice", **kw):
        """A posted customer document of ``amount`` without taxes, dated 30
        days before its due date (or ``invoice_date`` when given)."""
        due = due or self.due
        vals = {
            "partner_id": (partner or self.customer).id,
            "invoice_date": kw.pop("invoice_date", due - timedelta(days=30)),
            "invoice_line_ids": [
                Command.create({"name": "Service", "price_unit": amount, "tax_ids": []})
            ],
        }
        if "invoice_payment_term_id" not in kw and move_type != "out_refund":
            vals["invoice_date_due"] = due
        vals.update(kw)
        move = (
            self.env["account.move"]
            .with_company(kw.get("company_id") or self.company)
            .create([{"move_type": move_type, **vals}])
        )
        move.action_post()
        return move

    def _pay(self, invoice, amount, days, **kw):
        return self._register_payment(
            invoice, amount=amount, payment_date=self._days(days), **kw
        )

    def _refresh(self, partners=None, companies=None):
        self.Behaviour._refresh(
            companies or self.company, partners.ids if partners is not None else None
        )

    def _row(self, partner=None, company=None):
        return self.Behaviour.search(
            [
                ("partner_id", "=", (partner or self.customer).id),
                ("company_id", "=", (company or self.company).id),
            ]
        )

    def _assert_row(self, row, **expected):
        self.assertEqual(len(row), 1, "one behaviour row")
        for fname, value in expected.items():
            if isinstance(value, float):
                self.assertAlmostEqual(row[fname], value, places=1, msg=fname)
            else:
                self.assertEqual(row[fname], value, fname)

    # ------------------------------------------------------------------
    # settlement cases
    # ------------------------------------------------------------------

    def test_partial_payments_and_early_payment(self):
        """A line settled by two partial payments is paid at the latest one;
        an early payment counts negative; a line still partly open does not
        count, its residual is open."""
        inv1 = self._invoice(1000.0)
        self._pay(inv1, 400.0, 5)
        self._pay(inv1, 600.0, 12)  # fully settled 12 days late
        inv2 = self._invoice(500.0)
        self._pay(inv2, 500.0, -10)  # 10 days early
        inv3 = self._invoice(300.0)
        self._pay(inv3, 100.0, 2)  # still 200 open
        self._refresh()

        # (1000 * 12 + 500 * -10) / 1500 = 4.67; median of (12, -10) = 1
        self._assert_row(
            self._row(),
            payment_delay_avg=4.7,
            payment_delay_median=1.0,
            payment_on_time_rate=33.3,  # 500 of 1500 paid by the due date
            payment_count=2,
            settled_amount=1500.0,
            open_amount=200.0,
            payment_behaviour="late",  # above the 3-day on-time tolerance
        )
        # the contact person shows the figures of her company
        self.assertEqual(self.contact.payment_count, 2)
        self.assertAlmostEqual(self.contact.payment_delay_avg, 4.7, places=1)
        self.assertEqual(self.customer.payment_behaviour, "late")
        self.assertEqual(self.contact.payment_behaviour, "late")

    def test_installments_count_on_their_own_due_date(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "50% at 30 days, 50% at 60 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50.0, "nb_days": 30}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50.0, "nb_days": 60}
                    ),
                ],
            }
        )
        invoice_date = self._days(-30)
        invoice = self._invoice(
            1000.0, invoice_date=invoice_date, invoice_payment_term_id=term.id
        )
        # one payment 45 days after the invoice: installment 1 is 15 days
        # late, installment 2 is 15 days early
        self._register_payment(
            invoice, amount=1000.0, payment_date=invoice_date + timedelta(days=45)
        )
        self._refresh()
        self._assert_row(
            self._row(),
            payment_count=2,
            payment_delay_avg=0.0,
            payment_delay_median=0.0,
            payment_on_time_rate=50.0,
            payment_behaviour="on_time",
        )

    def test_credit_notes_count_with_their_date(self):
        invoice = self._invoice(1000.0)
        refund = self._invoice(
            400.0, move_type="out_refund", invoice_date=self._days(5)
        )
        self._reconcile(invoice, refund)
        self._pay(invoice, 600.0, 20)  # the last 600 settle it, 20 days late
        cancelled = self._invoice(300.0)
        refund2 = self._invoice(
            300.0, move_type="out_refund", invoice_date=self._days(-2)
        )
        self._reconcile(cancelled, refund2)  # settled by the credit note alone
        self._refresh()
        # (1000 * 20 + 300 * -2) / 1300 = 14.92
        self._assert_row(
            self._row(),
            payment_count=2,
            payment_delay_avg=14.9,
            payment_on_time_rate=23.1,  # 300 / 1300
            open_amount=0.0,
        )

    def _reconcile(self, invoice, refund):
        (invoice.line_ids | refund.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable"
        ).reconcile()

    def test_reversed_payment_does_not_count(self):
        invoice = self._invoice(1000.0)
        payment = self._pay(invoice, 1000.0, 3)
        self.assertTrue(payment.move_id, "this payment method posts an entry")
        payment.move_id._reverse_moves(
            [{"date": self._days(4)}], cancel=True
        )  # the cheque bounced
        self.assertEqual(invoice.payment_state, "not_paid")
        self._refresh()
        # nothing settled and 90 days overdue: never paid
        self._assert_row(
            self._row(),
            payment_count=0,
            payment_behaviour="never_paid",
            open_amount=1000.0,
        )
        self._pay(invoice, 1000.0, 30)
        self._refresh()
        # only the real payment, 30 days late, counts
        self._assert_row(
            self._row(), payment_count=1, payment_delay_avg=30.0, open_amount=0.0
        )

    def test_in_payment_without_journal_entry(self):
        """A registered payment without journal entry: the invoice is "In
        Payment" through matched_payment_ids and paid on the payment date."""
        # No outstanding account on the payment methods: with the Accounting
        # app (as Odoo's own test_account_payment emulates it) the payment
        # then gets no journal entry until the bank line is matched.
        self.company_data["default_journal_bank"].inbound_payment_method_line_ids.write(
            {"payment_account_id": False}
        )
        accounting_app = patch.object(
            self.env.registry["account.move"],
            "_get_invoice_in_payment_state",
            lambda move: "in_payment",
        )
        with accounting_app:
            invoice = self._invoice(800.0)
            payment = self._pay(invoice, 800.0, 7)
            self.assertFalse(payment.move_id)
            self.assertEqual(payment.state, "in_process")
            self.assertEqual(invoice.payment_state, "in_payment")
            self.assertEqual(invoice.matched_payment_ids, payment)
            other = self._invoice(200.0)
            cancelled = self._pay(other, 200.0, 1)
            cancelled.action_cancel()  # a cancelled payment never counts
            self.assertEqual(other.payment_state, "not_paid")
            self._refresh()
            self._assert_row(
                self._row(),
                payment_count=1,
                payment_delay_avg=7.0,
                settled_amount=800.0,
                open_amount=200.0,  # the paid invoice is no longer owed
            )

    def test_customer_without_history(self):
        newcomer = self.env["res.partner"].create({"name": "Nouveau Client"})
        silent = self.env["res.partner"].create({"name": "Jamais Facturé"})
        # nothing settled, nothing overdue yet (overdue: "never paid")
        self._invoice(250.0, partner=newcomer, due=self.today + timedelta(days=10))
        self._refresh()
        self._assert_row(
            self._row(newcomer),
            payment_count=0,
            payment_delay_avg=0.0,
            payment_behaviour="no_history",
            open_amount=250.0,
        )
        self.assertFalse(self._row(silent))
        self.assertEqual(silent.payment_behaviour, "no_history")
        self.assertEqual(silent.payment_count, 0)
        Partner = self.env["res.partner"]
        no_history = Partner.search([("payment_behaviour", "=", "no_history")])
        self.assertIn(newcomer, no_history)
        self.assertIn(silent, no_history, "a partner without row has no history")
        self.assertNotIn(
            silent, Partner.search([("payment_behaviour", "in", ("late", "on_time"))])
        )
        # "fewer than 3 settled items" includes customers without any row
        small_sample = Partner.search(
            [("payment_count", "<", 3), ("id", "in", (newcomer | silent).ids)]
        )
        self.assertEqual(small_sample, newcomer | silent)
        self.assertFalse(
            Partner.search([("payment_delay_avg", ">", 0), ("id", "=", silent.id)])
        )

    def test_foreign_currency_weighs_in_company_currency(self):
        currency = self.setup_other_currency("EUR", rates=[("1900-01-01", 2.0)])
        self._pay(self._invoice(1000.0), 1000.0, 10)
        foreign = self._invoice(1000.0, currency_id=currency.id)  # 500 in company
        # the rate moved by the payment date: exchange difference entry
        self.env["res.currency.rate"].create(
            {
                "name": self._days(40),
                "rate": 2.5,
                "currency_id": currency.id,
                "company_id": self.company.id,
            }
        )
        self._pay(foreign, 1000.0, 40, currency_id=currency.id)
        self.assertEqual(foreign.payment_state, "paid")
        self._refresh()
        # (1000 * 10 + 500 * 40) / 1500 = 20
        self._assert_row(
            self._row(), payment_count=2, payment_delay_avg=20.0, settled_amount=1500.0
        )

    def test_two_companies_keep_their_own_figures(self):
        company_2 = self.setup_other_company(name="Relance Filiale")["company"]
        self._pay(self._invoice(1000.0), 1000.0, 2)
        invoice_2 = self._invoice(1000.0, company_id=company_2.id)
        self._pay(invoice_2, 1000.0, 30)
        self._refresh(companies=self.company | company_2)
        self._assert_row(self._row(), payment_delay_avg=2.0, payment_count=1)
        self._assert_row(
            self._row(company=company_2), payment_delay_avg=30.0, payment_count=1
        )
        self.assertAlmostEqual(
            self.customer.with_company(self.company).payment_delay_avg, 2.0
        )
        self.assertAlmostEqual(
            self.customer.with_company(company_2).payment_delay_avg, 30.0
        )
        self.assertEqual(
            self.customer.with_company(company_2).payment_behaviour, "late"
        )
        # customer and invoice lists group by the behaviour of each company
        Partner = self.env["res.partner"]
        for company, expected in ((self.company, "on_time"), (company_2, "late")):
            groups = Partner.with_company(company)._read_group(
                [("id", "in", (self.customer | self.contact).ids)],
                ["payment_behaviour"],
                ["__count"],
            )
            self.assertEqual(groups, [(expected, 2)])
        groups = (
            self.env["account.move"]
            .with_company(company_2)
            ._read_group(
                [("id", "=", invoice_2.id)], ["relance_payment_behaviour"], ["__count"]
            )
        )
        self.assertEqual(groups, [("late", 1)])
        habits = self.Behaviour._get_habits(company_2, self.customer.ids)
        self.assertEqual(habits, {self.customer.id: (30.0, 1)})

        # a credit controller of the first company sees its figures only
        controller = new_test_user(
            self.env,
            login="controleur_credit",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        customer = self.customer.with_user(controller)
        self.assertEqual(customer.payment_behaviour, "on_time")
        self.assertAlmostEqual(customer.payment_delay_avg, 2.0)
        rows = self.Behaviour.with_user(controller).search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(rows.company_id, self.company)

    # ------------------------------------------------------------------
    # refresh
    # ------------------------------------------------------------------

    def test_incremental_refresh_after_new_payment(self):
        first = self._invoice(1000.0)
        self._pay(first, 1000.0, 4)
        second = self._invoice(1000.0)
        self.env.cr.flush()  # end of the user's request: precommit refresh
        self._assert_row(self._row(), payment_count=1, payment_delay_avg=4.0)
        self._assert_row(self._row(), open_amount=1000.0)

        self._pay(second, 1000.0, 20)
        self.env.cr.flush()
        # (4 + 20) / 2 = 12, without any explicit refresh call
        self._assert_row(
            self._row(),
            payment_count=2,
            payment_delay_avg=12.0,
            open_amount=0.0,
            payment_behaviour="late",
        )

        # unreconciling the last payment puts the customer back
        second.line_ids.remove_move_reconcile()
        self.env.cr.flush()
        # the payment is now an unallocated credit: nothing is owed
        self._assert_row(
            self._row(), payment_count=1, payment_delay_avg=4.0, open_amount=0.0
        )

    def test_query_count_does_not_grow_with_partners(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Client {i:02d}"} for i in range(20)]
        )
        invoices = self.env["account.move"]
        for i, partner in enumerate(partners):
            invoices |= self._invoice(100.0 + i, partner=partner)
        self._register_payment(
            invoices, payment_date=self._days(6), group_payment=False
        )
        self.env.flush_all()

        def refresh(batch):
            self.env.flush_all()
            self.Behaviour._refresh(self.company, batch.ids)

        refresh(partners)  # warm the caches of the user and company settings
        with self.assertQueryCount(1):  # one statement reads, computes, upserts
            refresh(partners[:2])
        with self.assertQueryCount(1):
            refresh(partners)
        with self.assertQueryCount(1):
            self.Behaviour._refresh(self.company)
        rows = self.Behaviour.search([("partner_id", "in", partners.ids)])
        self.assertEqual(len(rows), 20)
        self.assertEqual(set(rows.mapped("payment_delay_avg")), {6.0})

    def test_minimum_sample_follows_the_setting(self):
        """The "few settled invoices" warning and the "Reliable Sample"
        filter follow the company's minimum sample, not a fixed 3."""
        partners = self.env["res.partner"].create(
            [{"name": "Quatre factures"}, {"name": "Six factures"}]
        )
        for partner, count in zip(partners, (4, 6), strict=True):
            invoices = self.env["account.move"]
            for i in range(count):
                invoices |= self._invoice(100.0 + i, partner=partner)
            self._register_payment(
                invoices, payment_date=self._days(2), group_payment=False
            )
        self.Behaviour._refresh(self.company, partners.ids)
        reliable = self.Behaviour.search(
            [("partner_id", "in", partners.ids), ("sample_reliable", "=", True)]
        )
        self.assertEqual(reliable.partner_id, partners, "3 by default")
        self.company.relance_behaviour_min_sample = 5
        reliable = self.Behaviour.search(
            [("partner_id", "in", partners.ids), ("sample_reliable", "=", True)]
        )
        self.assertEqual(reliable.partner_id, partners[1])
        self.assertEqual(partners[0].relance_min_sample, 5)
        form = self.env["res.partner"].get_views([(False, "form")])["views"]["form"]
        self.assertIn("payment_count &gt;= relance_min_sample", form["arch"])

    def test_cron_and_window_setting(self):
        old = self._invoice(1000.0, due=self.today - timedelta(days=500))
        self._register_payment(
            old, payment_date=self.today - timedelta(days=450)
        )  # 50 days late, 15 months ago
        self._pay(self._invoice(1000.0), 1000.0, 2)
        cron = self.env.ref("account_relance.ir_cron_relance_behaviour_refresh")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        # the default 12-month window leaves the old invoice out
        self._assert_row(self._row(), payment_count=1, payment_delay_avg=2.0)
        self.assertEqual(self.customer.payment_behaviour, "on_time")

        settings = Form(self.env["res.config.settings"])
        settings.relance_behaviour_window = 18
        settings.save().execute()
        # saving the settings refreshes the company: (50 + 2) / 2 = 26
        self._assert_row(
            self._row(),
            payment_count=2,
            payment_delay_avg=26.0,
            payment_behaviour="late",
        )

    # ------------------------------------------------------------------
    # invoices
    # ------------------------------------------------------------------

    def test_days_overdue_and_predicted_payment_date(self):
        habitual = self.customer  # 3 invoices of 100 paid 10 days late
        for _i in range(3):
            self._pay(self._invoice(100.0), 100.0, 10)
        occasional = self.env["res.partner"].create({"name": "Client Rare"})
        self._pay(self._invoice(300.0, partner=occasional), 300.0, 2)
        newcomer = self.env["res.partner"].create({"name": "Client Neuf"})
        self._refresh(self.customer | occasional | newcomer)

        due = self.today - timedelta(days=5)
        open_habitual = self._invoice(50.0, due=due)
        open_occasional = self._invoice(50.0, partner=occasional, due=due)
        open_newcomer = self._invoice(50.0, partner=newcomer, due=due)

        self.assertEqual(open_habitual.days_overdue, 5)
        # his own habit: 3 items reach the minimum sample of 3
        self.assertEqual(open_habitual.predicted_payment_date, due + timedelta(days=10))
        # too small a sample: the company's average, (300 * 10 + 300 * 2) / 600 = 6
        self.assertEqual(
            open_occasional.predicted_payment_date, due + timedelta(days=6)
        )
        self.assertEqual(open_newcomer.predicted_payment_date, due + timedelta(days=6))

        paid = self._invoice(50.0, due=due)
        self._pay(paid, 50.0, 100)
        self.assertEqual(paid.days_overdue, 0)
        self.assertFalse(paid.predicted_payment_date)

        Move = self.env["account.move"]
        self.assertEqual(
            Move.search(
                [("days_overdue", ">", 4), ("id", "in", (open_habitual | paid).ids)]
            ),
            open_habitual,
        )
        # the habitual late payer is not yet late for his habit (due + 10 is
        # in 5 days); the others are (due + 6 was yesterday... in 1 day)
        past_habit = Move.search(
            [
                ("predicted_payment_date", "<", self.today + timedelta(days=2)),
                ("partner_id", "in", (habitual | occasional | newcomer).ids),
            ]
        )
        self.assertEqual(past_habit, open_occasional | open_newcomer)

    def test_views_for_controllers_and_other_users(self):
        """The partner and invoice views load for a credit controller (with
        the behaviour) and for a plain internal user (without it)."""
        controller = new_test_user(
            self.env, login="controleur_vues", groups="account.group_account_invoice"
        )
        employee = new_test_user(
            self.env, login="employe_vues", groups="base.group_user"
        )
        for user, sees in ((controller, True), (employee, False)):
            views = (
                self.env["res.partner"]
                .with_user(user)
                .get_views([(False, "form"), (False, "list"), (False, "search")])
            )
            arch = views["views"]["form"]["arch"]
            self.assertEqual("payment_delay_avg" in arch, sees, user.login)
        views = (
            self.env["account.move"]
            .with_user(controller)
            .get_views(
                [
                    (self.env.ref("account.view_out_invoice_tree").id, "list"),
                    (False, "form"),
                    (False, "search"),
                ]
            )
        )
        self.assertIn("predicted_payment_date", views["views"]["list"]["arch"])
        self.assertIn("relance_past_habit", views["views"]["search"]["arch"])
        behaviour_views = self.Behaviour.with_user(controller).get_views(
            [(False, "list"), (False, "pivot"), (False, "graph"), (False, "search")]
        )
        self.assertIn("payment_delay_avg", behaviour_views["views"]["list"]["arch"])
