from odoo import Command, api, fields, models


class RelanceReminderPreview(models.TransientModel):
    """Run reminders for a chosen date: preview what the engine would do,
    then create the reminders on confirmation."""

    _name = "relance.reminder.preview"
    _description = "Run Reminders"

    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="The reminders are decided as on this date.",
    )
    company_ids = fields.Many2many(
        comodel_name="res.company",
        string="Companies",
        default=lambda self: self._default_company_ids(),
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    show_skipped = fields.Boolean(
        string="Show Skipped Customers",
        help="Also list the customers who reached a level but get no reminder, "
        "with the reason.",
    )
    line_ids = fields.One2many(
        comodel_name="relance.reminder.preview.line",
        inverse_name="preview_id",
        string="Preview",
    )
    warnings = fields.Text(
        readonly=True,
        help="What keeps the engine from reminding part of the customers: a "
        "company without a default plan, a plan without levels, a level "
        "without channels.",
    )
    reminder_count = fields.Integer(
        string="Reminders to Create", compute="_compute_reminder_count"
    )

    def _default_company_ids(self):
        return self.env.companies

    @api.depends("line_ids.will_create")
    def _compute_reminder_count(self):
        for preview in self:
            preview.reminder_count = len(
                preview.line_ids.filtered(lambda line: line.will_create)
            )

    @api.onchange("date", "company_ids", "show_skipped")
    def _onchange_preview(self):
        self._fill_preview()

    @api.model_create_multi
    def create(self, vals_list):
        previews = super().create(vals_list)
        # readonly lines shown by the onchange are not saved: compute them
        for preview in previews.filtered(lambda preview: not preview.line_ids):
            preview._fill_preview()
        return previews

    def _fill_preview(self):
        """The engine's decisions for the date (the very code the daily job
        runs), and what keeps it from reminding part of the customers."""
        commands, warnings = [Command.clear()], []
        if self.date:
            engine = self.env["relance.engine"]
            companies = engine._get_run_companies(self.company_ids.ids)
            decisions, warnings = engine._compute_decisions(companies, self.date)
            commands += [
                Command.create(self._prepare_line_values(decision))
                for decision in decisions
                if decision.to_create or (self.show_skipped and decision.skip_reason)
            ]
        self.line_ids = commands
        self.warnings = "\n".join(warnings) or False

    def _prepare_line_values(self, decision):
        positive = [line for line in decision.lines if line.amount_residual > 0]
        return {
            "partner_id": decision.partner_id,
            "company_id": decision.company_id,
            "level_id": decision.level_id or False,
            "currency_id": decision.currency_id,
            "amount_due": decision.amount_due,
            "item_count": len(positive),
            "documents": ", ".join(line.move_name for line in decision.lines),
            "reason": decision.reason,
            "skip_reason": decision.skip_reason,
            "will_create": decision.to_create,
            "escalated": decision.escalated,
        }

    def action_generate(self):
        """Create the reminders and show them."""
        self.ensure_one()
        reminders = self.env["relance.reminder"].generate_reminders(
            date=self.date, company_ids=self.company_ids.ids or None
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_reminder_action"
        )
        action["domain"] = [("id", "in", reminders.ids)]
        action["context"] = {}
        return action
