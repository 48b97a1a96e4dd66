from datetime import date

from odoo.tests import Form, tagged

from .common_letters import RelanceLetterCommon


@tagged("post_install", "-at_install")
class TestLateCharges(RelanceLetterCommon):
    def test_worked_example(self):
        """12,000 EUR incl. VAT due 2025-05-15 paid 2025-08-14: 46 days at
        13.15 % + 45 days at 12.15 % = 378.62 EUR, plus the 40 EUR indemnity."""
        invoice = self._invoice(self.customer, 12000.0, "2025-05-15")
        self._register_payment(invoice, payment_date="2025-08-14")
        charges = self.env["relance.late.charge"]._get_charges(
            self._receivable(invoice), date(2025, 9, 30)
        )
        self.assertEqual(len(charges["lines"]), 1)
        periods = charges["lines"][0]["periods"]
        self.assertEqual(
            [(p["date_from"], p["date_to"], p["days"], p["rate"]) for p in periods],
            [
                (date(2025, 5, 16), date(2025, 6, 30), 46, 13.15),
                (date(2025, 7, 1), date(2025, 8, 14), 45, 12.15),
            ],
        )
        self.assertAlmostEqual(charges["interest"], 378.62, places=2)
        self.assertAlmostEqual(charges["indemnity"], 40.0, places=2)
        self.assertAlmostEqual(charges["total"], 418.62, places=2)

    def test_partial_payment_splits_the_period(self):
        """A partial payment lowers the base from the next day; the indemnity
        stays one per invoice."""
        invoice = self._invoice(self.customer, 12000.0, "2025-05-15")
        self._register_payment(invoice, payment_date="2025-06-10", amount=6000.0)
        self._register_payment(invoice, payment_date="2025-08-14", amount=6000.0)
        charges = self.env["relance.late.charge"]._get_charges(
            self._receivable(invoice), date(2025, 9, 30)
        )
        periods = charges["lines"][0]["periods"]
        self.assertEqual(
            [(p["days"], p["base"], p["rate"]) for p in periods],
            [(26, 12000.0, 13.15), (20, 6000.0, 13.15), (45, 6000.0, 12.15)],
        )
        expected = sum(
            round(base * rate / 100 * days / 365, 2)
            for days, base, rate in (
                (26, 12000, 13.15),
                (20, 6000, 13.15),
                (45, 6000, 12.15),
            )
        )
        self.assertAlmostEqual(charges["interest"], expected, places=2)
        self.assertAlmostEqual(charges["indemnity"], 40.0, places=2)

    def test_paid_on_time_has_no_charges(self):
        invoice = self._invoice(self.customer, 1000.0, "2025-05-15")
        self._register_payment(invoice, payment_date="2025-05-15")
        charges = self.env["relance.late.charge"]._get_charges(
            self._receivable(invoice), date(2025, 9, 30)
        )
        self.assertFalse(charges["lines"])
        self.assertEqual(charges["total"], 0.0)

    def test_reminder_charges_and_invoice(self):
        """A firm reminder claims the charges of its overdue invoice and books
        them on a draft customer invoice without tax."""
        invoice = self._invoice(self.customer, 12000.0, "2025-05-15")
        reminder = self._reminder(self.customer, "firm", invoice, "2025-08-14")
        self.assertTrue(reminder.charges_applicable)
        self.assertAlmostEqual(reminder.charge_interest_amount, 378.62, places=2)
        self.assertAlmostEqual(reminder.charge_indemnity_amount, 40.0, places=2)
        reminder.action_create_charges_invoice()
        move = reminder.charges_move_id
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.partner_id, self.customer)
        self.assertAlmostEqual(move.amount_total, 418.62, places=2)
        self.assertFalse(move.invoice_line_ids.tax_ids)

    def test_one_indemnity_per_invoice(self):
        """An invoice paid in two late installments owes interest on each, and
        the 40 EUR indemnity once (D441-5: per invoice)."""
        invoice = self._create_invoice_one_line(
            price_unit=1000.0,
            partner_id=self.customer,
            invoice_date="2025-03-01",
            invoice_payment_term_id=self.env.ref(
                "account.account_payment_term_advance_60days"
            ),
            tax_ids=[],
            currency_id=self.eur,
            post=True,
        )
        installments = self._receivable(invoice)
        self.assertEqual(len(installments), 2)
        charges = self.env["relance.late.charge"]._get_charges(
            installments, date(2025, 8, 14)
        )
        self.assertEqual(len(charges["lines"]), 2)
        self.assertTrue(all(line["interest"] > 0 for line in charges["lines"]))
        self.assertAlmostEqual(charges["indemnity"], 40.0)
        reminder = self._reminder(self.customer, "firm", invoice, "2025-08-14")
        self.assertAlmostEqual(reminder.charge_indemnity_amount, 40.0)

    def test_no_charges_for_consumer(self):
        """A consumer is never charged, even at a level that claims charges."""
        consumer = self.customer.copy(
            {"name": "Jean Martin", "relance_is_consumer": True}
        )
        invoice = self._invoice(consumer, 12000.0, "2025-05-15")
        reminder = self._reminder(consumer, "formal", invoice, "2025-08-14")
        self.assertFalse(reminder.charges_applicable)
        self.assertEqual(reminder.charge_amount_total, 0.0)
        self.assertFalse(
            self.env[
                "report.account_relance.report_relance_reminder"
            ]._get_letter_values(reminder)["charges"]["lines"]
        )

    def test_no_charges_when_level_or_customer_says_no(self):
        invoice = self._invoice(self.customer, 12000.0, "2025-05-15")
        friendly = self._reminder(self.customer, "friendly", invoice, "2025-08-14")
        self.assertEqual(friendly.charge_amount_total, 0.0)
        self.customer.relance_no_charges = True
        firm = self._reminder(self.customer, "firm", invoice, "2025-08-14")
        self.assertEqual(firm.charge_amount_total, 0.0)

    def test_contractual_rate_and_warning(self):
        """A contractual rate replaces the table; below 3x the legal interest
        rate the settings warn."""
        self.company.relance_legal_interest_rate = 2.76
        settings = Form(self.env["res.config.settings"])
        settings.relance_contractual_rate = 5.0
        self.assertIn("three times", settings.relance_rate_warning)
        settings.relance_contractual_rate = 10.0
        self.assertFalse(settings.relance_rate_warning)
        settings.save().execute()
        invoice = self._invoice(self.customer, 36500.0, "2025-05-15")
        charges = self.env["relance.late.charge"]._get_charges(
            self._receivable(invoice), date(2025, 5, 25)
        )
        self.assertAlmostEqual(charges["interest"], 100.0, places=2)  # 10 days at 10 %

    def test_rate_table(self):
        Rate = self.env["relance.interest.rate"]
        self.assertEqual(Rate._get_rate(self.company, date(2025, 1, 1)), 13.15)
        self.assertEqual(Rate._get_rate(self.company, date(2025, 7, 1)), 12.15)
        self.assertEqual(Rate._get_rate(self.company, date(2023, 7, 1)), 14.0)
        july_2026 = self.env.ref("account_relance.interest_rate_2026_2")
        self.assertIn("To be checked", july_2026.note)
        Rate.create(
            {"date_from": "2025-07-01", "rate": 11.0, "company_id": self.company.id}
        )
        self.assertEqual(Rate._get_rate(self.company, date(2025, 7, 1)), 11.0)
