from odoo import api, fields, models
from odoo.fields import Domain


class RelanceInterestRate(models.Model):
    _name = "relance.interest.rate"
    _description = "Statutory Late-Payment Interest Rate"
    _order = "date_from desc, company_id, id"
    _check_company_auto = True

    date_from = fields.Date(
        string="In Force From",
        required=True,
        index=True,
        help="In France, the rate in force on 1 January applies to the days of "
        "January to June, the rate in force on 1 July to the days of July to "
        "December.",
    )
    rate = fields.Float(
        string="Rate (%)",
        required=True,
        digits=(16, 4),
        help="Annual late-payment interest rate: by default the European "
        "Central Bank's main refinancing rate plus 10 points.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        index=True,
        help="Leave empty for a rate shared by all companies.",
    )
    note = fields.Char()

    _date_company_uniq = models.UniqueIndex(
        "(date_from, COALESCE(company_id, 0))",
        "There is already a rate from this date for this company.",
    )
    _rate_positive = models.Constraint(
        "CHECK(rate >= 0)", "An interest rate cannot be negative."
    )

    @api.model
    def _get_rate(self, company, date):
        """The annual rate (in %) in force on ``date`` for ``company``.

        The most recent rate dated on or before ``date``; on the same date a
        company's own rate wins over the shared one (NULLs sort last).  No
        rate at all gives 0.
        """
        domain = Domain("date_from", "<=", date) & Domain(
            "company_id", "in", [company.id, False]
        )
        # sudo: shared rates are reference data every credit controller applies.
        rate = self.sudo().search(domain, order="date_from desc, company_id", limit=1)
        return rate.rate
