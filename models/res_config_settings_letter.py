from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    relance_charges_enabled = fields.Boolean(
        related="company_id.relance_charges_enabled", readonly=False
    )
    relance_charges_b2b_only = fields.Boolean(
        related="company_id.relance_charges_b2b_only", readonly=False
    )
    relance_contractual_rate = fields.Float(
        related="company_id.relance_contractual_rate", readonly=False
    )
    relance_legal_interest_rate = fields.Float(
        related="company_id.relance_legal_interest_rate", readonly=False
    )
    relance_interest_days_basis = fields.Integer(
        related="company_id.relance_interest_days_basis", readonly=False
    )
    relance_recovery_indemnity = fields.Monetary(
        related="company_id.relance_recovery_indemnity", readonly=False
    )
    relance_interest_product_id = fields.Many2one(
        related="company_id.relance_interest_product_id", readonly=False
    )
    relance_indemnity_product_id = fields.Many2one(
        related="company_id.relance_indemnity_product_id", readonly=False
    )
    relance_rate_warning = fields.Char(compute="_compute_relance_rate_warning")
    relance_formal_deadline_days = fields.Integer(
        related="company_id.relance_formal_deadline_days", readonly=False
    )
    relance_letter_window = fields.Selection(
        related="company_id.relance_letter_window", readonly=False
    )
    relance_letter_place = fields.Char(
        related="company_id.relance_letter_place", readonly=False
    )

    @api.depends("relance_contractual_rate", "relance_legal_interest_rate")
    def _compute_relance_rate_warning(self):
        for settings in self:
            settings.relance_rate_warning = self.env[
                "res.company"
            ]._relance_rate_warning_text(
                settings.relance_contractual_rate, settings.relance_legal_interest_rate
            )
