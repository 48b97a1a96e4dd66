from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    relance_charges_enabled = fields.Boolean(
        string="Late-Payment Charges",
        help="Claim the statutory late-payment interest and the fixed recovery "
        "indemnity on the reminder levels that apply charges.",
    )
    relance_charges_b2b_only = fields.Boolean(
        string="Companies Only",
        default=True,
        help="Charge only customers that are companies.  Customers flagged as "
        "consumers are never charged, whatever this setting.",
    )
    relance_contractual_rate = fields.Float(
        string="Contractual Interest Rate (%)",
        digits=(16, 4),
        help="The rate set in your terms of sale.  Leave 0 to apply the "
        "statutory rate (ECB main refinancing rate + 10 points) of the rate "
        "table.",
    )
    relance_legal_interest_rate = fields.Float(
        string="Legal Interest Rate (%)",
        digits=(16, 4),
        default=2.76,
        help="The French taux d'intérêt légal for professional creditors, "
        "published each half-year.  A contractual rate may not be lower than "
        "three times this rate (Code de commerce L441-10).",
    )
    relance_interest_days_basis = fields.Integer(
        string="Days in a Year",
        default=365,
        help="Interest = outstanding amount x rate x days late / this number.",
    )
    relance_recovery_indemnity = fields.Monetary(
        string="Recovery Indemnity",
        currency_field="currency_id",
        default=40.0,
        help="Fixed indemnity for recovery costs per invoice paid late "
        "(Code de commerce D441-5: 40 EUR), without VAT.",
    )
    relance_interest_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Interest Product",
        help="Product of the invoice line that books the late-payment interest.",
    )
    relance_indemnity_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Indemnity Product",
        help="Product of the invoice line that books the recovery indemnity.",
    )
    relance_rate_warning = fields.Char(compute="_compute_relance_rate_warning")
    relance_formal_deadline_days = fields.Integer(
        string="Formal Notice Deadline (days)",
        default=8,
        help="Days given to pay in a formal notice (mise en demeure).",
    )
    relance_letter_window = fields.Selection(
        selection=[
            ("right", "Right (French window envelope)"),
            ("left", "Left (DIN 5008 window envelope)"),
        ],
        string="Envelope Window",
        default="right",
        required=True,
        help="Where the letters print the customer's address so that it shows "
        "through the window of the envelope.",
    )
    relance_letter_place = fields.Char(
        string="Place of Writing",
        help="The town printed next to the date of the letters; the company's "
        "city when empty.",
    )

    _relance_charges_positive = models.Constraint(
        "CHECK(relance_contractual_rate >= 0 AND relance_legal_interest_rate >= 0"
        " AND relance_interest_days_basis > 0 AND relance_recovery_indemnity >= 0"
        " AND relance_formal_deadline_days >= 0)",
        "Late-payment rates, the indemnity and the formal notice deadline cannot "
        "be negative, and a year has at least one day.",
    )

    @api.depends("relance_contractual_rate", "relance_legal_interest_rate")
    def _compute_relance_rate_warning(self):
        for company in self:
            company.relance_rate_warning = self._relance_rate_warning_text(
                company.relance_contractual_rate, company.relance_legal_interest_rate
            )

    @api.model
    def _relance_rate_warning_text(self, contractual_rate, legal_rate):
        """A warning when a contractual rate is below 3x the legal interest rate."""
        minimum = 3 * legal_rate
        if 0 < contractual_rate < minimum:
            return self.env._(
                "The contractual rate (%(rate)s %%) is below three times the "
                "legal interest rate (%(minimum)s %%): French law (Code de "
                "commerce L441-10) does not allow it.",
                rate=contractual_rate,
                minimum=round(minimum, 4),
            )
        return False
