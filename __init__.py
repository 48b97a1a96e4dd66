from . import models
from . import report
from . import wizards


def post_init_hook(env):
    """Every company starts with its copy of the standard plan (translations
    are loaded by now, so the copies get the French level names too).  With
    demo data, about 300 invoices of 30 French customers with distinct
    payment habits (tools/dataset.py: a generator, not a model), and open
    disputes and promises to pay on them (tools/demo.py).  Then the KPI
    history of the last 12 months, rebuilt from the accounting."""
    companies = env["res.company"].with_context(active_test=False).search([])
    env["relance.plan"]._ensure_default_plan(companies)
    if env["ir.module.module"].search([("name", "=", "account_relance")]).demo:
        from .tools.dataset import generate_demo  # noqa: PLC0415
        from .tools.demo import generate_follow_up  # noqa: PLC0415

        generate_demo(env)
        generate_follow_up(env)
    env["relance.kpi.snapshot"]._backfill(companies)
