from odoo import api, fields, models
from odoo.fields import Domain


class ResPartner(models.Model):
    """Disputes and promises to pay, as seen from the customer."""

    _inherit = "res.partner"

    relance_dispute_ids = fields.One2many(
        comodel_name="relance.dispute",
        inverse_name="partner_id",
        string="Disputes",
    )
    dispute_state = fields.Selection(
        selection=[("none", "No Dispute"), ("open", "In Dispute")],
        string="Dispute",
        compute="_compute_dispute_stats",
        search="_search_dispute_state",
        help="In dispute while at least one of the customer's invoices has an "
        "open dispute.",
    )
    dispute_count = fields.Integer(
        string="Open Disputes", compute="_compute_dispute_stats"
    )
    dispute_amount = fields.Monetary(
        string="Disputed Amount",
        currency_field="relance_company_currency_id",
        compute="_compute_dispute_stats",
    )
    relance_company_currency_id = fields.Many2one(
        comodel_name="res.currency",
        compute="_compute_relance_company_currency_id",
    )
    relance_promise_ids = fields.One2many(
        comodel_name="relance.promise",
        inverse_name="partner_id",
        string="Promises to Pay",
    )
    relance_promise_count = fields.Integer(
        string="Open Promises", compute="_compute_relance_promise_count"
    )

    @api.depends_context("company")
    def _compute_relance_company_currency_id(self):
        self.relance_company_currency_id = self.env.company.currency_id

    @api.depends_context("company", "allowed_company_ids")
    @api.depends("relance_dispute_ids.state", "relance_dispute_ids.amount_company")
    def _compute_dispute_stats(self):
        commercial = self.commercial_partner_id
        groups = self.env["relance.dispute"]._read_group(
            [
                ("partner_id", "in", commercial.ids),
                ("state", "=", "open"),
                ("company_id", "=", self.env.company.id),
            ],
            ["partner_id"],
            ["__count", "amount_company:sum"],
        )
        stats = {partner.id: (count, amount) for partner, count, amount in groups}
        for partner in self:
            count, amount = stats.get(partner.commercial_partner_id.id, (0, 0.0))
            partner.dispute_count = count
            partner.dispute_amount = amount
            partner.dispute_state = "open" if count else "none"

    def _search_dispute_state(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        values = set(value)
        in_dispute = Domain(
            "commercial_partner_id.relance_dispute_ids.state", "=", "open"
        )
        if "open" in values and "none" in values:
            domain = Domain.TRUE
        elif "open" in values:
            domain = in_dispute
        elif "none" in values:
            domain = ~in_dispute
        else:
            domain = Domain.FALSE
        return ~domain if operator == "not in" else domain

    @api.depends("relance_promise_ids.state")
    def _compute_relance_promise_count(self):
        commercial = self.commercial_partner_id
        groups = self.env["relance.promise"]._read_group(
            [("partner_id", "in", commercial.ids), ("state", "=", "open")],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.relance_promise_count = counts.get(
                partner.commercial_partner_id.id, 0
            )

    def action_relance_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_dispute_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_open": 1}
        return action

    def action_relance_view_promises(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_promise_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
        }
        return action

    def action_relance_new_promise(self):
        self.ensure_one()
        invoices = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", self.env.company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<=", fields.Date.context_today(self)),
                ("dispute_state", "!=", "open"),
            ]
        )
        return self.env["relance.promise"]._action_new(self, invoices=invoices)

    def action_relance_log_call(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call"),
            "res_model": "relance.call.log",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }
