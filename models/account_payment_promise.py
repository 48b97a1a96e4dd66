from odoo import models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def action_post(self):
        """A payment posted without a journal entry still puts its invoices
        "in payment": check the promises on them too."""
        result = super().action_post()
        invoices = self.invoice_ids.filtered(lambda m: m.is_sale_document(True))
        if invoices:
            invoices._relance_payment_received()
        return result
