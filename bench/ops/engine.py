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
    # the whole job, sending included, the open invoices already printed (as
    # Send & Print leaves them): an invoice without its PDF costs one
    # wkhtmltopdf call (about 1.2 s, Odoo's report.print_delay) on a level
    # that attaches invoices, which no batching removes
    bench.add(
        "daily_job_with_send",
        "account_relance",
        _relance_daily_job_send,
        setup=_invoices_printed,
    )
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


_INVOICE_PDF = {}


def _invoices_printed(env):
    """Give every open invoice of the company its stored PDF, one real
    invoice's PDF shared by all (one file in the filestore), as when the
    invoices were sent with Send & Print."""
    env.cr.execute(
        """
        SELECT DISTINCT aml.move_id
          FROM account_move_line aml
          JOIN account_move am ON am.id = aml.move_id
          JOIN account_account aa ON aa.id = aml.account_id
         WHERE aml.company_id = %s
           AND aa.account_type = 'asset_receivable'
           AND aml.parent_state = 'posted'
           AND NOT aml.reconciled
           AND am.move_type = 'out_invoice'
         ORDER BY aml.move_id
        """,
        [env.company.id],
    )
    move_ids = [row[0] for row in env.cr.fetchall()]
    if not move_ids:
        return None
    first = env["account.move"].browse(move_ids[0])
    if "content" not in _INVOICE_PDF:
        _INVOICE_PDF["content"] = env["ir.actions.report"]._render_qweb_pdf(
            "account.account_invoices", first.ids
        )[0]
    attachment = env["ir.attachment"].create(
        {
            "name": f"{first._get_report_base_filename()}.pdf",
            "raw": _INVOICE_PDF["content"],
            "mimetype": "application/pdf",
            "res_model": "account.move",
            "res_field": "invoice_pdf_report_file",
            "res_id": first.id,
        }
    )
    env.flush_all()
    env.cr.execute(
        """
        INSERT INTO ir_attachment (name, res_model, res_field, res_id,
               company_id, type, store_fname, file_size, checksum, mimetype,
               public, create_uid, write_uid, create_date, write_date)
        SELECT replace(am.name, '/', '_') || '.pdf', 'account.move',
               'invoice_pdf_report_file', am.id, am.company_id, a.type,
               a.store_fname, a.file_size, a.checksum, a.mimetype, false,
               a.create_uid, a.write_uid, a.create_date, a.write_date
          FROM account_move am, ir_attachment a
         WHERE a.id = %s AND am.id = ANY(%s)
        """,
        [attachment.id, move_ids[1:]],
    )
    env.invalidate_all()
    return None


def _relance_daily_job_send(env, _prepared=None):
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
