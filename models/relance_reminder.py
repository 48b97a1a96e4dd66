from odoo import api, fields, models
from odoo.exceptions import UserError


class RelanceReminder(models.Model):
    _name = "relance.reminder"
    _description = "Payment Reminder"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default="/",
        index="trigram",
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    level_id = fields.Many2one(
        comodel_name="relance.level",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    plan_id = fields.Many2one(related="level_id.plan_id", store=True)
    date = fields.Date(
        required=True,
        index=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    state = fields.Selection(
        selection=[
            ("draft", "To Review"),
            ("to_send", "To Send"),
            ("sent", "Sent"),
            ("printed", "Printed"),
            ("error", "In Error"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
        copy=False,
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    amount_due = fields.Monetary(
        currency_field="currency_id",
        help="What the customer owes in this currency on the reminder date: "
        "overdue items, less open credit notes and unreconciled payments.",
    )
    line_ids = fields.One2many(
        comodel_name="relance.reminder.line",
        inverse_name="reminder_id",
        string="Lines",
        copy=False,
    )
    # The items are those of the lines (one table, written once by the
    # daily job); writing them creates the lines of a manual reminder.
    move_line_ids = fields.Many2many(
        comodel_name="account.move.line",
        string="Journal Items",
        compute="_compute_move_line_ids",
        inverse="_inverse_move_line_ids",
        search="_search_move_line_ids",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
    )
    reason = fields.Text(
        help="Why this reminder was generated: the rule, the customer's habit "
        "and the dates.",
    )
    error_message = fields.Text(readonly=True, copy=False)

    _state_date_idx = models.Index("(state, date)")

    @api.depends("line_ids.move_line_id")
    def _compute_move_line_ids(self):
        for reminder in self:
            reminder.move_line_ids = reminder.line_ids.move_line_id

    def _inverse_move_line_ids(self):
        lines = self.env["relance.reminder.line"]
        vals_list = []
        for reminder in self:
            foreign = reminder.move_line_ids.filtered(
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
            listed = reminder.line_ids.move_line_id
            lines |= reminder.line_ids.filtered(
                lambda line, items=reminder.move_line_ids: line.move_line_id
                not in items
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
        lines.unlink()
        self.env["relance.reminder.line"].create(vals_list)

    def _search_move_line_ids(self, operator, value):
        return [("line_ids.move_line_id", operator, value)]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                # sudo: credit controllers cannot read ir.sequence; only the
                # next number is used.
                vals["name"] = (
                    self.env["ir.sequence"].sudo().next_by_code("relance.reminder")
                    or "/"
                )
        return super().create(vals_list)

    def _send_reminders(self):
        """Send each reminder through the channels of its level.

        The one entry point of sending: the daily job calls it for the levels
        sent automatically, the "Send Now" and "Retry" buttons for the others.
        Each channel records its outcome on the reminder; channels already
        done are not sent twice, so calling it again retries only what
        failed.  A reminder is "sent" only once what it sends has left;
        automatic sending waits for the company's next working day.
        """
        reminders = self.filtered(lambda r: r.state in ("draft", "to_send", "error"))
        if self._is_automatic_send():
            auto = reminders.filtered(lambda r: r.level_id.auto_send)
            quiet_companies = auto.company_id.filtered(lambda c: self._is_quiet_day(c))
            quiet = auto.filtered(lambda r: r.company_id in quiet_companies)
            quiet.filtered(lambda r: r.state == "draft").state = "to_send"
            reminders -= quiet
        reminders.write(
            {
                "last_send_attempt": fields.Datetime.now(),
                "error_message": False,
                "channel_failure_reason": False,
            }
        )
        for reminder in reminders:
            reminder._send_channels()
        reminders._update_state_from_channels()
        return reminders
