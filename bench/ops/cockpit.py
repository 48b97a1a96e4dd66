"""The collections cockpit and the KPI history.

"cockpit_list": the cockpit's list as the web client reads it (search, count
and the first 80 rows with the list's columns, risk first), every customer
with something overdue; "cockpit_list_after_a_day", the same once the day's
reminders exist (on an empty history PostgreSQL plans the list otherwise).
"kpi_snapshot_month": the KPI snapshot of the last
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
    bench.add(
        "cockpit_list_after_a_day",
        "account_relance",
        _cockpit_list_after,
        setup=_day_of_reminders,
    )
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


def _day_of_reminders(env):
    """The day's reminders made (not sent), and the planner told of them."""
    env["relance.reminder"].with_context(relance_defer_send=True).generate_reminders(
        date=fields.Date.context_today(env.user), company_ids=env.company.ids
    )
    env.flush_all()
    env.cr.execute("ANALYZE relance_reminder, relance_reminder_line")


def _cockpit_list_after(env, _prepared):
    return _cockpit_list(env)


def _kpi_month(env):
    today = fields.Date.context_today(env.user)
    last_month_end = today.replace(day=1) - relativedelta(days=1)
    return env["relance.kpi.snapshot"]._snapshot(env.company, [last_month_end])
