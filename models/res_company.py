from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class ResCompany(models.Model):
    """The company's settings of payment behaviour, letters, late-payment
    charges and promises to pay."""

    _inherit = "res.company"

    # --- payment behaviour ---
    relance_behaviour_window = fields.Integer(
        string="Behaviour Window (months)",
        default=12,
        help="Customers' payment behaviour is measured on the items settled, "
        "and the sales invoiced, during this many months.",
    )
    relance_behaviour_early_days = fields.Integer(
        string="Early Tolerance (days)",
        default=0,
        help="A customer pays early when his average delay is more than this "
        "many days before the due date.",
    )
    relance_behaviour_on_time_days = fields.Integer(
        string="On-time Tolerance (days)",
        default=3,
        help="A customer pays on time when his average delay is at most this "
        "many days after the due date.",
    )
    relance_behaviour_late_days = fields.Integer(
        string="Late Threshold (days)",
        default=30,
        help="A customer pays late up to this many days after the due date on "
        "average, and very late beyond.",
    )
    relance_behaviour_min_sample = fields.Integer(
        string="Minimum Sample",
        default=3,
        help="A customer's own average delay predicts his payment dates once "
        "this many items were settled in the window; below, the company's "
        "average is used.",
    )

    # --- letters and late-payment charges ---
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
    relance_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Default Credit Controller",
        domain="[('share', '=', False), ('company_ids', 'in', id)]",
        help="Owns the reminders of customers who have neither a credit "
        "controller nor a salesperson of their own.",
    )
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

    # --- promises to pay ---
    relance_promise_grace_days = fields.Integer(
        string="Promise Grace Period (days)",
        default=3,
        help="Reminders of the invoices covered by a promise to pay stay paused "
        "until the promised date plus this many days; the promise is broken "
        "when this period has passed unpaid.",
    )
    relance_escalate_broken_promise = fields.Boolean(
        string="Escalate on Broken Promise",
        default=True,
        help="When a promise to pay is broken, the customer's next reminder "
        "moves up one level.",
    )

    _relance_behaviour_window_positive = models.Constraint(
        "CHECK(relance_behaviour_window > 0)",
        "The payment behaviour window must last at least one month.",
    )

    _relance_behaviour_thresholds = models.Constraint(
        "CHECK(relance_behaviour_early_days >= 0"
        " AND relance_behaviour_on_time_days >= 0"
        " AND relance_behaviour_late_days >= relance_behaviour_on_time_days)",
        "Payment behaviour thresholds must be positive, and the late threshold "
        "at least the on-time tolerance.",
    )

    _relance_charges_positive = models.Constraint(
        "CHECK(relance_contractual_rate >= 0 AND relance_legal_interest_rate >= 0"
        " AND relance_interest_days_basis > 0 AND relance_recovery_indemnity >= 0"
        " AND relance_formal_deadline_days >= 0)",
        "Late-payment rates, the indemnity and the formal notice deadline cannot "
        "be negative, and a year has at least one day.",
    )

    _relance_promise_grace_positive = models.Constraint(
        "CHECK(relance_promise_grace_days >= 0)",
        "The grace period of promises to pay cannot be negative.",
    )

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("relance_contractual_rate", "relance_legal_interest_rate")
    def _compute_relance_rate_warning(self):
        for company in self:
            company.relance_rate_warning = self._relance_rate_warning_text(
                company.relance_contractual_rate, company.relance_legal_interest_rate
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        result = super().write(vals)
        if vals.keys() & {
            "relance_behaviour_window",
            "relance_behaviour_early_days",
            "relance_behaviour_on_time_days",
            "relance_behaviour_late_days",
        }:
            # A new window or new thresholds change every figure: refresh
            # now rather than at the next nightly run.
            # sudo: derived figures of the whole company
            self.env["relance.partner.behaviour"].sudo()._refresh(self.sudo())
        return result

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # Each new company starts with its own copy of the standard plan.
        self.env["relance.plan"]._ensure_default_plan(companies)
        return companies

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.private
    def _get_relance_behaviour_date_from(self, today=None):
        """First day of the behaviour window."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        return today - relativedelta(months=self.relance_behaviour_window or 12)

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
