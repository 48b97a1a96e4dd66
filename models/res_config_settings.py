from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # --- payment behaviour ---
    relance_behaviour_window = fields.Integer(
        related="company_id.relance_behaviour_window",
        readonly=False,
    )
    relance_behaviour_early_days = fields.Integer(
        related="company_id.relance_behaviour_early_days",
        readonly=False,
    )
    relance_behaviour_on_time_days = fields.Integer(
        related="company_id.relance_behaviour_on_time_days",
        readonly=False,
    )
    relance_behaviour_late_days = fields.Integer(
        related="company_id.relance_behaviour_late_days",
        readonly=False,
    )
    relance_behaviour_min_sample = fields.Integer(
        related="company_id.relance_behaviour_min_sample",
        readonly=False,
    )
    relance_company_delay_avg = fields.Float(
        string="Company Average Payment Delay",
        digits=(16, 1),
        compute="_compute_relance_company_figures",
    )
    relance_company_dso = fields.Float(
        string="Company DSO",
        digits=(16, 1),
        compute="_compute_relance_company_figures",
    )

    # --- letters and late-payment charges ---
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
    relance_user_id = fields.Many2one(
        related="company_id.relance_user_id", readonly=False
    )
    relance_formal_deadline_days = fields.Integer(
        related="company_id.relance_formal_deadline_days", readonly=False
    )
    relance_letter_window = fields.Selection(
        related="company_id.relance_letter_window", readonly=False
    )
    relance_letter_place = fields.Char(
        related="company_id.relance_letter_place", readonly=False
    )

    # --- promises to pay ---
    relance_promise_grace_days = fields.Integer(
        related="company_id.relance_promise_grace_days",
        readonly=False,
    )
    relance_escalate_broken_promise = fields.Boolean(
        related="company_id.relance_escalate_broken_promise",
        readonly=False,
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("company_id")
    def _compute_relance_company_figures(self):
        figures = self.env["relance.partner.behaviour"]._get_company_figures(
            self.company_id
        )
        for settings in self:
            company_figures = figures.get(settings.company_id.id, {})
            settings.relance_company_delay_avg = company_figures.get("delay_avg", 0.0)
            settings.relance_company_dso = company_figures.get("dso", 0.0)

    @api.depends("relance_contractual_rate", "relance_legal_interest_rate")
    def _compute_relance_rate_warning(self):
        for settings in self:
            settings.relance_rate_warning = self.env[
                "res.company"
            ]._relance_rate_warning_text(
                settings.relance_contractual_rate, settings.relance_legal_interest_rate
            )
