from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def _relance_schedule_behaviour_refresh(self):
        """A reconciliation touching receivable items changes the payment
        behaviour of their customers: refresh them once, at commit time."""
        lines = (self.debit_move_id | self.credit_move_id).filtered(
            lambda line: line.account_type == "asset_receivable" and line.partner_id
        )
        if lines:
            self.env["relance.partner.behaviour"]._schedule_refresh(
                (line.company_id.id, line.partner_id.commercial_partner_id.id)
                for line in lines
            )

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._relance_schedule_behaviour_refresh()
        return partials

    def unlink(self):
        self._relance_schedule_behaviour_refresh()
        return super().unlink()
