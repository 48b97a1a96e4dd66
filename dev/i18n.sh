#!/usr/bin/env bash
# Re-export i18n/account_relance.pot and i18n/fr.po from a database where the
# addon is installed, keeping the French translations already written: Odoo
# loads i18n/fr.po at install, and exports it back with the new terms empty.
source "$(dirname "$0")/common.sh"
setup_all
cd "$ROOT"
conf=$LOCAL/odoo-i18n.conf
write_odoo_conf "$conf"
tmpl=$(ensure_base_template "$conf")
db=relance_i18n
copy_db "$tmpl" "$db"
odoo "$conf" -d "$db" -i account_relance --stop-after-init --log-level=warn --load-language=fr_FR
"$PY" "$ODOO_PATH/odoo-bin" i18n export -c "$conf" -d "$db" -l pot fr_FR account_relance 2>&1 | grep -v "Running as user" || true
ls -l i18n/
drop_db "$db"
