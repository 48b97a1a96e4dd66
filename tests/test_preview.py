"""The Run Reminders preview: one line per customer with its why, totals per
level, customers left out, installments numbered, a word when nothing is
due, and a date ahead for viewing only."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common_engine import D, ReminderEngineCommon, days


@tagged("post_install", "-at_install")
class TestRunPreview(ReminderEngineCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # numbers and words in English (the test database speaks French)
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.Preview = cls.env["relance.reminder.preview"]
        cls.customer_c = cls._customer("Petit SARL")

    def _preview(self, on, **values):
        with Form(self.Preview) as form:
            form.date = on
            for name, value in values.items():
                setattr(form, name, value)
        return form

    def test_totals_per_level_and_leaving_customers_out(self):
        self._invoice(self.customer, D, 1000.0)
        self._invoice(self.customer_b, D, 500.0)
        self._invoice(self.customer_c, days(-10), 300.0)
        form = self._preview(days(6))
        preview = form.record
        self.assertEqual(len(preview.line_ids), 3)
        self.assertEqual(preview.reminder_count, 3)
        totals = preview.level_totals
        # Reminder 1: 2 customers, 1,500; Reminder 2: 1 customer, 300
        self.assertIn("2 customers", totals)
        self.assertIn("1 customer<", totals)
        self.assertIn("1,500.00", totals)
        self.assertLess(totals.index("Reminder 1"), totals.index("Reminder 2"))
        # leave Martin SARL out: the others are created
        with Form(preview) as edit:
            index = preview.line_ids.partner_id.ids.index(self.customer_b.id)
            with edit.line_ids.edit(index) as line:
                line.excluded = True
        self.assertEqual(preview.reminder_count, 2)
        self.assertNotIn("1,500.00", preview.level_totals)
        action = preview.action_generate()
        created = self.Reminder.search(action["domain"])
        self.assertEqual(created.partner_id, self.customer | self.customer_c)
        # left out of this run only: the next preview has it again
        again = self._preview(days(6)).record
        self.assertEqual(
            again.line_ids.filtered("will_create").partner_id, self.customer_b
        )

    def test_nothing_due_says_why(self):
        self._invoice(self.customer, D)
        self._invoice(self.customer_b, D)
        self._run(days(6))
        preview = self._preview(days(6)).record
        self.assertFalse(preview.line_ids)
        self.assertIn("2 customers already reminded that day", preview.info)
        self.assertIn("No reminder is due", self._preview(days(-30)).record.info)

    def test_installments_are_numbered(self):
        invoice = self._invoice(
            self.customer,
            D,
            1000.0,
            invoice_date=D - timedelta(days=70),
            invoice_payment_term_id=self.env.ref(
                "account.account_payment_term_advance_60days"
            ).id,
        )
        line = self._preview(D + timedelta(days=20)).record.line_ids
        self.assertIn(f"{invoice.name} (1/2)", line.documents)
        self.assertIn(f"{invoice.name} (2/2)", line.documents)

    def test_why_opens_with_the_line(self):
        """The why is no column of the list: it opens with the line."""
        self._invoice(self.customer_b, days(-20), 500.0)
        line = self._preview(days(6)).record.line_ids
        self.assertIn("reaches Reminder 2", line.reason)
        arch = self.Preview.get_view()["arch"]
        self.assertIn('name="reason" column_invisible="True"', arch)
        line_form = self.env["relance.reminder.preview.line"].get_view(view_type="form")
        self.assertIn('name="reason"', line_form["arch"])

    def test_a_date_ahead_is_for_viewing(self):
        today = fields.Date.context_today(self.Preview)
        self._invoice(self.customer, today)
        ahead = today + timedelta(days=6)
        controller = new_test_user(
            self.env,
            login="controleur_apercu",
            groups="account.group_account_invoice,account_relance.group_relance_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        # each user runs his own preview (another user's is not his to see)
        preview = self.Preview.with_user(controller).create({"date": ahead})
        self.assertTrue(preview.is_future)
        self.assertEqual(preview.reminder_count, 1)
        with self.assertRaises(UserError):
            preview.action_generate()
        self.assertFalse(self._reminders())
        manager = new_test_user(
            self.env,
            login="responsable_apercu",
            groups="account.group_account_invoice,account_relance.group_relance_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        action = (
            self.Preview.with_user(manager).create({"date": ahead}).action_generate()
        )
        self.assertEqual(
            self.Reminder.search(action["domain"]).partner_id, self.customer
        )
        # the form: a plain user sees no Create button for a date ahead
        arch = self.Preview.with_user(controller).get_view()["arch"]
        self.assertNotIn("Create Reminders Ahead of Time", arch)
        arch = self.Preview.with_user(manager).get_view()["arch"]
        self.assertIn("Create Reminders Ahead of Time", arch)
