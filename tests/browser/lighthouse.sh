#!/bin/sh
# lighthouse.sh — Lighthouse (tests/package.json's pinned version) on the page,
# desktop and mobile, driving Debian's chromium; the JSON and HTML reports go
# to OUT/lighthouse-{desktop,mobile}.report.*, the four scores to stdout; it fails
# when a score is below 0.95 (issue 19).
#
#   sh tests/browser/lighthouse.sh FANOUTD OUT
set -eu
fanoutd=$1
out=$2
mkdir -p "$out"
log="$out/lighthouse-fanoutd.log"
"$fanoutd" --port 0 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
port=
for _ in $(seq 1 50); do
	port=$(sed -n 's/.*listening on [^ ]* port \([0-9]*\).*/\1/p' "$log" | head -1)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { echo "fanoutd did not start" >&2; exit 1; }
flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
flags="$flags --disable-sync --no-first-run"
for form in desktop mobile; do
	preset=
	[ "$form" = desktop ] && preset=--preset=desktop
	(cd "$(dirname "$0")/.." && npx --no-install lighthouse "http://127.0.0.1:$port/" $preset \
		--chrome-path=/usr/bin/chromium --chrome-flags="$flags" --quiet \
		--output=json --output=html --output-path="$out/lighthouse-$form")
	python3 - "$out/lighthouse-$form.report.json" "$form" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(sys.argv[2] + ": " + ", ".join(f"{k} {v['score']:.2f}" for k, v in r["categories"].items()))
low = [k for k, v in r["categories"].items() if v["score"] < 0.95]
sys.exit(f"{sys.argv[2]}: below 0.95: {', '.join(low)}" if low else 0)
PY
done
