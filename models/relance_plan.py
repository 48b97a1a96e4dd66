from odoo import api, fields, models


class RelancePlan(models.Model):
    _name = "relance.plan"
    _description = "Reminder Plan"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    is_default = fields.Boolean(
        string="Default Plan",
        help="Customers without a plan of their own follow the default plan "
        "of their company.",
    )
    level_ids = fields.One2many(
        comodel_name="relance.level",
        inverse_name="plan_id",
        string="Levels",
        copy=True,
    )
    level_count = fields.Integer(compute="_compute_level_count")
    adaptive_timing = fields.Boolean(
        default=True,
        help="After the due date, shift each level by the customer's habitual "
        "payment delay, so that a customer who always pays 10 days late is "
        "reminded when an invoice goes past his own habit, not on day 1.",
    )
    adaptive_max_days = fields.Integer(
        string="Maximum Shift (days)",
        default=30,
        help="The habitual delay never shifts a level by more than this.",
    )
    adaptive_min_sample = fields.Integer(
        string="Minimum Sample",
        default=3,
        help="The habit is ignored when fewer invoices than this were settled "
        "in the behaviour window.",
    )
    thank_you = fields.Boolean(
        string="Thank-you Message",
        help="Send a thank-you email when a reminded invoice is fully paid.",
    )
    note = fields.Html()

    _name_company_uniq = models.Constraint(
        "UNIQUE(name, company_id)",
        "Plan names must be unique per company.",
    )
    _default_company_uniq = models.UniqueIndex(
        "(company_id) WHERE is_default AND active",
        "A company has only one default reminder plan.",
    )

    @api.depends("level_ids")
    def _compute_level_count(self):
        groups = self.env["relance.level"]._read_group(
            [("plan_id", "in", self.ids)], ["plan_id"], ["__count"]
        )
        counts = {plan.id: count for plan, count in groups}
        for plan in self:
            plan.level_count = counts.get(plan.id, 0)

    @api.model
    def _get_default_plan(self, company):
        return self.search(
            [("company_id", "=", company.id), ("is_default", "=", True)], limit=1
        )

    def action_set_default(self):
        self.ensure_one()
        self.search(
            [("company_id", "=", self.company_id.id), ("is_default", "=", True)]
        ).is_default = False
        self.is_default = True
