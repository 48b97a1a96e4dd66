from odoo import fields, models


class RelanceLevel(models.Model):
    _inherit = "relance.level"

    set_credit_hold = fields.Boolean(
        string="Put on Credit Hold",
        help="Sending a reminder at this level (for example the formal notice) "
        "puts the customer on credit hold.",
    )
