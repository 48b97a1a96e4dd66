"""The reminder engine: who gets a reminder, at which level, for which items
and why (the decision), then turning decisions into reminders (the job).

The decision (``_decide_reminders``) is a function of the open items, the
plans, the customers' habits and the date: it reads nothing from the database
but the plan and level records it is given, and writes nothing.  The daily
cron, the "Run reminders" preview and ``generate_reminders`` all call it.
"""

import bisect
import logging
from collections import defaultdict
from dataclasses import dataclass, field

import babel.dates
import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, get_lang
from odoo.tools.misc import babel_locale_parse, posix_to_ldml

_logger = logging.getLogger(__name__)

# First key of the PostgreSQL advisory locks taken by a run (second key: the
# company id): "RELA".
RELANCE_RUN_LOCK = 0x52454C41


@dataclass
class ReminderDecision:
    """What the engine decided for one customer, company and currency."""

    company_id: int
    partner_id: int
    currency_id: int
    plan_id: int
    level_id: int = 0
    auto_send: bool = False
    amount_due: float = 0.0
    lines: list = field(default_factory=list)
    reason: str = ""
    skip_reason: str = ""
    escalated: bool = False

    @property
    def to_create(self):
        return bool(self.level_id) and not self.skip_reason

    @property
    def key(self):
        return (self.company_id, self.partner_id, self.currency_id)

    def progressing_lines(self):
        return [
            line
            for line in self.lines
            if line["level_id"] and line["level_id"] != line["previous_level_id"]
        ]

    def to_dict(self):
        return {
            "company_id": self.company_id,
            "partner_id": self.partner_id,
            "currency_id": self.currency_id,
            "plan_id": self.plan_id,
            "level_id": self.level_id,
            "auto_send": self.auto_send,
            "amount_due": self.amount_due,
            "move_line_ids": [line["move_line_id"] for line in self.lines],
            "lines": [
                {key: value for key, value in line.items() if key != "move_name"}
                for line in self.lines
            ],
            "reason": self.reason,
            "skip_reason": self.skip_reason,
            "escalated": self.escalated,
        }


@dataclass(frozen=True)
class LevelSnapshot:
    """The fields of a level the decision reads, read once per run."""

    id: int
    name: str
    offset_days: int
    min_days_since_last: int
    min_amount: float
    auto_send: bool


@dataclass(frozen=True)
class PlanSnapshot:
    id: int
    adaptive_timing: bool
    adaptive_max_days: int
    adaptive_min_sample: int
    levels: tuple

    @classmethod
    def from_plan(cls, plan):
        return cls(
            id=plan.id,
            adaptive_timing=plan.adaptive_timing,
            adaptive_max_days=plan.adaptive_max_days,
            adaptive_min_sample=plan.adaptive_min_sample,
            levels=tuple(
                LevelSnapshot(
                    id=level.id,
                    name=level.name,
                    offset_days=level.offset_days,
                    min_days_since_last=level.min_days_since_last,
                    min_amount=level.min_amount,
                    auto_send=level.auto_send,
                )
                for level in plan._get_ordered_levels()
            ),
        )


class RelanceReminder(models.Model):
    _inherit = "relance.reminder"

    # computed before the INSERT rather than by an UPDATE after it
    plan_id = fields.Many2one(related="level_id.plan_id", store=True, precompute=True)
    channel_summary = fields.Char(related="level_id.channel_summary", string="Channels")
    escalated = fields.Boolean(
        readonly=True,
        copy=False,
        help="One level higher than the items alone give: the customer broke "
        "a promise to pay.",
    )
    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------

    def action_confirm(self):
        """Reviewed: the reminder may go."""
        if self.filtered(lambda reminder: reminder.state != "draft"):
            raise UserError(self.env._("Only reminders to review can be confirmed."))
        self.state = "to_send"

    def action_send(self):
        """Send now through the channels of the level."""
        if self.filtered(lambda reminder: reminder.state not in ("draft", "to_send")):
            raise UserError(
                self.env._("Only reminders to review or to send can be sent.")
            )
        self.filtered(lambda reminder: reminder.state == "draft").state = "to_send"
        self._send_reminders()

    def action_cancel(self):
        """Cancel: the items get back the level they had before (an item's
        level is that of its latest reminder that is not cancelled)."""
        if self.filtered(lambda reminder: reminder.state in ("sent", "printed")):
            raise UserError(
                self.env._("A reminder that was sent or printed cannot be cancelled.")
            )
        self.filtered(lambda reminder: reminder.state != "cancel").state = "cancel"

    def action_reset_draft(self):
        """Back to review, from cancelled or in error."""
        if self.filtered(lambda reminder: reminder.state not in ("cancel", "error")):
            raise UserError(
                self.env._(
                    "Only cancelled reminders or reminders in error can be reset."
                )
            )
        self.write({"state": "draft", "error_message": False})

    # ------------------------------------------------------------------
    # ENTRY POINTS
    # ------------------------------------------------------------------

    @api.model
    def generate_reminders(self, date=None, company_ids=None, dry_run=False):
        """Generate the reminders due on ``date`` (default: today) for the
        given companies (default: the current user's companies).

        Returns the created reminders; in ``dry_run``, writes nothing and
        returns the would-be reminders as a list of dicts (partner_id,
        level_id, currency_id, amount_due, move_line_ids, lines, reason...).
        Reminders of levels sent automatically are sent at once (left "to
        send" with the context key ``relance_defer_send``); the others wait
        in draft for review.
        """
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        companies = self._get_run_companies(company_ids)
        if dry_run:
            decisions = self._compute_decisions(companies, date, dry_run=True)
            return [decision.to_dict() for decision in decisions if decision.to_create]
        self._lock_run(companies)
        decisions = [
            decision
            for decision in self._compute_decisions(companies, date)
            if decision.to_create
        ]
        reminders, _failed = self._create_reminders_isolated(decisions, date)
        return reminders

    @api.model
    def _cron_generate_reminders(self, batch_size=500):
        """Daily job: all companies, in batches committed through the cron
        progress API.  Each batch recomputes the decisions from what is
        committed, so a run that stops anywhere resumes with nothing
        duplicated; a second run the same day finds nothing to do."""
        date = fields.Date.context_today(self)
        companies = self.env["res.company"].search([("active", "=", True)])
        cron = self.env["ir.cron"]
        failed = set()
        while True:
            if not self._lock_run(companies, raise_if_locked=False):
                _logger.info("Reminders: another run is in progress, stopping.")
                return
            decisions = [
                decision
                for decision in self._compute_decisions(companies, date)
                if decision.to_create and decision.key not in failed
            ]
            if not decisions:
                cron._commit_progress(remaining=0)
                return
            batch = decisions[:batch_size]
            _reminders, batch_failed = self._create_reminders_isolated(batch, date)
            failed.update(batch_failed)
            remaining = len(decisions) - len(batch)
            time_left = cron._commit_progress(len(batch), remaining=remaining)
            if not remaining or time_left <= 0:
                return

    # ------------------------------------------------------------------
    # RUN HELPERS
    # ------------------------------------------------------------------

    @api.model
    def _get_run_companies(self, company_ids=None):
        if not company_ids:
            return self.env.companies
        if isinstance(company_ids, int):
            company_ids = [company_ids]
        companies = self.env["res.company"].browse(company_ids).exists()
        if not self.env.su and companies - self.env.user.company_ids:
            raise UserError(
                self.env._("You can only run reminders for your own companies.")
            )
        return companies

    @api.model
    def _lock_run(self, companies, raise_if_locked=True):
        """Take a transaction-level advisory lock per company, so that two
        runs on the same company cannot proceed at once."""
        rows = self.env.execute_query(
            SQL(
                "SELECT company_id FROM unnest(%(ids)s::int[]) AS company_id"
                " WHERE NOT pg_try_advisory_xact_lock(%(key)s, company_id)",
                ids=companies.ids,
                key=RELANCE_RUN_LOCK,
            )
        )
        if not rows:
            return True
        if raise_if_locked:
            names = ", ".join(
                self.env["res.company"].browse(r[0] for r in rows).mapped("name")
            )
            raise UserError(
                self.env._(
                    "Reminders are already being generated for %(companies)s."
                    " Please try again in a few minutes.",
                    companies=names,
                )
            )
        return False

    @api.model
    def _create_reminders_isolated(self, decisions, date, batch_size=500):
        """Create (and send) the reminders of ``decisions`` batch by batch,
        each in a savepoint; a batch that fails is retried one customer at a
        time and the customers that still fail are logged and skipped.
        Returns (reminders, set of failed decision keys)."""
        reminder_ids = []
        failed = set()
        by_company = defaultdict(list)
        for decision in decisions:
            by_company[decision.company_id].append(decision)
        for company_id, company_decisions in by_company.items():
            engine = self.with_company(company_id)
            for start in range(0, len(company_decisions), batch_size):
                batch = company_decisions[start : start + batch_size]
                try:
                    with self.env.cr.savepoint():
                        reminder_ids += engine._create_reminders(batch, date).ids
                    continue
                except (UserError, psycopg2.DatabaseError):
                    _logger.info("Reminders: a batch failed, retrying one by one")
                for decision in batch:
                    try:
                        with self.env.cr.savepoint():
                            reminder_ids += engine._create_reminders(
                                [decision], date
                            ).ids
                    except (UserError, psycopg2.DatabaseError) as error:
                        failed.add(decision.key)
                        _logger.warning(
                            "Reminders: no reminder for partner %s in company %s: %s",
                            decision.partner_id,
                            decision.company_id,
                            error,
                        )
        return self.browse(reminder_ids), failed

    @api.model
    def _create_reminders(self, decisions, date):
        """Turn decisions into reminders with their lines (which give their
        items their new level), and send those of automatic levels."""
        if not decisions:
            return self.browse()
        vals_list = self._prepare_reminders_values(decisions, date)
        names = self._next_reminder_names(len(vals_list))
        for vals, name in zip(vals_list, names, strict=True):
            vals["name"] = name
        self._check_decision_companies(decisions)
        reminders = self._insert_reminders(vals_list)
        self._insert_reminder_lines(reminders, decisions)
        escalated = defaultdict(set)
        for decision in decisions:
            if decision.escalated:
                escalated[decision.company_id].add(decision.partner_id)
        for company_id, partner_ids in escalated.items():
            self.env["relance.promise"]._mark_escalated(
                self.env["res.company"].browse(company_id), partner_ids
            )
        if not self.env.context.get("relance_defer_send"):
            to_send = reminders.filtered(lambda reminder: reminder.state == "to_send")
            if to_send:
                to_send._send_reminders()
        return reminders

    @api.model
    def _prepare_reminders_values(self, decisions, date):
        """The values of the reminders of a batch of decisions (one company).
        Stored computed fields given here are not recomputed reminder by
        reminder after the INSERT."""
        return [
            {
                "partner_id": decision.partner_id,
                "company_id": decision.company_id,
                "level_id": decision.level_id,
                "plan_id": decision.plan_id,
                "date": date,
                "state": "to_send" if decision.auto_send else "draft",
                "currency_id": decision.currency_id,
                "amount_due": decision.amount_due,
                "reason": decision.reason,
                "escalated": decision.escalated,
            }
            for decision in decisions
        ]

    @api.model
    def _insert_reminders(self, vals_list):
        """Create the reminders of a batch in one INSERT.

        ``create`` costs about half a millisecond per reminder (defaults,
        precomputed and monetary fields converted record by record, the
        mail.thread machinery) for what the daily job already knows: every
        stored value, amounts rounded.  Here the defaults are read once for
        the batch, the access rights and the Python constraints are checked
        as ``create`` would, stored computed fields that ``vals_list`` does
        not give are computed by the ORM afterwards, and no message, follower
        or tracking value is written (the job creates reminders silently).
        The customers' companies are checked beforehand, for the whole batch,
        by ``_check_decision_companies``."""
        self.check_access("create")
        fields_by_name = self._fields
        given = set().union(*vals_list)
        defaults = self.default_get(
            [
                name
                for name, field in fields_by_name.items()
                if field.store
                and field.column_type
                and not field.compute
                and name not in given
                and name not in models.LOG_ACCESS_COLUMNS
            ]
        )
        now = self.env.cr.now()
        common = {
            **defaults,
            "create_uid": self.env.uid,
            "create_date": now,
            "write_uid": self.env.uid,
            "write_date": now,
        }
        names = sorted(
            name
            for name in given | set(common)
            if fields_by_name[name].store and fields_by_name[name].column_type
        )
        rows = []
        for vals in vals_list:
            values = {**common, **vals}
            rows.append(
                tuple(
                    # amounts come rounded to their currency
                    values.get(name)
                    if fields_by_name[name].type == "monetary"
                    else fields_by_name[name].convert_to_column(
                        values.get(name), self, values, validate=False
                    )
                    for name in names
                )
            )
        ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "INSERT INTO %s (%s) VALUES %s RETURNING id",
                    SQL.identifier(self._table),
                    SQL(", ").join(SQL.identifier(name) for name in names),
                    SQL(", ").join(rows),
                )
            )
        ]
        reminders = self.browse(ids)
        for computed in fields_by_name.values():
            if computed.store and computed.compute and computed.name not in given:
                self.env.add_to_compute(computed, reminders)
        reminders._validate_fields(names)
        reminders.check_access("create")
        return reminders

    @api.model
    def _check_decision_companies(self, decisions):
        """The company consistency check of a batch of new reminders, in one
        query: each customer belongs to no company, to the reminder's or to a
        parent of it (as ``check_company`` on the customer field)."""
        pairs = {(d.partner_id, d.company_id) for d in decisions}
        self.env["res.partner"].flush_model(["company_id"])
        self.env["res.company"].flush_model(["parent_path"])
        rows = self.env.execute_query(
            SQL(
                "SELECT partner.id FROM res_partner partner"
                " JOIN unnest(%(partners)s::int[], %(companies)s::int[])"
                "   AS pair(partner_id, company_id) ON pair.partner_id = partner.id"
                " JOIN res_company own ON own.id = partner.company_id"
                " JOIN res_company target ON target.id = pair.company_id"
                # the partner's company must be the reminder's or a parent
                " WHERE target.parent_path NOT LIKE own.parent_path || '%%'",
                partners=[pair[0] for pair in pairs],
                companies=[pair[1] for pair in pairs],
            )
        )
        if rows:
            partners = self.env["res.partner"].browse(row[0] for row in rows)
            raise UserError(
                self.env._(
                    "These customers belong to another company and cannot get "
                    "a reminder here: %(partners)s",
                    partners=", ".join(partners.mapped("display_name")),
                )
            )

    @api.model
    def _next_reminder_names(self, count):
        """``count`` references drawn from the reminder sequence at once."""
        # sudo: credit controllers cannot read ir.sequence; only numbers are
        # drawn from it.
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [
                    ("code", "=", "relance.reminder"),
                    ("company_id", "in", [self.env.company.id, False]),
                ],
                order="company_id",
                limit=1,
            )
        )
        if not sequence:
            return ["/"] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for _index in range(count)]
        rows = self.env.execute_query(
            SQL(
                "SELECT nextval(%(name)s) FROM generate_series(1, %(count)s)",
                name=f"ir_sequence_{sequence.id:03d}",
                count=count,
            )
        )
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for (number,) in rows]

    @api.model
    def _insert_reminder_lines(self, reminders, decisions):
        """Write the reminder lines (plain snapshots, no computed field) of a
        batch in one INSERT: the ORM would take a millisecond per line."""
        columns = defaultdict(list)
        for reminder, decision in zip(reminders, decisions, strict=True):
            for line in decision.lines:
                columns["reminder"].append(reminder.id)
                columns["move_line"].append(line["move_line_id"])
                columns["due"].append(line["date_maturity"])
                columns["amount"].append(line["amount_residual"])
                columns["days"].append(line["days_overdue"])
                columns["level"].append(line["level_id"] or None)
        if not columns:
            return
        self.env["relance.reminder.line"].flush_model()
        self.env.execute_query(
            SQL(
                """
                INSERT INTO relance_reminder_line (
                    reminder_id, move_line_id, date_maturity, amount_residual,
                    days_overdue, level_id)
                SELECT * FROM unnest(
                        %(reminder)s::int[], %(move_line)s::int[],
                        %(due)s::date[], %(amount)s::numeric[], %(days)s::int[],
                        %(level)s::int[])
                """,
                **columns,
            )
        )
        reminders.invalidate_recordset(["line_ids", "move_line_ids"])
        # the items' level and last reminder date are read from these lines
        self.env["account.move.line"].invalidate_model(
            ["relance_line_ids", "relance_level_id", "relance_last_date"]
        )

    # ------------------------------------------------------------------
    # DECISION INPUTS (set-based reads)
    # ------------------------------------------------------------------

    @api.model
    def _compute_decisions(self, companies, date, dry_run=False):
        """Read the inputs of the decision for each company (a fixed number
        of queries, whatever the number of items) and decide.  In
        ``dry_run``, a company without a plan is left out rather than given
        the standard plan."""
        decisions = []
        for company in companies:
            engine = self.with_company(company)
            items = engine._get_open_items(company, date)
            if not items:
                continue
            partners = engine.env["res.partner"].browse(
                sorted({item["partner_id"] for item in items})
            )
            plans = engine.env["relance.plan"]._get_partner_plans(
                company, partners, create=not dry_run
            )
            habits = engine.env["relance.partner.behaviour"]._get_habits(
                company, partners.ids
            )
            last_dates = engine._get_last_reminder_dates(company, partners, date)
            escalating = engine._get_escalating_partner_ids(company)
            decisions += engine._decide_reminders(
                company, items, plans, habits, last_dates, escalating, date
            )
        return decisions

    @api.model
    def _get_escalating_partner_ids(self, company):
        return set(self.env["relance.promise"]._get_escalating_partner_ids(company))

    @api.model
    def _get_last_reminder_dates(self, company, partners, date):
        """{partner_id: date of its last reminder before ``date``}.  Reminders
        of the day itself do not count, so that a run resumed the same day
        completes the customers it had not reached."""
        groups = self._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("state", "!=", "cancel"),
                ("date", "<", date),
            ],
            ["partner_id"],
            ["date:max"],
        )
        return {partner.id: last for partner, last in groups}

    @api.model
    def _get_open_items(self, company, date):
        """The open receivable items of ``company`` on ``date``, one query.

        Each row: id, partner_id (commercial), currency_id, move_id,
        move_name, date_maturity, residual (in the item currency), level_id,
        level_offset, and ``exclusion``: why the item must not be reminded
        (None if it may be)."""
        self.env["account.move.line"].flush_model(
            [
                "account_id",
                "partner_id",
                "company_id",
                "currency_id",
                "date",
                "date_maturity",
                "amount_residual",
                "amount_residual_currency",
                "reconciled",
                "parent_state",
                "no_followup",
                "move_id",
                "move_name",
            ]
        )
        self.env["account.move"].flush_model(
            ["payment_state", "dispute_state", "relance_paused_until"]
        )
        self.env["res.partner"].flush_model(
            ["commercial_partner_id", "relance_excluded"]
        )
        self.env["relance.level"].flush_model(["offset_days"])
        self.env["relance.reminder"].flush_model(["state", "date"])
        self.env["relance.reminder.line"].flush_model(
            ["move_line_id", "reminder_id", "level_id"]
        )
        rows = self.env.execute_query_dict(
            SQL(
                """
                WITH item AS MATERIALIZED (
                    SELECT aml.id, aml.partner_id, aml.currency_id, aml.move_id,
                           aml.move_name,
                           COALESCE(aml.date_maturity, aml.date) AS date_maturity,
                           aml.amount_residual_currency AS residual,
                           aml.no_followup
                      FROM account_move_line aml
                     WHERE aml.company_id = %(company_id)s
                       -- uses the index account_move_line_relance_open_items_idx
                       AND aml.account_id = ANY(ARRAY(
                               SELECT id FROM account_account
                                WHERE account_type = 'asset_receivable'))
                       AND aml.reconciled IS NOT TRUE
                       AND aml.parent_state = 'posted'
                       AND aml.amount_residual_currency != 0
                       AND aml.date <= %(date)s
                )
                SELECT item.id,
                       partner.commercial_partner_id AS partner_id,
                       item.currency_id,
                       item.move_id,
                       item.move_name,
                       item.date_maturity,
                       item.residual,
                       state.level_id,
                       level.offset_days AS level_offset,
                       CASE
                           WHEN commercial.relance_excluded THEN 'partner'
                           WHEN item.no_followup THEN 'no_followup'
                           -- a subquery per item: PostgreSQL would rather
                           -- scan every journal entry than probe the few
                           -- thousand it needs
                           ELSE (
                               SELECT CASE
                                   WHEN move.payment_state IN ('in_payment', 'paid')
                                       THEN 'in_payment'
                                   WHEN move.dispute_state = 'open' THEN 'dispute'
                                   WHEN move.relance_paused_until >= %(date)s
                                       THEN 'paused'
                               END
                                 FROM account_move move
                                WHERE move.id = item.move_id)
                       END AS exclusion
                  FROM item
                  JOIN res_partner partner ON partner.id = item.partner_id
                  JOIN res_partner commercial
                    ON commercial.id = partner.commercial_partner_id
             LEFT JOIN (%(item_state)s) AS state ON state.move_line_id = item.id
             LEFT JOIN relance_level level ON level.id = state.level_id
              ORDER BY partner.commercial_partner_id, item.currency_id,
                       item.date_maturity, item.id
                """,
                company_id=company.id,
                date=date,
                item_state=self.env["account.move.line"]._relance_state_sql(
                    SQL("SELECT id FROM item")
                ),
            )
        )
        return rows

    # ------------------------------------------------------------------
    # THE DECISION (pure: reads its arguments, writes nothing)
    # ------------------------------------------------------------------

    @api.model
    def _decide_reminders(
        self, company, items, plans, habits, last_dates, escalating, date
    ):
        """Decide the reminders of ``company`` on ``date``.

        :param items: open items as returned by ``_get_open_items``
        :param plans: {commercial partner id: relance.plan}
        :param habits: {partner id: (average delay in days, settled count)}
        :param last_dates: {partner id: date of the last reminder before date}
        :param escalating: partner ids whose reminder goes one level higher
        :return: list of ReminderDecision, to create or skipped with a reason
        """
        groups = defaultdict(list)
        for item in items:
            groups[(item["partner_id"], item["currency_id"])].append(item)
        snapshots = {}
        memo = {}  # per run: formatted dates, converted minimums, habit notes
        decisions = []
        for (partner_id, currency_id), group in groups.items():
            plan = plans.get(partner_id)
            if not plan:
                continue
            if plan.id not in snapshots:
                snapshots[plan.id] = PlanSnapshot.from_plan(plan)
            plan = snapshots[plan.id]
            levels = plan.levels
            if not levels:
                continue
            decision = self._decide_group(
                company,
                partner_id,
                currency_id,
                group,
                plan,
                levels,
                habits.get(partner_id),
                last_dates.get(partner_id),
                partner_id in escalating,
                date,
                memo,
            )
            if decision:
                decisions.append(decision)
        return decisions

    @api.model
    def _get_adaptive_shift(self, plan, habit):
        """(shift in days, explanation) for a customer's habit under ``plan``."""
        if not plan.adaptive_timing:
            return 0, ""
        if not habit:
            return 0, self.env._("No payment history: plain schedule.")
        delay, count = habit
        if count < plan.adaptive_min_sample:
            return 0, self.env._(
                "Payment habit ignored: %(count)s settled invoices, fewer than "
                "the %(minimum)s required.",
                count=count,
                minimum=plan.adaptive_min_sample,
            )
        shift = min(max(0, round(delay)), plan.adaptive_max_days)
        if not shift:
            return 0, self.env._(
                "Pays on time (%(delay).1f days on average over %(count)s "
                "invoices): plain schedule.",
                delay=delay,
                count=count,
            )
        return shift, self.env._(
            "Pays %(delay).1f days late on average over %(count)s invoices: "
            "levels after the due date are shifted by %(shift)s days "
            "(plan maximum %(maximum)s).",
            delay=delay,
            count=count,
            shift=shift,
            maximum=plan.adaptive_max_days,
        )

    @api.model
    def _decide_group(
        self,
        company,
        partner_id,
        currency_id,
        items,
        plan,
        levels,
        habit,
        last_date,
        escalating,
        date,
        memo,
    ):
        """The decision for one customer and currency; None if nothing to say."""
        key = ("shift", plan.id, habit)
        if key not in memo:
            memo[key] = self._get_adaptive_shift(plan, habit)
        shift, shift_note = memo[key]
        offsets = [level.offset_days for level in levels]
        thresholds = [offset + shift if offset >= 0 else offset for offset in offsets]
        in_scope, credits, blocked, progressing = self._classify_items(
            items, levels, offsets, thresholds, date
        )
        decision = ReminderDecision(
            company_id=company.id,
            partner_id=partner_id,
            currency_id=currency_id,
            plan_id=plan.id,
        )
        escalate = escalating and bool(in_scope)
        if not progressing and not escalate:
            if not blocked:
                return None
            decision.skip_reason = self._explain_exclusions(blocked)
            return decision

        target = max((entry[2] for entry in progressing), default=-1)
        if escalate:
            base = max(max(entry[2], entry[3]) for entry in in_scope)
            target = min(max(base, target) + 1, len(levels) - 1)
            decision.escalated = True
        level = levels[target]
        decision.level_id = level.id
        decision.auto_send = level.auto_send
        for item, days, reached, current in in_scope + credits:
            new_rank = max(reached, current)
            decision.lines.append(
                {
                    "move_line_id": item["id"],
                    "move_id": item["move_id"],
                    "move_name": item["move_name"],
                    "date_maturity": item["date_maturity"],
                    "amount_residual": item["residual"],
                    "days_overdue": days,
                    "level_id": levels[new_rank].id if new_rank >= 0 else 0,
                    "previous_level_id": item["level_id"] or 0,
                }
            )
        currency = self.env["res.currency"].browse(currency_id)
        decision.amount_due = currency.round(
            sum(line["amount_residual"] for line in decision.lines)
        )
        decision.reason = self._explain_decision(
            decision, level, levels, thresholds, progressing, shift_note, date, memo
        )
        decision.skip_reason = self._get_skip_reason(
            decision, level, last_date, company, currency, date, memo
        )
        return decision

    @api.model
    def _classify_items(self, items, levels, offsets, thresholds, date):
        """Split a customer's items into (in scope, credits, blocked by an
        exclusion, progressing); entries are (item, days past due, reached
        rank, current rank)."""
        rank = {level.id: index for index, level in enumerate(levels)}
        in_scope, credits, blocked, progressing = [], [], [], []
        for item in items:
            days = (date - item["date_maturity"]).days
            if item["residual"] < 0:
                credits.append((item, days, -1, -1))
                continue
            reached = bisect.bisect_right(thresholds, days) - 1
            if reached >= 0 and days >= 0 and offsets[reached] < 0:
                # a pre-due notice is for items not due yet
                reached = -1
            if not item["level_id"]:
                current = -1
            elif item["level_id"] in rank:
                current = rank[item["level_id"]]
            else:
                # a level of another plan: the strongest level of this plan
                # that is not beyond it
                current = bisect.bisect_right(offsets, item["level_offset"] or 0) - 1
            if item["exclusion"]:
                if reached > current:
                    blocked.append(item)
                continue
            if reached < 0 and current < 0:
                continue
            entry = (item, days, reached, current)
            in_scope.append(entry)
            if reached > current:
                progressing.append(entry)
        return in_scope, credits, blocked, progressing

    @api.model
    def _explain_decision(
        self, decision, level, levels, thresholds, progressing, shift_note, date, memo
    ):
        # translated once per run, then filled in: a reminder explains each
        # of its items, and thousands of lookups of the translation cost more
        # than deciding
        if "explain" not in memo:
            memo["explain"] = (
                self.env._(
                    "Level %(level)s (%(offset)s days from the due date) on %(date)s."
                ),
                self.env._(
                    "%(document)s, due %(due)s: %(days)s days past due, reaches "
                    "%(level)s (from day %(threshold)s)."
                ),
            )
        level_note, item_note = memo["explain"]
        notes = [
            level_note
            % {
                "level": level.name,
                "offset": level.offset_days,
                "date": self._format_date(date, memo),
            }
        ]
        if shift_note:
            notes.append(shift_note)
        for item, days, reached, _current in progressing:
            notes.append(
                item_note
                % {
                    "document": item["move_name"],
                    "due": self._format_date(item["date_maturity"], memo),
                    "days": days,
                    "level": levels[reached].name,
                    "threshold": thresholds[reached],
                }
            )
        if decision.escalated:
            notes.append(
                self.env._(
                    "One level higher than the items alone give: the customer "
                    "did not keep a promise to pay."
                )
            )
        return "\n".join(notes)

    @api.model
    def _get_skip_reason(
        self, decision, level, last_date, company, currency, date, memo
    ):
        """Why a customer who reached ``level`` gets no reminder; "" if he does."""
        if (
            last_date
            and not decision.escalated
            and (date - last_date).days < level.min_days_since_last
        ):
            return self.env._(
                "Last reminder on %(last)s: %(level)s waits %(days)s days between "
                "reminders.",
                last=self._format_date(last_date, memo),
                level=level.name,
                days=level.min_days_since_last,
            )
        if decision.amount_due <= 0:
            return self.env._("Credit notes and payments cover the amount due.")
        if level.min_amount:
            key = ("minimum", level.id, currency.id)
            if key not in memo:
                memo[key] = company.currency_id._convert(
                    level.min_amount, currency, company, date
                )
            minimum = memo[key]
            if currency.compare_amounts(decision.amount_due, minimum) < 0:
                return self.env._(
                    "%(amount)s due is under the minimum of %(minimum)s for %(level)s.",
                    amount=format_amount(self.env, decision.amount_due, currency),
                    minimum=format_amount(self.env, minimum, currency),
                    level=level.name,
                )
        return ""

    @api.model
    def _format_date(self, value, memo):
        """``format_date`` in the user's language, with the language and its
        date format looked up once per run rather than once per date."""
        if "date_format" not in memo:
            lang = get_lang(self.env)
            locale = babel_locale_parse(lang.code)
            memo["date_format"] = (posix_to_ldml(lang.date_format, locale), locale)
        key = ("date", value)
        if key not in memo:
            date_format, locale = memo["date_format"]
            memo[key] = babel.dates.format_date(
                value, format=date_format, locale=locale
            )
        return memo[key]

    @api.model
    def _explain_exclusions(self, items):
        labels = self._exclusion_labels()
        return self.env._(
            "Not reminded: %(items)s.",
            items=", ".join(
                "{} ({})".format(item["move_name"], labels[item["exclusion"]])
                for item in items
            ),
        )

    @api.model
    def _exclusion_labels(self):
        return {
            "partner": self.env._("customer excluded from reminders"),
            "no_followup": self.env._("no follow-up"),
            "in_payment": self.env._("in payment"),
            "dispute": self.env._("in dispute"),
            "paused": self.env._("promise to pay or pause"),
        }
