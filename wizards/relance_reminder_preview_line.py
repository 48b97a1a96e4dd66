from odoo import api, fields, models


class RelanceReminderPreviewLine(models.TransientModel):
    _name = "relance.reminder.preview.line"
    _description = "Run Reminders: Preview Line"
    _order = "will_create desc, level_id, partner_id"

    preview_id = fields.Many2one(
        comodel_name="relance.reminder.preview",
        required=True,
        ondelete="cascade",
    )
    # company-partner-currency: what the run creates a reminder for
    key = fields.Char()
    partner_id = fields.Many2one(comodel_name="res.partner", string="Customer")
    company_id = fields.Many2one(comodel_name="res.company")
    level_id = fields.Many2one(comodel_name="relance.level", string="Level")
    currency_id = fields.Many2one(comodel_name="res.currency")
    amount_due = fields.Monetary(currency_field="currency_id")
    item_count = fields.Integer(string="Items")
    documents = fields.Char()
    reason = fields.Text(string="Why")
    skip_reason = fields.Text(string="Skipped Because")
    will_create = fields.Boolean(string="Create")
    excluded = fields.Boolean(
        string="Leave Out",
        help="Tick to create no reminder for this customer in this run.",
    )
    to_create = fields.Boolean(compute="_compute_to_create")
    escalated = fields.Boolean()

    @api.depends("will_create", "excluded")
    def _compute_to_create(self):
        for line in self:
            line.to_create = line.will_create and not line.excluded
