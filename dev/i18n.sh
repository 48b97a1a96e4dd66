#!/usr/bin/env bash
# Re-export i18n/account_relance.pot from a database where the addon is
# installed, then bring i18n/fr.po up to it with gettext's msgmerge: the
# French translations already written are kept (also those equal to the
# English, which Odoo's exporter would empty), new terms come in empty and
# terms gone are dropped.
#
# Odoo's exporter walks the addon's folder following links: it runs on a clean
# copy of the checkout's files (no .venv, no .local, no .addons link cycle).
source "$(dirname "$0")/common.sh"
setup_all
command -v msgmerge >/dev/null || apt_install gettext
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
odoo "$conf" -d "$db" -i account_relance --stop-after-init --log-level=warn
# The file is written apart from the addon: Odoo empties an output file
# before it reads the code translations of that very file.
out=$copy/export.pot
"$PY" "$ODOO_PATH/odoo-bin" i18n export -c "$conf" -d "$db" account_relance -l pot -o "$out" \
    2>&1 | grep -v "Running as user" || true
drop_db "$db"
[ -s "$out" ] || die "Odoo exported no template"
mkdir -p i18n
cp "$out" i18n/account_relance.pot
msgmerge --quiet --no-fuzzy-matching --output-file="$copy/fr.po" i18n/fr.po i18n/account_relance.pot
msgattrib --no-obsolete --output-file=i18n/fr.po "$copy/fr.po"
log "exported i18n/account_relance.pot and merged i18n/fr.po ($(grep -c '^msgid' i18n/fr.po) terms," \
    "$(msgattrib --untranslated --no-obsolete i18n/fr.po | grep -c '^msgid' || true) untranslated counting the header)"
