"""What several benchmark operations share: the customers they work on, and
the same work set up on each side (our reminders, the peer's credit lines).

A module whose name starts with "_" is not an operation: the harness skips it.
"""

from odoo import Command, fields
from odoo.fields import Domain


def overdue_lines(env, limit):
    """One overdue receivable line per customer, for ``limit`` customers of the
    main company, in a stable order."""
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
    return by_partner


def relance_reminders(env, by_partner, plan_name, level_vals):
    """A one-level plan and one reminder "to send" per customer."""
    plan = env["relance.plan"].create(
        {
            "name": plan_name,
            "company_id": env.company.id,
            "level_ids": [Command.create(level_vals)],
        }
    )
    reminders = env["relance.reminder"].create(
        [
            {
                "partner_id": partner.id,
                "company_id": env.company.id,
                "level_id": plan.level_ids.id,
                "date": fields.Date.context_today(env.user),
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


def oca_credit_lines(env, by_partner, policy_name, channel, **level_vals):
    """OCA account_credit_control's equivalent: a one-level policy and one
    credit control line "to be sent" per customer."""
    receivables = env["account.account"].browse(
        {line.account_id.id for line in by_partner.values()}
    )
    policy = env["credit.control.policy"].create(
        {
            "name": policy_name,
            "company_id": env.company.id,
            "account_ids": [Command.set(receivables.ids)],
            "level_ids": [
                Command.create(
                    {
                        "name": policy_name,
                        "level": 1,
                        "computation_mode": "net_days",
                        "delay_days": 15,
                        "channel": channel,
                        "email_template_id": env.ref(
                            "account_credit_control.email_template_credit_control_base"
                        ).id,
                        "custom_text": "Some invoices remain unpaid.",
                        "custom_mail_text": "<p>Some invoices remain unpaid.</p>",
                        **level_vals,
                    }
                )
            ],
        }
    )
    lines = env["credit.control.line"].create(
        [
            {
                "date": fields.Date.context_today(env.user),
                "date_due": line.date_maturity,
                "state": "to_be_sent",
                "channel": channel,
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
    return lines
