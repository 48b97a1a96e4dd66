from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _reconcile_post_hook(self, data):
        """Payments reconciled with customer invoices: close the promises they
        keep and release the automatic credit holds they settle."""
        result = super()._reconcile_post_hook(data)
        invoices = self.move_id.filtered(lambda m: m.is_sale_document(True))
        if invoices:
            invoices._relance_payment_received()
        return result
