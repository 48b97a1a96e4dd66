"""19.0.2.0.0, "One house": the daily jobs moved to the services that do the
work (relance.engine decides and creates the reminders, relance.reminder.send
sends them).  Their cron records are noupdate: point them at their new
models here.  Companies that never had a reminder plan get the standard one,
which the engine no longer creates on the fly."""

from odoo import SUPERUSER_ID, api

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
