from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # Each new company starts with its own copy of the standard plan.
        self.env["relance.plan"]._ensure_default_plan(companies)
        return companies
