"""The collections cockpit and the KPI history.

"cockpit_list": the cockpit's list as the web client reads it (search, count
and the first 80 rows with the list's columns, risk first), every customer
with something overdue.  "kpi_snapshot_month": the KPI snapshot of the last
month end (the company and each of its customers), computed and stored.
Both query counts do not depend on the number of customers
(tests/test_cockpit.py, tests/test_kpi_snapshot.py hold them at two sizes).
"""

from dateutil.relativedelta import relativedelta

from odoo import fields

LIST_FIELDS = (
    "partner_id",
    "company_id",
    "user_id",
    "payment_behaviour",
    "amount_1_30",
    "amount_31_60",
    "amount_61_90",
    "amount_over_90",
    "amount_overdue",
    "oldest_overdue_days",
    "last_level_id",
    "last_reminder_state",
    "next_action",
    "next_action_date",
    "promise_date",
    "dispute_amount",
    "dispute_count",
    "risk_score",
    "currency_id",
)


def register(bench):
    bench.add("cockpit_list", "account_relance", _cockpit_list)
    bench.add("kpi_snapshot_month", "account_relance", _kpi_month)


def _cockpit_list(env):
    Cockpit = env["relance.cockpit"]
    spec = {
        name: {"fields": {"display_name": {}}}
        if Cockpit._fields[name].type == "many2one"
        else {}
        for name in LIST_FIELDS
    }
    return Cockpit.web_search_read([("amount_overdue", ">", 0)], spec, limit=80)


def _kpi_month(env):
    today = fields.Date.context_today(env.user)
    last_month_end = today.replace(day=1) - relativedelta(days=1)
    return env["relance.kpi.snapshot"]._snapshot(env.company, [last_month_end])
