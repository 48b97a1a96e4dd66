# The generated dataset's template database, shared by bench/run.sh and
# bench/crash.sh (source it after dev/common.sh).

# ensure_bench_template CONF SCALE SEED REGENERATE: the name of the template
# database (relance_bench_<scale>_v<generator version>: the base modules,
# account_relance and account_credit_control, and the dataset), generated
# first if missing or if REGENERATE is 1.
ensure_bench_template() {
    local conf=$1 scale=$2 seed=$3 regenerate=$4
    local version suffix tmpl base start
    version=$(sed -n 's/^GENERATOR_VERSION = \([0-9]*\)$/\1/p' tools/dataset.py)
    suffix=$([ "$seed" = 42 ] || echo "_s$seed")
    tmpl=relance_bench_${scale}_v${version}${suffix}
    ready() {
        db_exists "$1" && [ -n "$(psql -d "$1" -tAc \
            "SELECT 1 FROM ir_config_parameter WHERE key='account_relance.bench_dataset'" 2>/dev/null)" ]
    }
    if [ $regenerate = 1 ] || ! ready "$tmpl"; then
        base=$(ensure_base_template "$conf")
        copy_db "$base" "$tmpl"
        log "installing account_relance and account_credit_control in $tmpl"
        odoo "$conf" -d "$tmpl" -i account_relance,account_credit_control --stop-after-init \
            --log-level=warn 2>&1 | grep -v "Running as user 'root'" || true
        log "generating the dataset: $scale invoices (seed $seed)"
        start=$(date +%s)
        PYTHONPATH=$ODOO_PATH "$PY" bench/bench.py generate --conf "$conf" --db "$tmpl" \
            --scale "$scale" --seed "$seed" || die "the dataset generation failed"
        log "dataset generated in $(( $(date +%s) - start )) s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
        # planner statistics, as autovacuum would gather them on a live database
        psql -d "$tmpl" -qc "VACUUM ANALYZE"
    fi >&2  # stdout is the name
    echo "$tmpl"
}
