from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class RelanceReminderLine(models.Model):
    """One receivable journal item as a reminder listed it: a snapshot of its
    due date, residual amount and age on the reminder date."""

    _name = "relance.reminder.line"
    _description = "Payment Reminder Line"
    _order = "reminder_id, date_maturity, id"
    _check_company_auto = True
    # Written thousands at a time by the daily job: a line has its
    # reminder's author and dates, and no foreign key more than it needs.
    _log_access = False

    reminder_id = fields.Many2one(
        comodel_name="relance.reminder",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="reminder_id.company_id")
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
    move_id = fields.Many2one(related="move_line_id.move_id", string="Document")
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
    left_out = fields.Selection(
        selection=[
            ("paid", "Paid"),
            ("cancelled", "Cancelled"),
            ("disputed", "In Dispute"),
            ("promised", "Promise to Pay"),
            ("no_followup", "No Follow-Up"),
        ],
        readonly=True,
        copy=False,
        help="Why the item was left out of the reminder after it was made: "
        "paid, cancelled, disputed or promised before the reminder went out. "
        "The line stays as a record; the reminder no longer chases the item.",
    )
    previous_level_id = fields.Many2one(
        comodel_name="relance.level",
        string="Previous Level",
        compute="_compute_previous_level_id",
        help="The item's level before this reminder: that of its previous "
        "reminder, cancelled ones left aside.",
    )

    @api.constrains("reminder_id", "move_line_id")
    def _check_item(self):
        """A line lists an item of its reminder's company and customer (the
        engine's lines come from the company's own receivables, written in
        one INSERT without this check)."""
        for line in self:
            # sudo: the item is checked whatever the user may read
            item = line.move_line_id.sudo()
            reminder = line.reminder_id
            if item.company_id != reminder.company_id or (
                item.partner_id.commercial_partner_id
                != reminder.partner_id.commercial_partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "Reminder %(reminder)s cannot list %(item)s: it belongs "
                        "to %(partner)s in %(company)s.",
                        reminder=reminder.display_name,
                        item=item.display_name,
                        partner=item.partner_id.display_name,
                        company=item.company_id.name,
                    )
                )

    @api.depends("move_line_id.relance_line_ids.level_id", "reminder_id.date")
    def _compute_previous_level_id(self):
        levels = {}
        ids = [id_ for id_ in self._origin.ids if id_]
        if ids:
            self.env["relance.reminder"].flush_model(["state", "date"])
            self.flush_model(["move_line_id", "reminder_id", "level_id"])
            levels = dict(
                self.env.execute_query(
                    SQL(
                        """
                        SELECT line.id, previous.level_id
                          FROM relance_reminder_line line
                          JOIN relance_reminder reminder
                            ON reminder.id = line.reminder_id
                         CROSS JOIN LATERAL (
                            SELECT earlier.level_id
                              FROM relance_reminder_line earlier
                              JOIN relance_reminder other
                                ON other.id = earlier.reminder_id
                             WHERE earlier.move_line_id = line.move_line_id
                               AND earlier.level_id IS NOT NULL
                               AND other.state != 'cancel'
                               AND (other.date, other.id)
                                   < (reminder.date, reminder.id)
                             ORDER BY other.date DESC, other.id DESC
                             LIMIT 1
                         ) AS previous
                         WHERE line.id = ANY(%(ids)s)
                        """,
                        ids=ids,
                    )
                )
            )
        for line in self:
            line.previous_level_id = levels.get(line._origin.id)
