"""The daily reminder job against OCA account_credit_control's run, on the
same data and for the same date (bench/run.sh contract: ``register(bench)``)."""

from odoo import Command, fields


def register(bench):
    bench.add("daily_job", "account_relance", _relance_daily_job)
    bench.add("daily_job", "oca_credit_control", _oca_credit_control_run)
    bench.add("daily_job_with_send", "account_relance", _relance_daily_job_send)
    bench.add("daily_job_preview", "account_relance", _relance_dry_run)


def _date(env):
    return fields.Date.context_today(env["res.users"].browse(env.uid))


def _relance_daily_job(env):
    """Decide and create the day's reminders; automatic ones are left "to
    send" like OCA's run leaves its credit lines to send."""
    reminders = (
        env["relance.reminder"]
        .with_context(relance_defer_send=True)
        .generate_reminders(date=_date(env), company_ids=env.company.ids)
    )
    return len(reminders)


def _relance_daily_job_send(env):
    """The whole daily job: decide, create, and send the automatic levels."""
    reminders = env["relance.reminder"].generate_reminders(
        date=_date(env), company_ids=env.company.ids
    )
    return len(reminders)


def _relance_dry_run(env):
    """What the preview wizard computes: the decision alone."""
    return len(
        env["relance.reminder"].generate_reminders(
            date=_date(env), company_ids=env.company.ids, dry_run=True
        )
    )


def _oca_credit_control_run(env):
    """OCA's run for the same date: its 3-level policy on the company's
    receivable accounts, then ``generate_credit_lines()``."""
    company = env.company
    policy = env.ref("account_credit_control.credit_control_3_time")
    receivables = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)]
    )
    policy.account_ids = [Command.set(receivables.ids)]
    company.credit_policy_id = policy
    run = env["credit.control.run"].create(
        {
            "date": _date(env),
            "company_id": company.id,
            "policy_ids": [Command.set(policy.ids)],
        }
    )
    run.generate_credit_lines()
    return len(run.line_ids)
