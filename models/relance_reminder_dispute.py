from odoo import api, fields, models


class RelanceReminder(models.Model):
    """Disputes, promises to pay and phone calls, as seen from a reminder."""

    _inherit = "relance.reminder"

    relance_disputed_move_ids = fields.Many2many(
        comodel_name="account.move",
        string="Disputed Invoices",
        compute="_compute_relance_disputed_move_ids",
    )
    relance_promise_ids = fields.One2many(
        comodel_name="relance.promise",
        inverse_name="reminder_id",
        string="Promises to Pay",
    )
    relance_promise_count = fields.Integer(
        string="Promise Count", compute="_compute_relance_promise_count"
    )
    call_script = fields.Html(
        compute="_compute_call_script",
        sanitize=False,
        help="What to ask and say when calling the customer about this reminder.",
    )

    @api.depends("move_line_ids.move_id.dispute_state")
    def _compute_relance_disputed_move_ids(self):
        for reminder in self:
            reminder.relance_disputed_move_ids = (
                reminder.move_line_ids.move_id.filtered(
                    lambda m: m.dispute_state == "open"
                )
            )

    @api.depends("relance_promise_ids")
    def _compute_relance_promise_count(self):
        for reminder in self:
            reminder.relance_promise_count = len(reminder.relance_promise_ids)

    @api.depends("partner_id", "move_line_ids", "level_id")
    def _compute_call_script(self):
        for reminder in self:
            reminder.call_script = (
                reminder._get_call_script() if reminder.partner_id else False
            )

    def _get_call_script_values(self):
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        today = fields.Date.context_today(self)
        lines = self.move_line_ids.sorted(lambda line: (line.date_maturity or today))
        previous = self.search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "in", ("sent", "printed")),
                ("id", "!=", self.id or 0),
            ],
            limit=5,
        )
        promises = self.env["relance.promise"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", self.company_id.id),
                ("state", "in", ("open", "broken")),
            ],
            limit=5,
        )
        disputes = self.env["relance.dispute"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "open"),
            ]
        )
        return {
            "reminder": self,
            "partner": partner,
            "contact": partner._relance_get_payment_contact(),
            "partner_company": partner.with_company(self.company_id),
            "lines": lines,
            "today": today,
            "previous_reminders": previous,
            "promises": promises,
            "disputes": disputes,
        }

    def _get_call_script(self):
        """The phone call script of this reminder, as HTML: who validates the
        payment, what exactly is owed, when and how the customer was reminded,
        why it is unpaid, and how and when they will pay."""
        self.ensure_one()
        return self.env["ir.qweb"]._render(
            "account_relance.relance_call_script", self._get_call_script_values()
        )

    def action_relance_new_promise(self):
        self.ensure_one()
        return self.env["relance.promise"]._action_new(self.partner_id, reminder=self)

    def action_relance_view_promises(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_promise_action"
        )
        action["domain"] = [("reminder_id", "=", self.id)]
        return action

    def action_relance_open_dispute(self):
        self.ensure_one()
        invoices = self.move_line_ids.move_id.filtered(
            lambda m: m.move_type == "out_invoice" and m.dispute_state != "open"
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open a Dispute"),
            "res_model": "relance.dispute",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_move_id": invoices[:1].id},
        }

    def action_relance_log_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call"),
            "res_model": "relance.call.log",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_reminder_id": self.id,
                "default_partner_id": self.partner_id.commercial_partner_id.id,
            },
        }
