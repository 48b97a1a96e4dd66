from odoo import api, fields, models


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
