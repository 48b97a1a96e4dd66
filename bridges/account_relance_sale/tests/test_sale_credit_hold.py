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
