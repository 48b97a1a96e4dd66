"""19.0.2.1.0, access (#12 item 8): a reminder line is visible only when its
journal item belongs to one of the user's companies too.  The record rules
are noupdate: give the existing rule its new domain here."""

from odoo import SUPERUSER_ID, api

LINE_RULE_DOMAIN = (
    "[('reminder_id.company_id', 'in', company_ids),"
    " ('move_line_id.company_id', 'in', company_ids)]"
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref(
        "account_relance.relance_reminder_line_rule_company", raise_if_not_found=False
    )
    if rule:
        rule.domain_force = LINE_RULE_DOMAIN
