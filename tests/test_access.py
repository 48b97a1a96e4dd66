"""Access holes of #12 item 8, tried as the restricted users who found them:
reminder lines on another company's items, a reviewed reminder changed,
the credit hold bypassed, and the job run for another day."""

from contextlib import contextmanager
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common_engine import ReminderEngineCommon


@tagged("post_install", "-at_install")
class TestAccess(ReminderEngineCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Relance Co 2")["company"]
        cls.env.user.company_ids |= cls.company_2
        both = [Command.set((cls.company | cls.company_2).ids)]
        cls.controller = new_test_user(
            cls.env,
            login="controleur",
            # who may edit customers: the hold must hold against them
            groups="account.group_account_invoice,base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=both,
        )
        cls.manager = new_test_user(
            cls.env,
            login="responsable",
            groups="account.group_account_invoice,base.group_partner_manager,"
            "account_relance.group_relance_manager",
            company_id=cls.company.id,
            company_ids=both,
        )
        cls.today = fields.Date.context_today(cls.env["relance.reminder"])

    @contextmanager
    def _refused(self, exception, text):
        """assertRaises (which rolls back what the refused call did) and the
        message the user reads."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertIn(text, str(caught.exception))

    def _items(self, invoice):
        return invoice.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )

    def _reminder(self, items, user=None, **values):
        Reminder = self.Reminder.with_user(user or self.controller)
        return Reminder.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "level_id": self.level1.id,
                "currency_id": self.company.currency_id.id,
                "move_line_ids": [Command.set(items.ids)],
                **values,
            }
        )

    # -- lines on another company's items ------------------------------------

    def test_no_line_on_another_company_item(self):
        """A controller of both companies used to create a line of a company
        1 reminder on a company 2 invoice, through the line model."""
        reminder = self._reminder(self._items(self._invoice(self.customer, self.today)))
        foreign = self._items(
            self._invoice(self.customer, self.today, company_id=self.company_2.id)
        )
        Line = self.env["relance.reminder.line"]
        for user in (self.controller, self.manager):
            with self.assertRaises(AccessError):
                Line.with_user(user).create(
                    {"reminder_id": reminder.id, "move_line_id": foreign.id}
                )
            with self.assertRaises(AccessError):
                reminder.line_ids.with_user(user).move_line_id = foreign
        # even past the access rights, a line checks its item
        with self._refused(ValidationError, "Relance Co 2"):
            Line.sudo().create({"reminder_id": reminder.id, "move_line_id": foreign.id})
        # through the reminder: refused with the reason
        with self._refused(UserError, "journal items of its company"):
            reminder.with_user(self.controller).move_line_ids = [
                Command.link(foreign.id)
            ]
        # another customer's item neither
        other = self._items(self._invoice(self.customer_b, self.today))
        with self._refused(UserError, "journal items of its customer"):
            reminder.with_user(self.controller).move_line_ids = [Command.link(other.id)]
        self.assertEqual(len(reminder.line_ids), 1)

    def test_a_line_of_another_company_item_is_not_readable(self):
        """The line rule reads the item's company too."""
        reminder = self._reminder(self._items(self._invoice(self.customer, self.today)))
        line = reminder.line_ids
        user = new_test_user(
            self.env,
            login="controleur_2",
            groups="account.group_account_invoice",
            company_id=self.company_2.id,
            company_ids=[Command.set(self.company_2.ids)],
        )
        with self.assertRaises(AccessError):
            line.with_user(user).read(["amount_residual"])
        rule = self.env.ref("account_relance.relance_reminder_line_rule_company")
        self.assertIn("move_line_id.company_id", rule.domain_force)

    # -- a reviewed reminder stands -------------------------------------------

    def test_reviewed_reminder_keeps_customer_amount_and_items(self):
        first = self._invoice(self.customer, self.today)
        second = self._invoice(self.customer, self.today)
        reminder = self._reminder(self._items(first) | self._items(second))
        as_controller = reminder.with_user(self.controller)
        # to review: the controller may still change it, lines included
        as_controller.amount_due = 1500.0
        as_controller.write({"line_ids": [Command.delete(reminder.line_ids[-1].id)]})
        self.assertEqual(reminder.line_ids.move_id, first)
        as_controller.action_confirm()
        self.assertEqual(reminder.state, "to_send")
        for vals in (
            {"partner_id": self.customer_b.id},
            {"amount_due": 1.0},
            {"move_line_ids": [Command.set(self._items(second).ids)]},
            {"line_ids": [Command.delete(reminder.line_ids.id)]},
            {"level_id": self.formal.id},
            {"date": self.today - timedelta(days=30)},
        ):
            for user in (self.controller, self.manager):
                with self._refused(UserError, "Cancel it and create"):
                    reminder.with_user(user).write(vals)
        self.assertEqual(reminder.partner_id, self.customer)
        self.assertEqual(reminder.amount_due, 1500.0)
        self.assertEqual(reminder.line_ids.move_id, first)
        # what is not frozen still changes: the responsible, the deadline
        as_controller.user_id = self.manager
        # back to review from error does not unfreeze what went out
        reminder.sudo().write({"state": "error", "email_state": "sent"})
        as_controller.action_reset_draft()
        with self._refused(UserError, "Cancel it and create"):
            as_controller.amount_due = 2.0

    # -- credit hold ----------------------------------------------------------

    def test_credit_hold_cannot_be_bypassed(self):
        customer = self.customer.with_user(self.controller)
        for context in ({}, {"relance_credit_hold": True}):
            for vals in (
                {"credit_hold": True},
                {"credit_hold_auto": True},
                {"credit_hold_date": self.today},
            ):
                with self.assertRaises(AccessError):
                    customer.with_context(**context).write(vals)
        self.assertFalse(self.customer.credit_hold)
        self.customer.with_user(self.manager).write(
            {"credit_hold_reason": "Redressement judiciaire"}
        )
        self.customer.with_user(self.manager).action_relance_credit_hold()
        for context in ({}, {"relance_credit_hold": True}):
            for vals in ({"credit_hold": False}, {"credit_hold_reason": "Payé"}):
                with self.assertRaises(AccessError):
                    customer.with_context(**context).write(vals)
        self.assertTrue(self.customer.credit_hold)
        self.assertEqual(self.customer.credit_hold_reason, "Redressement judiciaire")

    def test_a_level_puts_the_hold_whoever_sends(self):
        """The automatic hold still comes when a controller's reminder goes
        out (the write is the addon's, as superuser)."""
        self.formal.set_credit_hold = True
        reminder = self._reminder(
            self._items(self._invoice(self.customer, self.today)),
            level_id=self.formal.id,
        )
        reminder.with_user(self.controller).write({"state": "sent"})
        self.assertTrue(self.customer.credit_hold)
        self.assertTrue(self.customer.credit_hold_auto)
        self.assertEqual(self.customer.credit_hold_user_id, self.controller)

    # -- the job's date -------------------------------------------------------

    def test_only_a_manager_creates_reminders_for_another_day(self):
        self._invoice(self.customer, self.today - timedelta(days=40))
        Reminder = self.Reminder.with_user(self.controller)
        for day in (
            self.today + timedelta(days=365),
            self.today + timedelta(days=1),
            self.today - timedelta(days=1),
        ):
            with self._refused(UserError, "reminder administrator"):
                Reminder.generate_reminders(date=day, company_ids=self.company.ids)
        self.assertFalse(self._reminders())
        # viewing any day stays open
        ahead = Reminder.generate_reminders(
            date=self.today + timedelta(days=365),
            company_ids=self.company.ids,
            dry_run=True,
        )
        self.assertEqual([r["partner_id"] for r in ahead], [self.customer.id])
        self.assertFalse(self._reminders())
        # the preview refuses it too
        preview = (
            self.env["relance.reminder.preview"]
            .with_user(self.controller)
            .create(
                {
                    "date": self.today - timedelta(days=1),
                    "company_ids": [Command.set(self.company.ids)],
                }
            )
        )
        self.assertTrue(preview.is_past)
        self.assertEqual(preview.reminder_count, 1)
        with self._refused(UserError, "is past"):
            preview.action_generate()
        # a manager may, the controller today
        created = self.Reminder.with_user(self.manager).generate_reminders(
            date=self.today + timedelta(days=365), company_ids=self.company.ids
        )
        self.assertEqual(created.partner_id, self.customer)
        created.action_cancel()
        self.assertEqual(
            Reminder.generate_reminders(company_ids=self.company.ids).partner_id,
            self.customer,
        )
