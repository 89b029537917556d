#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench-http: fanoutd's GET /calc_fanout (formula model) against nginx
# serving the very same bytes as a static file, under wrk, side by side in one
# run, and the ratio of their requests per second.
#
#   bash tests/bench/http.sh PATH/TO/fanoutd [PATH/TO/fanoutd-before]
#
# With a second fanoutd (make bench-http BEFORE=path), it runs too, as "before",
# in the same rotation, and its ratios are printed beside.
#
# Both servers run at once on 127.0.0.1 (ports the kernel picks); wrk runs
# against each in turn, ROUNDS times, the order alternating, so that drift in
# the machine's load falls on both sides alike; the ratio printed is the median
# of the rounds' ratios.  Meanwhile /healthz and /readyz are asked from another
# loopback address (127.0.0.2: wrk's 64 connections fill 127.0.0.1's
# per-address quota) and their slowest answer is printed.  nginx runs with
# access_log off and 2 workers (the machine's cores); fanoutd with its defaults,
# access log on.  Traffic stays on loopback; every wait is bounded; the two
# servers are this script's own children, stopped by PID on any exit.
# Timings are printed, not judged (goal: ratio >= 1.1, issue 22); the exit
# status is non-zero only if something failed (a server down, non-2xx answers,
# socket errors).  Also printed: each server's CPU time (user + system, all its
# threads and processes) per request, which a loaded machine disturbs less than
# requests per second.
#
# Environment: BENCH_HTTP_SECONDS (each wrk run, default 5), BENCH_HTTP_ROUNDS
# (default 3), BENCH_HTTP_CONNECTIONS (default 64), BENCH_HTTP_WRK_THREADS
# (default 2).
set -euo pipefail

FANOUTD=${1:?usage: bash tests/bench/http.sh PATH/TO/fanoutd [PATH/TO/fanoutd-before]}
BEFORE=${2:-}
for b in "$FANOUTD" $BEFORE; do
	[ -x "$b" ] || { echo "http.sh: $b is not an executable" >&2; exit 2; }
done
SECONDS_EACH=${BENCH_HTTP_SECONDS:-5}
ROUNDS=${BENCH_HTTP_ROUNDS:-3}
CONNS=${BENCH_HTTP_CONNECTIONS:-64}
WRK_THREADS=${BENCH_HTTP_WRK_THREADS:-2}
QUERY='/calc_fanout?nodes=25&target_prob=0.99&rounds=5&model=formula'
GOAL=1.1
PATH=$PATH:/usr/sbin:/sbin   # nginx lives in /usr/sbin

TMP=$(mktemp -d)
FD_PID='' NGX_PID='' PROBE_PID='' OLD_PID=''

# SIGTERM, up to 5 s, then SIGKILL: only the PID given, a child of this script.
stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	local rc=$?
	stop_pid "$PROBE_PID"
	stop_pid "$FD_PID"
	stop_pid "$OLD_PID"
	stop_pid "$NGX_PID"
	rm -rf "$TMP"
	return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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

# A free loopback port for nginx (fanoutd takes one the kernel picks, and says which).
free_ports() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_fanoutd BINARY LOG: starts it on a port the kernel picks; sets STARTED_PID and STARTED_PORT.
start_fanoutd() {
	local i
	"$1" --address 127.0.0.1 --port 0 2>"$2" &
	STARTED_PID=$! STARTED_PORT=''
	for i in $(seq 100); do
		STARTED_PORT=$(sed -n 's/.*listening on [^ ]* port \([0-9]*\).*/\1/p' "$2" | head -1)
		[ -n "$STARTED_PORT" ] && return 0
		kill -0 "$STARTED_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "$1 did not start; log:"; tail -20 "$2"; return 1
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

# field FILE KEY: req/s, non-2xx count or socket errors from wrk's output.
field() {
	awk -v key="$2" '
	key == "rps" && /^Requests\/sec:/ { print $2; found = 1 }
	key == "non2xx" && /Non-2xx or 3xx responses:/ { print $NF; found = 1 }
	key == "sockerr" && /Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10; found = 1 }
	key == "p99" && $1 == "99%" { print $2; found = 1 }
	END { if (!found) print (key == "rps" ? "NA" : 0) }' "$1"
}

# CPU ticks (user + system, every thread) of a PID and of its children.
cpu_ticks() {
	local pid total=0 t
	for pid in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
		total=$((total + t))
	done
	echo "$total"
}

run_wrk() { # NAME URL ROUND PID
	local out="$TMP/wrk-$1-$3.txt" c0 c1
	c0=$(cpu_ticks "$4")
	timeout $((SECONDS_EACH + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECONDS_EACH}s" --latency "$2" >"$out"
	c1=$(cpu_ticks "$4")
	awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" '/ requests in / {printf "%.2f\n", c / hz * 1e6 / $1}' \
		"$out" >"$out.cpu"
	printf '  round %d  %-8s %10s req/s  p99 %8s  server CPU %6s us/request  non-2xx %s  socket errors %s\n' \
		"$3" "$1" "$(field "$out" rps)" "$(field "$out" p99)" "$(cat "$out.cpu")" "$(field "$out" non2xx)" \
		"$(field "$out" sockerr)"
}

install_deps
read -r PORT2 < <(free_ports)
NGX_URL="http://127.0.0.1:$PORT2"

start_fanoutd "$FANOUTD" "$TMP/fanoutd.log" || exit 1
FD_PID=$STARTED_PID
FD_URL="http://127.0.0.1:$STARTED_PORT"
wait_http "$FD_URL/healthz" "$FD_PID" || { echo "fanoutd did not come up; log:"; tail -20 "$TMP/fanoutd.log"; exit 1; }
curl -sf -m 5 -o "$TMP/calc_fanout" "$FD_URL$QUERY"
SERVERS=(fanoutd nginx)
if [ -n "$BEFORE" ]; then
	start_fanoutd "$BEFORE" "$TMP/before.log" || exit 1
	OLD_PID=$STARTED_PID
	OLD_URL="http://127.0.0.1:$STARTED_PORT"
	wait_http "$OLD_URL/healthz" "$OLD_PID" || { echo "the before fanoutd did not come up"; exit 1; }
	SERVERS+=(before)
fi
chmod 755 "$TMP"; chmod 644 "$TMP/calc_fanout"   # nginx workers may run as another user
cat >"$TMP/nginx.conf" <<EOF
worker_processes 2;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $TMP/client_body;
	proxy_temp_path $TMP/proxy;
	fastcgi_temp_path $TMP/fastcgi;
	uwsgi_temp_path $TMP/uwsgi;
	scgi_temp_path $TMP/scgi;
	server {
		listen 127.0.0.1:$PORT2;
		location = /calc_fanout { default_type application/json; alias $TMP/calc_fanout; }
	}
}
EOF
nginx -c "$TMP/nginx.conf" -p "$TMP" -e "$TMP/nginx-error.log" -g 'daemon off;' &
NGX_PID=$!
wait_http "$NGX_URL$QUERY" "$NGX_PID" || { echo "nginx did not come up"; cat "$TMP/nginx-error.log"; exit 1; }
cmp -s "$TMP/calc_fanout" <(curl -sf -m 5 "$NGX_URL$QUERY") || { echo "nginx does not serve fanoutd's bytes"; exit 1; }

echo "=== bench-http  $(date -u '+%Y-%m-%d %H:%M:%S UTC') ==="
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t$WRK_THREADS -c$CONNS -d${SECONDS_EACH}s, $ROUNDS rounds of ${SERVERS[*]}, order reversed every other round"
echo "fanoutd: GET $QUERY ($(wc -c <"$TMP/calc_fanout") bytes); nginx: the same bytes as a static file"

# Health checks from 127.0.0.2 all through the runs: the slowest of each.
(
	end=$((SECONDS + ${#SERVERS[@]} * ROUNDS * (SECONDS_EACH + 2) + 10))
	while [ "$SECONDS" -lt "$end" ]; do
		for p in healthz readyz; do
			curl -s -o /dev/null -m 5 --interface 127.0.0.2 -w "$p %{http_code} %{time_total}\n" \
				"$FD_URL/$p" || echo "$p 000 5"
		done
		sleep 0.2
	done
) >"$TMP/probes.txt" 2>/dev/null &
PROBE_PID=$!

run_server() { # NAME ROUND
	case $1 in
	fanoutd) run_wrk fanoutd "$FD_URL$QUERY" "$2" "$FD_PID" ;;
	nginx) run_wrk nginx "$NGX_URL$QUERY" "$2" "$NGX_PID" ;;
	before) run_wrk before "$OLD_URL$QUERY" "$2" "$OLD_PID" ;;
	esac
}
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then
		for n in "${SERVERS[@]}"; do run_server "$n" "$r"; done
	else
		for ((i = ${#SERVERS[@]} - 1; i >= 0; i--)); do run_server "${SERVERS[$i]}" "$r"; done
	fi
done
stop_pid "$PROBE_PID"; PROBE_PID=''
kill -0 "$FD_PID" 2>/dev/null || { echo "fanoutd died during the runs; log:"; tail -20 "$TMP/fanoutd.log"; exit 1; }

RATIOS=() CPU_RATIOS=()
FAIL=()
for r in $(seq "$ROUNDS"); do
	a=$(field "$TMP/wrk-fanoutd-$r.txt" rps); b=$(field "$TMP/wrk-nginx-$r.txt" rps)
	if [ "$a" = NA ] || [ "$b" = NA ]; then FAIL+=("round $r: no wrk figure"); continue; fi
	RATIOS+=("$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", a / b}')")
	CPU_RATIOS+=("$(awk -v a="$(cat "$TMP/wrk-fanoutd-$r.txt.cpu")" -v b="$(cat "$TMP/wrk-nginx-$r.txt.cpu")" \
		'BEGIN {printf "%.3f", (a > 0 ? b / a : 0)}')")
	[ "$(field "$TMP/wrk-fanoutd-$r.txt" non2xx)" = 0 ] || FAIL+=("round $r: fanoutd answered non-2xx")
	[ "$(field "$TMP/wrk-fanoutd-$r.txt" sockerr)" = 0 ] || FAIL+=("round $r: socket errors against fanoutd")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "NA"}'; }
# ratio_line A B: the per-round and median ratios of A's req/s to B's.
ratio_line() {
	local r list=()
	for r in $(seq "$ROUNDS"); do
		list+=("$(awk -v a="$(field "$TMP/wrk-$1-$r.txt" rps)" -v b="$(field "$TMP/wrk-$2-$r.txt" rps)" \
			'BEGIN {printf "%.3f", (b > 0 ? a / b : 0)}')")
	done
	echo "ratio $1/$2 req/s per round: ${list[*]}; median $(median "${list[@]}")"
}
MEDIAN=$(median "${RATIOS[@]}")
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ratio fanoutd/nginx req/s per round: ${RATIOS[*]}"
echo "ratio fanoutd/nginx req/s (median): $MEDIAN (goal >= $GOAL: $(awk -v m="$MEDIAN" -v g="$GOAL" \
	'BEGIN {print (m + 0 >= g) ? "met" : "not met"}'))"
# The row make bench puts in docs/PERFORMANCE.md's table (tests/bench/perf_table.py).
FD_MED=$(median $(for r in $(seq "$ROUNDS"); do field "$TMP/wrk-fanoutd-$r.txt" rps; done))
NGX_MED=$(median $(for r in $(seq "$ROUNDS"); do field "$TMP/wrk-nginx-$r.txt" rps; done))
printf 'ROW\tfanoutd GET /calc_fanout (formula) under wrk, 64 connections\t%.0f req/s\tnginx serving the same bytes: %.0f req/s\t%.2fx\t>= %sx nginx\t%s\n' \
	"$FD_MED" "$NGX_MED" "$MEDIAN" "$GOAL" "$(awk -v m="$MEDIAN" -v g="$GOAL" 'BEGIN {print (m + 0 >= g) ? "met" : "not met"}')"
echo "server CPU per request, nginx/fanoutd (above 1: fanoutd spends less) per round: ${CPU_RATIOS[*]}; median $(median "${CPU_RATIOS[@]}")"
if [ -n "$BEFORE" ]; then
	ratio_line before nginx
	ratio_line fanoutd before
fi
for p in healthz readyz; do
	awk -v p="$p" '$1 == p {n++; if ($2 != 200) bad++; if ($3 > max) max = $3}
		END {printf "/%s from 127.0.0.2 during the runs: %d asked, %d not 200, slowest %.1f ms\n", p, n, bad, max * 1000}' \
		"$TMP/probes.txt"
done
awk '$2 != 200 {bad++} END {exit bad > 0}' "$TMP/probes.txt" || FAIL+=("a health check did not answer 200")
if [ ${#FAIL[@]} -gt 0 ]; then printf 'FAIL: %s\n' "${FAIL[@]}"; exit 1; fi
