from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
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

    # ------------------------------------------------------------------
    # WRITTEN BY THE REMINDER (lines are read only for every group)
    # ------------------------------------------------------------------

    @api.model
    def _set_reminder_items(self, reminders):
        """Give ``reminders`` one line per item of their ``move_line_ids``
        (the inverse of that field, for reminders made or edited by hand):
        items of their own company and customer, with something left to pay.
        Lines of items no longer listed go; lines left out stay."""
        lines = self.env["relance.reminder.line"]
        vals_list = []
        for reminder in reminders:
            # sudo: the items' company is checked whatever the user may read
            items = reminder.move_line_ids.sudo()
            foreign = items.filtered(
                lambda item, company=reminder.company_id: item.company_id != company
            )
            if foreign:
                raise UserError(
                    self.env._(
                        "Reminder %(reminder)s can only list journal items of "
                        "its company, %(company)s: %(items)s",
                        reminder=reminder.display_name,
                        company=reminder.company_id.name,
                        items=", ".join(foreign.mapped("display_name")),
                    )
                )
            others = items.filtered(
                lambda item, customer=reminder.partner_id.commercial_partner_id: (
                    item.partner_id.commercial_partner_id != customer
                )
            )
            if others:
                raise UserError(
                    self.env._(
                        "Reminder %(reminder)s can only list journal items of "
                        "its customer, %(partner)s: %(items)s",
                        reminder=reminder.display_name,
                        partner=reminder.partner_id.display_name,
                        items=", ".join(others.mapped("display_name")),
                    )
                )
            listed = reminder.line_ids.move_line_id
            closed = (items - listed.sudo()).filtered(
                lambda item: item.parent_state != "posted"
                or item.reconciled
                or item.currency_id.is_zero(item.amount_residual_currency)
            )
            if closed:
                raise UserError(
                    self.env._(
                        "Reminder %(reminder)s cannot list %(items)s: nothing is "
                        "left to pay on them (paid, cancelled or not posted).",
                        reminder=reminder.display_name,
                        items=", ".join(closed.mapped("display_name")),
                    )
                )
            lines |= reminder.line_ids.filtered(
                lambda line, items=reminder.move_line_ids: line.move_line_id
                not in items
                and not line.left_out
            )
            date = reminder.date or fields.Date.context_today(reminder)
            vals_list += [
                {
                    "reminder_id": reminder.id,
                    "move_line_id": item.id,
                    "date_maturity": item.date_maturity or item.date,
                    "amount_residual": item.amount_residual_currency,
                    "days_overdue": (date - (item.date_maturity or item.date)).days,
                }
                for item in reminder.move_line_ids - listed
            ]
        # sudo: reminder lines are snapshots nobody writes directly (read
        # only for every group); the reminder's items were checked above
        lines.sudo().unlink()
        self.env["relance.reminder.line"].sudo().create(vals_list)

    @api.model
    def _remove_from_reminders(self, reminders, vals):
        """Removing a line from a reminder to review (the form's list) drops
        its item: lines are read only for every group, so the commands that
        delete them are carried out here, on this reminder's lines only."""
        removed = [
            command[1]
            for command in vals["line_ids"]
            if command[0] in (Command.DELETE, Command.UNLINK)
        ]
        if not removed:
            return vals
        # sudo: lines are written by the addon only; these are the lines of
        # reminders the user may write, still to review (_check_frozen)
        reminders.line_ids.sudo().browse(removed).filtered(
            lambda line: line.reminder_id in reminders
        ).unlink()
        vals = dict(vals)
        vals["line_ids"] = [
            command
            for command in vals["line_ids"]
            if command[0] not in (Command.DELETE, Command.UNLINK)
        ]
        if not vals["line_ids"]:
            del vals["line_ids"]
        return vals
