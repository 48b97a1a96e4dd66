"""Does reminding pay?  Per level and per channel, what the customers paid
after a reminder, against items of the same age that were not reminded.

A reporting model (``_auto = False``): one row per item of a reminder that
reached its customer (``reminded``), and one per level and receivable item
of the level's company that reached the level's age (its offset from the due
date) unpaid with no reminder in the 30 days that followed (``baseline``).
Amounts in company currency.  ``_get_level_effectiveness`` aggregates it
for a period (the public API is ``relance.reminder._get_level_effectiveness``).
"""

from odoo import api, fields, models
from odoo.tools import SQL

CHANNELS = [
    ("registered", "Registered Letter"),
    ("letter", "Letter"),
    ("phone", "Phone Call"),
    ("sms", "SMS"),
    ("email", "Email"),
    ("none", "None"),
]
WINDOWS = (7, 15, 30)


class RelanceEffectiveness(models.Model):
    _name = "relance.effectiveness"
    _description = "Reminder Effectiveness"
    _auto = False
    _order = "date desc, id"

    kind = fields.Selection(
        selection=[("reminded", "Reminded"), ("baseline", "Not Reminded")],
        readonly=True,
        help="Not reminded: items of the same age without a reminder (the baseline).",
    )
    reminder_id = fields.Many2one(comodel_name="relance.reminder", readonly=True)
    level_id = fields.Many2one(comodel_name="relance.level", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    partner_id = fields.Many2one(
        comodel_name="res.partner", string="Customer", readonly=True
    )
    move_line_id = fields.Many2one(
        comodel_name="account.move.line", string="Journal Item", readonly=True
    )
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)
    date = fields.Date(
        readonly=True,
        help="The reminder's date; for the baseline, the day the item reached "
        "the level's age.",
    )
    channel = fields.Selection(
        selection=CHANNELS,
        readonly=True,
        help="The strongest channel that reached the customer.",
    )
    days_overdue = fields.Integer(readonly=True, aggregator="avg")
    reminded_amount = fields.Monetary(
        string="Amount Due", readonly=True, help="Open on that day."
    )
    paid_7_amount = fields.Monetary(string="Paid within 7 Days", readonly=True)
    paid_15_amount = fields.Monetary(string="Paid within 15 Days", readonly=True)
    paid_30_amount = fields.Monetary(string="Paid within 30 Days", readonly=True)
    days_to_pay = fields.Float(
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="Days from that day to the full payment (empty: not fully paid).",
    )

    @property
    def _table_query(self):
        return self._get_query()

    @api.model
    def _get_query(self, date_from=None, date_to=None, company_ids=None):
        """The rows, optionally for the reminders (and baseline days) of a
        period and of some companies."""
        return SQL(
            """
WITH reminded AS (
    SELECT line.id::bigint * 2 AS id, 'reminded' AS kind,
           r.id AS reminder_id, r.level_id, r.company_id,
           rp.commercial_partner_id AS partner_id, line.move_line_id,
           c.currency_id, r.date,
           CASE WHEN r.letter_state = 'printed' AND r.letter_registered
                    THEN 'registered'
                WHEN r.letter_state = 'printed' THEN 'letter'
                WHEN r.phone_state = 'done' THEN 'phone'
                WHEN r.sms_state = 'sent' THEN 'sms'
                WHEN r.email_state = 'sent' THEN 'email'
                ELSE 'none' END AS channel,
           line.days_overdue,
           ROUND(line.amount_residual
                 * COALESCE(aml.balance / NULLIF(aml.amount_currency, 0), 1), 2)
               AS amount,
           aml.reconciled
      FROM relance_reminder_line line
      JOIN relance_reminder r ON r.id = line.reminder_id
      JOIN res_partner rp ON rp.id = r.partner_id
      JOIN res_company c ON c.id = r.company_id
      JOIN account_move_line aml ON aml.id = line.move_line_id
     WHERE r.state IN ('sent', 'printed')
       AND line.amount_residual > 0
       AND %(reminder_period)s
       AND %(reminder_companies)s
),
baseline AS (
    -- the days items reached each level's age unpaid, with no reminder
    -- listing them by 30 days later
    SELECT (aml.id::bigint * 100000 + lv.id) * 2 + 1 AS id, 'baseline' AS kind,
           NULL::int AS reminder_id, lv.id AS level_id, aml.company_id,
           p.commercial_partner_id AS partner_id, aml.id AS move_line_id,
           c.currency_id,
           COALESCE(aml.date_maturity, aml.date) + lv.offset_days AS date,
           'none' AS channel, lv.offset_days AS days_overdue,
           aml.balance - COALESCE((
               SELECT SUM(apr.amount) FROM account_partial_reconcile apr
                WHERE apr.debit_move_id = aml.id
                  AND apr.max_date < COALESCE(aml.date_maturity, aml.date)
                                     + lv.offset_days), 0) AS amount,
           aml.reconciled
      FROM relance_level lv
      JOIN relance_plan plan ON plan.id = lv.plan_id
      JOIN res_company c ON c.id = plan.company_id
      JOIN account_move_line aml ON aml.company_id = plan.company_id
      JOIN account_account acc ON acc.id = aml.account_id
      JOIN account_move move ON move.id = aml.move_id
      JOIN res_partner p ON p.id = aml.partner_id
      JOIN res_partner commercial ON commercial.id = p.commercial_partner_id
     WHERE acc.account_type = 'asset_receivable'
       AND aml.parent_state = 'posted'
       AND aml.balance > 0
       AND move.move_type IN ('out_invoice', 'out_receipt')
       AND aml.date <= COALESCE(aml.date_maturity, aml.date) + lv.offset_days
       AND COALESCE(aml.date_maturity, aml.date) + lv.offset_days
           <= %(today)s::date
       -- the customers who follow the level's plan
       AND plan.id = COALESCE(
               (SELECT own.id FROM relance_plan own
                 WHERE own.id = (commercial.relance_plan_id
                                 ->> aml.company_id::text)::int
                   AND own.active),
               (SELECT dflt.id FROM relance_plan dflt
                 WHERE dflt.company_id = aml.company_id
                   AND dflt.is_default AND dflt.active
                 LIMIT 1))
       AND NOT EXISTS (
               SELECT 1 FROM relance_reminder_line other
                 JOIN relance_reminder ro ON ro.id = other.reminder_id
                WHERE other.move_line_id = aml.id
                  AND ro.state IN ('sent', 'printed')
                  AND ro.date <= COALESCE(aml.date_maturity, aml.date)
                                 + lv.offset_days + 30)
       AND %(baseline_period)s
       AND %(baseline_companies)s
),
row AS (
    SELECT * FROM reminded
     UNION ALL
    SELECT * FROM baseline WHERE amount > 0
)
SELECT row.id, row.kind, row.reminder_id, row.level_id, row.company_id,
       row.partner_id, row.move_line_id, row.currency_id, row.date, row.channel,
       row.days_overdue, row.amount AS reminded_amount,
       LEAST(row.amount, COALESCE(paid.within_7, 0)) AS paid_7_amount,
       LEAST(row.amount, COALESCE(paid.within_15, 0)) AS paid_15_amount,
       LEAST(row.amount, COALESCE(paid.within_30, 0)) AS paid_30_amount,
       CASE WHEN row.reconciled AND paid.last_date >= row.date
            THEN paid.last_date - row.date END AS days_to_pay
  FROM row
  LEFT JOIN LATERAL (
        -- what reached the item from that day on
        SELECT SUM(apr.amount) FILTER (WHERE apr.max_date <= row.date + 7)
                   AS within_7,
               SUM(apr.amount) FILTER (WHERE apr.max_date <= row.date + 15)
                   AS within_15,
               SUM(apr.amount) FILTER (WHERE apr.max_date <= row.date + 30)
                   AS within_30,
               MAX(apr.max_date) AS last_date
          FROM account_partial_reconcile apr
         WHERE apr.debit_move_id = row.move_line_id
           AND apr.max_date >= row.date
       ) paid ON TRUE
            """,
            today=fields.Date.context_today(self),
            reminder_period=self._period_sql(SQL("r.date"), date_from, date_to),
            reminder_companies=self._companies_sql(SQL("r.company_id"), company_ids),
            baseline_period=self._period_sql(
                SQL("(COALESCE(aml.date_maturity, aml.date) + lv.offset_days)"),
                date_from,
                date_to,
            ),
            baseline_companies=self._companies_sql(SQL("aml.company_id"), company_ids),
        )

    @api.model
    def _period_sql(self, column, date_from, date_to):
        conditions = [SQL("TRUE")]
        if date_from:
            conditions.append(SQL("%s >= %s", column, fields.Date.to_date(date_from)))
        if date_to:
            conditions.append(SQL("%s <= %s", column, fields.Date.to_date(date_to)))
        return SQL(" AND ").join(conditions)

    @api.model
    def _companies_sql(self, column, company_ids):
        if not company_ids:
            return SQL("TRUE")
        return SQL("%s = ANY(%s)", column, list(company_ids))

    @api.model
    def _get_level_effectiveness(self, date_from, date_to, company_ids=None):
        """One dict per level for the reminders sent from ``date_from`` to
        ``date_to`` (the baseline: the days in that period items reached the
        level's age without a reminder): ``level_id``, ``reminded_amount``,
        ``paid_7_amount``, ``paid_15_amount``, ``paid_30_amount``,
        ``paid_7_share``, ``paid_15_share``, ``paid_30_share`` (in % of the
        reminded amount), ``median_days_to_pay`` (over the items fully paid
        since; None without any), ``count``, and the same figures of the
        baseline under ``baseline`` (a dict).  Levels without any reminder
        in the period are left out.  One query."""
        if company_ids is None:
            company_ids = self.env.companies.ids
        self._flush_effectiveness()
        rows = self.env.execute_query_dict(
            SQL(
                """
                SELECT level_id, kind, COUNT(*) AS count,
                       SUM(reminded_amount) AS reminded_amount,
                       SUM(paid_7_amount) AS paid_7_amount,
                       SUM(paid_15_amount) AS paid_15_amount,
                       SUM(paid_30_amount) AS paid_30_amount,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY days_to_pay)
                           AS median_days_to_pay
                  FROM (%s) AS effectiveness
                 GROUP BY level_id, kind
                """,
                self._get_query(date_from, date_to, company_ids),
            )
        )
        by_level = {}
        for row in rows:
            figures = self._figures(row)
            if row["kind"] == "reminded":
                by_level.setdefault(row["level_id"], {}).update(figures)
            else:
                by_level.setdefault(row["level_id"], {})["baseline"] = figures
        levels = (
            self.env["relance.level"]
            .browse(by_level)
            .sorted(lambda level: (level.plan_id.id, level.offset_days, level.sequence))
        )
        result = []
        for level in levels:
            figures = by_level[level.id]
            if "reminded_amount" not in figures:
                continue
            figures.setdefault("baseline", self._figures({}))
            result.append({"level_id": level.id, **figures})
        return result

    @api.model
    def _figures(self, row):
        amount = float(row.get("reminded_amount") or 0.0)
        figures = {"count": row.get("count") or 0, "reminded_amount": amount}
        for days in WINDOWS:
            paid = float(row.get(f"paid_{days}_amount") or 0.0)
            figures[f"paid_{days}_amount"] = paid
            figures[f"paid_{days}_share"] = 100.0 * paid / amount if amount else 0.0
        median = row.get("median_days_to_pay")
        figures["median_days_to_pay"] = None if median is None else float(median)
        return figures

    @api.model
    def _flush_effectiveness(self):
        for model in (
            "relance.reminder",
            "relance.reminder.line",
            "account.move.line",
            "account.partial.reconcile",
            "relance.level",
            "relance.plan",
            "res.partner",
        ):
            self.env[model].flush_model()
