#!/usr/bin/env bash
# `make crash` (or `bash bench/crash.sh [--scale 2000] [--seed 42] [--regenerate]`):
# the crash test of the daily job (bench/crash.py).  Two copies of the
# generated dataset's template (the one bench/run.sh uses, generated first if
# missing), with account_relance updated to the checkout's code: on one, a
# real Odoo process runs the job and is killed (SIGKILL) half-way, then the
# job runs again; on the other, the job runs once.  Prints the reminders,
# duplicates and missing ones, and the queued emails; exits 1 if they differ.
source "$(dirname "$0")/../dev/common.sh"
source "$(dirname "$0")/template.sh"
setup_all
cd "$ROOT"

scale=2000 seed=42 regenerate=0
while [ $# -gt 0 ]; do
    case $1 in
        --scale) scale=$2; shift 2 ;;
        --scale=*) scale=${1#*=}; shift ;;
        --seed) seed=$2; shift 2 ;;
        --regenerate) regenerate=1; shift ;;
        *) die "unknown option $1" ;;
    esac
done
[[ $scale =~ ^[0-9]+$ ]] || die "--scale takes a number of invoices"

peer=$(ensure_oca_peer | tail -n 1)
conf=$LOCAL/odoo-crash.conf
write_odoo_conf "$conf" "$peer"
tmpl=$(ensure_bench_template "$conf" "$scale" "$seed" "$regenerate")

crashed=${tmpl}_crashed
straight=${tmpl}_straight
trap 'drop_db "$crashed"; drop_db "$straight"' EXIT
copy_db "$tmpl" "$crashed"
log "updating account_relance in $crashed"
odoo "$conf" -d "$crashed" -u account_relance --stop-after-init --log-level=warn 2>&1 \
    | grep -v "Running as user 'root'" || true
copy_db "$crashed" "$straight"
ODOO_PATH=$ODOO_PATH PYTHONPATH=$ODOO_PATH "$PY" bench/crash.py --conf "$conf" \
    --crashed "$crashed" --straight "$straight"
