from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    relance_promise_grace_days = fields.Integer(
        related="company_id.relance_promise_grace_days",
        readonly=False,
    )
    relance_escalate_broken_promise = fields.Boolean(
        related="company_id.relance_escalate_broken_promise",
        readonly=False,
    )
