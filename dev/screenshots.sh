#!/usr/bin/env bash
# Re-take the README's screenshots (static/description/screenshots/) from the
# demo: sets the demo database up if needed, serves it on a spare port for the
# time of the shots, and drives headless Chromium through dev/screenshots.py.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
port=${RELANCE_SHOTS_PORT:-8169}
DEMO_NO_SERVE=1 bash dev/demo.sh
RELANCE_HTTP_PORT=$port bash dev/demo.sh > "$LOCAL/screenshots-server.log" 2>&1 &
server=$!
trap "kill $server 2>/dev/null || true" EXIT
for _ in $(seq 60); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/web/login" && break
    sleep 1
done
"$PY" dev/screenshots.py "http://127.0.0.1:$port" static/description/screenshots admin admin
