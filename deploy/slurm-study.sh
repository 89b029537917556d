#!/bin/bash
# SPDX-License-Identifier: MIT
# One simulation split over a Slurm job array: task i of n runs shard i/n of
# the trials with `fanout simulate --shard`, and a job that waits for the
# whole array merges them with `fanout merge` into exactly the answer one run
# of all the trials gives.
#
#   sbatch --array=0-3 deploy/slurm-study.sh          # 4 shards
#   sbatch --dependency=afterok:JOBID --wrap \
#       'fanout merge fanout-study/shard-*.json --output fanout-study/result.json'
#
# FANOUT_ARGS sets the run (it must include --seed: every shard draws from
# the same run), FANOUT the program, FANOUT_OUT the directory the shards go
# to (on a file system every node shares).  Each task simulates on the CPUs
# Slurm gives it (--cpus-per-task).
#SBATCH --job-name=fanout-study
#SBATCH --array=0-3
#SBATCH --cpus-per-task=1
#SBATCH --output=fanout-study-%A_%a.log
set -euo pipefail

FANOUT=${FANOUT:-fanout}
FANOUT_OUT=${FANOUT_OUT:-fanout-study}
read -r -a args <<< "${FANOUT_ARGS:---nodes 1000000 --fanout 3 --rounds 30 --trials 100000 --seed 7}"

# Array ids need not start at 0 (--array=1-4): the shard index counts from the first.
index=$((SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN))
count=$SLURM_ARRAY_TASK_COUNT
mkdir -p "$FANOUT_OUT"
exec "$FANOUT" simulate "${args[@]}" --sim-threads "${SLURM_CPUS_PER_TASK:-1}" \
	--shard "$index/$count" --output "$FANOUT_OUT/shard-$index.json"
