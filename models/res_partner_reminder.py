from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    relance_plan_id = fields.Many2one(
        comodel_name="relance.plan",
        string="Reminder Plan",
        company_dependent=True,
        check_company=True,
        help="The follow-up plan of this customer in the current company. "
        "Empty: the company's default plan.",
    )
    relance_excluded = fields.Boolean(
        string="No Reminders",
        help="This customer never gets payment reminders.",
    )
    relance_reminder_ids = fields.One2many(
        comodel_name="relance.reminder",
        inverse_name="partner_id",
        string="Reminders",
    )
    relance_reminder_count = fields.Integer(
        string="Reminder Count",
        compute="_compute_relance_reminder_count",
    )

    def _compute_relance_reminder_count(self):
        groups = self.env["relance.reminder"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.relance_reminder_count = counts.get(partner.id, 0)

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["relance_excluded"]

    def action_open_relance_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_reminder_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
