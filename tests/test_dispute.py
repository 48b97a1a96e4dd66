from datetime import date

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common_dispute import RelanceDisputeCommon


@tagged("post_install", "-at_install")
class TestDispute(RelanceDisputeCommon):
    def _open_dispute(self, invoice, user=None):
        env = self.env(user=user) if user else self.env
        action = invoice.with_env(env).action_relance_open_dispute()
        with Form(env["relance.dispute"].with_context(action["context"])) as form:
            form.reason_id = self.reason_price
            form.user_id = self.credit_controller
            form.description = "Prix différent du devis"
        return form.record

    def test_open_dispute_suspends_reminders(self):
        invoice = self._invoice(1200.0)
        dispute = self._open_dispute(invoice)

        self.assertTrue(dispute.name.startswith("LIT/"))
        self.assertEqual(dispute.amount, 1200.0)
        self.assertEqual(invoice.dispute_state, "open")
        self.assertTrue(all(self._receivable(invoice).mapped("no_followup")))
        # the responsible user is asked to settle it
        activity = dispute.activity_ids
        self.assertEqual(activity.user_id, self.credit_controller)
        self.assertIn(invoice.name, activity.summary)
        # the customer shows it
        self.assertEqual(self.customer.dispute_state, "open")
        self.assertEqual(self.customer.dispute_count, 1)
        self.assertEqual(self.customer.dispute_amount, 1200.0)
        self.assertIn(
            self.customer,
            self.env["res.partner"].search([("dispute_state", "=", "open")]),
        )
        self.assertNotIn(
            self.customer,
            self.env["res.partner"].search([("dispute_state", "=", "none")]),
        )
        # one open dispute per invoice
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.cr.savepoint(),
        ):
            self.env["relance.dispute"].create(
                {"move_id": invoice.id, "reason_id": self.reason_price.id}
            )

    def test_resolve_resumes_reminders_with_new_due_date(self):
        invoice = self._invoice(800.0)
        dispute = self._open_dispute(invoice)
        dispute.new_due_date = date(2026, 3, 15)
        dispute.action_resolve()

        self.assertEqual(dispute.state, "resolved")
        self.assertTrue(dispute.date_resolved)
        self.assertFalse(dispute.activity_ids, "the to-do is done")
        self.assertEqual(invoice.dispute_state, "resolved")
        self.assertFalse(any(self._receivable(invoice).mapped("no_followup")))
        self.assertEqual(invoice.invoice_date_due, date(2026, 3, 15))
        self.assertEqual(self._receivable(invoice).date_maturity, date(2026, 3, 15))
        self.assertEqual(self.customer.dispute_state, "none")
        # reopening suspends again
        dispute.action_reopen()
        self.assertEqual(invoice.dispute_state, "open")
        self.assertTrue(all(self._receivable(invoice).mapped("no_followup")))

    def test_engine_skips_disputed_invoice(self):
        Reminder = self.env["relance.reminder"]
        company = self.env.company
        if not self.env["relance.plan"]._get_default_plan(company):
            self.env["relance.plan"].create(
                {
                    "name": "Dispute test plan",
                    "is_default": True,
                    "adaptive_timing": False,
                    "level_ids": [
                        Command.create({"name": "Relance 1", "offset_days": 1})
                    ],
                }
            )
        disputed = self._invoice(500.0)
        other = self._invoice(300.0)
        dispute = self._open_dispute(disputed)

        def reminded_lines():
            decisions = Reminder.generate_reminders(
                date=date(2026, 3, 1), company_ids=company.ids, dry_run=True
            )
            return {line_id for d in decisions for line_id in d["move_line_ids"]}

        lines = reminded_lines()
        self.assertIn(self._receivable(other).id, lines)
        self.assertNotIn(self._receivable(disputed).id, lines)
        # the reminder made says which invoice it leaves out
        reminder = Reminder.generate_reminders(
            date=date(2026, 3, 1), company_ids=company.ids
        ).filtered(lambda r: r.partner_id == self.customer)
        self.assertEqual(reminder.relance_disputed_move_ids, disputed)
        reminder.action_cancel()
        dispute.action_resolve()
        self.assertIn(self._receivable(disputed).id, reminded_lines())

    def test_disputed_invoice_visible_on_reminder(self):
        invoice = self._invoice(400.0)
        plan = self.env["relance.plan"].create(
            {"name": "Plan visibility", "level_ids": [Command.create({"name": "R1"})]}
        )
        reminder = self.env["relance.reminder"].create(
            {
                "partner_id": self.customer.id,
                "level_id": plan.level_ids.id,
                "move_line_ids": [Command.set(self._receivable(invoice).ids)],
            }
        )
        self.assertFalse(reminder.relance_disputed_move_ids)
        action = reminder.action_relance_open_dispute()
        self.assertEqual(action["context"]["default_move_id"], invoice.id)
        self._open_dispute(invoice)
        reminder.invalidate_recordset()
        self.assertEqual(reminder.relance_disputed_move_ids, invoice)
        self.assertIn("In dispute", reminder.call_script)

    def test_invoice_filters(self):
        disputed = self._invoice(100.0)
        clean = self._invoice(200.0)
        self._open_dispute(disputed)
        found = self.env["account.move"].search(
            [("dispute_state", "=", "open"), ("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(found, disputed)
        self.assertNotIn(clean, found)

    def test_multi_company_access(self):
        """A credit controller without accounting rights neither sees nor
        changes the disputes of another company."""
        company_b = self.setup_other_company(name="Société B")["company"]
        invoice_b = self._create_invoice(
            company_id=company_b.id,
            partner_id=self.customer.id,
            invoice_date=date(2026, 1, 1),
            invoice_line_ids=[self._prepare_invoice_line(price_unit=90.0, tax_ids=[])],
            post=True,
        )
        dispute_b = self.env["relance.dispute"].create(
            {"move_id": invoice_b.id, "reason_id": self.reason_price.id}
        )
        invoice_a = self._invoice(50.0)
        dispute_a = self.env["relance.dispute"].create(
            {"move_id": invoice_a.id, "reason_id": self.reason_price.id}
        )
        user = self._new_user("controller_a", "account_relance.group_relance_user")
        self.assertFalse(user.has_group("account.group_account_invoice"))
        Dispute = self.env["relance.dispute"].with_user(user)
        self.assertEqual(Dispute.search([]), dispute_a)
        self.assertEqual(dispute_a.with_user(user).name, dispute_a.name)
        with self.assertRaises(AccessError):
            dispute_b.with_user(user).read(["name"])
        with self.assertRaises(AccessError):
            dispute_b.with_user(user).write({"description": "hack"})
        # a user without any reminder right sees no dispute at all
        basic = self._new_user("basic_user", "base.group_user")
        with self.assertRaises(AccessError):
            dispute_a.with_user(basic).read(["name"])

    def test_partner_dispute_stats_batched(self):
        """The customers' dispute figures cost the same queries for 2 or 6
        customers: one grouped query, no per-customer loop."""

        def queries(count):
            partners = self.env["res.partner"].create(
                [{"name": f"Client {count}-{i}"} for i in range(count)]
            )
            for partner in partners:
                self.env["relance.dispute"].create(
                    {
                        "move_id": self._invoice(100.0, partner=partner).id,
                        "reason_id": self.reason_price.id,
                    }
                )
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            self.assertEqual(partners.mapped("dispute_count"), [1] * count)
            return self.cr.sql_log_count - start

        queries(1)  # warm the caches (the first batches read settings once)
        queries(2)
        self.assertEqual(queries(2), queries(6))

    def test_credit_controller_works_disputes_and_sees_the_views(self):
        """An invoicing user (credit controller) opens and resolves a dispute,
        and every form carrying the new buttons loads for them."""
        user = self.credit_controller
        invoice = self._invoice(250.0)
        dispute = self._open_dispute(invoice, user=user)
        self.assertEqual(dispute.create_uid, user)
        self.assertEqual(invoice.dispute_state, "open")
        dispute.with_user(user).action_resolve()
        self.assertEqual(invoice.dispute_state, "resolved")
        for model, view_type in (
            ("account.move", "form"),
            ("account.move", "list"),
            ("account.move", "search"),
            ("res.partner", "form"),
            ("res.partner", "search"),
            ("relance.reminder", "form"),
            ("relance.dispute", "kanban"),
            ("relance.dispute", "form"),
            ("relance.promise", "form"),
            ("relance.call.log", "form"),
        ):
            views = self.env[model].with_user(user).get_views([(False, view_type)])
            self.assertTrue(views["views"][view_type]["arch"])
        invoice_form = (
            self.env["account.move"]
            .with_user(user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("action_relance_open_dispute", invoice_form)
        self.assertIn("action_relance_new_promise", invoice_form)


@tagged("post_install", "-at_install")
class TestDisputeKanban(RelanceDisputeCommon):
    def test_empty_kanban_shows_the_reasons_not_a_stage_to_create(self):
        """Without any dispute, the kanban's columns are the dispute reasons,
        and it offers no column to create."""
        Dispute = self.env["relance.dispute"]
        Dispute.search([]).unlink()
        groups = Dispute.with_context(read_group_expand=True).web_read_group(
            [], ["reason_id"], ["__count"]
        )["groups"]
        reasons = self.env["relance.dispute.reason"].search([])
        self.assertEqual([g["reason_id"][0] for g in groups], reasons.ids)
        arch = Dispute.get_view(view_type="kanban")["arch"]
        self.assertIn('group_create="false"', arch)
