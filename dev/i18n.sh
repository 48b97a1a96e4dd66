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
# Each file is written apart from the addon: Odoo empties an output file
# before it reads the code translations of that very file.
for lang in pot fr_FR; do
    out=$copy/export-$lang.po
    "$PY" "$ODOO_PATH/odoo-bin" i18n export -c "$conf" -d "$db" account_relance -l "$lang" -o "$out" \
        2>&1 | grep -v "Running as user" || true
done
mkdir -p i18n
cp "$copy/export-pot.po" i18n/account_relance.pot
cp "$copy/export-fr_FR.po" i18n/fr.po
drop_db "$db"
log "exported i18n/account_relance.pot and i18n/fr.po ($(grep -c '^msgid' i18n/fr.po) terms)"
