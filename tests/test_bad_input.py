"""Bad input (#12): each row gets a clear, translated error, or a skip that
the Run Reminders preview lists with its reason.  Rows: no email, invalid
phone, no address, zero or negative residual, a currency without a rate,
archived customer, cancelled invoice, level without channel, plan without
levels, default plan archived, 2,000 items for one customer, a run date
beyond today by a credit controller.  The last test reads a few of them in
French, as a French credit controller gets them."""

from contextlib import contextmanager
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common_engine import D, ReminderEngineCommon, days


@tagged("post_install", "-at_install")
class TestBadInput(ReminderEngineCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env = cls.env(context=dict(cls.env.context, lang="en_US"))
        cls.Reminder = cls.env["relance.reminder"]
        cls.today = fields.Date.context_today(cls.Reminder)
        cls.controller = new_test_user(
            cls.env,
            login="controleur_fr",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
            lang="fr_FR",
        )
        cls.env_fr = cls.env(
            user=cls.controller, context=dict(cls.env.context, lang="fr_FR")
        )

    # -- helpers --------------------------------------------------------------

    @contextmanager
    def _refused(self, exception, text):
        """assertRaises (which rolls back what the refused call did) and the
        message the user reads."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertIn(text, str(caught.exception))

    def _skipped(self, on, env=None):
        """{customer: skip reason} as the preview lists them."""
        preview = (env or self.env)["relance.reminder.preview"].create(
            {
                "date": on,
                "show_skipped": True,
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        return {
            line.partner_id: line.skip_reason
            for line in preview.line_ids
            if not line.will_create
        }

    def _items(self, moves):
        return moves.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )

    def _manual_reminder(self, moves, env=None):
        return (env or self.env)["relance.reminder"].create(
            {
                "partner_id": self.customer.id,
                "level_id": self.level1.id,
                "date": days(6),
                "currency_id": self.company.currency_id.id,
                "move_line_ids": [Command.set(self._items(moves).ids)],
            }
        )

    # -- the customer's addresses --------------------------------------------

    def test_no_email(self):
        """No email address: the reminder goes by letter, and says why."""
        self.customer.email = False
        self._invoice(self.customer, D)
        reminder = self._run(days(6))
        self.assertEqual(reminder.email_state, "fallback")
        self.assertEqual(reminder.letter_state, "to_print")
        self.assertIn("has no email address", reminder.channel_fallback_reason)
        self.assertIn("by letter instead", reminder.channel_fallback_reason)

    def test_invalid_phone(self):
        """An invalid number: the SMS is skipped with the reason (the email
        still goes); typed on the payment contact, it is refused."""
        self.level1.channel_sms = True
        self.customer.phone = "12"
        self._invoice(self.customer, D)
        reminder = self._run(days(6))
        self.assertEqual(reminder.sms_state, "skipped")
        self.assertIn("12", reminder.sms_failure_reason)
        self.assertIn("is not a valid phone number", reminder.sms_failure_reason)
        self.assertEqual(reminder.email_state, "queued")
        contact = self.env["res.partner"].create(
            {"name": "Compta", "parent_id": self.customer.id}
        )
        self.customer.relance_payment_contact_id = contact
        with self._refused(ValidationError, "phone number"):
            self.customer.relance_payment_contact_phone = "12"

    def test_no_address_for_a_letter(self):
        """Printing the letter of a customer without a postal address is
        refused, naming what is missing."""
        self._invoice(self.customer, days(-40))
        reminder = self._run(D)
        self.assertEqual(reminder.level_id, self.formal)
        reminder.action_confirm()
        with self._refused(UserError, "has no complete postal address"):
            reminder.action_print_letters()
        with self._refused(UserError, "street, postal code, city, country"):
            reminder.action_print_letters()
        self.assertNotEqual(reminder.letter_state, "printed")

    # -- the amounts ------------------------------------------------------------

    def test_zero_or_negative_residual(self):
        """A balance covered by a credit note is skipped with the reason; a
        paid invoice is nothing to remind, and a reminder made by hand on it
        is refused."""
        self._invoice(self.customer, D, 1000.0)
        self._invoice(self.customer, D, 1500.0, move_type="out_refund")
        paid = self._invoice(self.customer_b, D, 300.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids
        ).create({"payment_date": D})._create_payments()
        self.assertIn(paid.payment_state, ("paid", "in_payment"))
        skipped = self._skipped(days(6))
        self.assertIn(
            "Credit notes and payments cover the amount due", skipped[self.customer]
        )
        self.assertNotIn(self.customer_b, skipped)
        self.assertFalse(self._run(days(6)))
        reconciled = self._invoice(self.customer, D, 200.0)
        refund = self._invoice(self.customer, D, 200.0, move_type="out_refund")
        (self._items(reconciled) | self._items(refund)).reconcile()
        with self._refused(UserError, "nothing is left to pay"):
            self._manual_reminder(reconciled)

    def test_currency_without_a_rate(self):
        """An invoice in a currency that has no rate: a level with a minimum
        cannot convert it, so the customer is skipped with the reason, never
        compared at 1.0; without a minimum the reminder goes in that
        currency."""
        currency = self.env["res.currency"].create(
            {"name": "ZRT", "symbol": "Z$", "rate_ids": []}
        )
        self.assertFalse(currency.rate_ids)
        self._invoice(self.customer, D, 50.0, currency_id=currency.id)
        # 50 ZRT at 1.0 would pass a minimum of 40
        self.level1.min_amount = 40.0
        skipped = self._skipped(days(6))
        self.assertIn("No exchange rate for ZRT", skipped[self.customer])
        self.assertFalse(self._run(days(6)))
        self.level1.min_amount = 0.0
        reminder = self._run(days(6))
        self.assertEqual(reminder.currency_id, currency)
        self.assertEqual(reminder.amount_due, 50.0)

    # -- the customer and the invoice ----------------------------------------

    def test_archived_customer(self):
        self._invoice(self.customer, D)
        self.customer.active = False
        skipped = self._skipped(days(6))
        self.assertIn("customer archived", skipped[self.customer])
        self.assertFalse(self._run(days(6)))

    def test_cancelled_invoice(self):
        """A cancelled invoice is no longer reminded, and cannot be listed by
        hand."""
        invoice = self._invoice(self.customer, D)
        invoice.button_draft()
        invoice.button_cancel()
        self.assertEqual(invoice.state, "cancel")
        self.assertFalse(self._skipped(days(6)))
        self.assertFalse(self._run(days(6)))
        with self._refused(UserError, "nothing is left to pay"):
            self._manual_reminder(invoice)

    # -- the configuration -----------------------------------------------------

    def test_level_without_channel(self):
        """The level is left out (the preview warns) and the customer gets
        the level before; a plan whose levels all lack a channel skips its
        customers with the reason."""
        self._invoice(self.customer, days(-20))
        self.level2.channel_email = False
        preview = self.env["relance.reminder.preview"].create({"date": D})
        self.assertIn(
            "Reminder 2 of the plan Test plan has no channel", preview.warnings
        )
        self.assertEqual(preview.line_ids.level_id, self.level1)
        self.plan.level_ids.write({"channel_email": False, "channel_registered": False})
        self.assertIn("has no level with a channel", self._skipped(D)[self.customer])
        self.assertFalse(self._run(D))

    def test_plan_without_levels(self):
        empty = self.env["relance.plan"].create({"name": "Empty", "level_ids": []})
        self.customer.with_company(self.company).relance_plan_id = empty
        self._invoice(self.customer, days(-20))
        self.assertIn(
            "Empty has no level with a channel", self._skipped(D)[self.customer]
        )
        self.assertFalse(self._run(D))

    def test_default_plan_archived(self):
        self._invoice(self.customer, days(-20))
        self.plan.active = False
        self.assertIn("No reminder plan", self._skipped(D)[self.customer])
        self.assertFalse(self._run(D))

    # -- volume -------------------------------------------------------------------

    def test_two_thousand_items_render(self):
        """One customer with 2,000 open items: the reminder lists them all,
        and its email and its letter render every one (the timing is the
        bench's)."""
        receivable = self.company_data["default_account_receivable"]
        revenue = self.company_data["default_account_revenue"]
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": D - timedelta(days=30),
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "partner_id": self.customer.id,
                            "debit": 10.0 + index,
                            "date_maturity": D - timedelta(days=index % 20),
                        }
                    )
                    for index in range(2000)
                ]
                + [
                    Command.create(
                        {
                            "account_id": revenue.id,
                            "credit": sum(10.0 + index for index in range(2000)),
                        }
                    )
                ],
            }
        )
        entry.action_post()
        # a miscellaneous entry is not followed up by default
        self._items(entry).no_followup = False
        reminder = self.Reminder.with_context(
            relance_defer_send=True
        ).generate_reminders(date=days(6), company_ids=self.company.ids)
        self.assertEqual(len(reminder.line_ids), 2000)
        self.assertEqual(reminder.amount_due, sum(10.0 + i for i in range(2000)))
        template = self.env["relance.reminder.send"]._get_mail_template(reminder)
        body = template._render_field("body_html", reminder.ids)[reminder.id]
        self.assertEqual(str(body).count(entry.name), 2000)
        # the last item, whatever the reader's number format
        last = r"2[\s,.\xa0\u202f]?009[.,]00"
        self.assertRegex(str(body), last)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account_relance.report_relance_reminder", reminder.ids)[
                0
            ]
            .decode()
        )
        self.assertEqual(html.count(entry.name), 2000)
        self.assertRegex(html, last)

    # -- the run date -------------------------------------------------------------

    def test_run_date_beyond_today_by_a_credit_controller(self):
        self._invoice(self.customer, self.today - timedelta(days=10))
        Reminder = self.Reminder.with_user(self.controller)
        with self._refused(UserError, "Only a reminder administrator"):
            Reminder.generate_reminders(date=self.today + timedelta(days=365))
        self.assertFalse(self._reminders())

    # -- in French -------------------------------------------------------------------

    def test_in_french(self):
        """A French credit controller reads the reasons and errors in French."""
        env = self.env_fr
        # archived customer, default plan archived
        self._invoice(self.customer, D)
        self._invoice(self.customer_b, D)
        self.customer_b.active = False
        skipped = self._skipped(days(6), env)
        self.assertIn("client archivé", skipped[self.customer_b])
        self.plan.active = False
        skipped = self._skipped(days(6), env)
        self.assertIn("Aucun plan de relance", skipped[self.customer])
        self.assertIn("n'a pas de plan par défaut", skipped[self.customer])
        self.plan.active = True
        # a currency without a rate
        currency = self.env["res.currency"].create({"name": "ZRT", "symbol": "Z$"})
        self.level1.min_amount = 40.0
        self._invoice(self.customer, D, 50.0, currency_id=currency.id)
        skipped = self._skipped(days(6), env)
        self.assertIn("Aucun taux de change pour ZRT", skipped[self.customer])
        # a run date ahead
        with self._refused(UserError, "Seul un administrateur des relances"):
            env["relance.reminder"].generate_reminders(
                date=self.today + timedelta(days=365)
            )
        # a paid item picked by hand
        reconciled = self._invoice(self.customer, D, 200.0)
        refund = self._invoice(self.customer, D, 200.0, move_type="out_refund")
        (self._items(reconciled) | self._items(refund)).reconcile()
        with self._refused(UserError, "plus rien n'y reste à payer"):
            self._manual_reminder(reconciled, env)
        # no email: the letter instead, said in French
        self.customer.email = False
        reminder = self._manual_reminder(self._invoice(self.customer, D), env)
        reminder.with_env(env).action_send()
        self.assertIn("n'a pas d'adresse e-mail", reminder.channel_fallback_reason)
