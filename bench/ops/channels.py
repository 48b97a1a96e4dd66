"""Benchmark: 500 customers' reminder emails rendered and queued.

``account_relance``: ``relance.reminder._send_reminders()`` on 500 reminders of
an email level (template per tone: invoice table, portal links, the
customer's chatter note), each email queued in Odoo's mail queue.
``oca_credit_control``: OCA ``account_credit_control``'s emailer wizard on the
same customers' overdue lines (its base template with the invoice table).
Nothing leaves: the harness rolls back, so no SMTP server is involved on
either side.

Set ``RELANCE_BENCH_EMAILS`` to send fewer emails (default 500).
"""

import os

from odoo import Command, fields
from odoo.fields import Domain

EMAILS = int(os.environ.get("RELANCE_BENCH_EMAILS", "500"))


def register(bench):
    _add(bench, "email_500_reminders", "account_relance", _send_relance, _setup_relance)
    _add(bench, "email_500_reminders", "oca_credit_control", _send_oca, _setup_oca)


def _add(bench, name, system, run, setup):
    try:
        bench.add(name, system, run, setup=setup)
    except TypeError:  # a harness without set-up: set-up is then timed too
        bench.add(name, system, lambda env: run(env, setup(env)))


def _overdue_lines(env, limit=EMAILS):
    """One overdue receivable line per customer, for ``limit`` customers with
    an email address (given one if the dataset has none)."""
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
    for partner in partners.filtered(lambda p: not p.email):
        partner.email = f"customer{partner.id}@example.com"
    return by_partner


def _setup_relance(env):
    by_partner = _overdue_lines(env)
    plan = env["relance.plan"].create(
        {
            "name": "Bench emails",
            "company_id": env.company.id,
            "level_ids": [
                Command.create(
                    {
                        "name": "Friendly email",
                        "tone": "friendly",
                        "auto_send": True,
                        "channel_email": True,
                    }
                )
            ],
        }
    )
    reminders = env["relance.reminder"].create(
        [
            {
                "partner_id": partner.id,
                "level_id": plan.level_ids.id,
                "state": "to_send",
                "currency_id": line.company_currency_id.id,
                "amount_due": line.amount_residual,
                "move_line_ids": [Command.set(line.ids)],
            }
            for partner, line in by_partner.items()
        ]
    )
    env.flush_all()
    return reminders


def _send_relance(env, reminders):
    # as the "Send Now" button: sent whatever the day
    reminders._send_reminders()
    env.flush_all()
    return len(reminders.filtered(lambda r: r.email_state == "queued"))


def _setup_oca(env):
    by_partner = _overdue_lines(env)
    receivables = env["account.account"].browse(
        {line.account_id.id for line in by_partner.values()}
    )
    policy = env["credit.control.policy"].create(
        {
            "name": "Bench emails",
            "company_id": env.company.id,
            "account_ids": [Command.set(receivables.ids)],
            "level_ids": [
                Command.create(
                    {
                        "name": "Reminder 1",
                        "level": 1,
                        "computation_mode": "net_days",
                        "delay_days": 15,
                        "channel": "email",
                        "mail_show_invoice_detail": True,
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
                "channel": "email",
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
    return env["credit.control.emailer"].create({"line_ids": [Command.set(lines.ids)]})


def _send_oca(env, emailer):
    emailer.email_lines()
    env.flush_all()
