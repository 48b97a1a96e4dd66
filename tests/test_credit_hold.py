from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common_dispute import RelanceDisputeCommon


@tagged("post_install", "-at_install")
class TestCreditHold(RelanceDisputeCommon):
    def _hold(self, reason="Redressement judiciaire"):
        self.customer.credit_hold_reason = reason
        self.customer.action_relance_credit_hold()

    def test_manager_holds_and_releases(self):
        self.assertTrue(
            self.env.user.has_group("account_relance.group_relance_manager")
        )
        self._hold()
        self.assertTrue(self.customer.credit_hold)
        self.assertEqual(self.customer.credit_hold_user_id, self.env.user)
        self.assertTrue(self.customer.credit_hold_date)
        self.assertFalse(self.customer.credit_hold_auto)
        self.assertIn("credit hold", self.customer.message_ids[0].body)
        self.assertIn(
            self.customer,
            self.env["res.partner"].search([("credit_hold", "=", True)]),
        )
        # the hold is per company
        company_b = self.setup_other_company(name="Société B")["company"]
        self.assertFalse(self.customer.with_company(company_b).credit_hold)
        self.customer.action_relance_release_credit_hold()
        self.assertFalse(self.customer.credit_hold)

    def test_credit_controller_cannot_hold(self):
        customer = self.customer.with_user(self.credit_controller)
        with self.assertRaises(AccessError):
            customer.action_relance_credit_hold()
        with self.assertRaises(AccessError):
            customer.write({"credit_hold": True})
        self.assertFalse(self.customer.credit_hold)

    def test_warning_on_new_invoice(self):
        self._hold()
        form = Form(
            self.env["account.move"].with_context(default_move_type="out_invoice")
        )
        form.partner_id = self.customer
        self.assertIn("credit hold", form.relance_credit_hold_warning)
        self.assertIn("Redressement judiciaire", form.relance_credit_hold_warning)
        form.partner_id = self.partner_a
        self.assertFalse(form.relance_credit_hold_warning)

    def test_no_sale_patch(self):
        """Sales orders are blocked by the bridge module account_relance_sale
        (tests in bridges/), not by patching sale.order from this addon."""
        if "sale.order" in self.env:
            self.assertNotIn(
                "_relance_credit_hold_patched", vars(type(self.env["sale.order"]))
            )
        self.customer.credit_hold_reason = "Redressement judiciaire"
        self.customer.action_relance_credit_hold()
        self.assertIn(
            "credit hold",
            self.customer._relance_credit_hold_sale_message(self.env.company),
        )

    def test_level_sets_hold_and_payment_releases_it(self):
        invoice = self._invoice(500.0)
        plan = self.env["relance.plan"].create(
            {
                "name": "Plan mise en demeure",
                "level_ids": [
                    Command.create({"name": "Relance 1"}),
                    Command.create(
                        {"name": "Mise en demeure", "set_credit_hold": True}
                    ),
                ],
            }
        )
        first, formal = plan.level_ids
        reminders = self.env["relance.reminder"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "level_id": level.id,
                    "move_line_ids": [Command.set(self._receivable(invoice).ids)],
                }
                for level in (first, formal)
            ]
        )
        # whatever the channel, the reminder is marked sent once it left
        reminders[0].state = "sent"
        self.assertFalse(self.customer.credit_hold)
        reminders[1].state = "sent"
        self.assertTrue(self.customer.credit_hold)
        self.assertTrue(self.customer.credit_hold_auto)
        self.assertIn("Mise en demeure", self.customer.credit_hold_reason)
        # printing it afterwards does not hold again a released customer
        self.customer.action_relance_release_credit_hold()
        reminders[1].state = "printed"
        self.assertFalse(self.customer.credit_hold)
        # held again by the next formal notice
        reminders[1].copy({"state": "draft"}).state = "sent"
        self.assertTrue(self.customer.credit_hold)

        self._register_payment(invoice, payment_date=date(2026, 3, 1))
        self.assertFalse(self.customer.credit_hold, "released once all is paid")
