"""The reminder engine: reads what the decision needs, in a fixed number of
set-based queries per company, lets ``engine.decision`` decide, and turns the
decisions into reminders.

The daily cron, the "Run reminders" preview and
``relance.reminder.generate_reminders`` all go through ``_compute_decisions``:
the preview shows exactly what the run will do.
"""

import logging
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

import babel.dates
import psycopg2

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import (
    SQL,
    float_round,
    format_amount,
    format_date,
    formatLang,
    get_lang,
)
from odoo.tools.misc import babel_locale_parse, posix_to_ldml

from ..engine import decision as engine
from ..engine import wording as words

_logger = logging.getLogger(__name__)

# First key of the PostgreSQL advisory locks taken by a run (second key: the
# company id): "RELA".
RELANCE_RUN_LOCK = 0x52454C41
DELIVERED_STATES = ("sent", "printed")
# The unique index of the reminders a run makes (relance.reminder._run_uniq):
# one live reminder per company, customer, currency, level and run date.
RUN_UNIQUE_INDEX = "relance_reminder_run_uniq"
# A daily job that found a company locked by another run runs again this
# much later for it.
LOCKED_RETRY_DELAY = timedelta(minutes=10)


class RelanceRunConflict(ConcurrencyError):
    """Another run committed one of this run's reminders after this
    transaction took its snapshot (the unique index refused the second
    one).  A ``ConcurrencyError``: Odoo rolls the request back and retries
    it on fresh data, where the reminder is seen and not made again; the
    daily job retries its batch after a commit."""


class RelanceEngine(models.AbstractModel):
    _name = "relance.engine"
    _description = "Payment Reminder Engine"

    # ------------------------------------------------------------------
    # ENTRY POINTS
    # ------------------------------------------------------------------

    @api.model
    def _run(self, date=None, company_ids=None, dry_run=False):
        """Decide the reminders due on ``date`` (default: today) for the given
        companies (default: the user's current companies) and create them,
        or, in ``dry_run``, return the decisions to create as dicts."""
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        companies = self._get_run_companies(company_ids)
        if dry_run:
            decisions, _warnings = self._compute_decisions(companies, date)
            return [decision.to_dict() for decision in decisions if decision.to_create]
        self._lock_run(companies)
        decisions, warnings = self._compute_decisions(companies, date)
        for warning in warnings:
            _logger.warning("Reminders: %s", warning)
        reminders, _failed = self._create_reminders_isolated(
            [decision for decision in decisions if decision.to_create], date
        )
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
        logged = False
        locked = self.env["res.company"]
        conflicts = 0
        while True:
            free = self._lock_run(companies - locked, raise_if_locked=False)
            if companies - locked - free:
                # another run holds them: the others go on, these wait
                self._defer_locked_companies(companies - locked - free)
                locked = companies - free
            if not free:
                cron._commit_progress(remaining=0)
                return
            decisions, warnings = self._compute_decisions(free, date)
            if not logged:
                for warning in warnings:
                    _logger.warning("Reminders: %s", warning)
                logged = True
            decisions = [
                decision
                for decision in decisions
                if decision.to_create and decision.key not in failed
            ]
            if not decisions:
                cron._commit_progress(remaining=0)
                return
            batch = decisions[:batch_size]
            try:
                _reminders, batch_failed = self._create_reminders_isolated(batch, date)
            except RelanceRunConflict:
                # another run committed some of these reminders after this
                # batch's snapshot: nothing was made, decide again on what
                # is committed now (a commit starts a new snapshot)
                conflicts += 1
                if conflicts > 3:
                    raise
                _logger.info(
                    "Reminders: another run made some of these reminders at "
                    "the same time, deciding again on fresh data."
                )
                cron._commit_progress(remaining=len(decisions))
                continue
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
    def _check_run_date(self, date):
        """Creating reminders dated another day than today is a reminder
        administrator's (a date ahead sends tomorrow's reminders today, a
        date past backdates them); anybody may preview any date."""
        date = fields.Date.to_date(date) or fields.Date.context_today(self)
        today = fields.Date.context_today(self)
        if (
            date == today
            or self.env.su
            or self.env.user.has_group("account_relance.group_relance_manager")
        ):
            return
        day = format_date(self.env, date)
        if date > today:
            raise UserError(
                self.env._(
                    "%(date)s is ahead: its preview is for viewing only. Only a "
                    "reminder administrator can create reminders ahead of time.",
                    date=day,
                )
            )
        raise UserError(
            self.env._(
                "%(date)s is past: only a reminder administrator can create "
                "reminders dated another day than today.",
                date=day,
            )
        )

    @api.model
    def _lock_run(self, companies, raise_if_locked=True):
        """Take a transaction-level advisory lock per company, so that two
        runs on the same company cannot proceed at once.

        :return: the companies this transaction now holds: all of them, or,
            with ``raise_if_locked=False``, those no other run holds
        :raise UserError: a company is locked, unless ``raise_if_locked`` is
            False"""
        rows = self.env.execute_query(
            SQL(
                "SELECT company_id FROM unnest(%(ids)s::int[]) AS company_id"
                " WHERE NOT pg_try_advisory_xact_lock(%(key)s, company_id)",
                ids=companies.ids,
                key=RELANCE_RUN_LOCK,
            )
        )
        if not rows:
            return companies
        locked = self.env["res.company"].browse(row[0] for row in rows)
        if raise_if_locked:
            names = ", ".join(locked.mapped("name"))
            raise UserError(
                self.env._(
                    "Reminders are already being generated for %(companies)s."
                    " Please try again in a few minutes.",
                    companies=names,
                )
            )
        return companies - locked

    @api.model
    def _defer_locked_companies(self, companies):
        """The daily job leaves ``companies`` to another run that holds them
        (a manual run, another worker): it logs them and runs again a little
        later, when that run is over."""
        _logger.info(
            "Reminders: another run is in progress for %s: left for the next "
            "run, in %s minutes.",
            ", ".join(companies.mapped("name")),
            int(LOCKED_RETRY_DELAY.total_seconds() // 60),
        )
        cron = self.env.ref(
            "account_relance.ir_cron_relance_generate", raise_if_not_found=False
        )
        if cron:
            cron._trigger(at=fields.Datetime.now() + LOCKED_RETRY_DELAY)

    # ------------------------------------------------------------------
    # DECISION INPUTS (set-based reads)
    # ------------------------------------------------------------------

    @api.model
    def _compute_decisions(self, companies, date):
        """Read the inputs of the decision for each company (a fixed number
        of queries, whatever the number of items) and decide.

        :return: (decisions, warnings): the ``engine.decision.Decision`` of
            every customer with something to say, and what keeps the
            engine from reminding a whole part of the customers (no default
            plan, a plan without levels, a level without channels)
        """
        decisions, warnings = [], []
        wording = self._get_wording()
        for company in companies:
            engine_c = self.with_company(company)
            rows = engine_c._get_open_items(company, date)
            if not rows:
                continue
            partners = self.env["res.partner"].browse(
                sorted({row["partner_id"] for row in rows})
            )
            plans = self.env["relance.plan"]._get_partner_plans(company, partners)
            if len(plans) < len(partners) and not self.env[
                "relance.plan"
            ]._get_default_plan(company):
                warnings.append(
                    self.env._(
                        "%(company)s has no default reminder plan: its customers "
                        "without a plan of their own are not reminded.",
                        company=company.name,
                    )
                )
            snapshots = {
                plan.id: self._plan_snapshot(plan) for plan in set(plans.values())
            }
            warnings += self._get_plan_warnings(set(plans.values()))
            decisions += self._get_unplanned_decisions(
                company, rows, plans, snapshots, date
            )
            habits = self.env["relance.partner.behaviour"]._get_habits(
                company, partners.ids
            )
            last_dates = engine_c._get_last_reminder_dates(company, partners, date)
            reminded_today = engine_c._get_reminded_today(company, partners, date)
            delivered = engine_c._get_delivered_levels(company, partners)
            escalating = engine_c._get_escalating_partner_ids(company)
            customers = {
                partner_id: engine.Customer(
                    plan=snapshots[plan.id],
                    habit=habits.get(partner_id),
                    last_date=last_dates.get(partner_id),
                    delivered_level_ids=frozenset(delivered.get(partner_id, ())),
                    escalating=partner_id in escalating,
                    reminded_today=reminded_today.get(partner_id, frozenset()),
                )
                for partner_id, plan in plans.items()
            }
            items = [engine.Item(**row) for row in rows]
            currencies = self.env["res.currency"].browse(
                {item.currency_id for item in items}
            )
            unconvertible = self._get_unconvertible_currencies(company, currencies)
            minimums = self._get_minimums(
                company, plans.values(), currencies - unconvertible, date
            )
            company_decisions = engine.decide(
                company.id,
                items,
                customers,
                {
                    currency.id: engine.Currency(currency.id, currency.decimal_places)
                    for currency in currencies
                },
                minimums,
                date,
                wording,
            )
            if unconvertible:
                self._skip_unconvertible(company_decisions, unconvertible, date)
            decisions += company_decisions
        return decisions, warnings

    @api.model
    def _get_unconvertible_currencies(self, company, currencies):
        """The currencies of ``currencies`` with no exchange rate at all for
        ``company``: Odoo would convert them at 1.0."""
        foreign = currencies - company.currency_id
        if not foreign:
            return foreign
        groups = self.env["res.currency.rate"]._read_group(
            [
                ("currency_id", "in", foreign.ids),
                ("company_id", "in", [False, company.root_id.id]),
            ],
            ["currency_id"],
        )
        return foreign - self.env["res.currency"].union(
            *(currency for (currency,) in groups)
        )

    @api.model
    def _skip_unconvertible(self, decisions, currencies, date):
        """A reminder whose level has a minimum or claims charges needs the
        company currency converted into the reminder's: without a rate, it
        is skipped with the reason, never converted at 1.0."""
        levels = self.env["relance.level"].browse(
            {d.level_id for d in decisions if d.to_create}
        )
        converting = {
            level.id for level in levels if level.min_amount or level.apply_charges
        }
        for decision in decisions:
            if (
                decision.to_create
                and decision.level_id in converting
                and decision.currency_id in currencies.ids
            ):
                currency = currencies.browse(decision.currency_id)
                decision.skip_reason = self.env._(
                    "No exchange rate for %(currency)s on %(date)s: the level's "
                    "minimum or charges cannot be converted. Enter the rate in "
                    "Accounting > Configuration > Currencies.",
                    currency=currency.name,
                    date=format_date(self.env, date),
                )

    @api.model
    def _plan_snapshot(self, plan):
        """The plan as the decision reads it.  Levels without any channel are
        left out: their reminders would go nowhere (see the warnings)."""
        return engine.Plan(
            id=plan.id,
            adaptive_timing=plan.adaptive_timing,
            adaptive_max_days=plan.adaptive_max_days,
            adaptive_min_sample=plan.adaptive_min_sample,
            levels=tuple(
                engine.Level(
                    id=level.id,
                    name=level.name,
                    offset_days=level.offset_days,
                    min_days_since_last=level.min_days_since_last,
                    auto_send=level.auto_send,
                    requires_previous=level.requires_previous_delivered,
                )
                for level in plan._get_ordered_levels()
                if level._get_channels()
            ),
        )

    @api.model
    def _get_unplanned_decisions(self, company, rows, plans, snapshots, date):
        """The customers with something due whom no plan can remind (no plan
        of their own and no default plan, or a plan without any level that
        sends), as skipped decisions: the preview lists them with the reason
        instead of leaving them out silently."""
        groups = defaultdict(list)
        for row in rows:
            plan = plans.get(row["partner_id"])
            if plan and snapshots[plan.id].levels:
                continue
            groups[row["partner_id"], row["currency_id"]].append(row)
        decisions = []
        for (partner_id, currency_id), group in groups.items():
            if not any(
                row["residual"] > 0 and row["date_maturity"] <= date for row in group
            ):
                continue
            plan = plans.get(partner_id)
            if plan:
                reason = self.env._(
                    "The reminder plan %(plan)s has no level with a channel "
                    "(email, SMS, call or letter): nothing can be sent.",
                    plan=plan.display_name,
                )
            else:
                reason = self.env._(
                    "No reminder plan: %(company)s has no default plan and the "
                    "customer has none of its own.",
                    company=company.name,
                )
            currency = self.env["res.currency"].browse(currency_id)
            decisions.append(
                engine.Decision(
                    company_id=company.id,
                    partner_id=partner_id,
                    currency_id=currency_id,
                    plan_id=plan.id if plan else 0,
                    amount_due=currency.round(sum(row["residual"] for row in group)),
                    skip_reason=reason,
                )
            )
        return decisions

    @api.model
    def _get_plan_warnings(self, plans):
        warnings = []
        for plan in sorted(plans, key=lambda p: p.id):
            if not plan.level_ids:
                warnings.append(
                    self.env._(
                        "The reminder plan %(plan)s has no levels: its customers "
                        "are not reminded.",
                        plan=plan.display_name,
                    )
                )
            for level in plan.level_ids.filtered(lambda lv: not lv._get_channels()):
                warnings.append(
                    self.env._(
                        "The level %(level)s of the plan %(plan)s has no channel "
                        "(email, SMS, call or letter): nobody is reminded at "
                        "that level.",
                        level=level.name,
                        plan=plan.display_name,
                    )
                )
        return warnings

    @api.model
    def _get_minimums(self, company, plans, currencies, date):
        """{(level id, currency id): the level's minimum in that currency}."""
        minimums = {}
        levels = self.env["relance.plan"].union(*plans).level_ids
        for level in levels.filtered("min_amount"):
            for currency in currencies:
                minimums[level.id, currency.id] = company.currency_id._convert(
                    level.min_amount, currency, company, date
                )
        return minimums

    @api.model
    def _get_wording(self):
        """The decision's sentences in the user's language, translated once
        per run: a reminder explains each of its items, and thousands of
        lookups of the translations cost more than deciding."""
        lang = get_lang(self.env)
        locale = babel_locale_parse(lang.code)
        date_format = posix_to_ldml(lang.date_format, locale)
        dates = {}

        def format_date(value):
            if value not in dates:
                dates[value] = babel.dates.format_date(
                    value, format=date_format, locale=locale
                )
            return dates[value]

        def format_currency_amount(amount, currency_id):
            return format_amount(
                self.env, amount, self.env["res.currency"].browse(currency_id)
            )

        format_number, format_days, format_invoices = self._get_quantity_formatters(
            lang, locale
        )
        return engine.Wording(
            format_date=format_date,
            format_amount=format_currency_amount,
            format_number=format_number,
            format_days=format_days,
            format_invoices=format_invoices,
            level=self.env._(
                "Level %(level)s (%(offset)s from the due date) on %(date)s."
            ),
            item=self.env._(
                "%(document)s, due %(due)s: %(days)s past due, reaches "
                "%(level)s (from day %(threshold)s)."
            ),
            escalated=self.env._(
                "One level higher than the items alone give: the customer "
                "did not keep a promise to pay."
            ),
            no_history=self.env._("No payment history: plain schedule."),
            small_sample=self.env._(
                "Payment habit ignored: %(count)s, fewer than the %(minimum)s required."
            ),
            on_time=self.env._(
                "Pays on time (%(delay)s on average over %(count)s): plain schedule."
            ),
            shifted=self.env._(
                "Pays %(delay)s late on average over %(count)s: levels after "
                "the due date are shifted by %(shift)s (plan maximum %(maximum)s)."
            ),
            previous_required=self.env._(
                "%(level)s requires %(previous)s to have reached the customer "
                "first: %(previous)s is sent instead."
            ),
            previous_pending=self.env._(
                "%(level)s waits until %(previous)s has reached the customer "
                "(sent or printed)."
            ),
            too_soon=self.env._(
                "Last reminder on %(last)s: %(level)s waits %(days)s between reminders."
            ),
            covered=self.env._("Credit notes and payments cover the amount due."),
            under_minimum=self.env._(
                "%(amount)s due is under the minimum of %(minimum)s for %(level)s."
            ),
            not_reminded=self.env._("Not reminded: %(items)s."),
            reminded_today=self.env._(
                "Already reminded at %(level)s on %(date)s: one reminder per "
                "level a day."
            ),
            exclusions={
                "partner": self.env._("customer excluded from reminders"),
                "archived": self.env._("customer archived"),
                "no_followup": self.env._("no follow-up"),
                "in_payment": self.env._("in payment"),
                "dispute": self.env._("in dispute"),
                "paused": self.env._("promise to pay or pause"),
                "undelivered": self.env._(
                    "its last reminder did not reach the customer: retry or cancel it"
                ),
            },
        )

    @api.model
    def _get_quantity_formatters(self, lang=None, locale=None):
        """(format_number, format_days, format_invoices) in the user's
        language: the language's decimal and thousands separators, and the
        singular or plural of its rules ("1 jour", "9,3 jours")."""
        lang = lang or get_lang(self.env)
        locale = locale or babel_locale_parse(lang.code)
        numbers = {}
        lang_record = self.env["res.lang"].browse(lang.id)

        def format_number(value, digits=0):
            key = (value, digits)
            if key not in numbers:
                # formatLang(env, value, digits), without its get_lang per call
                numbers[key] = lang_record.format(
                    f"%.{digits}f",
                    float_round(
                        value, precision_digits=digits, rounding_method="HALF-EVEN"
                    ),
                    grouping=True,
                )
            return numbers[key]

        day = (self.env._("%(count)s day"), self.env._("%(count)s days"))
        invoice = (
            self.env._("%(count)s settled invoice"),
            self.env._("%(count)s settled invoices"),
        )

        # the same few hundred quantities come back for thousands of items:
        # babel's plural rule is evaluated once for each
        quantities = {}

        def format_days(value, digits=0):
            key = ("days", value, digits)
            if key not in quantities:
                quantities[key] = words.quantity(
                    locale, value, *day, format_number, digits
                )
            return quantities[key]

        def format_invoices(count):
            key = ("invoices", count, 0)
            if key not in quantities:
                quantities[key] = words.quantity(locale, count, *invoice, format_number)
            return quantities[key]

        return format_number, format_days, format_invoices

    @api.model
    def _format_quantity(self, value, one, other, digits=0):
        """``one`` or ``other`` (translated, with ``%(count)s``) for ``value``
        in the user's language: "1 lettre", "3 lettres", "1,5 jour"."""
        lang = get_lang(self.env)
        return words.quantity(
            babel_locale_parse(lang.code),
            value,
            one,
            other,
            lambda number, places: formatLang(self.env, number, digits=places),
            digits,
        )

    @api.model
    def _get_escalating_partner_ids(self, company):
        return set(self.env["relance.promise"]._get_escalating_partner_ids(company))

    @api.model
    def _get_last_reminder_dates(self, company, partners, date):
        """{partner_id: date of its last reminder before ``date``}.  Reminders
        of the day itself do not count, so that a run resumed the same day
        completes the customers it had not reached."""
        groups = self.env["relance.reminder"]._read_group(
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
    def _get_reminded_today(self, company, partners, date):
        """{partner_id: frozenset of (currency id, level id) of its live
        reminders made by a run on ``date``}: the key of the unique index
        ``relance_reminder_run_uniq``, which the decision respects."""
        groups = self.env["relance.reminder"]._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("generated", "=", True),
                ("state", "!=", "cancel"),
                ("date", "=", date),
            ],
            ["partner_id", "currency_id", "level_id"],
        )
        reminded = defaultdict(set)
        for partner, currency, level in groups:
            reminded[partner.id].add((currency.id, level.id))
        return {partner_id: frozenset(keys) for partner_id, keys in reminded.items()}

    @api.model
    def _get_delivered_levels(self, company, partners):
        """{partner_id: ids of the levels of its reminders that reached it}."""
        groups = self.env["relance.reminder"]._read_group(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("state", "in", DELIVERED_STATES),
            ],
            ["partner_id", "level_id"],
        )
        delivered = defaultdict(set)
        for partner, level in groups:
            delivered[partner.id].add(level.id)
        return delivered

    @api.model
    @contextmanager
    def _without_jit(self, nested_loops=True):
        """The block's queries without JIT compilation (it cost more than the
        open items and the KPI snapshot), and with ``nested_loops=False``
        without nested-loop joins (the cockpit's aggregates have no
        statistics: PostgreSQL looped over them); restored after."""
        previous = self.env.execute_query(
            SQL(
                """SELECT current_setting('jit'), current_setting('enable_nestloop'),
                          set_config('jit', 'off', true),
                          set_config('enable_nestloop', CASE WHEN %s
                              THEN current_setting('enable_nestloop')
                              ELSE 'off' END, true)""",
                nested_loops,
            )
        )[0]
        restore = SQL(
            "SELECT set_config('jit', %s, true),"
            " set_config('enable_nestloop', %s, true)",
            *previous[:2],
        )
        try:
            yield
        except Exception:
            # still usable (an access error): restore; else rolled back
            status = self.env.cr._cnx.get_transaction_status()
            if status != psycopg2.extensions.TRANSACTION_STATUS_INERROR:
                self.env.execute_query(restore)
            raise
        self.env.execute_query(restore)

    @api.model
    def _get_open_items(self, company, date):
        """The open receivable items of ``company`` on ``date``: what
        registered payments cover, then the items in one query.

        Each row has the fields of ``engine.decision.Item``: id, partner_id
        (commercial), currency_id, move_id, move_name, date_maturity, residual
        (in the item currency), level_id, level_offset, and ``exclusion``:
        why the item must not be reminded (empty if it may be)."""
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
        self.env["account.payment"].flush_model(
            ["move_id", "state", "amount", "currency_id", "invoice_ids"]
        )
        self.env["res.partner"].flush_model(
            ["active", "commercial_partner_id", "relance_excluded"]
        )
        self.env["relance.level"].flush_model(["offset_days"])
        self.env["relance.reminder"].flush_model(["state", "date"])
        self.env["relance.reminder.line"].flush_model(
            ["move_line_id", "reminder_id", "level_id"]
        )
        lines = self.env["account.move.line"]
        where = SQL(
            "aml.company_id = %s AND %s AND aml.date <= %s",
            company.id,
            lines._relance_open_sql(),
            date,
        )
        # What registered payments cover, read first: joined as a subquery,
        # PostgreSQL compared every item with every covered installment.
        covered = self.env.execute_query(
            SQL(
                "SELECT move_line_id, covered FROM (%s) AS registered",
                lines._relance_registered_sql(
                    SQL("SELECT aml.id FROM account_move_line aml WHERE %s", where)
                ),
            )
        )
        with self._without_jit():
            return self._read_open_items(where, date, covered)

    @api.model
    def _read_open_items(self, where, date, covered):
        return self.env.execute_query_dict(
            SQL(
                """
                WITH item AS MATERIALIZED (
                    SELECT aml.id, aml.partner_id, aml.currency_id, aml.move_id,
                           aml.move_name,
                           COALESCE(aml.date_maturity, aml.date) AS date_maturity,
                           aml.amount_residual_currency AS residual,
                           aml.no_followup
                      FROM account_move_line aml
                     WHERE %(where)s
                )
                SELECT item.id,
                       partner.commercial_partner_id AS partner_id,
                       item.currency_id,
                       item.move_id,
                       COALESCE(item.move_name, '') AS move_name,
                       item.date_maturity,
                       (item.residual - COALESCE(registered.covered, 0))::float
                           AS residual,
                       COALESCE(state.level_id, 0) AS level_id,
                       COALESCE(level.offset_days, 0) AS level_offset,
                       COALESCE(CASE
                           WHEN commercial.relance_excluded THEN 'partner'
                           WHEN NOT commercial.active THEN 'archived'
                           WHEN item.no_followup THEN 'no_followup'
                           -- its last reminder never reached the customer:
                           -- no higher level before it does (or is cancelled)
                           WHEN state.last_state = 'error' THEN 'undelivered'
                           -- a subquery per item: PostgreSQL would rather
                           -- scan every journal entry than probe the few
                           -- thousand it needs
                           ELSE (
                               SELECT CASE
                                   -- a registered payment without journal
                                   -- entry only nets what it covers
                                   -- (Invoicing alone says "Paid" for it)
                                   WHEN move.payment_state IN ('in_payment', 'paid')
                                        AND (registered.covered IS NULL
                                             OR registered.covered >= item.residual)
                                       THEN 'in_payment'
                                   WHEN move.dispute_state = 'open' THEN 'dispute'
                                   WHEN move.relance_paused_until >= %(date)s
                                       THEN 'paused'
                               END
                                 FROM account_move move
                                WHERE move.id = item.move_id)
                       END, '') AS exclusion
                  FROM item
                  JOIN res_partner partner ON partner.id = item.partner_id
                  JOIN res_partner commercial
                    ON commercial.id = partner.commercial_partner_id
             LEFT JOIN (%(item_state)s) AS state ON state.move_line_id = item.id
             LEFT JOIN unnest(%(covered_ids)s::int[], %(covered)s::numeric[])
                       AS registered(move_line_id, covered)
                    ON registered.move_line_id = item.id
             LEFT JOIN relance_level level ON level.id = state.level_id
              ORDER BY partner.commercial_partner_id, item.currency_id,
                       item.date_maturity, item.id
                """,
                where=where,
                date=date,
                covered_ids=[row[0] for row in covered],
                covered=[row[1] for row in covered],
                item_state=self.env["account.move.line"]._relance_state_sql(
                    SQL("SELECT id FROM item")
                ),
            )
        )

    # ------------------------------------------------------------------
    # FROM DECISIONS TO REMINDERS (writes)
    # ------------------------------------------------------------------

    @api.model
    def _create_reminders_isolated(self, decisions, date, batch_size=500):
        """Create (and send) the reminders of ``decisions`` batch by batch,
        each in a savepoint; a batch that fails is retried one customer at a
        time and the customers that still fail are logged and skipped.
        Returns (reminders, set of failed decision keys).

        Only a customer's own errors are isolated.  The errors of the whole
        transaction propagate, for Odoo to roll it back and retry it on fresh
        data: a serialization failure, a deadlock or a lock timeout (the
        snapshot is stale: every customer after it would fail or be made on
        stale data), and the unique index of the run's reminders
        (``RelanceRunConflict``: another run made them first)."""
        reminder_ids = []
        failed = set()
        by_company = defaultdict(list)
        for decision in decisions:
            by_company[decision.company_id].append(decision)
        for company_id, company_decisions in by_company.items():
            engine_c = self.with_company(company_id)
            for start in range(0, len(company_decisions), batch_size):
                batch = company_decisions[start : start + batch_size]
                try:
                    with self.env.cr.savepoint():
                        reminder_ids += engine_c._create_reminders(batch, date).ids
                    continue
                except (UserError, psycopg2.DatabaseError) as error:
                    self._raise_if_transaction_error(error)
                    _logger.info("Reminders: a batch failed, retrying one by one")
                for decision in batch:
                    try:
                        with self.env.cr.savepoint():
                            reminder_ids += engine_c._create_reminders(
                                [decision], date
                            ).ids
                    except (UserError, psycopg2.DatabaseError) as error:
                        self._raise_if_transaction_error(error)
                        failed.add(decision.key)
                        _logger.warning(
                            "Reminders: no reminder for partner %s in company %s: %s",
                            decision.partner_id,
                            decision.company_id,
                            error,
                        )
        return self.env["relance.reminder"].browse(reminder_ids), failed

    @api.model
    def _raise_if_transaction_error(self, error):
        """Re-raise ``error`` if it is not one customer's own but the
        transaction's (see ``_create_reminders_isolated``)."""
        if isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
            raise error
        if (
            isinstance(error, psycopg2.errors.UniqueViolation)
            and error.diag.constraint_name == RUN_UNIQUE_INDEX
        ):
            raise RelanceRunConflict(
                self.env._(
                    "Another run made some of these reminders at the same "
                    "time: none was made twice. Run the reminders again to "
                    "complete the others."
                )
            ) from error

    @api.model
    def _create_reminders(self, decisions, date):
        """Turn decisions into reminders with their lines (which give their
        items their new level), and send those of automatic levels."""
        Reminder = self.env["relance.reminder"]
        if not decisions:
            return Reminder
        vals_list = self._prepare_reminders_values(decisions, date)
        names = self._next_reminder_names(len(vals_list))
        for vals, name in zip(vals_list, names, strict=True):
            vals["name"] = name
        reminders = self._create_reminder_records(vals_list)
        self._insert_reminder_lines(reminders, decisions)
        # replies to a reminder reach its credit controller
        for user, owned in reminders.grouped("user_id").items():
            if user:
                self.env["mail.followers"]._insert_followers(
                    owned._name, owned.ids, user.partner_id.ids, check_existing=False
                )
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
        Stored computed fields given here (charges, deadline) are not
        recomputed reminder by reminder after the INSERT: only the reminders
        of levels that claim charges compute them."""
        company = self.env.company
        deadline = fields.Date.add(date, days=company.relance_formal_deadline_days)
        levels = self.env["relance.level"].browse({d.level_id for d in decisions})
        levels = {level.id: level for level in levels}
        partners = self.env["res.partner"].browse({d.partner_id for d in decisions})
        partners = {partner.id: partner for partner in partners}
        responsibles = self._get_responsibles(company, partners.values())
        charged = [d for d in decisions if levels[d.level_id].apply_charges]
        items = self.env["account.move.line"].browse(
            {line.move_line_id for d in charged for line in d.lines}
        )
        vals_list = []
        for decision in decisions:
            charges = self.env["relance.late.charge"]._empty_charges()
            partner = partners[decision.partner_id]
            if levels[
                decision.level_id
            ].apply_charges and partner._relance_charges_allowed(company):
                charges = self.env["relance.late.charge"]._get_charges(
                    items.browse(
                        line.move_line_id for line in decision.lines
                    ).with_prefetch(items._prefetch_ids),
                    date,
                    currency=self.env["res.currency"].browse(decision.currency_id),
                )
            vals_list.append(
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
                    "generated": True,
                    "user_id": responsibles[decision.partner_id],
                    "formal_deadline_date": deadline,
                    "charges_applicable": bool(charges["lines"]),
                    "charge_interest_amount": charges["interest"],
                    "charge_indemnity_amount": charges["indemnity"],
                    "charge_amount_total": charges["total"],
                }
            )
        return vals_list

    @api.model
    def _get_responsibles(self, company, partners):
        """{partner id: the id of the user who owns its reminders in
        ``company``, or False}: the customer's credit controller, else its
        salesperson, else the company's default credit controller, else the
        user who runs the engine (nobody for the daily job: OdooBot owns
        nothing).  Only active internal users of the company qualify."""
        partners = self.env["res.partner"].union(*partners).with_company(company)
        partners.fetch(["relance_user_id", "user_id"])
        runner = self.env.user if not self.env.user._is_superuser() else None
        fallbacks = (company.relance_user_id, runner)

        def qualifies(user):
            return (
                user and user.active and not user.share and company in user.company_ids
            )

        return {
            partner.id: next(
                (
                    user.id
                    for user in (partner.relance_user_id, partner.user_id, *fallbacks)
                    if qualifies(user)
                ),
                False,
            )
            for partner in partners
        }

    @api.model
    def _create_reminder_records(self, vals_list):
        """The reminders of a batch, in one INSERT: the one place the addon
        writes past the ORM.

        Why: the job knows every stored value (charges and deadline
        included, amounts rounded), and ``create`` spends its time on what
        it would redo record by record (defaults, precomputed and monetary
        fields, a domain evaluation per record for the company check).  On
        the bench at 20,000 invoices (467 reminders) ``create`` under the
        no-log contexts takes 0.17 s for this step, this INSERT 0.03 s (6x;
        the whole job 0.38 s against 0.24 s): past the 2x that pays for it.

        What ``create`` does is still done: the access rights and the Python
        constraints are checked, the defaults read once for the batch, stored
        computed fields not given are computed by the ORM afterwards, and the
        customers' companies are checked for the whole batch in one query.
        No message, tracking value or follower is written here: the engine
        subscribes the credit controllers (``_create_reminders``).
        tests/test_reminder_engine.py checks that it stores what ``create``
        would."""
        self._check_decision_companies(vals_list)
        Reminder = self.env["relance.reminder"]
        Reminder.check_access("create")
        fields_by_name = Reminder._fields
        given = set().union(*vals_list)
        defaults = Reminder.default_get(
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
                        values.get(name), Reminder, values, validate=False
                    )
                    for name in names
                )
            )
        ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "INSERT INTO %s (%s) VALUES %s RETURNING id",
                    SQL.identifier(Reminder._table),
                    SQL(", ").join(SQL.identifier(name) for name in names),
                    SQL(", ").join(rows),
                )
            )
        ]
        reminders = Reminder.browse(ids)
        for computed in fields_by_name.values():
            if computed.store and computed.compute and computed.name not in given:
                self.env.add_to_compute(computed, reminders)
        reminders._validate_fields(names)
        reminders.check_access("create")
        return reminders

    @api.model
    def _check_decision_companies(self, vals_list):
        """The company consistency check of a batch of new reminders, in one
        query: each customer belongs to no company, to the reminder's or to a
        parent of it (as ``check_company`` on the customer field)."""
        pairs = {(vals["partner_id"], vals["company_id"]) for vals in vals_list}
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
                columns["move_line"].append(line.move_line_id)
                columns["due"].append(line.date_maturity)
                columns["amount"].append(line.amount_residual)
                columns["days"].append(line.days_overdue)
                columns["level"].append(line.level_id or None)
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
