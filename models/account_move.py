from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # Shared by the reminder engine (which obeys them) and the dispute and
    # promise features (which set them).
    dispute_state = fields.Selection(
        selection=[
            ("none", "No Dispute"),
            ("open", "In Dispute"),
            ("resolved", "Dispute Resolved"),
        ],
        string="Dispute",
        default="none",
        required=True,
        copy=False,
        index=True,
        tracking=True,
        help="An invoice in dispute (litige) gets no reminder until the "
        "dispute is resolved.",
    )
    relance_paused_until = fields.Date(
        string="Reminders Paused Until",
        copy=False,
        index="btree_not_null",
        help="No reminder is sent for this invoice until this date, for "
        "example while a promise to pay runs.",
    )
