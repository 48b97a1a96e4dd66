"""Benchmark: refresh the payment behaviour of every customer of the company.

"account_relance": ``relance.partner.behaviour._refresh`` on the main company
(flush, settings, one SQL statement that computes and upserts every row).
"sql_floor": the same figures as one bare aggregate query, written the plain
way (GROUP BY joins instead of the addon's lateral subqueries), fetched and
nothing stored: the physical floor the addon is compared to.
"""

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tools import SQL


def register(bench):
    bench.add("behaviour_refresh", "account_relance", _refresh)
    bench.add("behaviour_refresh", "sql_floor", _bare_sql)


def _refresh(env):
    env["relance.partner.behaviour"]._refresh(env.company)


def _bare_sql(env):
    return env.execute_query(_floor_query(env.company))


def _floor_query(company):
    today = fields.Date.context_today(company)
    date_from = today - relativedelta(months=company.relance_behaviour_window)
    return SQL(
        """
WITH recv AS (
    SELECT l.id, l.move_id, p.commercial_partner_id AS partner_id, l.balance,
           l.amount_residual, l.reconciled,
           COALESCE(l.date_maturity, l.date) AS date_due,
           m.move_type, m.payment_state
      FROM account_move_line l
      JOIN account_account a ON a.id = l.account_id
      JOIN res_partner p ON p.id = l.partner_id
      JOIN account_move m ON m.id = l.move_id
     WHERE l.company_id = %(company_id)s
       AND l.parent_state = 'posted'
       AND a.account_type = 'asset_receivable'
),
rec AS (
    SELECT r.id,
           COALESCE(MAX(c.date) FILTER (WHERE c.journal_id <> %(xjournal)s),
                    MAX(c.date)) AS date_settled
      FROM recv r
      JOIN account_partial_reconcile apr ON apr.debit_move_id = r.id
      JOIN account_move_line c ON c.id = apr.credit_move_id
     WHERE r.reconciled AND r.balance > 0
       AND c.move_id <> r.move_id AND c.parent_state = 'posted'
     GROUP BY r.id
),
pay AS (
    SELECT rel.invoice_id AS move_id, MAX(ap.date) AS date_paid
      FROM account_move__account_payment rel
      JOIN account_payment ap ON ap.id = rel.payment_id
     WHERE ap.move_id IS NULL AND ap.state IN ('in_process', 'paid')
     GROUP BY rel.invoice_id
),
item AS (
    SELECT r.partner_id, r.balance AS amount,
           CASE WHEN r.reconciled THEN rec.date_settled
                ELSE GREATEST(rec.date_settled, pay.date_paid) END AS date_settled,
           r.date_due
      FROM recv r
      LEFT JOIN rec ON rec.id = r.id
      LEFT JOIN pay ON pay.move_id = r.move_id
                   AND NOT r.reconciled
                   AND r.payment_state IN ('in_payment', 'paid')
     WHERE r.move_type IN ('out_invoice', 'out_receipt') AND r.balance > 0
       AND (r.reconciled OR pay.date_paid IS NOT NULL)
),
agg AS (
    SELECT partner_id,
           SUM(amount * (date_settled - date_due)) / SUM(amount) AS delay_avg,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY date_settled - date_due)
               AS delay_median,
           100.0 * COALESCE(SUM(amount) FILTER (
               WHERE date_settled <= date_due), 0) / SUM(amount) AS on_time_rate,
           COUNT(*) AS payment_count,
           SUM(amount) AS settled_amount
      FROM item
     WHERE date_settled >= %(date_from)s
     GROUP BY partner_id
),
opn AS (
    SELECT partner_id, SUM(amount_residual) AS open_amount
      FROM recv
     WHERE NOT reconciled
       AND COALESCE(payment_state, 'not_paid') NOT IN ('in_payment', 'paid')
     GROUP BY partner_id
),
sales AS (
    SELECT commercial_partner_id AS partner_id,
           SUM(amount_total_signed) AS sales_amount
      FROM account_move
     WHERE company_id = %(company_id)s AND state = 'posted'
       AND move_type IN ('out_invoice', 'out_refund', 'out_receipt')
       AND invoice_date >= %(date_from)s
     GROUP BY commercial_partner_id
)
SELECT COALESCE(agg.partner_id, opn.partner_id, sales.partner_id),
       agg.delay_avg, agg.delay_median, agg.on_time_rate, agg.payment_count,
       agg.settled_amount, opn.open_amount, sales.sales_amount,
       opn.open_amount * %(window_days)s / NULLIF(sales.sales_amount, 0) AS dso
  FROM agg
  FULL JOIN opn ON opn.partner_id = agg.partner_id
  FULL JOIN sales
         ON sales.partner_id = COALESCE(agg.partner_id, opn.partner_id)
        """,
        company_id=company.id,
        xjournal=company.currency_exchange_journal_id.id or 0,
        date_from=date_from,
        window_days=(today - date_from).days,
    )


def check(env):
    """Compare the floor's figures with the stored rows (run by hand from an
    Odoo shell): returns the partner ids whose figures differ."""
    _refresh(env)
    rows = {
        row.partner_id.id: row
        for row in env["relance.partner.behaviour"].search(
            [("company_id", "=", env.company.id)]
        )
    }
    diff = []
    for partner_id, avg, _med, _rate, count, _settled, open_amount, _s, _d in _bare_sql(
        env
    ):
        row = rows.get(partner_id)
        if (
            not row
            or round(avg or 0.0, 1) != round(row.payment_delay_avg, 1)
            or (count or 0) != row.payment_count
            or round(open_amount or 0.0, 2) != round(row.open_amount, 2)
        ):
            diff.append(partner_id)
    return diff
