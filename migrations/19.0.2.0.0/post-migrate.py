"""19.0.2.0.0, "One house": the daily jobs moved to the services that do the
work (relance.engine decides and creates the reminders, relance.reminder.send
sends them).  Their cron records are noupdate: point them at their new
models here.  Companies that never had a reminder plan get the standard one,
which the engine no longer creates on the fly.  The payment behaviour is
refreshed: "never paid" is new; the KPI history is backfilled."""

from odoo import SUPERUSER_ID, api
from odoo.tools.translate import TranslationImporter, get_po_paths

CRONS = {
    "account_relance.ir_cron_relance_generate": "relance.engine",
    "account_relance.ir_cron_relance_send_reminders": "relance.reminder.send",
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, model in CRONS.items():
        cron = env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron.model_id = env["ir.model"]._get(model)
    Plan = env["relance.plan"].with_context(active_test=False)
    companies = env["res.company"].with_context(active_test=False).search([])
    planless = companies.filtered(
        lambda company: not Plan.search_count([("company_id", "=", company.id)])
    )
    Plan._ensure_default_plan(planless)
    # the standard formal notice follows a delivered reminder and claims the
    # statutory charges (when the company claims them)
    formal = env.ref("account_relance.relance_level_formal_notice", False)
    if formal:
        formal.write({"requires_previous_delivered": True, "apply_charges": True})
    # customers with overdue items and nothing settled become "never paid",
    # with the age of their oldest overdue item (issue 14)
    env["relance.partner.behaviour"]._refresh_all()
    # the KPI history of the last 12 months, as a new install has it
    env["relance.kpi.snapshot"]._backfill(companies.filtered("active"))
    _reset_shipped_texts(env)
    _reload_translations(env, ["account_relance.report_relance_reminder_body_formal"])


def _reload_translations(env, xmlids):
    """Translations that were wrong ("au plus tard le ... au plus tard"):
    an upgrade keeps the translations in the database, these are reloaded
    from the addon's .po files."""
    importer = TranslationImporter(env.cr)
    for lang, __ in env["res.lang"].get_installed():
        for po_path in get_po_paths("account_relance", lang):
            importer.load_file(po_path, lang, xmlids=xmlids)
    importer.save(overwrite=True, force_overwrite=True)


# A template still holding one of these is the template the addon shipped.
SHIPPED_TEXTS = {
    "mail.template": ("body_html", "t-out=\"line['name']\">INV/2026/00001</td>"),
    "sms.template": ("body", "overdue within 8 days. A letter follows."),
}


def _reset_shipped_texts(env):
    """The email and SMS templates are noupdate: the upgrade keeps their old
    texts, in which the reminder emails listed credit notes as amounts due
    with a payment link and the formal notice promised "eight days" whatever
    the company's deadline.  Those nobody changed are reset to the new ones,
    translations included (Odoo's own "Reset Template")."""
    data = env["ir.model.data"].search(
        [("module", "=", "account_relance"), ("model", "in", list(SHIPPED_TEXTS))]
    )
    for row in data:
        field, text = SHIPPED_TEXTS[row.model]
        template = env[row.model].browse(row.res_id).exists()
        if template and text in (template.with_context(lang="en_US")[field] or ""):
            template.reset_template()
