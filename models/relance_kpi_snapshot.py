"""Collection KPIs with history: one snapshot per month end, for each
company (no customer) and each of its customers.

The figures are rebuilt from the accounting as it stood on the date (what
was open then: the receivable items dated by then, less the
reconciliations dated by then), so that the history can be backfilled at
install and on demand; the nightly job keeps the current month (as of
today) and the month just ended.  The formulas are plain Python
(``engine/kpi.py``); the reads are two queries whatever the number of
customers, the writes two more.
"""

import calendar
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import kpi

SALE_TYPES = ("out_invoice", "out_refund", "out_receipt")
# Months of sales the countback walks through before it counts the rest at
# their average.
COUNTBACK_MONTHS = 12
# History made at install and by the Backfill action, in months.
BACKFILL_MONTHS = 12


def month_end(day):
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class RelanceKpiSnapshot(models.Model):
    _name = "relance.kpi.snapshot"
    _description = "Collection KPI Snapshot"
    _order = "date desc, company_id, partner_id"
    _rec_name = "date"
    _check_company_auto = True

    company_id = fields.Many2one(
        comodel_name="res.company", required=True, index=True, readonly=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        index="btree_not_null",
        readonly=True,
        help="Empty: the figures of the whole company.",
    )
    date = fields.Date(
        string="Month End",
        required=True,
        index=True,
        readonly=True,
        help="The last day of the month of the figures.",
    )
    date_computed = fields.Date(
        string="As Of",
        readonly=True,
        help="The day the figures were taken: the month end, or today for the "
        "month in progress (the nightly job brings it up to date).",
    )
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    dso = fields.Float(
        string="DSO (days)",
        digits=(16, 1),
        aggregator="avg",
        readonly=True,
        help="Days sales outstanding by the countback method: the days of the "
        "latest sales the receivables represent.",
    )
    best_possible_dso = fields.Float(
        string="Best Possible DSO (days)",
        digits=(16, 1),
        aggregator="avg",
        readonly=True,
        help="The DSO of the receivables not yet due only: the DSO if every "
        "customer paid on time.",
    )
    add = fields.Float(
        string="Average Days Delinquent",
        digits=(16, 1),
        aggregator="avg",
        readonly=True,
        help="ADD = DSO - best possible DSO: the days of sales sitting in "
        "overdue receivables.",
    )
    cei = fields.Float(
        string="Collection Effectiveness (%)",
        digits=(16, 1),
        aggregator="avg",
        readonly=True,
        help="CEI: what was collected in the month out of what could have been "
        "(empty when nothing was collectable).",
    )
    amount_receivable = fields.Monetary(string="Receivables", readonly=True)
    amount_current = fields.Monetary(string="Not Due", readonly=True)
    amount_overdue = fields.Monetary(string="Overdue", readonly=True)
    amount_overdue_60 = fields.Monetary(string="Overdue over 60 Days", readonly=True)
    overdue_60_share = fields.Float(
        string="Overdue over 60 Days (%)",
        digits=(16, 1),
        aggregator="avg",
        readonly=True,
    )
    sales_amount = fields.Monetary(string="Sales of the Month", readonly=True)

    _company_partner_date_uniq = models.UniqueIndex(
        "(company_id, COALESCE(partner_id, 0), date)",
        "One snapshot per company, customer and month end.",
    )

    # ------------------------------------------------------------------
    # ACTIONS AND JOBS
    # ------------------------------------------------------------------

    @api.model
    def action_backfill(self):
        """Rebuild the last months' snapshots of the user's companies from
        the accounting history."""
        # sudo: derived figures of every customer of the companies; the
        # snapshots are read through the record rules
        self.sudo()._backfill(self.env.companies.sudo())
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _backfill(self, companies, months=BACKFILL_MONTHS, today=None):
        """The snapshots of the ``months`` last month ends and of the month
        in progress."""
        today = today or fields.Date.context_today(self)
        dates = [
            month_end(today - relativedelta(months=n)) for n in range(months, 0, -1)
        ]
        self._snapshot(companies, dates + [today], today=today)

    @api.model
    def _cron_snapshot(self):
        """Nightly: the month in progress as of today, and the month just
        ended (final once its last day is over)."""
        # sudo: the job takes the figures of every company
        companies = self.env["res.company"].sudo().search([("active", "=", True)])
        today = fields.Date.context_today(self)
        previous = month_end(today - relativedelta(months=1))
        self.sudo()._snapshot(companies, [previous, today], today=today)

    # ------------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------------

    @api.model
    def _snapshot(self, companies, dates, today=None):
        """Compute and store the snapshots of ``companies`` at each of
        ``dates`` (a month end, or a day of the month in progress: stored
        under its month end, as of that day).  Replaces what was there.
        Six queries whatever the number of customers and dates (two of them
        turn JIT compilation off and back on)."""
        today = today or fields.Date.context_today(self)
        dates = sorted({min(fields.Date.to_date(day), today) for day in dates})
        if not companies or not dates:
            return self.browse()
        # each date needs the receivables of the month end before it (CEI)
        starts = {
            day: month_end(day.replace(day=1) - relativedelta(days=1)) for day in dates
        }
        balances = self._read_receivables(
            companies, sorted(set(dates) | set(starts.values()))
        )
        sales = self._read_monthly_sales(companies, min(dates), max(dates))
        rows = []
        for company in companies:
            for day in dates:
                rows += self._prepare_rows(company, day, starts[day], balances, sales)
        return self._store(companies, dates, rows)

    @api.model
    def _read_receivables(self, companies, dates):
        """{company id: {date: {partner id: {"receivable", "current",
        "overdue", "overdue_60"}}}}: the receivable items open at each date,
        rebuilt from the items dated by then and the reconciliations dated by
        then (``max_date``), in company currency.  One query."""
        self.env["account.move.line"].flush_model(
            [
                "account_id",
                "company_id",
                "partner_id",
                "balance",
                "date",
                "date_maturity",
                "parent_state",
                "reconciled",
            ]
        )
        self.env["account.partial.reconcile"].flush_model(
            ["debit_move_id", "credit_move_id", "amount", "max_date"]
        )
        # without JIT compilation: it cost three times the query (engine)
        with self.env["relance.engine"]._without_jit():
            rows = self.env.execute_query(
                SQL(
                    """
    WITH day AS (SELECT unnest(%(dates)s::date[]) AS date),
    line AS (
        SELECT aml.id, aml.company_id, p.commercial_partner_id AS partner_id,
               aml.balance, aml.date, COALESCE(aml.date_maturity, aml.date) AS date_due,
               CASE WHEN aml.reconciled THEN GREATEST(
                    (SELECT MAX(apr.max_date) FROM account_partial_reconcile apr
                      WHERE apr.debit_move_id = aml.id),
                    (SELECT MAX(apr.max_date) FROM account_partial_reconcile apr
                      WHERE apr.credit_move_id = aml.id))
               END AS date_settled
          FROM account_move_line aml
          JOIN account_account acc ON acc.id = aml.account_id
          JOIN res_partner p ON p.id = aml.partner_id
         WHERE acc.account_type = 'asset_receivable'
           AND aml.parent_state = 'posted'
           AND aml.company_id = ANY(%(company_ids)s)
           AND aml.date <= %(last)s
    ),
    open_line AS (
        -- an item fully settled by the date is left out at once
        SELECT day.date AS day, line.company_id, line.partner_id, line.date_due,
               line.balance
                   - COALESCE((SELECT SUM(apr.amount) FROM account_partial_reconcile apr
                                WHERE apr.debit_move_id = line.id
                                  AND apr.max_date <= day.date), 0)
                   + COALESCE((SELECT SUM(apr.amount) FROM account_partial_reconcile apr
                                WHERE apr.credit_move_id = line.id
                                  AND apr.max_date <= day.date), 0) AS open
          FROM line
          JOIN day ON line.date <= day.date
                   AND (line.date_settled IS NULL OR line.date_settled > day.date)
    )
    SELECT day, company_id, partner_id,
           SUM(open),
           COALESCE(SUM(open) FILTER (WHERE open > 0 AND date_due >= day), 0),
           COALESCE(SUM(open) FILTER (WHERE open > 0 AND date_due < day), 0),
           COALESCE(SUM(open) FILTER (WHERE open > 0 AND date_due < day - 60), 0)
      FROM open_line
     GROUP BY day, company_id, partner_id
                    """,
                    dates=dates,
                    last=max(dates),
                    company_ids=companies.ids,
                )
            )
        balances = defaultdict(lambda: defaultdict(dict))
        for day, company_id, partner_id, total, current, overdue, over_60 in rows:
            balances[company_id][day][partner_id] = {
                "receivable": float(total or 0.0),
                "current": float(current),
                "overdue": float(overdue),
                "overdue_60": float(over_60),
            }
        return balances

    @api.model
    def _read_monthly_sales(self, companies, first, last):
        """{company id: {partner id: {first day of month: [(invoice date,
        amount)]}}}: the customer invoices, receipts and credit notes (net) of
        the months the countback of ``first`` to ``last`` walks through, in
        company currency.  One query."""
        self.env["account.move"].flush_model(
            [
                "move_type",
                "state",
                "company_id",
                "commercial_partner_id",
                "invoice_date",
                "amount_total_signed",
            ]
        )
        start = first.replace(day=1) - relativedelta(months=COUNTBACK_MONTHS - 1)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT company_id, commercial_partner_id, invoice_date,
                       SUM(amount_total_signed)
                  FROM account_move
                 WHERE state = 'posted'
                   AND move_type IN %(sale_types)s
                   AND company_id = ANY(%(company_ids)s)
                   AND commercial_partner_id IS NOT NULL
                   AND invoice_date BETWEEN %(start)s AND %(last)s
                 GROUP BY company_id, commercial_partner_id, invoice_date
                """,
                sale_types=SALE_TYPES,
                company_ids=companies.ids,
                start=start,
                last=last,
            )
        )
        sales = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
        for company_id, partner_id, day, amount in rows:
            sales[company_id][partner_id][day.replace(day=1)].append(
                (day, float(amount))
            )
        return sales

    @api.model
    def _get_months(self, day, monthly_sales):
        """[(days, sales)] of the countback at ``day``, the month of ``day``
        first (its days and sales up to ``day``), from ``monthly_sales``:
        {first day of month: [(invoice date, amount)]}."""
        months = []
        for back in range(COUNTBACK_MONTHS):
            first = day.replace(day=1) - relativedelta(months=back)
            last = day if not back else month_end(first)
            amount = sum(
                value
                for invoice_date, value in monthly_sales.get(first, ())
                if invoice_date <= last
            )
            months.append(((last - first).days + 1, amount))
        return months

    @api.model
    def _prepare_rows(self, company, day, start, balances, sales):
        """The rows of one company at ``day``: the company's, then one per
        customer with something open, now or at the start of the month, or
        sales in the month."""
        empty = {"receivable": 0.0, "current": 0.0, "overdue": 0.0, "overdue_60": 0.0}
        now, before = balances[company.id][day], balances[company.id][start]
        company_sales = sales[company.id]
        month = day.replace(day=1)
        partner_ids = (
            set(now)
            | set(before)
            | {
                partner_id
                for partner_id, monthly in company_sales.items()
                if any(
                    invoice_date <= day for invoice_date, _a in monthly.get(month, ())
                )
            }
        )
        by_partner = {
            partner_id: kpi.Figures(
                receivable_start=before.get(partner_id, empty)["receivable"],
                months=self._get_months(day, company_sales.get(partner_id, {})),
                **now.get(partner_id, empty),
            )
            for partner_id in partner_ids
        }
        rows = [(None, self._sum_figures(by_partner.values()))]
        rows += sorted(by_partner.items())
        return [
            self._row_values(company, day, partner_id, figures)
            for partner_id, figures in rows
        ]

    @api.model
    def _sum_figures(self, figures_list):
        total = kpi.Figures(months=[])
        for figures in figures_list:
            total.receivable += figures.receivable
            total.current += figures.current
            total.overdue += figures.overdue
            total.overdue_60 += figures.overdue_60
            total.receivable_start += figures.receivable_start
            if not total.months:
                total.months = [(days, 0.0) for days, _sales in figures.months]
            total.months = [
                (days, total_sales + sales)
                for (days, total_sales), (_days, sales) in zip(
                    total.months, figures.months, strict=True
                )
            ]
        return total

    @api.model
    def _row_values(self, company, day, partner_id, figures):
        currency = company.currency_id
        values = kpi.compute(figures)
        return {
            "company_id": company.id,
            "partner_id": partner_id,
            "date": month_end(day),
            "date_computed": day,
            "currency_id": currency.id,
            "dso": round(values["dso"], 1),
            "best_possible_dso": round(values["best_possible_dso"], 1),
            "add": round(values["add"], 1),
            "cei": values["cei"] if values["cei"] is None else round(values["cei"], 1),
            "overdue_60_share": round(values["overdue_60_share"], 1),
            "amount_receivable": currency.round(figures.receivable),
            "amount_current": currency.round(figures.current),
            "amount_overdue": currency.round(figures.overdue),
            "amount_overdue_60": currency.round(figures.overdue_60),
            "sales_amount": currency.round(
                figures.months[0][1] if figures.months else 0.0
            ),
        }

    @api.model
    def _store(self, companies, dates, rows):
        """Replace the snapshots of ``companies`` at the month ends of
        ``dates`` by ``rows``: one DELETE, one INSERT (derived figures,
        thousands at a time)."""
        month_ends = sorted({month_end(day) for day in dates})
        self.flush_model()
        self.env.execute_query(
            SQL(
                "DELETE FROM relance_kpi_snapshot"
                " WHERE company_id = ANY(%s) AND date = ANY(%s::date[])",
                companies.ids,
                month_ends,
            )
        )
        if not rows:
            return self.browse()
        names = list(rows[0])
        columns = {name: [row[name] for row in rows] for name in names}
        types = {
            "company_id": "int",
            "partner_id": "int",
            "currency_id": "int",
            "date": "date",
            "date_computed": "date",
        }
        now = self.env.cr.now()
        ids = self.env.execute_query(
            SQL(
                """
                INSERT INTO relance_kpi_snapshot (%(columns)s, create_uid,
                    create_date, write_uid, write_date)
                SELECT *, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(arrays)s)
             RETURNING id
                """,
                columns=SQL(", ").join(SQL.identifier(name) for name in names),
                arrays=SQL(", ").join(
                    SQL(
                        "%s::%s[]",
                        columns[name],
                        SQL(types.get(name, "numeric")),
                    )
                    for name in names
                ),
                uid=self.env.uid,
                now=now,
            )
        )
        self.invalidate_model()
        return self.browse(row[0] for row in ids)
