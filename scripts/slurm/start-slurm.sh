#!/usr/bin/env bash
# Start a single-node SLURM cluster on this machine (for tests and trying the SLURM profile):
# munged (if not already running), slurmctld and slurmd, from Debian's slurm-wlm and munge.
#
#   sudo scripts/slurm/start-slurm.sh          # prints `sinfo` when the node is idle
#   sudo scripts/slurm/stop-slurm.sh           # stops what this script started, by PID
#
# Environment:
#   SLURM_TEST_DIR   state, spool, logs and PID files (default: ${TMPDIR:-/tmp}/deepallele-slurm)
#   SLURM_TEST_GPUS  1 (default): the node advertises one placeholder GPU (GRES gpu bound to
#                    /dev/null), so jobs that request --gpus are scheduled and run on a CPU-only
#                    machine (they see CUDA_VISIBLE_DEVICES=0 but no device); 0: no GRES
#   SLURM_TEST_PARTITION  partition name (default debug)
#   SLURM_TEST_MIN_JOB_AGE  seconds finished jobs stay listed by squeue (default 3600; at least
#                    120 for snakemake's squeue status checks)
#
# Needs root. slurm.conf is written to /etc/slurm/slurm.conf: jobs' nested `srun` only finds the
# compiled-in default path (SLURM_CONF is stripped from its environment). A slurm.conf not
# written by this script is never overwritten. Idempotent: a cluster already started from the
# same SLURM_TEST_DIR is left as it is.
set -euo pipefail

BASE=${SLURM_TEST_DIR:-${TMPDIR:-/tmp}/deepallele-slurm}
GPUS=${SLURM_TEST_GPUS:-1}
PARTITION=${SLURM_TEST_PARTITION:-debug}
CONF=/etc/slurm/slurm.conf
MARK="# written by deepallele scripts/slurm/start-slurm.sh"

die() { echo "start-slurm: $*" >&2; exit 1; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

[ "$(id -u)" = 0 ] || die "must run as root (it starts munged, slurmctld and slurmd)"
for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || \
    die "'$tool' not found: apt-get install --no-install-recommends slurm-wlm munge (scripts/setup.sh does)"
done
if [ -e "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
  die "$CONF exists and was not written by this script; refusing to overwrite a real cluster's config"
fi

if [ -e /etc/slurm/gres.conf ] && ! grep -qF "$MARK" /etc/slurm/gres.conf; then
  die "/etc/slurm/gres.conf exists and was not written by this script"
fi

if alive "$BASE/slurmctld.pid" && alive "$BASE/slurmd.pid"; then
  echo "start-slurm: already running (slurmctld $(cat "$BASE/slurmctld.pid"), slurmd $(cat "$BASE/slurmd.pid"))"
  sinfo
  exit 0
fi

if scontrol ping 2>/dev/null | grep -q "is UP"; then
  die "a slurmctld not started from $BASE is already answering (stop it first, or set SLURM_TEST_DIR to its state directory)"
fi

NODE=$(hostname -s)
CPUS=$(nproc)
# a bit below what slurmd measures, or the node is drained for "Low RealMemory"
MEM=$(( $(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p') * 80 / 100 ))
mkdir -p "$BASE"/{state,spool,log}

# munge: reuse a running munged (never stopped by us); otherwise start one and remember its PID
[ -s /etc/munge/munge.key ] || runuser -u munge -- mungekey -c
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n >/dev/null 2>&1 || die "munged did not start (see /var/log/munge/munged.log)"
  cp /run/munge/munged.pid "$BASE/munged.pid"
fi

GRES_NODE=""
GRES_TYPES=""
case "$GPUS" in
  0) rm -f /etc/slurm/gres.conf ;;
  1) GRES_TYPES="GresTypes=gpu"
     GRES_NODE="Gres=gpu:1"
     # slurmd reports a count-only gpu GRES as 0 (node INVAL); a placeholder device file works
     printf '%s\nNodeName=%s Name=gpu File=/dev/null\n' "$MARK" "$NODE" > /etc/slurm/gres.conf ;;
  *) die "SLURM_TEST_GPUS must be 0 or 1 (got '$GPUS')" ;;
esac

cat > "$CONF" <<CONF
$MARK (test cluster state in $BASE)
ClusterName=localcluster
SlurmctldHost=${NODE}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/slurmctld.pid
SlurmdPidFile=$BASE/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# finished jobs stay visible to squeue (snakemake's squeue status checks need >= 120 s; tests
# read the states of a whole run's jobs afterwards)
MinJobAge=${SLURM_TEST_MIN_JOB_AGE:-3600}
# a job asking for more than the node has fails at sbatch instead of pending forever
EnforcePartLimits=ALL
ReturnToService=2
SlurmdTimeout=300
InactiveLimit=0
KillWait=5
Waittime=0
$GRES_TYPES
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=${CPUS} RealMemory=${MEM} $GRES_NODE State=UNKNOWN
PartitionName=${PARTITION} Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP
CONF

# -c: a fresh test cluster every start (no drained node or stale job recovered from state)
alive "$BASE/slurmctld.pid" || slurmctld -c -i
alive "$BASE/slurmd.pid" || slurmd
for _ in $(seq 100); do
  sinfo -h -o %t 2>/dev/null | grep -qx idle && break
  sleep 0.2
done
sinfo -h -o %t 2>/dev/null | grep -qx idle || {
  tail -n 20 "$BASE/log/slurmctld.log" "$BASE/log/slurmd.log" >&2 || true
  die "node did not become idle (logs above, in $BASE/log)"
}
sinfo
