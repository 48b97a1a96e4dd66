from odoo import fields, models


class RelanceLevel(models.Model):
    _inherit = "relance.level"

    apply_charges = fields.Boolean(
        string="Claim Late-Payment Charges",
        help="The reminders of this level state the statutory late-payment "
        "interest and the recovery indemnity (when the company claims them and "
        "the customer is not a consumer), and can book them on an invoice.",
    )
