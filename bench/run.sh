#!/usr/bin/env bash
# `make bench ARGS="--scale 20000 --json out.json"`: times the addon's
# operations (bench/ops/*.py) against OCA's account_credit_control on the same
# generated dataset.
#
# The dataset is generated once per scale and generator version into a
# template database (relance_bench_<scale>_v<version>: the base modules,
# account_relance and account_credit_control); each run works on a fresh copy
# of it, on which account_relance is first updated to the checkout's code.
# Options: --scale N (default 2000)  --seed N  --json FILE  --only PATTERN
#          --repeat N  --no-memory  --profile N  --no-update  --regenerate
#          --generate-only (make the template database, run nothing)
#          --quick (2,000 invoices, the operations that matter, a few minutes)
#          --with-send (also the daily job with its sending: very slow)
#          --no-http (no Odoo HTTP server serving the database during the run)
# `bench/run.sh slope SMALL.json LARGE.json [--json FILE]`: the ratios between
# two runs at two scales.
source "$(dirname "$0")/../dev/common.sh"
source "$(dirname "$0")/template.sh"
if [ "${1:-}" = slope ]; then
    shift
    exec "$PY" "$ROOT/bench/bench.py" slope "$@"
fi
setup_all
cd "$ROOT"

scale=2000 seed=42 update=1 regenerate=0 generate_only=0 quick=0 with_send=0
args=()
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1; shift ;;
        --with-send) with_send=1; shift ;;
        --scale) scale=$2; shift 2 ;;
        --scale=*) scale=${1#*=}; shift ;;
        --seed) seed=$2; shift 2 ;;
        --no-update) update=0; shift ;;
        --regenerate) regenerate=1; shift ;;
        --generate-only) generate_only=1; shift ;;
        --json) args+=(--json "$(realpath -m "$2")"); shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
[[ $scale =~ ^[0-9]+$ ]] || die "--scale takes a number of invoices"
if [ $quick = 1 ]; then
    # the operations that matter, on fewer letters and emails
    scale=2000
    export RELANCE_BENCH_LETTERS=${RELANCE_BENCH_LETTERS:-50}
    export RELANCE_BENCH_EMAILS=${RELANCE_BENCH_EMAILS:-50}
    for op in daily_job daily_job_preview behaviour_refresh "print_*_letters" \
        "email_*" "sms_*" cockpit_list kpi_snapshot_month; do
        args+=(--only "$op")
    done
    args+=(--no-memory)
fi
[ $with_send = 1 ] || args+=(--skip daily_job_with_send)

peer=$(ensure_oca_peer | tail -n 1)
[ -f "$peer/account_credit_control/__manifest__.py" ] || die "OCA's account_credit_control is missing from $peer"
conf=$LOCAL/odoo-bench.conf
write_odoo_conf "$conf" "$peer"

tmpl=$(ensure_bench_template "$conf" "$scale" "$seed" "$regenerate")
[ $generate_only = 0 ] || exit 0

db=${tmpl}_run
copy_db "$tmpl" "$db"
trap 'drop_db "$db"' EXIT
if [ $update = 1 ]; then
    log "updating account_relance in $db"
    odoo "$conf" -d "$db" -u account_relance --stop-after-init --log-level=warn 2>&1 \
        | grep -v "Running as user 'root'" || true
fi
# the same fresh planner statistics for every system measured (a template
# generated before this line existed has none)
psql -d "$db" -qc "ANALYZE"
export RELANCE_BENCH_COMMIT
RELANCE_BENCH_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
export RELANCE_BENCH_HTTP_LOG=$LOCAL/bench-http.log
PYTHONPATH=$ODOO_PATH "$PY" bench/bench.py run --conf "$conf" --db "$db" --scale "$scale" "${args[@]}"
