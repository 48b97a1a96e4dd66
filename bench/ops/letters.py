"""Benchmark: 500 customers' reminder letters printed into one PDF.

``account_relance``: ``relance.reminder._print_letters()`` renders the letters
by chunks (one wkhtmltopdf call per chunk) and merges them with pypdf.
``oca_credit_control``: OCA ``account_credit_control`` prints the same
customers' letters with its ``credit.control.printer`` wizard and its
``report_credit_control_summary`` report.  Debian's unpatched wkhtmltopdf
refuses several documents per call (UserError), so the peer's fallback is
what its users do: print each communication and merge the PDFs.

Set ``RELANCE_BENCH_LETTERS`` to print fewer letters (default 500).
"""

import io
import os

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.fields import Domain

LETTERS = int(os.environ.get("RELANCE_BENCH_LETTERS", "500"))


def register(bench):
    _add(bench, "print_500_letters", "account_relance", _print_relance, _setup_relance)
    _add(bench, "print_500_letters", "oca_credit_control", _print_oca, _setup_oca)


def _add(bench, name, system, run, setup):
    try:
        bench.add(name, system, run, setup=setup)
    except TypeError:  # a harness without set-up: set-up is then timed too
        bench.add(name, system, lambda env: run(env, setup(env)))


def _overdue_lines(env, limit=LETTERS):
    """One overdue receivable line per customer, for ``limit`` customers with
    a complete postal address (given one if the dataset has none)."""
    today = fields.Date.context_today(env.user)
    lines = env["account.move.line"].search(
        Domain("company_id", "=", env.company.id)
        & Domain("account_type", "=", "asset_receivable")
        & Domain("parent_state", "=", "posted")
        & Domain("reconciled", "=", False)
        & Domain("amount_residual", ">", 0)
        & Domain("date_maturity", "<", today)
        & Domain("move_id.move_type", "=", "out_invoice"),
        order="partner_id, date_maturity, id",
    )
    by_partner = {}
    for line in lines:
        by_partner.setdefault(line.partner_id, line)
        if len(by_partner) == limit:
            break
    partners = env["res.partner"].union(*by_partner)
    no_address = partners.filtered(
        lambda p: not (p.street and p.zip and p.city and p.country_id)
    )
    if no_address:
        no_address.write(
            {
                "street": "10 rue de la République",
                "zip": "69002",
                "city": "Lyon",
                "country_id": env.ref("base.fr").id,
            }
        )
    return by_partner


def _setup_relance(env):
    by_partner = _overdue_lines(env)
    plan = env["relance.plan"].create(
        {
            "name": "Bench letters",
            "company_id": env.company.id,
            "level_ids": [
                Command.create(
                    {
                        "name": "Reminder 2",
                        "tone": "firm",
                        "offset_days": 15,
                        "channel_letter": True,
                        "apply_charges": True,
                    }
                )
            ],
        }
    )
    today = fields.Date.context_today(env.user)
    reminders = env["relance.reminder"].create(
        [
            {
                "partner_id": partner.id,
                "company_id": env.company.id,
                "level_id": plan.level_ids.id,
                "date": today,
                "state": "to_send",
                "currency_id": line.currency_id.id,
                "amount_due": line.amount_residual_currency,
                "move_line_ids": [Command.set(line.ids)],
            }
            for partner, line in by_partner.items()
        ]
    )
    env.flush_all()
    return reminders


def _print_relance(env, reminders):
    pdf, printed, refused = reminders._print_letters()
    assert len(printed) == len(reminders) and not refused, refused.mapped(
        "error_message"
    )
    return pdf


def _setup_oca(env):
    by_partner = _overdue_lines(env)
    receivables = env["account.account"].browse(
        {line.account_id.id for line in by_partner.values()}
    )
    policy = env["credit.control.policy"].create(
        {
            "name": "Bench letters",
            "company_id": env.company.id,
            "account_ids": [Command.set(receivables.ids)],
            "level_ids": [
                Command.create(
                    {
                        "name": "Reminder 2",
                        "level": 1,
                        "computation_mode": "net_days",
                        "delay_days": 15,
                        "channel": "letter",
                        "email_template_id": env.ref(
                            "account_credit_control.email_template_credit_control_base"
                        ).id,
                        "custom_text": "Some invoices remain unpaid.",
                        "custom_mail_text": "<p>Some invoices remain unpaid.</p>",
                    }
                )
            ],
        }
    )
    today = fields.Date.context_today(env.user)
    lines = env["credit.control.line"].create(
        [
            {
                "date": today,
                "date_due": line.date_maturity,
                "state": "to_be_sent",
                "channel": "letter",
                "invoice_id": line.move_id.id,
                "partner_id": partner.id,
                "amount_due": line.amount_currency,
                "balance_due": line.amount_residual_currency,
                "move_line_id": line.id,
                "policy_level_id": policy.level_ids.id,
            }
            for partner, line in by_partner.items()
        ]
    )
    env.flush_all()
    return env["credit.control.printer"].create({"line_ids": [Command.set(lines.ids)]})


def _print_oca(env, printer):
    action = printer.print_lines()
    comm_ids = action["context"]["active_ids"]
    Report = env["ir.actions.report"].with_context(force_report_rendering=True)
    report = "account_credit_control.report_credit_control_summary"
    try:
        pdf, __ = Report._render_qweb_pdf(report, comm_ids)
    except UserError:
        # Unpatched wkhtmltopdf: one document per call, then merge.
        streams = [
            io.BytesIO(Report._render_qweb_pdf(report, [comm_id])[0])
            for comm_id in comm_ids
        ]
        with Report._merge_pdfs(streams) as merged:
            pdf = merged.getvalue()
    return pdf
