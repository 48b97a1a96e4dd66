from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import format_amount, format_date


class RelanceReminderPreview(models.TransientModel):
    """Run reminders for a chosen date: preview what the engine would do,
    leave customers out, then create the reminders on confirmation.  A date
    ahead is for viewing: only a reminder administrator may create its
    reminders, after confirming."""

    _name = "relance.reminder.preview"
    _description = "Run Reminders"

    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="The reminders are decided as on this date.",
    )
    company_ids = fields.Many2many(
        comodel_name="res.company",
        string="Companies",
        default=lambda self: self._default_company_ids(),
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    show_skipped = fields.Boolean(
        string="Show Skipped Customers",
        help="Also list the customers who reached a level but get no reminder, "
        "with the reason.",
    )
    line_ids = fields.One2many(
        comodel_name="relance.reminder.preview.line",
        inverse_name="preview_id",
        string="Preview",
    )
    warnings = fields.Text(
        readonly=True,
        help="What keeps the engine from reminding part of the customers: a "
        "company without a default plan, a plan without levels, a level "
        "without channels.",
    )
    info = fields.Char(
        readonly=True,
        help="Why there is nothing to create, when there is nothing.",
    )
    reminder_count = fields.Integer(
        string="Reminders to Create", compute="_compute_reminder_count"
    )
    level_totals = fields.Html(
        string="Totals per Level", compute="_compute_level_totals", sanitize=False
    )
    is_future = fields.Boolean(compute="_compute_is_future")
    is_past = fields.Boolean(compute="_compute_is_future")

    def _default_company_ids(self):
        return self.env.companies

    @api.depends("line_ids.will_create", "line_ids.excluded")
    def _compute_reminder_count(self):
        for preview in self:
            preview.reminder_count = len(preview.line_ids.filtered("to_create"))

    @api.depends("date")
    def _compute_is_future(self):
        today = fields.Date.context_today(self)
        for preview in self:
            preview.is_future = bool(preview.date and preview.date > today)
            preview.is_past = bool(preview.date and preview.date < today)

    @api.depends("line_ids.will_create", "line_ids.excluded", "line_ids.amount_due")
    def _compute_level_totals(self):
        for preview in self:
            totals = defaultdict(lambda: [0, 0.0])
            for line in preview.line_ids.filtered("to_create"):
                total = totals[line.level_id, line.currency_id]
                total[0] += 1
                total[1] += line.amount_due
            engine = self.env["relance.engine"]
            rows = [
                Markup(
                    "<tr><td>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-end'>%s</td></tr>"
                )
                % (
                    level.display_name,
                    engine._format_quantity(
                        count,
                        self.env._("%(count)s customer"),
                        self.env._("%(count)s customers"),
                    ),
                    format_amount(self.env, amount, currency),
                )
                for (level, currency), (count, amount) in sorted(
                    totals.items(),
                    key=lambda item: (item[0][0].offset_days, item[0][0].id),
                )
            ]
            preview.level_totals = (
                Markup("<table class='table table-sm mb-0'><tbody>%s</tbody></table>")
                % Markup().join(rows)
                if rows
                else False
            )

    @api.onchange("date", "company_ids", "show_skipped")
    def _onchange_preview(self):
        self._fill_preview()

    @api.model_create_multi
    def create(self, vals_list):
        """The lines are the engine's, computed again here (the client sends
        only what can be edited): the customers left out are kept by key."""
        left_out = []
        for vals in vals_list:
            left_out.append(
                {
                    command[2]["key"]
                    for command in vals.pop("line_ids", None) or ()
                    if command[0] == Command.CREATE
                    and command[2].get("excluded")
                    and command[2].get("key")
                }
            )
        previews = super().create(vals_list)
        for preview, keys in zip(previews, left_out, strict=True):
            preview._fill_preview()
            preview.line_ids.filtered(
                lambda line, k=keys: line.key in k
            ).excluded = True
        return previews

    def _get_decisions(self):
        engine = self.env["relance.engine"]
        companies = engine._get_run_companies(self.company_ids.ids)
        return engine._compute_decisions(companies, self.date)

    def _fill_preview(self):
        """The engine's decisions for the date (the very code the daily job
        runs), and what keeps it from reminding part of the customers."""
        commands, warnings, info = [Command.clear()], [], False
        if self.date:
            decisions, warnings = self._get_decisions()
            shown = [
                decision
                for decision in decisions
                if decision.to_create or (self.show_skipped and decision.skip_reason)
            ]
            installments = self._get_installments(shown)
            commands += [
                Command.create(self._prepare_line_values(decision, installments))
                for decision in shown
            ]
            if not any(decision.to_create for decision in decisions):
                info = self._get_nothing_due_message()
        self.line_ids = commands
        self.warnings = "\n".join(warnings) or False
        self.info = info

    def _get_nothing_due_message(self):
        """Why nothing is due: the customers already reminded that day."""
        count = len(
            self.env["relance.reminder"]._read_group(
                [
                    ("date", "=", self.date),
                    ("state", "!=", "cancel"),
                    ("company_id", "in", (self.company_ids or self.env.companies).ids),
                ],
                ["partner_id"],
            )
        )
        day = format_date(self.env, self.date)
        if not count:
            return self.env._("No reminder is due on %(date)s.", date=day)
        return self.env._(
            "No reminder to create on %(date)s: %(customers)s already reminded "
            "that day.",
            date=day,
            customers=self.env["relance.engine"]._format_quantity(
                count,
                self.env._("%(count)s customer"),
                self.env._("%(count)s customers"),
            ),
        )

    def _get_installments(self, decisions):
        """{journal item id: "1/2"} for the items that are installments of
        an invoice (several receivable items on one journal entry)."""
        moves = {line.move_id for decision in decisions for line in decision.lines}
        if not moves:
            return {}
        groups = self.env["account.move.line"]._read_group(
            [
                ("move_id", "in", list(moves)),
                ("account_type", "=", "asset_receivable"),
            ],
            ["move_id"],
            ["id:array_agg", "date_maturity:array_agg"],
        )
        numbers = {}
        for _move, ids, dates in groups:
            if len(ids) < 2:
                continue
            ordered = sorted(zip(dates, ids, strict=True), key=lambda pair: pair)
            for index, (_date, item_id) in enumerate(ordered, start=1):
                numbers[item_id] = f"{index}/{len(ids)}"
        return numbers

    def _prepare_line_values(self, decision, installments=None):
        installments = installments or {}
        positive = [line for line in decision.lines if line.amount_residual > 0]
        documents = []
        for line in decision.lines:
            number = installments.get(line.move_line_id)
            documents.append(
                f"{line.move_name} ({number})" if number else line.move_name
            )
        return {
            "key": "{}-{}-{}".format(*decision.key),
            "partner_id": decision.partner_id,
            "company_id": decision.company_id,
            "level_id": decision.level_id or False,
            "currency_id": decision.currency_id,
            "amount_due": decision.amount_due,
            "item_count": len(positive),
            "documents": ", ".join(documents),
            "reason": decision.reason,
            "skip_reason": decision.skip_reason,
            "will_create": decision.to_create,
            "escalated": decision.escalated,
        }

    def action_generate(self):
        """Create the reminders of the customers not left out, and show
        them.  A date ahead needs a reminder administrator."""
        self.ensure_one()
        self.env["relance.engine"]._check_run_date(self.date)
        left_out = {
            (line.company_id.id, line.partner_id.id, line.currency_id.id)
            for line in self.line_ids.filtered("excluded")
        }
        if not left_out:
            reminders = self.env["relance.reminder"].generate_reminders(
                date=self.date, company_ids=self.company_ids.ids or None
            )
        else:
            reminders = self._generate_without(left_out)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_relance.relance_reminder_action"
        )
        action["domain"] = [("id", "in", reminders.ids)]
        action["context"] = {}
        return action

    def _generate_without(self, left_out):
        """The run of ``generate_reminders``, less the customers left out
        ({(company id, partner id, currency id)})."""
        engine = self.env["relance.engine"]
        companies = engine._get_run_companies(self.company_ids.ids)
        engine._lock_run(companies)
        decisions, _warnings = engine._compute_decisions(companies, self.date)
        kept = [d for d in decisions if d.to_create and d.key not in left_out]
        reminders, _failed = engine._create_reminders_isolated(kept, self.date)
        return reminders
