#!/usr/bin/env bash
# Re-export i18n/account_relance.pot and i18n/fr.po from a database where the
# addon is installed, keeping the French translations already written: Odoo
# loads i18n/fr.po at install, and exports it back with the new terms empty.
#
# Odoo's exporter walks the addon's folder following links: it runs on a clean
# copy of the checkout's files (no .venv, no .local, no .addons link cycle).
source "$(dirname "$0")/common.sh"
setup_all
cd "$ROOT"
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
mkdir -p "$copy/account_relance"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$copy/account_relance"
conf=$LOCAL/odoo-i18n.conf
write_odoo_conf "$conf"
sed -i "s#^addons_path = .*#addons_path = $ODOO_PATH/addons,$copy#" "$conf"
tmpl=$(ensure_base_template "$conf")
db=relance_i18n
copy_db "$tmpl" "$db"
odoo "$conf" -d "$db" -i account_relance --stop-after-init --log-level=warn --load-language=fr_FR
"$PY" "$ODOO_PATH/odoo-bin" i18n export -c "$conf" -d "$db" account_relance -l pot fr_FR 2>&1 \
    | grep -v "Running as user" || true
mkdir -p i18n
cp "$copy/account_relance/i18n/account_relance.pot" "$copy/account_relance/i18n/fr.po" i18n/
drop_db "$db"
log "exported i18n/account_relance.pot and i18n/fr.po ($(grep -c '^msgid' i18n/fr.po) terms)"
