#!/usr/bin/env bash
# `make test`: set-up, lint, the install/uninstall check, then the addon's Odoo
# tests through pytest-odoo (HttpCase and browser tours included) on a fresh
# copy of the template database.  Prints pytest's summary; non-zero on failure,
# and on any skipped test that tests/allowed_skips.txt does not list.
source "$(dirname "$0")/common.sh"
setup_all browser
cd "$ROOT"
[ "${RELANCE_SKIP_LINT:-0}" = 1 ] || bash dev/lint.sh

conf=$LOCAL/odoo-test.conf
write_odoo_conf "$conf"

db=${RELANCE_TEST_DB:-relance_test}

# 1. The addon installs on a database without `sale`, and uninstalls cleanly.
bare=$(BASE_MODULES=account,sms ensure_base_template "$conf")
bash dev/check_uninstall.sh "$conf" "$bare" "${db}_uninstall"

# 2. The test database: Odoo's modules (sale included) and the addon.
tmpl=$(ensure_base_template "$conf")
copy_db "$tmpl" "$db"
log "installing account_relance in $db"
odoo "$conf" -d "$db" -i account_relance --stop-after-init --log-level=warn \
    2>&1 | tee "$LOCAL/install.log" | grep -v "Running as user 'root'" || true
if grep -E " (ERROR|CRITICAL) " "$LOCAL/install.log" >/dev/null; then
    die "account_relance did not install cleanly in $db (see $LOCAL/install.log)"
fi

# 3. The tests.  -p no:cacheprovider: nothing written in the checkout.
log "running the tests"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("$ROOT/tests" "$ROOT"/bridges/*/tests)
set +e
PYTHONPATH=$ODOO_PATH:$ROOT/dev "$PY" -m pytest -p no:cacheprovider -p pytest_account_relance \
    -q -rs --rootdir="$ROOT" -c /dev/null \
    --odoo-config="$conf" --odoo-database="$db" --odoo-http \
    --junitxml="$LOCAL/junit.xml" "${targets[@]}"
status=$?
set -e
"$PY" dev/check_skips.py "$LOCAL/junit.xml" "$ROOT/tests/allowed_skips.txt" || status=1
# 4. The same tests from a checkout whose folder is no Python name.
bash dev/check_folder_name.sh "$conf" "$db" || status=1
exit $status
