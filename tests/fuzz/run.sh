#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh SECONDS CORPUS TARGET... — the libFuzzer targets built in build/fuzz/
# (make fuzzers), each first on its regression inputs (tests/fuzz/regress/TARGET),
# then for SECONDS from its seed corpus (tests/fuzz/corpus/TARGET, read only) plus
# what earlier runs found (build/fuzz/CORPUS/TARGET).  SECONDS 0: the regression
# inputs only.  A finding stops the run with the input in build/fuzz/ and the
# log's tail on stderr; the input then belongs in tests/fuzz/regress/TARGET.
# FUZZ_SEED, when set, fixes libFuzzer's seed, so that a run repeats the
# inputs of another (make test sets it: its findings can be reproduced).
# Run from the repository root (make fuzz, make fuzz-regress).
set -eu
[ $# -ge 3 ] || { echo "usage: tests/fuzz/run.sh SECONDS CORPUS TARGET..." >&2; exit 2; }
seconds=$1
corpus=$2
shift 2
for t in "$@"; do
	if [ -d "tests/fuzz/regress/$t" ]; then
		echo "fuzz_$t: regression inputs"
		build/fuzz/"fuzz_$t" tests/fuzz/regress/"$t"/* 2>"build/fuzz/regress_$t.log" ||
			{ tail -40 "build/fuzz/regress_$t.log" >&2; exit 1; }
	fi
	[ "$seconds" -gt 0 ] || continue
	mkdir -p "build/fuzz/$corpus/$t"
	echo "fuzz_$t: $seconds s"
	rc=0
	(cd build/fuzz && nice ./"fuzz_$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
		-max_len=4096 -print_final_stats=1 ${FUZZ_SEED:+-seed=$FUZZ_SEED} "$corpus/$t" "../../tests/fuzz/corpus/$t" \
		2>"fuzz_$t.log") || rc=$?
	grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|#[0-9]+ +DONE)" \
		"build/fuzz/fuzz_$t.log" || true
	[ "$rc" -eq 0 ] || { tail -40 "build/fuzz/fuzz_$t.log" >&2; exit 1; }
done
