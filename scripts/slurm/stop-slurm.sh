#!/usr/bin/env bash
# Stop the single-node SLURM cluster that scripts/slurm/start-slurm.sh started: slurmd,
# slurmctld and (only if that script started it) munged, each by the PID it recorded.
# Idempotent: nothing running, nothing to do. Leaves $SLURM_TEST_DIR (logs) in place.
set -euo pipefail

BASE=${SLURM_TEST_DIR:-${TMPDIR:-/tmp}/deepallele-slurm}

stop() {
  local f=$1 p
  [ -s "$f" ] || return 0
  p=$(cat "$f")
  if kill "$p" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$p" 2>/dev/null; then kill -9 "$p" 2>/dev/null || true; fi
  fi
  rm -f "$f"
}

# jobs still on the node: cancel them while slurmctld is up (their processes end with slurmd's)
if [ -s "$BASE/slurmctld.pid" ] && kill -0 "$(cat "$BASE/slurmctld.pid")" 2>/dev/null; then
  scancel --quiet --user="$(id -un)" 2>/dev/null || true
  for _ in $(seq 50); do
    [ -z "$(squeue -h -t RUNNING,COMPLETING,PENDING -o %i 2>/dev/null)" ] && break
    sleep 0.2
  done
fi
stop "$BASE/slurmd.pid"
stop "$BASE/slurmctld.pid"
stop "$BASE/munged.pid"
echo "stop-slurm: stopped (logs in $BASE/log)"
