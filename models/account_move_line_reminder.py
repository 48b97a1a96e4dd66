from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # Written by the reminder engine only (set-based UPDATE per batch), so
    # that each receivable item progresses through the levels of its plan and
    # never gets the same level twice.
    relance_level_id = fields.Many2one(
        comodel_name="relance.level",
        string="Reminder Level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The last reminder level this journal item reached.",
    )
    relance_last_date = fields.Date(
        string="Last Reminder",
        copy=False,
        readonly=True,
        help="Date of the last reminder that listed this journal item.",
    )
