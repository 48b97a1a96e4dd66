from odoo import api, fields, models


class RelancePartnerBehaviour(models.Model):
    """A customer's payment habit in one company, computed from the accounting.

    One row per (commercial partner, company), refreshed in one set-based pass.
    Everything that needs a customer's habit (partner form, reminder engine,
    predicted payment dates) reads these rows; nothing recomputes a delay.
    """

    _name = "relance.partner.behaviour"
    _description = "Customer Payment Behaviour"
    _order = "company_id, partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    payment_delay_avg = fields.Float(
        string="Average Payment Delay (days)",
        digits=(16, 1),
        aggregator="avg",
        help="Amount-weighted average of (payment date - due date) over the "
        "receivable items fully settled in the window. Negative: pays early.",
    )
    payment_delay_median = fields.Float(
        string="Median Payment Delay (days)",
        digits=(16, 1),
        aggregator="avg",
    )
    payment_on_time_rate = fields.Float(
        string="Paid on Time (%)",
        digits=(16, 1),
        aggregator="avg",
        help="Share of the settled amount paid by its due date.",
    )
    payment_count = fields.Integer(
        string="Settled Items",
        help="How many receivable items the figures rest on.",
    )
    settled_amount = fields.Monetary(currency_field="company_currency_id")
    open_amount = fields.Monetary(
        string="Open Receivables", currency_field="company_currency_id"
    )
    sales_amount = fields.Monetary(
        string="Sales in Window", currency_field="company_currency_id"
    )
    dso = fields.Float(string="DSO (days)", digits=(16, 1), aggregator="avg")
    payment_behaviour = fields.Selection(
        selection=[
            ("early", "Pays early"),
            ("on_time", "Pays on time"),
            ("late", "Pays late"),
            ("very_late", "Pays very late"),
            ("no_history", "No history"),
        ],
        default="no_history",
        required=True,
        index=True,
    )
    date_refreshed = fields.Datetime(string="Refreshed On")

    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)",
        "A customer has one behaviour row per company.",
    )

    @api.model
    def _get_habits(self, company, partner_ids):
        """Return {partner_id: (payment_delay_avg, payment_count)} for the given
        commercial partners in ``company``; partners without a row are absent."""
        rows = self.search_read(
            [("company_id", "=", company.id), ("partner_id", "in", list(partner_ids))],
            ["partner_id", "payment_delay_avg", "payment_count"],
        )
        return {
            row["partner_id"][0]: (row["payment_delay_avg"], row["payment_count"])
            for row in rows
        }
