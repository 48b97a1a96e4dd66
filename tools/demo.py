"""What the demo's credit controller has on their desk besides the invoices:
open disputes and promises to pay on the named customers of
``tools/dataset.py``'s demo, so that the cockpit, its follow-up pages and
the disputes kanban show them.  Plain Python, called by the addon's
``post_init_hook`` after ``generate_demo``; a database installed without
demo data holds nothing of it."""

from datetime import timedelta

from odoo import Command, fields

# (customer, dispute reason xml id, description in the demo's French): an
# open dispute on the customer's oldest overdue invoice (the customers of
# tools/dataset.py's DEMO_CUSTOMERS whose habits leave invoices overdue)
DISPUTES = (
    (
        "Bar Le Balto",
        "account_relance.dispute_reason_delivery",
        "Deux cartons de la livraison ne sont jamais arrivés.",
    ),
    (
        "BTP Morel Construction",
        "account_relance.dispute_reason_price",
        "Le prix unitaire n'est pas celui du devis.",
    ),
    (
        "Laboratoire Bertrand Analyses",
        "account_relance.dispute_reason_documents",
        "Le numéro de bon de commande manque sur la facture.",
    ),
)
# (customer, promised in N days, part of the overdue amount): an open promise
# on the customer's overdue invoices; a negative delay past the grace period
# is a promise the daily job breaks.  Customers of the demo's habits that
# leave invoices overdue (45 days late, 10 days late).
PROMISES = (
    ("Électricité Fournier SAS", 5, 1.0),
    ("Brasserie du Port", 0, 0.5),
    ("Quincaillerie Leroy", -10, 1.0),
)


def generate_follow_up(env, today=None):
    """Open the demo's disputes and promises to pay, and make the admin the
    company's default credit controller; returns what it made as
    {"disputes": relance.dispute, "promises": relance.promise}."""
    today = today or fields.Date.context_today(env.user)
    # the admin follows the demo company's customers: "Mine" and "My Day"
    admin = env.ref("base.user_admin", raise_if_not_found=False)
    if admin and env.company in admin.company_ids and not env.company.relance_user_id:
        env.company.relance_user_id = admin
    disputes = env["relance.dispute"]
    for name, reason_xmlid, description in DISPUTES:
        invoice = _overdue_invoices(env, name, today)[:1]
        reason = env.ref(reason_xmlid, raise_if_not_found=False)
        if invoice and reason:
            disputes |= disputes.create(
                {
                    "move_id": invoice.id,
                    "reason_id": reason.id,
                    "description": description,
                    "date_open": today - timedelta(days=3),
                    "user_id": (admin or env.user).id,
                }
            )
    promises = env["relance.promise"]
    for name, days, share in PROMISES:
        invoices = _overdue_invoices(env, name, today)[:3]
        if not invoices:
            continue
        currency = invoices[0].currency_id
        invoices = invoices.filtered(lambda move, c=currency: move.currency_id == c)
        promises |= promises.create(
            {
                "partner_id": invoices.commercial_partner_id[:1].id,
                "company_id": invoices.company_id[:1].id,
                "move_ids": [Command.set(invoices.ids)],
                "date": today + timedelta(days=days),
                "amount": currency.round(
                    sum(invoices.mapped("amount_residual")) * share
                ),
                "payment_method": "transfer",
                "note": "Promis au téléphone.",
                "user_id": (admin or env.user).id,
            }
        )
    Promise = env["relance.promise"]
    Promise.search(Promise._get_broken_domain(today))._keep_or_break()
    return {"disputes": disputes, "promises": promises}


def _overdue_invoices(env, name, today):
    partner = env["res.partner"].search(
        [("name", "=", name), ("is_company", "=", True)], limit=1
    )
    if not partner:
        return env["account.move"]
    return env["account.move"].search(
        [
            ("commercial_partner_id", "=", partner.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
            ("dispute_state", "!=", "open"),
        ],
        order="invoice_date_due, id",
    )
