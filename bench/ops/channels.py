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

from _common import oca_credit_lines, overdue_lines, relance_reminders

from odoo import Command

EMAILS = int(os.environ.get("RELANCE_BENCH_EMAILS", "500"))


def register(bench):
    bench.add(
        "email_500_reminders", "account_relance", _send_relance, setup=_setup_relance
    )
    bench.add("email_500_reminders", "oca_credit_control", _send_oca, setup=_setup_oca)


def _customers(env):
    """The customers to remind, each given an email address if it has none."""
    by_partner = overdue_lines(env, EMAILS)
    partners = env["res.partner"].union(*by_partner)
    for partner in partners.filtered(lambda p: not p.email):
        partner.email = f"customer{partner.id}@example.com"
    return by_partner


def _setup_relance(env):
    return relance_reminders(
        env,
        _customers(env),
        "Bench emails",
        {
            "name": "Friendly email",
            "tone": "friendly",
            "auto_send": True,
            "channel_email": True,
        },
    )


def _send_relance(env, reminders):
    # as the "Send Now" button: sent whatever the day
    reminders._send_reminders()
    env.flush_all()
    return len(reminders.filtered(lambda r: r.email_state == "queued"))


def _setup_oca(env):
    lines = oca_credit_lines(
        env, _customers(env), "Bench emails", "email", mail_show_invoice_detail=True
    )
    return env["credit.control.emailer"].create({"line_ids": [Command.set(lines.ids)]})


def _send_oca(env, emailer):
    emailer.email_lines()
    env.flush_all()
