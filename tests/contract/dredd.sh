#!/bin/sh
# dredd.sh FANOUTD [DREDD OPTION ...] — Dredd (pinned in tests/package.json) checks every
# request/response pair of openapi.yaml against a fanoutd it starts on
# 127.0.0.1 at a free port; tests/contract/dredd-hooks.js makes the error
# responses happen.  Run from the repository root (make contract).
set -eu
fanoutd=$1
shift
log=$(mktemp)
"$fanoutd" --port 0 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log"' EXIT
port=""
for _ in $(seq 100); do
	port=$(sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$log")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { echo "dredd.sh: fanoutd did not start:" >&2; cat "$log" >&2; exit 1; }
cd tests
npx --no-install dredd ../openapi.yaml "http://127.0.0.1:$port" --hookfiles=contract/dredd-hooks.js \
	--loglevel=error --color=false "$@"
