from odoo import api, models

# Payment fields that change which invoices a payment without journal entry
# settles, and when.
RELANCE_PAYMENT_FIELDS = {"state", "date", "invoice_ids", "partner_id", "move_id"}


class AccountPayment(models.Model):
    _inherit = "account.payment"

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        payments = super().create(vals_list)
        if any(RELANCE_PAYMENT_FIELDS.intersection(vals) for vals in vals_list):
            payments._relance_schedule_behaviour_refresh()
        return payments

    def write(self, vals):
        if RELANCE_PAYMENT_FIELDS.intersection(vals):
            # before and after: a new partner is refreshed as well as the old
            self._relance_schedule_behaviour_refresh()
            result = super().write(vals)
            self._relance_schedule_behaviour_refresh()
            return result
        return super().write(vals)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_post(self):
        """A payment posted without a journal entry still puts its invoices
        "in payment": check the promises on them too."""
        result = super().action_post()
        invoices = self.invoice_ids.filtered(lambda m: m.is_sale_document(True))
        if invoices:
            invoices._relance_payment_received()
        # Odoo's action_post returns None, which XML-RPC cannot send
        return True if result is None else result

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _relance_schedule_behaviour_refresh(self):
        payments = self.filtered(
            lambda p: p.partner_type == "customer" and p.partner_id
        )
        if payments:
            self.env["relance.partner.behaviour"]._schedule_refresh(
                (payment.company_id.id, payment.partner_id.commercial_partner_id.id)
                for payment in payments
            )
