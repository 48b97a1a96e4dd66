from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from odoo.addons.account_relance.tests.common_dispute import RelanceDisputeCommon


@tagged("post_install", "-at_install")
class TestSaleCreditHold(RelanceDisputeCommon):
    def test_hold_blocks_sale_confirmation(self):
        """A salesman sees the hold on the order and cannot confirm it until
        the hold is released."""
        salesman = self._new_user("salesman", "sales_team.group_sale_salesman")
        order = (
            self.env["sale.order"]
            .with_user(salesman)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product_a.id, "price_unit": 10}
                        )
                    ],
                }
            )
        )
        self.customer.credit_hold_reason = "Redressement judiciaire"
        self.customer.action_relance_credit_hold()
        with Form(self.env["sale.order"].with_user(salesman)) as form:
            form.partner_id = self.customer
            self.assertIn("Redressement judiciaire", form.relance_credit_hold_warning)
            form.partner_id = self.partner_a
            self.assertFalse(form.relance_credit_hold_warning)
        with self.assertRaisesRegex(UserError, "credit hold"):
            order.action_confirm()
        self.assertIn(order.state, ("draft", "sent"))
        self.customer.action_relance_release_credit_hold()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_hold_cannot_be_bypassed_by_writing_the_state(self):
        """Over RPC a salesman could write the state instead of confirming,
        or create the order confirmed: both refused while the hold is on."""
        salesman = self._new_user("salesman_2", "sales_team.group_sale_salesman")
        SaleOrder = self.env["sale.order"].with_user(salesman)
        values = {
            "partner_id": self.customer.id,
            "order_line": [
                Command.create({"product_id": self.product_a.id, "price_unit": 10})
            ],
        }
        order = SaleOrder.create(values)
        self.customer.credit_hold_reason = "Redressement judiciaire"
        self.customer.action_relance_credit_hold()
        with self.assertRaisesRegex(UserError, "credit hold"):
            order.write({"state": "sale"})
        with self.assertRaises(UserError) as caught:  # rolls the order back
            SaleOrder.create({**values, "state": "sale"})
        self.assertIn("credit hold", str(caught.exception))
        self.assertEqual(order.state, "draft")
        self.customer.action_relance_release_credit_hold()
        order.write({"state": "sale"})
        self.assertEqual(order.state, "sale")
