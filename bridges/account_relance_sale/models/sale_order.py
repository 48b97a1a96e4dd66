from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    """A customer on credit hold (account_relance) gets no new sales order:
    the form warns, and confirming it is refused."""

    _inherit = "sale.order"

    relance_credit_hold_warning = fields.Char(
        string="Credit Hold Warning",
        compute="_compute_relance_credit_hold_warning",
    )

    @api.depends("partner_id", "company_id", "state")
    def _compute_relance_credit_hold_warning(self):
        for order in self:
            order.relance_credit_hold_warning = order.state in (
                "draft",
                "sent",
            ) and order.partner_id._relance_credit_hold_warning(
                order.company_id or self.env.company
            )

    def _confirmation_error_message(self):
        message = super()._confirmation_error_message()
        if message:
            return message
        return self.partner_id._relance_credit_hold_sale_message(self.company_id)

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        orders.filtered(
            lambda order: order.state == "sale"
        )._check_relance_credit_hold()
        return orders

    def write(self, vals):
        """Writing the state is no way around the hold: an order of a held
        customer becomes a sales order only once the hold is lifted."""
        if vals.get("state") == "sale":
            self.filtered(
                lambda order: order.state != "sale"
            )._check_relance_credit_hold(vals.get("partner_id"))
        return super().write(vals)

    def _check_relance_credit_hold(self, partner_id=None):
        for order in self:
            partner = (
                self.env["res.partner"].browse(partner_id)
                if partner_id
                else order.partner_id
            )
            message = partner._relance_credit_hold_sale_message(order.company_id)
            if message:
                raise UserError(message)
