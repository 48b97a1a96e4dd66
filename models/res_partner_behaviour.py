from odoo import api, fields, models
from odoo.fields import Domain

from .relance_partner_behaviour import PAYMENT_BEHAVIOUR_SELECTION

BEHAVIOUR_GROUPS = "account_relance.group_relance_user"


class ResPartner(models.Model):
    _inherit = "res.partner"

    relance_behaviour_ids = fields.One2many(
        comodel_name="relance.partner.behaviour",
        inverse_name="partner_id",
        string="Payment Behaviour Rows",
        groups=BEHAVIOUR_GROUPS,
    )
    # The figures of the commercial entity in the current company.
    payment_delay_avg = fields.Float(
        string="Average Payment Delay (days)",
        digits=(16, 1),
        compute="_compute_relance_behaviour",
        search="_search_payment_delay_avg",
        groups=BEHAVIOUR_GROUPS,
        help="Amount-weighted average of (payment date - due date) over the "
        "receivable items settled in the behaviour window, in the current "
        "company. Negative: pays early.",
    )
    payment_delay_median = fields.Float(
        string="Median Payment Delay (days)",
        digits=(16, 1),
        compute="_compute_relance_behaviour",
        groups=BEHAVIOUR_GROUPS,
    )
    payment_on_time_rate = fields.Float(
        string="Paid on Time (%)",
        digits=(16, 1),
        compute="_compute_relance_behaviour",
        search="_search_payment_on_time_rate",
        groups=BEHAVIOUR_GROUPS,
        help="Share of the settled amount paid by its due date.",
    )
    payment_count = fields.Integer(
        string="Settled Items",
        compute="_compute_relance_behaviour",
        search="_search_payment_count",
        groups=BEHAVIOUR_GROUPS,
        help="How many receivable items the payment figures rest on.",
    )
    # Stored per company (jsonb) so that customer lists can be grouped and
    # filtered by it; written by relance.partner.behaviour._refresh on the
    # commercial entity and all its contacts, "No history" by default.
    payment_behaviour = fields.Selection(
        selection=PAYMENT_BEHAVIOUR_SELECTION,
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=BEHAVIOUR_GROUPS,
    )
    relance_dso = fields.Float(
        string="DSO over the Window (days)",
        digits=(16, 1),
        compute="_compute_relance_behaviour",
        search="_search_relance_dso",
        groups=BEHAVIOUR_GROUPS,
        help="Days sales outstanding over the behaviour window: open "
        "receivables / (sales invoiced in the window / days in the window).",
    )
    relance_open_amount = fields.Monetary(
        string="Open Receivables",
        compute="_compute_relance_behaviour",
        currency_field="currency_id",
        groups=BEHAVIOUR_GROUPS,
    )
    relance_behaviour_refreshed = fields.Datetime(
        string="Behaviour Refreshed On",
        compute="_compute_relance_behaviour",
        groups=BEHAVIOUR_GROUPS,
    )

    @api.model
    def _get_relance_behaviour_fields(self):
        """Partner fields mirroring a behaviour row: {partner field: row field}."""
        return {
            "payment_delay_avg": "payment_delay_avg",
            "payment_delay_median": "payment_delay_median",
            "payment_on_time_rate": "payment_on_time_rate",
            "payment_count": "payment_count",
            "relance_dso": "dso",
            "relance_open_amount": "open_amount",
            "relance_behaviour_refreshed": "date_refreshed",
        }

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_relance_behaviour(self):
        mapping = self._get_relance_behaviour_fields()
        rows = self.env["relance.partner.behaviour"].search_fetch(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "in", self.commercial_partner_id.ids),
            ],
            list(mapping.values()) + ["partner_id"],
        )
        by_partner = {row.partner_id.id: row for row in rows}
        empty = self.env["relance.partner.behaviour"]
        for partner in self:
            row = by_partner.get(partner.commercial_partner_id.id, empty)
            for partner_field, row_field in mapping.items():
                partner[partner_field] = row[row_field] if row else False

    def _search_relance_behaviour(self, row_field, operator, value):
        """Partners whose commercial entity's row in the current company
        matches; a partner without a row matches when an empty row would
        (no history, zeros)."""
        condition = Domain(row_field, operator, value)
        in_company = Domain("company_id", "=", self.env.company.id)
        domain = Domain("relance_behaviour_ids", "any", in_company & condition)
        empty_row = self.env["relance.partner.behaviour"].new(
            {"payment_behaviour": "no_history"}
        )
        if empty_row.filtered_domain(condition):
            domain |= Domain("relance_behaviour_ids", "not any", in_company)
        return Domain("commercial_partner_id", "any", domain)

    def _search_payment_delay_avg(self, operator, value):
        return self._search_relance_behaviour("payment_delay_avg", operator, value)

    def _search_payment_on_time_rate(self, operator, value):
        return self._search_relance_behaviour("payment_on_time_rate", operator, value)

    def _search_payment_count(self, operator, value):
        return self._search_relance_behaviour("payment_count", operator, value)

    def _search_relance_dso(self, operator, value):
        return self._search_relance_behaviour("dso", operator, value)

    def action_view_relance_behaviour(self):
        """Open the payment behaviour rows of this customer (every company the
        user may see)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_partner_behaviour_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_group_company": 0}
        return action
