# Shared set-up for `make demo`, `make test` and `make bench`.  Sourced, not run.
#
# Everything this creates lives in git-ignored folders of the checkout:
#   .venv/        Odoo's requirements, the addon's own and the test tools
#   .venv-lint/   ruff, pylint-odoo, OCA's hooks (kept apart: their pins clash)
#   .local/       the private PostgreSQL cluster, Odoo's filestore, configs, logs
#   .addons/      `account_relance -> ..`: Odoo loads an addon by its folder
#                 name, so the checkout itself may be called anything.
# Odoo itself is never copied here: it is read from ODOO_PATH (default /opt/odoo).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_PATH=${ODOO_PATH:-/opt/odoo}
VENV=${RELANCE_VENV:-$ROOT/.venv}
LINT_VENV=${RELANCE_LINT_VENV:-$ROOT/.venv-lint}
# STATE holds what several checkouts may share (the cluster, the venvs' templates,
# the filestore); LOCAL what belongs to this checkout (configs, logs).
STATE=${RELANCE_STATE:-$ROOT/.local}
LOCAL=$ROOT/.local
ADDONS_LINK_DIR=$ROOT/.addons
PG_PORT=${RELANCE_PG_PORT:-5432}
PY=$VENV/bin/python
# Modules every test/benchmark database starts from (kept as a template database).
BASE_MODULES=${RELANCE_BASE_MODULES:-account,sms,sale,l10n_fr_account}
OCA_PEER_VERSION=19.0.1.0.0.13

log() { printf '\033[1;34m[account_relance]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[account_relance] %s\033[0m\n' "$*" >&2; exit 1; }

as_root() { [ "$(id -u)" = 0 ]; }

check_odoo() {
    if [ ! -f "$ODOO_PATH/odoo-bin" ] || ! grep -q "^version_info = (19, 0," "$ODOO_PATH/odoo/release.py" 2>/dev/null; then
        die "No Odoo 19.0 source tree at ODOO_PATH=$ODOO_PATH.
    Put an Odoo 19.0 community tree there (odoo/, addons/, odoo-bin, requirements.txt),
    for example:  git clone --depth 1 --branch 19.0 https://github.com/odoo/odoo.git $ODOO_PATH
    or point ODOO_PATH at an existing one:  ODOO_PATH=/path/to/odoo make test"
    fi
}

apt_install() {
    as_root || die "Missing system packages ($*): install them (apt-get install $*) or run as root."
    log "installing Debian packages: $*"
    if [ ! -f "$STATE/.apt-updated" ]; then
        apt-get update -qq >/dev/null
        mkdir -p "$STATE" && touch "$STATE/.apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

ensure_system_packages() {
    local missing=()
    [ -n "$(pg_bindir)" ] || missing+=(postgresql)
    command -v psql >/dev/null || missing+=(postgresql-client)
    command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
    command -v pg_config >/dev/null || missing+=(libpq-dev)
    # Fonts for the PDF letters, and PDF tools used by the tests to read them back.
    [ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
    command -v pdftotext >/dev/null || missing+=(poppler-utils)
    if [ "${1:-}" = browser ]; then
        command -v chromium >/dev/null || missing+=(chromium)
    fi
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# A venv is rebuilt only when what it was built from changes.
ensure_venv() {
    local reqs="$STATE/requirements.txt" stamp
    mkdir -p "$STATE"
    python3 "$ROOT/dev/odoo_requirements.py" "$ODOO_PATH/requirements.txt" > "$reqs.tmp"
    cat "$ROOT/dev/requirements-dev.txt" >> "$reqs.tmp"
    mv "$reqs.tmp" "$reqs"
    stamp=$(cat "$reqs" | sha1sum | cut -c1-16)
    if [ "$(cat "$VENV/.stamp" 2>/dev/null)" != "$stamp" ]; then
        log "installing Odoo's requirements into $VENV (a few minutes, once)"
        [ -x "$PY" ] || python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q -r "$reqs" 2>&1 | grep -v "is ignored: it is neither" || true
        "$PY" -c "import psycopg2, lxml, werkzeug, phonenumbers, pytest, websocket" \
            || die "the venv $VENV is incomplete: see pip's output above"
        echo "$stamp" > "$VENV/.stamp"
    fi
}

ensure_lint_venv() {
    local stamp=ruff-0.13.0+pylint-odoo-9.3.15+oca-hooks-0.1.7+checklog-1.0
    if [ "$(cat "$LINT_VENV/.stamp" 2>/dev/null)" != "$stamp" ]; then
        log "installing the linters into $LINT_VENV"
        [ -x "$LINT_VENV/bin/python" ] || python3 -m venv "$LINT_VENV"
        "$LINT_VENV/bin/pip" install -q ruff==0.13.0 pylint-odoo==9.3.15 \
            oca-odoo-pre-commit-hooks==0.1.7 checklog-odoo==1.0 2>&1 \
            | grep -v "is ignored: it is neither" || true
        echo "$stamp" > "$LINT_VENV/.stamp"
    fi
}

# OCA's account_credit_control, the open-source peer of the benchmarks: installed
# without its dependencies into a folder of the venv, and put on the addons path
# of the benchmark database only.
ensure_oca_peer() {
    local target="$VENV/oca-peer"
    if [ ! -f "$target/odoo/addons/account_credit_control/__manifest__.py" ]; then
        log "installing OCA account_credit_control $OCA_PEER_VERSION (benchmark peer)"
        "$VENV/bin/pip" install -q --no-deps --target "$target" \
            "odoo-addon-account-credit-control==$OCA_PEER_VERSION" 2>&1 \
            | grep -v "is ignored: it is neither" || true
    fi
    echo "$target/odoo/addons"
}

# --- PostgreSQL: a private cluster on a Unix socket ----------------------------

pg_dirs() {
    PGDATA_DIR=$STATE/pgdata
    PG_SOCKET_DIR=$STATE/pgrun
    # PostgreSQL refuses to run as root: as root, the cluster belongs to the
    # `postgres` user, who must be able to reach it.  Unix socket paths are also
    # limited to ~100 bytes.  When either fails, the cluster lives in /var/tmp.
    if { as_root && ! su postgres -s /bin/sh -c "test -x '$STATE'" 2>/dev/null; } \
        || [ ${#PG_SOCKET_DIR} -gt 80 ]; then
        local alt
        alt=/var/tmp/account_relance-$(printf '%s' "$ROOT" | sha1sum | cut -c1-10)
        PGDATA_DIR=$alt/pgdata
        PG_SOCKET_DIR=$alt/pgrun
    fi
}

as_pg_owner() {
    if as_root; then
        su postgres -s /bin/sh -c "$*"
    else
        sh -c "$*"
    fi
}

ensure_pg() {
    local bindir
    mkdir -p "$STATE"
    pg_dirs
    bindir=$(pg_bindir)
    if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
        log "creating a private PostgreSQL cluster in $PGDATA_DIR"
        mkdir -p "$PGDATA_DIR" "$PG_SOCKET_DIR"
        if as_root; then chown postgres: "$PGDATA_DIR" "$PG_SOCKET_DIR"; fi
        as_pg_owner "'$bindir/initdb' -D '$PGDATA_DIR' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null"
    fi
    if ! as_pg_owner "'$bindir/pg_ctl' -D '$PGDATA_DIR' status" >/dev/null 2>&1; then
        mkdir -p "$PG_SOCKET_DIR"
        if as_root; then chown postgres: "$PG_SOCKET_DIR"; fi
        # A throwaway cluster: durability is traded for speed.
        as_pg_owner "'$bindir/pg_ctl' -D '$PGDATA_DIR' -l '$PGDATA_DIR/server.log' -w start \
            -o \"-k '$PG_SOCKET_DIR' -p $PG_PORT -c listen_addresses='' -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
            -c shared_buffers=512MB\"" >/dev/null \
            || die "PostgreSQL did not start: see $PGDATA_DIR/server.log"
    fi
    export PGHOST=$PG_SOCKET_DIR PGPORT=$PG_PORT PGUSER
    PGUSER=$(id -un)
    if ! psql -h "$PGHOST" -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PGUSER'" | grep -q 1; then
        psql -h "$PGHOST" -U postgres -d postgres -qc "CREATE ROLE \"$PGUSER\" SUPERUSER LOGIN" >/dev/null
    fi
}

db_exists() { psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1; }

drop_db() {
    if db_exists "$1"; then
        psql -d postgres -qc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname='$1'" >/dev/null
        dropdb "$1"
        rm -rf "$STATE/filestore/filestore/$1"
    fi
}

copy_db() {  # copy_db TEMPLATE NEW: a database and its filestore
    drop_db "$2"
    createdb -T "$1" "$2"
    if [ -d "$STATE/filestore/filestore/$1" ]; then
        mkdir -p "$STATE/filestore/filestore"
        cp -r "$STATE/filestore/filestore/$1" "$STATE/filestore/filestore/$2"
    fi
}

# --- Odoo -------------------------------------------------------------------

ensure_addon_link() {
    mkdir -p "$ADDONS_LINK_DIR"
    ln -sfn .. "$ADDONS_LINK_DIR/account_relance"
}

# write_odoo_conf FILE [EXTRA_ADDONS_PATH]
write_odoo_conf() {
    local conf=$1 extra=${2:-}
    # bridges/: the auto-install modules between the addon and optional ones
    local addons="$ODOO_PATH/addons,$ADDONS_LINK_DIR,$ROOT/bridges"
    [ -z "$extra" ] || addons="$addons,$extra"
    mkdir -p "$(dirname "$conf")" "$STATE/filestore"
    cat > "$conf" <<EOF
[options]
addons_path = $addons
data_dir = $STATE/filestore
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
admin_passwd = admin
http_interface = 127.0.0.1
http_port = ${RELANCE_HTTP_PORT:-8069}
list_db = False
max_cron_threads = 0
EOF
}

odoo() {  # odoo CONF ARGS...: odoo-bin from the venv
    local conf=$1
    shift
    "$PY" "$ODOO_PATH/odoo-bin" -c "$conf" "$@"
}

# The template every test and benchmark database is copied from: Odoo's
# modules, installed once (about two minutes), never the addon itself.
ensure_base_template() {
    local conf=$1
    local name
    name=relance_tmpl_$(printf '%s %s' "$BASE_MODULES" "$(sha1sum "$ODOO_PATH/odoo/release.py")" | sha1sum | cut -c1-8)
    if ! db_exists "$name" || [ "$(psql -d "$name" -tAc "SELECT 1 FROM ir_config_parameter WHERE key='account_relance.template_ready'" 2>/dev/null)" != 1 ]; then
        log "creating the template database $name ($BASE_MODULES; about three minutes, once)"
        drop_db "$name"
        odoo "$conf" -d "$name" -i "$BASE_MODULES" --stop-after-init --log-level=warn --load-language=fr_FR \
            || die "could not create the template database $name"
        psql -d "$name" -qc "INSERT INTO ir_config_parameter (key, value) VALUES ('account_relance.template_ready', '1')"
    fi
    echo "$name"
}

setup_all() {  # the common set-up of every command
    check_odoo
    ensure_system_packages "${1:-}"
    ensure_venv
    ensure_pg
    ensure_addon_link
}
