from datetime import date

from freezegun import freeze_time
from psycopg2.errors import CheckViolation

from odoo import Command, models
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL, formatLang, mute_logger

from ..engine import decision
from .common_engine import D, ReminderEngineCommon, days


@tagged("post_install", "-at_install")
class TestReminderEngine(ReminderEngineCommon):
    # ------------------------------------------------------------------
    # Timing
    # ------------------------------------------------------------------

    def test_seed_scenario_habitual_delay_shifts_the_level(self):
        """A customer who usually pays 10 days late gets no reminder at D+5
        but one at D+15 for a level with an offset of 5 days."""
        self._habit(self.customer, 10.0, 6)
        invoice = self._invoice(self.customer, D)
        self.assertFalse(self._run(days(5)))
        reminder = self._run(days(15))
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.level_id, self.level1)
        self.assertEqual(reminder.partner_id, self.customer)
        self.assertEqual(reminder.move_line_ids.move_id, invoice)
        # the number in the language's own format ("10,0" in French)
        delay = formatLang(self.env, 10.0, digits=1)
        self.assertIn(f"{delay} days late", reminder.reason)
        self.assertIn("shifted by 10 days", reminder.reason)
        self.assertIn(invoice.name, reminder.reason)

    def test_plain_schedule_for_good_payers_and_small_samples(self):
        """Without enough history the plain offsets apply."""
        self._habit(self.customer, 10.0, 2)  # fewer than the 3 required
        self._habit(self.customer_b, -2.0, 8)  # pays early
        self._invoice(self.customer, D)
        self._invoice(self.customer_b, D)
        reminders = self._run(days(5))
        self.assertEqual(reminders.partner_id, self.customer | self.customer_b)
        self.assertEqual(reminders.level_id, self.level1)
        by_partner = {r.partner_id: r for r in reminders}
        self.assertIn("fewer than the 3 required", by_partner[self.customer].reason)
        self.assertIn("plain schedule", by_partner[self.customer_b].reason)

    def test_habit_shift_is_capped_by_the_plan(self):
        self.plan.adaptive_max_days = 4
        self._habit(self.customer, 40.0, 10)
        self._invoice(self.customer, D)
        self.assertFalse(self._run(days(8)))
        self.assertEqual(self._run(days(9)).level_id, self.level1)

    def test_pre_due_notice(self):
        """A courteous notice a few days before the due date, sent once."""
        invoice = self._invoice(self.customer, D)
        self.assertFalse(self._run(days(-6)))
        notice = self._run(days(-5))
        self.assertEqual(notice.level_id, self.notice)
        self.assertEqual(notice.line_ids.days_overdue, -5)
        self.assertNotEqual(notice.state, "draft")  # sent automatically
        line = invoice.line_ids.filtered(lambda aml: aml.relance_level_id)
        self.assertEqual(line.relance_level_id, self.notice)
        self.assertEqual(line.relance_last_date, days(-5))
        self.assertFalse(self._run(days(-2)))  # never the same level twice

    def test_no_pre_due_notice_once_due(self):
        """A first run after the due date does not send a pre-due notice."""
        self._habit(self.customer, 10.0, 6)
        self._invoice(self.customer, D)
        self.assertFalse(self._run(days(2)))

    def test_escalation_over_successive_days(self):
        """The daily job moves the customer up one level at a time."""
        invoice = self._invoice(self.customer, D)
        receivable = invoice.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        seen = []
        for offset in range(-6, 36):
            with freeze_time(days(offset)):
                reminders = self.Reminder.generate_reminders(
                    company_ids=self.company.ids
                )
            for reminder in reminders:
                seen.append((offset, reminder.level_id))
        self.assertEqual(
            seen,
            [
                (-5, self.notice),
                (5, self.level1),
                (15, self.level2),
                (30, self.formal),
            ],
        )
        self.assertEqual(receivable.relance_level_id, self.formal)
        self.assertEqual(receivable.relance_last_date, days(30))
        formal = self._reminders().filtered(lambda r: r.level_id == self.formal)
        self.assertEqual(formal.state, "draft")  # review first
        self.assertEqual(formal.line_ids.previous_level_id, self.level2)
        self.assertEqual(len(self._reminders()), 4)

    def test_very_late_customer_starts_at_the_age_of_the_debt(self):
        self._invoice(self.customer, days(-40))
        reminder = self._run(D)
        self.assertEqual(reminder.level_id, self.formal)
        self.assertEqual(reminder.state, "draft")

    def test_formal_notice_follows_a_delivered_reminder(self):
        """With "Requires the Previous Level Sent" (the standard formal
        notice's setting), a customer never reminded gets the previous level
        first, and the formal notice only once that one reached him."""
        self.formal.requires_previous_delivered = True
        self.level2.auto_send = False  # waits for its review
        self._invoice(self.customer, days(-40))
        first = self._run(D)
        self.assertEqual(first.level_id, self.level2)
        self.assertIn("requires Reminder 2", first.reason)
        self.assertEqual(first.line_ids.level_id, self.level2)
        # not before Reminder 2 went out
        self.assertEqual(first.state, "draft")
        self.assertFalse(self._run(days(10)))
        waiting = self.env["relance.engine"]._compute_decisions(self.company, days(10))[
            0
        ]
        self.assertIn("waits until Reminder 2", waiting[0].skip_reason)
        first.action_send()
        first.email_state = "sent"  # the mail queue sent it
        first._update_state_from_channels()
        self.assertEqual(first.state, "sent")
        self.assertEqual(self._run(days(10)).level_id, self.formal)

    def test_min_days_since_last_reminder(self):
        """A new invoice reaching a level does not trigger a reminder before
        the level's minimum gap since the customer's last reminder."""
        self._invoice(self.customer, D)
        self._invoice(self.customer, days(2))
        self.assertEqual(self._run(days(5)).level_id, self.level1)
        # the second invoice reaches level 1 at D+7, but the gap is 3 days
        self.assertFalse(self._run(days(7)))
        reminder = self._run(days(8))
        self.assertEqual(reminder.level_id, self.level1)

    # ------------------------------------------------------------------
    # Grouping and amounts
    # ------------------------------------------------------------------

    def test_grouping_per_customer_and_currency(self):
        currency = self.setup_other_currency("EUR")
        first = self._invoice(self.customer, D, 100.0)
        second = self._invoice(self.customer, days(-2), 250.0)
        foreign = self._invoice(self.customer, D, 80.0, currency_id=currency.id)
        other = self._invoice(self.customer_b, D, 40.0)
        reminders = self._run(days(6))
        self.assertEqual(len(reminders), 3)
        mine = reminders.filtered(lambda r: r.partner_id == self.customer)
        local = mine.filtered(lambda r: r.currency_id == self.company.currency_id)
        euro = mine.filtered(lambda r: r.currency_id == currency)
        self.assertEqual(local.line_ids.move_id, first | second)
        self.assertEqual(local.move_line_ids.move_id, first | second)
        self.assertAlmostEqual(local.amount_due, 350.0)
        self.assertEqual(euro.line_ids.move_id, foreign)
        self.assertAlmostEqual(euro.amount_due, 80.0)
        self.assertAlmostEqual(euro.line_ids.amount_residual, 80.0)
        theirs = reminders - mine
        self.assertEqual(theirs.line_ids.move_id, other)

    def test_contacts_are_grouped_under_their_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Jean", "parent_id": self.customer.id, "type": "invoice"}
        )
        self._invoice(contact, D)
        self._invoice(self.customer, D)
        reminder = self._run(days(6))
        self.assertEqual(reminder.partner_id, self.customer)
        self.assertEqual(len(reminder.line_ids), 2)

    def test_credit_notes_and_payments_are_netted(self):
        invoice = self._invoice(self.customer, D, 1000.0)
        refund = self._invoice(
            self.customer, D, 300.0, move_type="out_refund", invoice_date=days(-10)
        )
        payment = self._unreconciled_payment(self.customer, 200.0, days(-1))
        reminder = self._run(days(6))
        self.assertAlmostEqual(reminder.amount_due, 500.0)
        self.assertEqual(reminder.line_ids.move_id, invoice | refund | payment)
        self.assertAlmostEqual(
            sum(
                reminder.line_ids.filtered(lambda line: line.move_id == refund).mapped(
                    "amount_residual"
                )
            ),
            -300.0,
        )

    def test_credits_covering_the_debt_send_nothing(self):
        self._invoice(self.customer, D, 100.0)
        self._unreconciled_payment(self.customer, 150.0, days(-1))
        self.assertFalse(self._run(days(6)))
        decision = self._decisions(days(6))[0]
        self.assertIn("cover", decision.skip_reason)

    def test_partial_payment_reminds_the_rest(self):
        invoice = self._invoice(self.customer, D, 1000.0)
        payment = self._unreconciled_payment(self.customer, 400.0, days(1))
        (invoice + payment).line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        ).reconcile()
        self.assertEqual(invoice.payment_state, "partial")
        reminder = self._run(days(6))
        self.assertAlmostEqual(reminder.amount_due, 600.0)
        self.assertEqual(reminder.line_ids.move_id, invoice)
        self.assertAlmostEqual(reminder.line_ids.amount_residual, 600.0)

    def test_installments_have_their_own_due_dates(self):
        invoice = self._invoice(
            self.customer,
            D,
            1000.0,
            invoice_date=D,
            invoice_payment_term_id=self.pay_terms_b.id,
        )
        receivables = invoice.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        ).sorted("date_maturity")
        self.assertEqual(len(receivables), 2)
        self.assertEqual(receivables[0].date_maturity, D)
        reminder = self._run(days(6))
        self.assertEqual(reminder.line_ids.move_line_id, receivables[0])
        self.assertAlmostEqual(reminder.amount_due, receivables[0].amount_residual)
        self.assertFalse(receivables[1].relance_level_id)

    # ------------------------------------------------------------------
    # Exclusions
    # ------------------------------------------------------------------

    def test_exclusions(self):
        """In payment, no follow-up, disputed, paused invoices and excluded
        customers get no reminder; the preview says why."""
        cases = {}
        in_payment = self._customer("In Payment")
        invoice = self._invoice(in_payment, D)
        # With Odoo's bank reconciliation (Enterprise), a registered payment
        # leaves the invoice open "In Payment" until the bank line is matched.
        invoice.payment_state = "in_payment"
        cases[in_payment] = "in payment"

        flagged = self._customer("No Followup")
        invoice = self._invoice(flagged, D)
        invoice.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        ).no_followup = True
        cases[flagged] = "no follow-up"

        disputed = self._customer("Disputed")
        self._invoice(disputed, D).dispute_state = "open"
        cases[disputed] = "in dispute"

        paused = self._customer("Promised")
        self._invoice(paused, D).relance_paused_until = days(6)
        cases[paused] = "promise"

        excluded = self._customer("Excluded", relance_excluded=True)
        self._invoice(excluded, D)
        cases[excluded] = "excluded"

        small = self._customer("Small")
        self._invoice(small, D, 20.0)
        self.level1.min_amount = 50.0
        cases[small] = "under the minimum"

        decisions = {d.partner_id: d for d in self._decisions(days(6))}
        for partner, reason in cases.items():
            self.assertIn(reason, decisions[partner.id].skip_reason, partner.name)
            self.assertFalse(decisions[partner.id].to_create)
        self.assertFalse(self._run(days(6)))

        # the pause ends: the promised invoice is reminded
        reminder = self._run(days(7))
        self.assertEqual(reminder.partner_id, paused)

    def test_disputed_invoice_is_left_out_of_the_customer_reminder(self):
        self._invoice(self.customer, D, 100.0)
        disputed = self._invoice(self.customer, D, 900.0)
        disputed.dispute_state = "open"
        reminder = self._run(days(6))
        self.assertAlmostEqual(reminder.amount_due, 100.0)
        self.assertNotIn(disputed, reminder.line_ids.move_id)

    # ------------------------------------------------------------------
    # Companies, idempotency, dry run, cancel
    # ------------------------------------------------------------------

    def test_two_companies_kept_apart(self):
        company_2 = self.setup_other_company(name="Relance Co 2")["company"]
        self.env.user.company_ids |= company_2
        plan_2 = (
            self.env["relance.plan"]
            .with_company(company_2)
            ._get_default_plan(company_2)
        )
        self.assertTrue(plan_2, "a new company gets a copy of the standard plan")
        self.assertEqual(len(plan_2.level_ids), 5)
        self._invoice(self.customer, D)
        self._invoice(self.customer, days(-20), company_id=company_2.id)
        first = self._run(days(6))
        self.assertEqual(first.company_id, self.company)
        self.assertEqual(first.level_id, self.level1)
        second = self._run(days(6), company_ids=company_2.ids)
        self.assertEqual(second.company_id, company_2)
        self.assertEqual(second.level_id.plan_id, plan_2)
        self.assertEqual(second.line_ids.move_id.company_id, company_2)

    def test_reminder_made_by_hand_lists_its_company_items_only(self):
        """Items written on a reminder made by hand become its lines; an item
        of another company is refused."""
        first = self._invoice(self.customer, days(-20))
        second = self._invoice(self.customer, days(-10))
        receivable = (first | second).line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        reminder = self.Reminder.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "level_id": self.level1.id,
                "date": D,
                "currency_id": self.company.currency_id.id,
                "move_line_ids": [Command.set(receivable.ids)],
            }
        )
        self.assertEqual(reminder.line_ids.move_id, first | second)
        self.assertEqual(reminder.line_ids.mapped("days_overdue"), [20, 10])
        reminder.move_line_ids = [Command.unlink(receivable[1].id)]
        self.assertEqual(reminder.line_ids.move_id, first)
        company_2 = self.setup_other_company(name="Relance Co 3")["company"]
        self.env.user.company_ids |= company_2
        other = self._invoice(self.customer, days(-20), company_id=company_2.id)
        with self.assertRaises(UserError):
            reminder.move_line_ids = [
                Command.link(
                    other.line_ids.filtered(
                        lambda aml: aml.account_id.account_type == "asset_receivable"
                    ).id
                )
            ]

    def test_running_twice_the_same_day_changes_nothing(self):
        self._invoice(self.customer, D)
        self._invoice(self.customer_b, days(-20))
        first = self._run(days(6))
        self.assertEqual(len(first), 2)
        self.assertFalse(self._run(days(6)))
        self.assertEqual(self._reminders(), first)

    def test_dry_run_writes_nothing(self):
        invoice = self._invoice(self.customer, D)
        preview = self._run(days(6), dry_run=True)
        self.assertEqual(len(preview), 1)
        self.assertEqual(preview[0]["partner_id"], self.customer.id)
        self.assertEqual(preview[0]["level_id"], self.level1.id)
        self.assertAlmostEqual(preview[0]["amount_due"], 1000.0)
        self.assertFalse(self._reminders())
        self.assertFalse(invoice.line_ids.relance_level_id)
        self.assertEqual(len(self._run(days(6))), 1)

    def test_engine_insert_stores_what_create_would(self):
        """The engine's one INSERT (relance.engine._create_reminder_records)
        stores what create() would store for the same values, and refuses a
        customer of another company as create() does."""
        self._invoice(self.customer, D)
        self._invoice(self.customer_b, days(-20), 500.0)
        engine = self.env["relance.engine"]
        decisions, _warnings = engine._compute_decisions(self.company, days(6))
        vals_list = engine._prepare_reminders_values(
            [decision for decision in decisions if decision.to_create], days(6)
        )
        self.assertEqual(len(vals_list), 2)
        for index, vals in enumerate(vals_list):
            vals["name"] = f"TEST/{index}"
        skipped = set(models.MAGIC_COLUMNS) | {"message_main_attachment_id"}
        stored = [
            name
            for name, field in self.Reminder._fields.items()
            if field.store and field.column_type and name not in skipped
        ]
        inserted = engine._create_reminder_records([dict(v) for v in vals_list])
        self.env.flush_all()
        expected = [values | {"id": 0} for values in inserted.read(stored)]
        # the same reminders of the day once only (relance_reminder_run_uniq)
        self.env.execute_query(
            SQL("DELETE FROM relance_reminder WHERE id = ANY(%s)", inserted.ids)
        )
        self.env.invalidate_all()
        created = self.Reminder.create([dict(v) for v in vals_list])
        self.env.flush_all()
        self.assertEqual(
            [values | {"id": 0} for values in created.read(stored)], expected
        )
        other_company = self.setup_other_company(name="Relance Co 3")["company"]
        self.customer.company_id = other_company
        with self.assertRaisesRegex(UserError, "belong to another company"):
            engine._create_reminder_records([dict(vals_list[0], name="TEST/X")])

    def test_cancel_gives_items_their_level_back(self):
        invoice = self._invoice(self.customer, days(-40))
        reminder = self._run(D)
        receivable = reminder.line_ids.move_line_id
        self.assertEqual(receivable.relance_level_id, self.formal)
        reminder.action_cancel()
        self.assertEqual(reminder.state, "cancel")
        self.assertFalse(receivable.relance_level_id)
        self.assertFalse(receivable.relance_last_date)
        again = self._run(D)
        self.assertEqual(again.level_id, self.formal)
        self.assertEqual(again.line_ids.move_id, invoice)
        again.action_confirm()
        self.assertEqual(again.state, "to_send")

    def test_partner_chronology(self):
        self._invoice(self.customer, D)
        self._run(days(-5))
        self._run(days(5))
        self.assertEqual(self.customer.relance_reminder_count, 2)
        self.assertEqual(
            self.customer.relance_reminder_ids.level_id, self.notice | self.level1
        )
        action = self.customer.action_open_relance_reminders()
        self.assertEqual(
            self.Reminder.search(action["domain"]), self.customer.relance_reminder_ids
        )

    def test_partner_plan_overrides_the_default(self):
        other = self.plan.copy({"name": "Key accounts", "is_default": False})
        other.level_ids.filtered(lambda level: level.offset_days == 5).offset_days = 10
        self.customer.with_company(self.company).relance_plan_id = other
        self._invoice(self.customer, D)
        self.assertFalse(self._run(days(6)))
        self.assertEqual(self._run(days(10)).level_id.plan_id, other)

    def test_decision_is_a_function_of_items_plan_habit_and_date(self):
        """The decision needs no invoice: plain items, the plan as the engine
        reads it and a date (engine/decision.py; tests/test_decision.py has
        the cases that need no database at all)."""
        plan = self.env["relance.engine"]._plan_snapshot(self.plan)
        currency = self.company.currency_id
        currencies = {currency.id: decision.Currency(currency.id, 2)}

        def item(item_id, due, residual, level=None):
            return decision.Item(
                id=item_id,
                partner_id=self.customer.id,
                currency_id=currency.id,
                move_id=item_id,
                move_name=f"INV/{item_id}",
                date_maturity=due,
                residual=residual,
                level_id=level.id if level else 0,
                level_offset=level.offset_days if level else 0,
            )

        items = [
            item(1, days(-20), 100.0, self.level1),
            item(2, D, 50.0),
            item(3, days(-1), -30.0),
        ]
        customers = {self.customer.id: decision.Customer(plan=plan, habit=(4.0, 9))}
        decisions = decision.decide(
            self.company.id, items, customers, currencies, {}, days(20)
        )
        self.assertEqual(len(decisions), 1)
        made = decisions[0]
        self.assertTrue(made.to_create)
        # item 1 is 40 days late (>= 30 + 4): formal; item 2 is 20 days late
        self.assertEqual(made.level_id, self.formal.id)
        self.assertAlmostEqual(made.amount_due, 120.0)
        levels = {line.move_line_id: line.level_id for line in made.lines}
        self.assertEqual(levels, {1: self.formal.id, 2: self.level2.id, 3: 0})
        self.assertIn("INV/1", made.reason)
        self.assertIn("shifted by 4 days", made.reason)
        self.assertFalse(self._reminders())

        escalating = {self.customer.id: decision.Customer(plan=plan, escalating=True)}
        escalated = decision.decide(
            self.company.id,
            [item(2, D, 50.0, self.level1)],
            escalating,
            currencies,
            {},
            days(6),
        )[0]
        self.assertTrue(escalated.escalated)
        self.assertEqual(escalated.level_id, self.level2.id)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _decisions(self, on):
        return self.env["relance.engine"]._compute_decisions(self.company, on)[0]

    def _unreconciled_payment(self, partner, amount, on):
        """A customer payment booked on the bank journal and not matched."""
        receivable = self.company_data["default_account_receivable"]
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": on,
                "journal_id": self.company_data["default_journal_bank"].id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": self.company_data[
                                "default_journal_bank"
                            ].default_account_id.id,
                            "debit": amount,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "partner_id": partner.id,
                            "credit": amount,
                        }
                    ),
                ],
            }
        )
        move.action_post()
        return move


@tagged("post_install", "-at_install")
class TestReminderEngineDefaults(ReminderEngineCommon):
    def test_negative_settings_are_refused(self):
        """A negative waiting time, minimum, shift, grace period or a year of
        no day is refused with the rule's message, not saved."""
        for record, vals in (
            (self.level1, {"min_days_since_last": -1}),
            (self.level1, {"min_amount": -10.0}),
            (self.level1.plan_id, {"adaptive_max_days": -5}),
            (self.company, {"relance_interest_days_basis": 0}),
            (self.company, {"relance_promise_grace_days": -1}),
        ):
            with (
                self.subTest(field=next(iter(vals))),
                self.assertRaises(CheckViolation),
                mute_logger("odoo.sql_db"),
                self.env.cr.savepoint(),
            ):
                record.write(vals)
                record.flush_recordset()

    def test_standard_plan_levels(self):
        # the standard plan belongs to the main company, not the test user's
        plan = self.env.ref("account_relance.relance_plan_standard").sudo()
        self.assertTrue(plan.is_default)
        self.assertEqual(
            plan.level_ids.sorted("offset_days").mapped("tone"),
            ["notice", "friendly", "friendly", "firm", "formal"],
        )
        formal = self.env.ref("account_relance.relance_level_formal_notice").sudo()
        self.assertTrue(formal.channel_registered)
        self.assertFalse(formal.auto_send)
        self.assertEqual(date(2026, 3, 2), D)
