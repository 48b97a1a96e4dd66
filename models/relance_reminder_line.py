from odoo import fields, models


class RelanceReminderLine(models.Model):
    """One receivable journal item as a reminder listed it: a snapshot of its
    due date, residual amount and age on the reminder date."""

    _name = "relance.reminder.line"
    _description = "Payment Reminder Line"
    _order = "reminder_id, date_maturity, id"
    _check_company_auto = True

    reminder_id = fields.Many2one(
        comodel_name="relance.reminder",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="reminder_id.company_id",
        store=True,
        index=True,
        precompute=True,
    )
    currency_id = fields.Many2one(related="reminder_id.currency_id")
    # No check_company: lines are written by the engine only, from the
    # company's own receivables (set-based selection), and the check costs a
    # domain evaluation per line in the daily job.
    move_line_id = fields.Many2one(
        comodel_name="account.move.line",
        string="Journal Item",
        required=True,
        index=True,
        ondelete="cascade",
    )
    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Document",
        required=True,
        index=True,
        ondelete="cascade",
    )
    date_maturity = fields.Date(string="Due Date")
    amount_residual = fields.Monetary(
        string="Amount Due",
        currency_field="currency_id",
        help="Residual amount of the item on the reminder date, in the "
        "reminder's currency. Negative for credit notes and payments.",
    )
    days_overdue = fields.Integer(
        help="Days between the due date and the reminder date (negative: not due yet).",
    )
    level_id = fields.Many2one(
        comodel_name="relance.level",
        string="Level",
        help="The level this item reached with this reminder.",
    )
    previous_level_id = fields.Many2one(
        comodel_name="relance.level",
        string="Previous Level",
        help="The item's level before this reminder; restored if the reminder "
        "is cancelled.",
    )
