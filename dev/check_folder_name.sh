#!/usr/bin/env bash
# The tests run from a checkout whatever its folder is called: copy the
# checkout into a folder named as "Download ZIP" names it
# (account_relance-main, not a Python name) and run one test module there.
# Usage: check_folder_name.sh CONF DB (the test database of dev/test.sh).
source "$(dirname "$0")/common.sh"
conf=$1 db=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
copy="$tmp/account_relance-main"
mkdir -p "$copy/.addons"
(cd "$ROOT" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$copy")
ln -sfn .. "$copy/.addons/account_relance"
sed "s#$ADDONS_LINK_DIR#$copy/.addons#" "$conf" > "$tmp/odoo.conf"
log "running a test module from a checkout named account_relance-main"
(cd "$copy" && PYTHONPATH=$ODOO_PATH:$copy/dev "$PY" -m pytest -p no:cacheprovider \
    -p pytest_account_relance -q --rootdir="$copy" -c /dev/null \
    --odoo-config="$tmp/odoo.conf" --odoo-database="$db" "$copy/tests/test_install.py") \
    || die "the tests do not run from a checkout named account_relance-main"
