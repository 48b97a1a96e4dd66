"""Benchmark: customers' reminder emails rendered and queued, and SMS.

``account_relance``: ``relance.reminder._send_reminders()`` on one reminder
"to send" per customer, of an email level (template per tone: invoice table,
portal links), the emails created in batches (``_send_email_batch``) and
queued in Odoo's mail queue.  ``oca_credit_control``: OCA
``account_credit_control``'s emailer wizard on the same customers' overdue
lines (its base template with the invoice table).  Nothing leaves: the
harness rolls back, so no SMTP server is involved on either side.

Two comparisons, like for like:

- ``email_<N>_reminders``: no attachment on either side (OCA's base template
  without its summary PDF);
- ``email_<N>_reminders_pdf``: a PDF per email on both sides: our level's
  *Attach Invoices* (each invoice's PDF, rendered when the invoice has none
  stored), OCA's base template as it ships (its summary PDF).  Both run
  wkhtmltopdf once per email, so this one is measured on fewer emails.

``sms_<N>_reminders`` queues our SMS (``sms.sms``, sent by Odoo's SMS queue
after the commit); OCA has no SMS channel.

Per email: divide the wall time and the queries by N.  Set
``RELANCE_BENCH_EMAILS`` (default 500; 5,000 at 200,000 invoices) and
``RELANCE_BENCH_EMAILS_PDF`` (default 50).
"""

import os

from _common import oca_credit_lines, relance_reminders

from odoo import Command, fields
from odoo.fields import Domain

EMAILS = int(os.environ.get("RELANCE_BENCH_EMAILS", "500"))
EMAILS_PDF = int(os.environ.get("RELANCE_BENCH_EMAILS_PDF", "50"))


def register(bench):
    name = f"email_{EMAILS}_reminders"
    bench.add(name, "account_relance", _send_relance, setup=_setup_relance)
    bench.add(name, "oca_credit_control", _send_oca, setup=_setup_oca)
    name = f"email_{EMAILS_PDF}_reminders_pdf"
    bench.add(name, "account_relance", _send_relance, setup=_setup_relance_pdf)
    bench.add(name, "oca_credit_control", _send_oca, setup=_setup_oca_pdf)
    bench.add(
        f"sms_{EMAILS}_reminders", "account_relance", _send_relance, setup=_setup_sms
    )


def chaseable_lines(env, count):
    """One open receivable line per customer (the oldest), for ``count``
    customers, of an invoice that may be chased: not in payment, not
    disputed, no promise to pay (sending leaves the others out).  At 20,000
    invoices only some 480 customers have such an invoice overdue on the
    bench's day; the others' is due soon: the email is the same."""
    today = fields.Date.context_today(env.user)
    lines = env["account.move.line"].search(
        Domain("company_id", "=", env.company.id)
        & Domain("account_type", "=", "asset_receivable")
        & Domain("parent_state", "=", "posted")
        & Domain("reconciled", "=", False)
        & Domain("amount_residual", ">", 0)
        & Domain("move_id.move_type", "=", "out_invoice")
        & Domain("move_id.payment_state", "not in", ("in_payment", "paid"))
        & Domain("move_id.dispute_state", "!=", "open")
        & (
            Domain("move_id.relance_paused_until", "=", False)
            | Domain("move_id.relance_paused_until", "<", today)
        ),
        order="partner_id, date_maturity, id",
    )
    by_partner = {}
    for line in lines:
        by_partner.setdefault(line.partner_id, line)
        if len(by_partner) == count:
            break
    return by_partner


def _customers(env, count):
    """The customers to remind, each given an email address and a mobile
    number if it has none: customers whose overdue invoice may be chased
    (not in payment, not disputed, no promise to pay), since sending leaves
    out the others, on both sides alike."""
    by_partner = chaseable_lines(env, count)
    partners = env["res.partner"].union(*by_partner)
    for partner in partners.filtered(lambda p: not p.email):
        partner.email = f"customer{partner.id}@example.com"
    for partner in partners.filtered(lambda p: not p.phone):
        partner.phone = (
            f"+33 6 12 {partner.id % 100:02d} {partner.id // 100 % 100:02d} 00"
        )
    if len(by_partner) < count:
        raise AssertionError(f"only {len(by_partner)} customers to remind")
    return by_partner


def _setup_relance(env, count=EMAILS, **level_vals):
    return relance_reminders(
        env,
        _customers(env, count),
        "Bench emails",
        {
            "name": "Friendly email",
            "tone": "friendly",
            "auto_send": True,
            "channel_email": True,
            **level_vals,
        },
    )


def _setup_relance_pdf(env):
    return _setup_relance(env, EMAILS_PDF, attach_invoices=True)


def _setup_sms(env):
    return _setup_relance(env, channel_email=False, channel_sms=True)


def _send_relance(env, reminders):
    # as the daily job: the batch queued, sent by the queue after the commit
    reminders.with_context(mail_notify_force_send=False)._send_reminders()
    env.flush_all()
    queued = reminders.filtered(
        lambda r: r.email_state == "queued" or r.sms_state == "queued"
    )
    if len(queued) != len(reminders):
        raise AssertionError(f"{len(queued)} of {len(reminders)} queued")
    return len(queued)


def _setup_oca(env, count=EMAILS, pdf=False):
    template = env.ref("account_credit_control.email_template_credit_control_base")
    if not pdf:
        template = template.copy({"report_template_ids": [Command.clear()]})
    lines = oca_credit_lines(
        env,
        _customers(env, count),
        "Bench emails",
        "email",
        mail_show_invoice_detail=True,
        email_template_id=template.id,
    )
    return env["credit.control.emailer"].create({"line_ids": [Command.set(lines.ids)]})


def _setup_oca_pdf(env):
    return _setup_oca(env, EMAILS_PDF, pdf=True)


def _send_oca(env, emailer):
    emailer.email_lines()
    env.flush_all()
