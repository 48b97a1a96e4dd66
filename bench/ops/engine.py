"""The daily reminder job against OCA account_credit_control's run, on the
same data and for the same date (bench/run.sh contract: ``register(bench)``)."""

from odoo import Command, fields


def register(bench):
    bench.add("daily_job", "account_relance", _relance_daily_job)
    bench.add("daily_job", "oca_credit_control", _oca_credit_control_run)
    # the same job with the reminders made by the ORM's create (no-log
    # contexts) instead of the engine's one INSERT, which stays only while it
    # is more than 2x faster (relance.engine._create_reminder_records)
    bench.add("daily_job", "account_relance_orm_create", _relance_daily_job_create)
    # the creation step alone, on the same day's values
    bench.add(
        "daily_job_creation_step",
        "account_relance",
        _create_step,
        setup=_creation_values,
    )
    bench.add(
        "daily_job_creation_step",
        "account_relance_orm_create",
        _orm_create_step,
        setup=_creation_values,
    )
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


def _orm_create(engine, vals_list):
    """What relance.engine._create_reminder_records would be through create."""
    return (
        engine.env["relance.reminder"]
        .with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        )
        .create(vals_list)
    )


def _relance_daily_job_create(env):
    engine = type(env["relance.engine"])
    insert = engine._create_reminder_records
    engine._create_reminder_records = _orm_create
    try:
        return _relance_daily_job(env)
    finally:
        engine._create_reminder_records = insert


def _creation_values(env):
    """The values of the day's reminders, as the engine prepares them."""
    engine = env["relance.engine"].with_company(env.company)
    decisions, _warnings = engine._compute_decisions(env.company, _date(env))
    decisions = [decision for decision in decisions if decision.to_create]
    vals_list = engine._prepare_reminders_values(decisions, _date(env))
    for vals, name in zip(
        vals_list, engine._next_reminder_names(len(vals_list)), strict=True
    ):
        vals["name"] = name
    return vals_list


def _create_step(env, vals_list):
    return len(env["relance.engine"]._create_reminder_records(vals_list))


def _orm_create_step(env, vals_list):
    return len(_orm_create(env["relance.engine"], vals_list))


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
