from odoo import fields, models


class RelanceDisputeReason(models.Model):
    _name = "relance.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        index=True,
        help="Leave empty to share the reason between companies.",
    )
    description = fields.Text(translate=True)
