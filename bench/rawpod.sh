#!/bin/bash
# The "raw path" reference of the pod benchmarks: what RUNTIME-RECIPE §6 (d)/(e) timed, as a plain
# script with no API, scheduler or agent. One pod = ip netns add, CNI loopback + bridge ADD, the
# /etc files, catatonit (-P) as infra container under conmon + runc start, then per app container an
# overlay rootfs on the image's layers, conmon (runc create) + runc start. Teardown = per container
# runc kill KILL, wait for the exit, runc delete, umount; netns del, CNI bridge DEL, rm, cgroup rmdir.
# Fork-minimal like the recipe: OCI configs are templates filled with bash string replacement, the
# clock is $EPOCHREALTIME, sync pipes and dirs are made before the timed region.
#
# Usage: rawpod.sh CONF_DIR seq N CONTAINERS        N pods one after another: "pod UP_US DOWN_US" each
#        rawpod.sh CONF_DIR par N CONTAINERS REPS   REPS times N pods at once: "burst UP_US DOWN_US" each
# CONF_DIR holds env.sh (STATE RUNC_ROOT CGROOT PREFIX LOWER NETCONF CNI_PATH), infra.json and app.json.
set -u -o pipefail
CONF=$1 MODE=$2 N=$3 C=$4 REPS=${5:-1}
. "$CONF/env.sh"
TI=$(<"$CONF/infra.json"); TA=$(<"$CONF/app.json")
LO_CONF='{"cniVersion":"1.0.0","name":"lo","type":"loopback"}'
RUNC="runc --root $RUNC_ROOT"
us() { REPLY=${EPOCHREALTIME/./}; }
exec {SLEEPFD}<> <(:)                  # read -t on an idle pipe = a sleep without a fork
msleep() { read -t 0.001 -u $SLEEPFD || true; }
wait_dead() { local st; while read -r _ _ st _ < /proc/$1/stat 2>/dev/null && [ "$st" != Z ]; do msleep; done; }
fail() { echo "rawpod: $*" >&2; exit 1; }

cni() {  # CMD POD TYPE IFNAME CONF -> REPLY = stdout
  REPLY=$(CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$2 CNI_IFNAME=$4 CNI_PATH=$CNI_PATH $CNI_PATH/$3 <<<"$5")
}
conmon_create() {  # ID BUNDLE DIR SYNC_FD -> REPLY = container pid
  _OCI_SYNCPIPE=$4 conmon --api-version 1 -c $1 -u $1 -n $1 -r /usr/sbin/runc --runtime-arg --root=$RUNC_ROOT \
    -b $2 -p $3/$1.pid -P $3/$1.conmon.pid -l k8s-file:$3/$1.log --exit-dir $STATE/exits --socket-dir-path $STATE/s </dev/null >/dev/null 2>&1
  read -t 10 -u $4 REPLY || true
  REPLY=${REPLY//[^0-9-]/}
  [ "${REPLY:-0}" -gt 0 ] || fail "conmon create $1 failed"
}

prepare() {  # POD: dirs and the sync pipe, outside the timed region
  local d=$STATE/pods/$1 k
  mkdir -p $d/infra
  for ((k = 1; k <= C; k++)); do mkdir -p $d/c$k/upper $d/c$k/work $d/c$k/rootfs; done
  mkfifo $d/sync
}

pod_up() {  # POD
  local p=$1 d=$STATE/pods/$1 fd pid ip k c
  exec {fd}<>$d/sync
  ip netns add $p || fail "netns add $p"
  cni ADD $p loopback lo "$LO_CONF" >/dev/null || fail "loopback ADD $p"
  cni ADD $p bridge eth0 "$NETCONF" || fail "bridge ADD $p: $REPLY"
  [[ $REPLY =~ \"address\":\ *\"([0-9.]+)/ ]] || fail "no IP for $p"; ip=${BASH_REMATCH[1]}
  printf '127.0.0.1\tlocalhost\n%s\t%s\n' $ip $p > $d/hosts
  printf '%s\n' $p > $d/hostname
  : > $d/resolv.conf
  c=${TI//@POD@/$p}; c=${c//@DIR@/$d}; printf '%s' "$c" > $d/infra/config.json
  conmon_create $p-infra $d/infra $d $fd; pid=$REPLY
  echo $pid > $d/infra.pid
  $RUNC start $p-infra || fail "start $p-infra"
  for ((k = 1; k <= C; k++)); do
    mount -t overlay overlay -o lowerdir=$LOWER,upperdir=$d/c$k/upper,workdir=$d/c$k/work $d/c$k/rootfs || fail "overlay $p c$k"
    c=${TA//@POD@/$p}; c=${c//@PID@/$pid}; c=${c//@ROOT@/$d/c$k/rootfs}; c=${c//@DIR@/$d}; c=${c//@CTR@/c$k}
    printf '%s' "$c" > $d/c$k/config.json
    conmon_create $p-c$k $d/c$k $d $fd; echo $REPLY > $d/c$k.pid
    $RUNC start $p-c$k || fail "start $p-c$k"
  done
  exec {fd}>&-
}

pod_down() {  # POD
  local p=$1 d=$STATE/pods/$1 k pid
  for ((k = 1; k <= C; k++)); do
    read -r pid < $d/c$k.pid
    $RUNC kill $p-c$k KILL; wait_dead $pid; $RUNC delete $p-c$k
    umount $d/c$k/rootfs
  done
  read -r pid < $d/infra.pid
  $RUNC kill $p-infra KILL; wait_dead $pid; $RUNC delete $p-infra
  ip netns del $p                                      # before DEL: the kernel frees the veth (RUNTIME-RECIPE §6)
  cni DEL $p bridge eth0 "$NETCONF" >/dev/null
  rm -rf $d
  rmdir /sys/fs/cgroup/*/$CGROOT/$p 2>/dev/null
  true
}

mkdir -p $STATE/pods $STATE/exits $STATE/s
case $MODE in
  seq)
    for i in $(seq $N); do
      p=$PREFIX-$i; prepare $p
      us; t0=$REPLY; pod_up $p; us; t1=$REPLY
      pod_down $p; us; t2=$REPLY
      echo "pod $((t1 - t0)) $((t2 - t1))"
    done ;;
  par)
    for r in $(seq $REPS); do
      for i in $(seq $N); do prepare $PREFIX-$r-$i; done
      us; t0=$REPLY
      pids=(); for i in $(seq $N); do pod_up $PREFIX-$r-$i & pids+=($!); done
      for pid in "${pids[@]}"; do wait $pid || fail "a pod failed to start"; done
      us; t1=$REPLY
      pids=(); for i in $(seq $N); do pod_down $PREFIX-$r-$i & pids+=($!); done
      for pid in "${pids[@]}"; do wait $pid || fail "a pod failed to stop"; done
      us; t2=$REPLY
      echo "burst $((t1 - t0)) $((t2 - t1))"
    done ;;
  *) fail "unknown mode $MODE" ;;
esac
