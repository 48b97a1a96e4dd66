#!/usr/bin/env bash
# `make demo`: set-up, then (once) a demo database `relance_demo` with a French
# company, the French chart of accounts and account_relance with its demo data
# (about 300 invoices of 30 French customers with distinct payment habits),
# the reminder job run once; then Odoo served on http://127.0.0.1:8069.
# Running it again serves the existing database, first updated to the
# checkout's code when that changed since.
#   DEMO_NO_SERVE=1  stop after the set-up (tests, screenshots)
#   RELANCE_DEMO_DB  the database name (default relance_demo)
#   RELANCE_HTTP_PORT the port (default 8069)
source "$(dirname "$0")/common.sh"
setup_all
cd "$ROOT"

db=${RELANCE_DEMO_DB:-relance_demo}
port=${RELANCE_HTTP_PORT:-8069}
conf=$LOCAL/odoo-demo.conf
write_odoo_conf "$conf"

demo_ready() {
    db_exists "$db" && [ "$(psql -d "$db" -tAc \
        "SELECT value FROM ir_config_parameter WHERE key='account_relance.demo_ready'" 2>/dev/null)" = 1 ]
}

odoo_shell() {  # odoo_shell: runs the Python code read on stdin in $db
    "$PY" "$ODOO_PATH/odoo-bin" shell -c "$conf" -d "$db" --no-http --log-level=warn
}

fresh=0
if ! demo_ready; then
    fresh=1
    drop_db "$db"
    log "creating the demo database $db (a few minutes, once)"
    # Odoo 19 loads a module's demo data only when its dependencies have
    # theirs: the database starts with base's demo data.
    odoo "$conf" -d "$db" -i base --with-demo --load-language=fr_FR \
        --stop-after-init --log-level=warn || die "could not create $db"

    # With demo data, `account` puts Odoo's demo company (US) on the generic
    # chart, and l10n_fr_account creates a French demo company with the French
    # chart: that one becomes the company of the demo.
    log "installing l10n_fr_account (the French chart of accounts) with demo data"
    odoo "$conf" -d "$db" -i l10n_fr_account --stop-after-init --log-level=warn \
        || die "could not install l10n_fr_account in $db"

    log "making the French company the users' company"
    odoo_shell <<'PY' || die "could not set up the French company"
company = env.ref("base.demo_company_fr")
company.write({
    "name": "Relance Démo SAS",
    "street": "12 rue de la Paix",
    "zip": "75002",
    "city": "Paris",
    "email": "compta@relance-demo.example.com",
    "phone": "+33 1 40 20 50 50",
})
# The superuser too: the addon's demo data is generated in its company.
users = env.ref("base.user_root") | env.ref("base.user_admin")
users.write({"company_ids": [(4, company.id)], "company_id": company.id})
env.ref("base.user_admin").lang = "fr_FR"
env.cr.commit()
PY

    log "installing account_relance with its demo data"
    odoo "$conf" -d "$db" -i account_relance --stop-after-init \
        --log-level=warn 2>&1 | tee "$LOCAL/demo-install.log" | grep -v "Running as user 'root'" || true
    if grep -E " (ERROR|CRITICAL) " "$LOCAL/demo-install.log" >/dev/null \
        || ! psql -d "$db" -tAc "SELECT state FROM ir_module_module WHERE name='account_relance'" | grep -q installed; then
        die "account_relance did not install cleanly in $db (see $LOCAL/demo-install.log)"
    fi

    log "running the reminder job once"
    odoo_shell <<'PY' || die "the reminder job failed"
env["relance.reminder"].generate_reminders()
env["ir.config_parameter"].set_param("account_relance.demo_ready", "1")
env.cr.commit()
PY
fi

# The addon's files as they are now: the database follows the checkout.
# (Only the folders that exist: find fails on a missing one, and with
# pipefail that stopped the script here, before it served anything.)
paths=()
for path in __manifest__.py __init__.py engine models views data security report \
    wizards static tools i18n migrations; do
    [ -e "$path" ] && paths+=("$path")
done
code=$(find "${paths[@]}" -type f -not -path '*/__pycache__/*' | LC_ALL=C sort \
    | xargs sha1sum | sha1sum | cut -c1-40)
if [ "$(psql -d "$db" -tAc "SELECT value FROM ir_config_parameter WHERE key='account_relance.demo_code'")" != "$code" ]; then
    if [ $fresh = 0 ]; then
        log "updating account_relance in $db to the checkout's code"
        odoo "$conf" -d "$db" -u account_relance --stop-after-init --log-level=warn 2>&1 \
            | grep -v "Running as user 'root'" || true
    fi
    psql -d "$db" -qc "INSERT INTO ir_config_parameter (key, value)
        VALUES ('account_relance.demo_code', '$code')
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
fi

log "demo ready: http://127.0.0.1:$port  (login: admin, password: admin; database $db)"
if [ "${DEMO_NO_SERVE:-0}" = 1 ]; then
    exit 0
fi
log "serving Odoo (Ctrl-C to stop)"
exec "$PY" "$ODOO_PATH/odoo-bin" -c "$conf" -d "$db" --db-filter="^$db\$" --http-port="$port"
