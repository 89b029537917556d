#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Load test for fanoutd: throughput vs. nginx serving a static file, RSS growth,
# and latency of light requests while two heavy simulations occupy the workers.
#
#   bash tests/load/load.sh PATH/TO/fanoutd
#
# Traffic goes only to 127.0.0.1; every wait loop is bounded; the servers this
# script starts are stopped on any exit. Exits non-zero (after the report) if a
# fanoutd request failed under wrk, RSS grew > 10 %, or a latency-check request
# or a simulation did not get 200. Timings (ratio, 50 ms) are printed, not judged.
set -euo pipefail

FANOUTD=${1:?usage: bash tests/load/load.sh PATH/TO/fanoutd}
[ -x "$FANOUTD" ] || { echo "load.sh: $FANOUTD is not an executable" >&2; exit 2; }
WRK_ARGS=(-t2 -c64 -d10s --latency)
CALC_BODY='{"nodes":25,"target_prob":0.99,"rounds":5,"model":"formula"}'
# Estimated 150 * 2.1e7 units shared by 2 simulation threads = 1.6e9, under the
# 2e9 default budget; about 1.5 s of both cores of this machine.
SIM_BODY='{"nodes":1000000,"fanout":3,"rounds":100,"trials":150}'
RSS_LIMIT_PCT=10
LAT_GOAL_MS=50

TMP=$(mktemp -d)
FD_PID='' NGX_PID='' FD_RC=''

# Stops a server: SIGTERM, up to 5 s to drain, then SIGKILL. Sets FD_RC for fanoutd.
stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null
}
stop_fanoutd() {
	[ -n "$FD_PID" ] || return 0
	stop_pid "$FD_PID" && FD_RC=0 || FD_RC=$?
	FD_PID=''
}
cleanup() {
	local rc=$?
	stop_fanoutd
	stop_pid "$NGX_PID" || true; NGX_PID=''
	rm -rf "$TMP"
	return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Installs the Debian packages the test needs (wrk, nginx, curl) if missing.
install_deps() {
	local missing='' sudo=''
	dpkg -s wrk >/dev/null 2>&1 || missing+=' wrk'
	dpkg -s nginx-light >/dev/null 2>&1 || dpkg -s nginx >/dev/null 2>&1 || missing+=' nginx-light'
	dpkg -s curl >/dev/null 2>&1 || missing+=' curl'
	[ -z "$missing" ] && return 0
	echo "installing missing packages:$missing"
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}

# Two distinct free loopback ports: both sockets stay bound until both are known.
free_ports() {
	python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1",0))
print(*[x.getsockname()[1] for x in s])'
}

# wait_http URL PID: up to 10 s for URL to answer 200 while PID stays alive.
wait_http() {
	local i
	for i in $(seq 100); do
		kill -0 "$2" 2>/dev/null || return 1
		[ "$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$1" || true)" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$FD_PID/status"; }

# wrk_field FILE KEY: a number from wrk's output (latencies converted to ms).
wrk_field() {
	awk -v key="$2" '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
	                 if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
	key == "rps" && /^Requests\/sec:/ { print $2; found = 1 }
	key == "non2xx" && /Non-2xx or 3xx responses:/ { print $NF; found = 1 }
	key == "sockerr" && /Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10; found = 1 }
	key ~ /^p/ && $1 == substr(key, 2) "%" { printf "%.3f\n", ms($2); found = 1 }
	END { if (!found) print (key ~ /^(non2xx|sockerr)$/ ? 0 : "NA") }' "$1"
}

# One line per server: req/s, p50/p90/p99 and the failure counts.
report_wrk() {
	printf '%-8s %10s req/s  p50 %8s ms  p90 %8s ms  p99 %8s ms  non-2xx %s  socket errors %s\n' \
		"$1" "$(wrk_field "$2" rps)" "$(wrk_field "$2" p50)" "$(wrk_field "$2" p90)" \
		"$(wrk_field "$2" p99)" "$(wrk_field "$2" non2xx)" "$(wrk_field "$2" sockerr)"
}

install_deps
read -r PORT PORT2 < <(free_ports)
FD_URL="http://127.0.0.1:$PORT"

# --- fanoutd: start, warm up, measure RSS around a 10 s wrk run ---
"$FANOUTD" --address 127.0.0.1 --port "$PORT" 2>"$TMP/fanoutd.log" &
FD_PID=$!
wait_http "$FD_URL/healthz" "$FD_PID" || { echo "fanoutd did not come up; log:"; tail -20 "$TMP/fanoutd.log"; exit 1; }

cat >"$TMP/calc.lua" <<EOF
wrk.method = "POST"
wrk.body = '$CALC_BODY'
wrk.headers["Content-Type"] = "application/json"
EOF
# A 1 s warm-up so that the "before" RSS already includes 64 live connections.
wrk -t2 -c64 -d1s -s "$TMP/calc.lua" "$FD_URL/calc_fanout" >/dev/null
RSS_BEFORE=$(rss_kb)
wrk "${WRK_ARGS[@]}" -s "$TMP/calc.lua" "$FD_URL/calc_fanout" >"$TMP/wrk-fanoutd.txt"
kill -0 "$FD_PID" 2>/dev/null || { echo "fanoutd died during the wrk run; log:"; tail -20 "$TMP/fanoutd.log"; exit 1; }
RSS_AFTER=$(rss_kb)

# --- nginx: serves the very body fanoutd returns, as the upper bound ---
curl -sf -m 5 -H 'Content-Type: application/json' -d "$CALC_BODY" "$FD_URL/calc_fanout" >"$TMP/static.json"
chmod 755 "$TMP"; chmod 644 "$TMP/static.json"   # nginx workers may run as another user
cat >"$TMP/nginx.conf" <<EOF
worker_processes 2;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $TMP/client_body;
	server {
		listen 127.0.0.1:$PORT2;
		location = /static.json { default_type application/json; alias $TMP/static.json; }
	}
}
EOF
nginx -c "$TMP/nginx.conf" -p "$TMP" -e "$TMP/nginx-error.log" -g 'daemon off;' &
NGX_PID=$!
wait_http "http://127.0.0.1:$PORT2/static.json" "$NGX_PID" || { echo "nginx did not come up"; cat "$TMP/nginx-error.log"; exit 1; }
wrk "${WRK_ARGS[@]}" "http://127.0.0.1:$PORT2/static.json" >"$TMP/wrk-nginx.txt"
stop_pid "$NGX_PID" || true; NGX_PID=''

# --- latency of light requests while 2 simulations occupy both workers ---
SIM_PIDS=()
for i in 1 2; do
	curl -s -m 60 -o "$TMP/sim$i.json" -w '%{http_code}' -H 'Content-Type: application/json' \
		-d "$SIM_BODY" "$FD_URL/simulate_gossip" >"$TMP/sim$i.code" &
	SIM_PIDS+=($!)
done
BOTH_RUNNING=no   # confirmed by the gauge, at most 1 s of polling
for i in $(seq 20); do
	m=$(curl -s -m 1 "$FD_URL/metrics" || true)
	if grep -qx 'fanoutd_work_in_flight 2' <<<"$m"; then BOTH_RUNNING=yes; break; fi
	sleep 0.05
done
LAT_CODES='' HZ_MAX=0 CALC_MAX=0
for i in $(seq 5); do
	read -r c t < <(curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}\n' "$FD_URL/healthz" || echo "000 0")
	LAT_CODES+=" $c"; HZ_MAX=$(awk -v a="$HZ_MAX" -v b="$t" 'BEGIN {b *= 1000; print (b > a ? b : a)}')
	read -r c t < <(curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}\n' \
		-H 'Content-Type: application/json' -d "$CALC_BODY" "$FD_URL/calc_fanout" || echo "000 0")
	LAT_CODES+=" $c"; CALC_MAX=$(awk -v a="$CALC_MAX" -v b="$t" 'BEGIN {b *= 1000; print (b > a ? b : a)}')
done
STILL_RUNNING=no; kill -0 "${SIM_PIDS[0]}" 2>/dev/null && kill -0 "${SIM_PIDS[1]}" 2>/dev/null && STILL_RUNNING=yes
wait "${SIM_PIDS[@]}" || true
SIM_CODES="$(cat "$TMP/sim1.code" 2>/dev/null || echo 000) $(cat "$TMP/sim2.code" 2>/dev/null || echo 000)"
ACCESS_LINES=$(wc -l <"$TMP/fanoutd.log")
stop_fanoutd   # graceful stop now, so that its exit code can be reported

# --- report ---
FAIL=()
FD_RPS=$(wrk_field "$TMP/wrk-fanoutd.txt" rps); NGX_RPS=$(wrk_field "$TMP/wrk-nginx.txt" rps)
RSS_PCT=$(awk -v a="$RSS_BEFORE" -v b="$RSS_AFTER" 'BEGIN {printf "%+.1f", (b - a) * 100 / a}')
echo "=== fanoutd load test  $(date -u '+%Y-%m-%d %H:%M:%S UTC') ==="
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "wrk ${WRK_ARGS[*]}; fanoutd: POST /calc_fanout $CALC_BODY; nginx: GET /static.json (same body)"
report_wrk fanoutd "$TMP/wrk-fanoutd.txt"
report_wrk nginx "$TMP/wrk-nginx.txt"
echo "ratio fanoutd/nginx req/s: $(awk -v a="$FD_RPS" -v b="$NGX_RPS" 'BEGIN {if (b > 0) printf "%.3f", a / b; else print "NA"}')"
echo "fanoutd RSS: before ${RSS_BEFORE} kB, after ${RSS_AFTER} kB, change ${RSS_PCT} % (limit +${RSS_LIMIT_PCT} %)"
echo "under load (2 x simulate_gossip $SIM_BODY): both in flight seen: $BOTH_RUNNING, still running after checks: $STILL_RUNNING"
MET=$(awk -v a="$HZ_MAX" -v b="$CALC_MAX" -v g="$LAT_GOAL_MS" 'BEGIN {print (a < g && b < g) ? "met" : "NOT met"}')
printf '  max healthz %.1f ms, max calc_fanout %.1f ms (goal < %d ms: %s); codes:%s\n' \
	"$HZ_MAX" "$CALC_MAX" "$LAT_GOAL_MS" "$MET" "$LAT_CODES"
echo "  simulate_gossip status codes: $SIM_CODES"
echo "fanoutd: $ACCESS_LINES stderr lines logged; exit code after SIGTERM: $FD_RC"

[ "$(wrk_field "$TMP/wrk-fanoutd.txt" non2xx)" = 0 ] || FAIL+=("fanoutd wrk run had non-2xx responses")
[ "$(wrk_field "$TMP/wrk-fanoutd.txt" sockerr)" = 0 ] || FAIL+=("fanoutd wrk run had socket errors")
[ "$FD_RPS" != NA ] || FAIL+=("could not parse wrk output for fanoutd")
awk -v p="$RSS_PCT" -v l="$RSS_LIMIT_PCT" 'BEGIN {exit !(p + 0 > l)}' && FAIL+=("RSS grew by more than $RSS_LIMIT_PCT %")
grep -qvx 200 < <(tr ' ' '\n' <<<"${LAT_CODES# }") && FAIL+=("a latency-check request did not return 200")
[ "$SIM_CODES" = "200 200" ] || FAIL+=("a simulation did not return 200")
if [ ${#FAIL[@]} -gt 0 ]; then printf 'FAIL: %s\n' "${FAIL[@]}"; exit 1; fi
echo "PASS"
