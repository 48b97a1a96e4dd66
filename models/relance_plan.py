from odoo import Command, api, fields, models


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
    _adaptive_positive = models.Constraint(
        "CHECK(adaptive_max_days >= 0 AND adaptive_min_sample >= 0)",
        "The maximum shift and the minimum sample of adaptive timing cannot "
        "be negative.",
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

    @api.model
    def _ensure_default_plan(self, companies):
        """Return {company_id: default plan}, giving each company without one
        a copy of the standard plan shipped with the addon (translations
        included)."""
        plans = self.search(
            [("company_id", "in", companies.ids), ("is_default", "=", True)]
        )
        result = {plan.company_id.id: plan for plan in plans}
        missing = companies.filtered(lambda company: company.id not in result)
        if not missing:
            return result
        # sudo: whoever creates a company gives it the addon's standard plan
        # (the plan is read from the main company, which they may not see).
        standard = self.sudo().env.ref(
            "account_relance.relance_plan_standard", raise_if_not_found=False
        )
        for company in missing:
            if standard:
                vals = {"company_id": company.id, "is_default": True, "sequence": 1}
                name = self.sudo()._get_free_name(company, standard.name)
                if name != standard.name:  # given, the name loses its translations
                    vals["name"] = name
                plan = standard.copy(vals)
            else:
                # sudo: as above, when the standard plan was deleted
                plan = self.sudo().create(self._standard_plan_values(company))
            result[company.id] = plan.sudo(False)
        return result

    @api.model
    def _get_free_name(self, company, name):
        """``name``, or ``name (2)``... when the company (archived plans
        included) already has a plan of that name."""
        taken = set(
            self.with_context(active_test=False)
            .search([("company_id", "=", company.id)])
            .mapped("name")
        )
        candidate, number = name, 1
        while candidate in taken:
            number += 1
            candidate = f"{name} ({number})"
        return candidate

    @api.model
    def _standard_plan_values(self, company):
        """Fallback when the standard plan of the addon was deleted."""
        levels = [
            ("Pre-due notice", -5, 0, "notice", True, False),
            ("Friendly reminder", 3, 7, "friendly", True, False),
            ("First reminder", 15, 10, "friendly", True, False),
            ("Second reminder", 30, 12, "firm", False, True),
            ("Formal notice", 45, 12, "formal", False, True),
        ]
        return {
            "name": "Standard",
            "company_id": company.id,
            "is_default": True,
            "sequence": 1,
            "level_ids": [
                Command.create(
                    {
                        "name": name,
                        "sequence": index * 10,
                        "offset_days": offset,
                        "min_days_since_last": min_days,
                        "tone": tone,
                        "auto_send": auto,
                        "channel_letter": letter,
                        "requires_previous_delivered": tone == "formal",
                        "apply_charges": tone == "formal",
                    }
                )
                for index, (name, offset, min_days, tone, auto, letter) in enumerate(
                    levels, 1
                )
            ],
        }

    @api.model
    def _get_partner_plans(self, company, partners):
        """Return {partner_id: plan} for the given commercial partners in
        ``company``: the partner's own plan there if active, else the
        company's default plan; partners without either are left out."""
        default = self._get_default_plan(company)
        result = {}
        partners = partners.with_company(company)
        # only the plan: the prefetch would read every partner column
        partners.fetch(["relance_plan_id"])
        for partner in partners:
            plan = partner.relance_plan_id
            plan = plan if plan and plan.active else default
            if plan:
                result[partner.id] = plan
        return result

    def _get_ordered_levels(self):
        """The plan's levels from the mildest to the strongest: by offset,
        then sequence."""
        self.ensure_one()
        return self.level_ids.sorted(
            lambda level: (level.offset_days, level.sequence, level.id)
        )

    def action_set_default(self):
        self.ensure_one()
        self.search(
            [("company_id", "=", self.company_id.id), ("is_default", "=", True)]
        ).is_default = False
        # the unique index is checked row by row: clear the old default first
        self.env.flush_all()
        self.is_default = True
        return True
