from . import models
from . import report
from . import wizards


def post_init_hook(env):
    """Every company starts with its copy of the standard plan (translations
    are loaded by now, so the copies get the French level names too)."""
    env["relance.plan"]._ensure_default_plan(
        env["res.company"].with_context(active_test=False).search([])
    )
