from odoo import models

SENT_STATES = ("sent", "printed")


class RelanceReminder(models.Model):
    _inherit = "relance.reminder"

    def write(self, vals):
        """A reminder of a level marked "Put on Credit Hold" that has just
        left (sent or printed, whatever the channel and whenever it really
        left) puts its customer on credit hold."""
        holding = self.browse()
        if vals.get("state") in SENT_STATES:
            holding = self.filtered(
                lambda r: r.state not in SENT_STATES and r.level_id.set_credit_hold
            )
        result = super().write(vals)
        if holding:
            holding._relance_apply_credit_hold()
        return result

    def _relance_apply_credit_hold(self):
        for company, reminders in self.grouped("company_id").items():
            for level, level_reminders in reminders.grouped("level_id").items():
                level_reminders.partner_id.commercial_partner_id.with_company(
                    company
                )._relance_set_credit_hold(
                    self.env._("reminder level %(level)s sent", level=level.name),
                    auto=True,
                )
