#!/usr/bin/env bash
# Lint: ruff (lint + format), pylint-odoo's mandatory checks, OCA's module
# checks, and every XML/CSV file parsed.  Exits non-zero on any finding.
source "$(dirname "$0")/common.sh"
ensure_lint_venv
cd "$ROOT"
status=0
log "lint: ruff"
"$LINT_VENV/bin/ruff" check --no-fix --quiet . || status=1
"$LINT_VENV/bin/ruff" format --check --quiet . || status=1
log "lint: pylint-odoo (mandatory checks)"
(cd "$ROOT/.." && "$LINT_VENV/bin/pylint" --rcfile="$ROOT/.pylintrc-mandatory" "$ROOT") || status=1
log "lint: XML and CSV files"
"$LINT_VENV/bin/python" dev/check_files.py "$ROOT" || status=1
[ $status = 0 ] || die "lint failed (see above; 'ruff format .' fixes the formatting)"
log "lint: clean"
