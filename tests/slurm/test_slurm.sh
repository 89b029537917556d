#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deploy/slurm-study.sh as a 4-task job array on a one-node Slurm started
# here: munged, slurmctld and slurmd from Debian's packages, run from a
# temporary directory as an unprivileged user (nobody when started as root:
# slurmd then runs only that user's jobs, which is all this test submits),
# bound to 127.0.0.1 only (CommunicationParameters=NoCtldInAddrAny,
# NoInAddrAny; the test checks no daemon listens elsewhere).  The merged
# shards must be, byte for byte, the in-process run.  Every daemon started is
# stopped by PID.
#
# usage: test_slurm.sh /absolute/path/to/fanout
set -euo pipefail
fanout=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/fanout-slurm.XXXXXX)
chmod 755 "$dir"
# Who the daemons and the job run as: never root.
if [ "$(id -u)" -eq 0 ]; then
	user=nobody
	as_user=(setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups)
else
	user=$(id -un)
	as_user=()
fi
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	[ -f "$dir/munged.pid" ] && kill "$(cat "$dir/munged.pid")" 2>/dev/null || true
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap cleanup EXIT
pass=0 fail=0
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then echo "ok   $what"; pass=$((pass + 1)); else echo "FAIL $what"; fail=$((fail + 1)); fi
}

# Two free loopback ports for slurmctld and slurmd.
read -r ctld_port d_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
host=$(hostname -s)
mkdir -p "$dir/state" "$dir/spool" "$dir/out"

dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
chmod 600 "$dir/munge.key"
chown -R "$user" "$dir"
"${as_user[@]}" munged --force --socket="$dir/munge.sock" --key-file="$dir/munge.key" \
	--pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munged.seed"

cat > "$dir/slurm.conf" <<CONF
ClusterName=fanouttest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=$user
SlurmdUser=$user
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
AuthType=auth/munge
AuthInfo=socket=$dir/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=10 State=UP
CONF
chown "$user" "$dir/slurm.conf"
export SLURM_CONF=$dir/slurm.conf
"${as_user[@]}" env SLURM_CONF="$SLURM_CONF" slurmctld -D >"$dir/slurmctld.out" 2>&1 & pids+=($!)
"${as_user[@]}" env SLURM_CONF="$SLURM_CONF" slurmd -D -N "$host" >"$dir/slurmd.out" 2>&1 & pids+=($!)

# Up to a minute for the node to register (a safety net, not a measurement).
for _ in $(seq 600); do
	sinfo -h -o %t 2>/dev/null | grep -qx idle && break
	sleep 0.1
done
check "one-node Slurm is up (sinfo: $(sinfo -h -o '%P %t' 2>&1 | tr '\n' ' '))" \
	bash -c "sinfo -h -o %t | grep -qx idle"
# Every socket the daemons listen on is on 127.0.0.1, and none runs as root.
listening=$(ss -Hltnp 2>/dev/null | grep -E 'slurmctld|slurmd' | awk '{print $4}' | sort -u | tr '\n' ' ')
check "slurmctld and slurmd listen on 127.0.0.1 only ($listening)" \
	bash -c "[ -n '$listening' ] && ! tr ' ' '\n' <<< '$listening' | grep -v '^\$' | grep -qv '^127\.0\.0\.1:'"
owners=$(ps -o user= -p "$(cat "$dir/munged.pid")" -p "${pids[0]}" -p "${pids[1]}" | sort -u | tr '\n' ' ')
check "munged, slurmctld and slurmd run as $user ($owners)" test "$owners" = "$user "

run="--nodes 3000 --fanout 3 --rounds 14 --trials 4001 --seed 99 --loss 0.05 --curve true"
"${as_user[@]}" env SLURM_CONF="$SLURM_CONF" FANOUT="$fanout" FANOUT_ARGS="$run" FANOUT_OUT="$dir/out" \
	sbatch --wait --array=0-3 --chdir="$dir" --output="$dir/task-%a.log" --time=5 \
	"$repo/deploy/slurm-study.sh" >"$dir/sbatch.out" 2>&1 || true
check "sbatch --array=0-3 ran ($(cat "$dir/sbatch.out"))" test -f "$dir/out/shard-3.json"
check "4 shards written" test "$(ls "$dir/out" | wc -l)" -eq 4
# shellcheck disable=SC2086
"$fanout" simulate $run > "$dir/whole.json"
"$fanout" merge "$dir"/out/shard-*.json > "$dir/merged.json" || true
check "the array's shards merged == the in-process run, byte for byte" cmp -s "$dir/whole.json" "$dir/merged.json"
echo "slurm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
