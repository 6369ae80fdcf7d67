#!/usr/bin/env bash
# A real single-node Slurm on localhost, for tests: munge (key created if none) and slurmctld + slurmd as root,
# with their configuration, state and logs under one folder. Needs root and Debian's slurm-wlm and munge.
#   scripts/slurm-local.sh start [DIR]   start and wait until the node is idle; prints "SLURM_CONF=DIR/slurm.conf"
#   scripts/slurm-local.sh stop  [DIR]   stop the daemons this script started (their pid files in DIR)
# Clients (sbatch, squeue, sinfo) find the cluster through SLURM_CONF=DIR/slurm.conf. Exit 3: cannot start here.
set -euo pipefail
cmd="${1:-}"
dir="$(realpath -m "${2:-/tmp/hopmixer-slurm}")"
conf="$dir/slurm.conf"

skip() { echo "slurm-local: $*" >&2; exit 3; }

stop() {
  for d in slurmd slurmctld munged; do
    local pf="$dir/$d.pid"
    if [ -f "$pf" ]; then
      local pid; pid="$(cat "$pf")"
      # Only a process of that name: a stale pid file must not kill something else.
      if [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = "$d" ]; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      fi
      rm -f "$pf"
    fi
  done
}

start() {
  [ "$(id -u)" -eq 0 ] || skip "needs root (slurmd runs jobs as any user); run the test as root"
  for b in slurmctld slurmd sbatch sinfo munged; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || skip "$b not found; apt-get install -y slurm-wlm munge"
  done
  export PATH="/usr/sbin:$PATH"
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
  stop

  # munge: this machine's key, or a new one; our own socket so a system munged is not disturbed.
  local key=/etc/munge/munge.key
  if [ ! -s "$key" ]; then
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null 2>&1; then mungekey --create --keyfile="$key" --force; else dd if=/dev/urandom of="$key" bs=1 count=1024 status=none; fi
  fi
  chmod 0400 "$key"
  local sock="$dir/munge/munge.socket"
  munged --force --key-file="$key" --socket="$sock" --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" \
    --seed-file="$dir/munge/munge.seed" || skip "munged did not start; see $dir/munged.log"

  # The node as slurmd sees it (CPUs, sockets, memory), named localhost.
  local hw
  hw="$(slurmd -C | head -1 | sed -e 's/^NodeName=[^ ]*//' -e 's/RealMemory=\([0-9]*\)/RealMemory=\1/')"
  local mem; mem="$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")"
  hw="$(sed "s/RealMemory=[0-9]*/RealMemory=$((mem * 9 / 10))/" <<<"$hw")"
  cat > "$conf" <<CONF
ClusterName=hopmixer-local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=1024
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=${HOPMIXER_SLURMCTLD_PORT:-16817}
SlurmdPort=${HOPMIXER_SLURMD_PORT:-16818}
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=localhost NodeAddr=127.0.0.1$hw State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$conf"
  slurmctld -c -f "$conf" || skip "slurmctld did not start; see $dir/slurmctld.log"
  slurmd -f "$conf" -N localhost || skip "slurmd did not start; see $dir/slurmd.log"
  for _ in $(seq 60); do
    if sinfo -h -N -o '%t' 2>/dev/null | grep -qx 'idle'; then
      echo "SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.5
  done
  sinfo -N -l >&2 || true
  tail -5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
  stop
  skip "the node did not come up idle in 30 s; see $dir/slurmctld.log and $dir/slurmd.log"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop [DIR]" >&2; exit 2 ;;
esac
