#!/usr/bin/env bash
# The quick loop: run some tests on the database `make test` left behind
# (RELANCE_TEST_DB, default relance_test), after updating the addon in it
# when -u is given.  No lint, no fresh copy: `make test` stays the judge.
#   bash dev/quick.sh [-u] tests/test_lifecycle.py [pytest options...]
source "$(dirname "$0")/common.sh"
check_odoo
ensure_pg
ensure_addon_link
cd "$ROOT"
db=${RELANCE_TEST_DB:-relance_test}
conf=$LOCAL/odoo-test.conf
db_exists "$db" || die "no database $db: run make test once first"
write_odoo_conf "$conf"
if [ "${1:-}" = -u ]; then
    shift
    log "updating account_relance in $db"
    odoo "$conf" -d "$db" -u account_relance --stop-after-init --log-level=warn 2>&1 \
        | grep -v "Running as user 'root'" || true
fi
PYTHONPATH=$ODOO_PATH:$ROOT/dev "$PY" -m pytest -p no:cacheprovider -p pytest_account_relance \
    -q --rootdir="$ROOT" -c /dev/null --odoo-config="$conf" --odoo-database="$db" \
    --odoo-http "${@:-$ROOT/tests}"
