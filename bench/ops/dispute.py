"""Disputes and promises: the customer-side aggregates and the daily promise job.

Contract of bench/run.sh: ``register(bench)`` adds the operations; each
receives an Odoo Environment (superuser, main company) and runs in a savepoint
that the harness rolls back.
"""

from datetime import timedelta


def register(bench):
    bench.add("dispute_partner_stats", "account_relance", _partner_stats)
    bench.add("promise_daily_job", "account_relance", _promise_job)


def _customers(env, limit=5000):
    return env["res.partner"].search(
        [("customer_rank", ">", 0), ("parent_id", "=", False)], limit=limit
    )


def _partner_stats(env):
    """Open disputes (state, count, amount) of up to 5000 customers: one
    grouped query whatever their number."""
    partners = _customers(env)
    env.invalidate_all()
    partners.mapped("dispute_amount")


def _promise_job(env):
    """The daily promise job over one open promise per customer with an
    overdue invoice (up to 2000), half of them already past their grace."""
    moves = env["account.move"].search(
        [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("company_id", "=", env.company.id),
        ],
        order="invoice_date_due",
        limit=20000,
    )
    by_partner = moves.grouped("commercial_partner_id")
    vals_list = []
    for index, (partner, invoices) in enumerate(list(by_partner.items())[:2000]):
        due = invoices[0].invoice_date_due
        vals_list.append(
            {
                "partner_id": partner.id,
                "move_ids": [(6, 0, invoices[:3].ids)],
                "date": due if index % 2 else due + timedelta(days=3650),
            }
        )
    promises = env["relance.promise"].create(vals_list)
    today = promises[:1].date_deadline + timedelta(days=1)
    # the job's work without its commits (the harness rolls back)
    Promise = env["relance.promise"].with_context(tz="UTC")
    Promise.search([("state", "=", "open")])._check_kept()
    Promise.search(Promise._get_broken_domain(today))._keep_or_break()
