from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

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

    @api.depends("company_id")
    def _compute_relance_company_figures(self):
        figures = self.env["relance.partner.behaviour"]._get_company_figures(
            self.company_id
        )
        for settings in self:
            company_figures = figures.get(settings.company_id.id, {})
            settings.relance_company_delay_avg = company_figures.get("delay_avg", 0.0)
            settings.relance_company_dso = company_figures.get("dso", 0.0)
