#!/usr/bin/env bash
# Install account_relance on a copy of TEMPLATE (no `sale` there), then
# uninstall it and check that none of its models, tables or indexes is left
# behind.
source "$(dirname "$0")/common.sh"
conf=$1 tmpl=$2 db=$3
copy_db "$tmpl" "$db"
log "install/uninstall check on $db (a database without sale)"
odoo "$conf" -d "$db" -i account_relance --stop-after-init --log-level=error \
    || die "account_relance does not install without sale"
PYTHONPATH=$ODOO_PATH "$PY" - "$conf" "$db" <<'PY' || die "account_relance does not uninstall cleanly"
import sys

import odoo
from odoo.modules.registry import Registry
from odoo.tools import config

config.parse_config(["-c", sys.argv[1], "--log-level=error"])
db = sys.argv[2]
with Registry(db).cursor() as cr:
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    module = env["ir.module.module"].search([("name", "=", "account_relance")])
    assert module.state == "installed", module.state
    module.button_immediate_uninstall()
with Registry(db).cursor() as cr:
    cr.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'relance%%'")
    tables = [row[0] for row in cr.fetchall()]
    # the indexes it adds to Odoo's tables too (account_move_line's)
    cr.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%relance%%'")
    tables += [row[0] for row in cr.fetchall()]
    cr.execute("SELECT model FROM ir_model WHERE model LIKE 'relance.%%'")
    models = [row[0] for row in cr.fetchall()]
    cr.execute("SELECT state FROM ir_module_module WHERE name = 'account_relance'")
    state = cr.fetchone()[0]
assert state == "uninstalled", state
assert not tables and not models, f"left behind: {tables} {models}"
print("account_relance installs without sale and uninstalls cleanly")
PY
drop_db "$db"
