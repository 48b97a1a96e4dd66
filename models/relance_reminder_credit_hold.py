from odoo import models


class RelanceReminder(models.Model):
    _inherit = "relance.reminder"

    def _send_reminders(self):
        """Put on credit hold the customers reminded, now, at a level that
        says so."""
        result = super()._send_reminders()
        holding = self.filtered(
            lambda r: r.state in ("sent", "printed") and r.level_id.set_credit_hold
        )
        for company, reminders in holding.grouped("company_id").items():
            for level, level_reminders in reminders.grouped("level_id").items():
                level_reminders.partner_id.commercial_partner_id.with_company(
                    company
                )._relance_set_credit_hold(
                    self.env._("reminder level %(level)s sent", level=level.name),
                    auto=True,
                )
        return result
