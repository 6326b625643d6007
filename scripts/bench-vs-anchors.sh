#!/usr/bin/env bash
# `ipclab bench` beside C loops that reproduce the public IPC benchmarks' methods
# (scripts/anchors.c: goldsborough/ipc-bench, rigtorp/ipc-bench, detailyang/ipc_benchmark;
# nothing is fetched), interleaved: PAIRS pairs per row, the order swapped every pair, the
# same size, count and placement on both sides. Prints the medians and their ratio.
#
#   scripts/bench-vs-anchors.sh [PAIRS] [CPU_PARENT CPU_CHILD] [SIZES]
#       defaults: 3 pairs, CPUs 0 1 (-1 -1: not pinned), sizes "64 4096 65536 1048576"
#   ONLY="pipe posix-shm" MODES=latency scripts/bench-vs-anchors.sh   (a subset)
#   IPCLAB=target/x86_64-unknown-linux-gnu/dist/ipclab ...   another build of ipclab
#   RING=1048576 ...   the shared-memory throughput ring, bytes per direction, on both sides
#                      (default 524288, ipclab's choice on a 1 MiB L2)
#
# Ratio > 1: ipclab faster. Latency compares means of one-way time (half a round trip),
# as the anchors print means; throughput compares messages per second. `[lo-hi]` are the
# lowest and highest per-pair ratios; `~` marks a row whose spread is wider than its
# difference from 1 (noise, not a result).
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3} pa=${2:-0} pb=${3:-1}
sizes=${4:-"64 4096 65536 1048576"}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gcc -O2 -Wall -o "$tmp/anchors" scripts/anchors.c -lrt
# IPCLAB=path/to/ipclab compares another build (the static one of scripts/build-static.sh).
ipclab=${IPCLAB:-target/release/ipclab}
[ -n "${IPCLAB:-}" ] || cargo build --release --quiet
pin=(); [ "$pa" -ge 0 ] && pin=(--pin "$pa,$pb")
export RING_BYTES=${RING:-524288}

# ipclab's mechanism -> the anchor program's mechanism, and who it mirrors (see anchors.c).
anchor() { # MECH MODE
  case "$1:$2" in
    pipe:latency) echo "pipe rigtorp-pipe_lat" ;; pipe:throughput) echo "pipe rigtorp-pipe_thr" ;;
    fifo:latency) echo "fifo rigtorp-method" ;; fifo:throughput) echo "fifo detailyang-fifo" ;;
    unix-stream:latency) echo "unix rigtorp-unix_lat" ;; unix-stream:throughput) echo "unix rigtorp-unix_thr" ;;
    unix-dgram:latency) echo "udg rigtorp-method" ;; unix-dgram:throughput) echo "udg detailyang-uds" ;;
    tcp:latency) echo "tcp rigtorp-tcp_lat" ;; tcp:throughput) echo "tcp rigtorp-tcp_thr" ;;
    sysv-msg:latency) echo "msg goldsborough-mq" ;; sysv-msg:throughput) echo "msg detailyang-method" ;;
    posix-mq:latency) echo "mq rigtorp-method" ;; posix-mq:throughput) echo "mq detailyang-posixq" ;;
    sysv-shm:latency) echo "semshm detailyang-shm-pingpong" ;; sysv-shm:throughput) echo "semshm detailyang-shm" ;;
    posix-shm:latency) echo "shm goldsborough-shm" ;; posix-shm:throughput) echo "shm c-ring" ;;
    mmap-file:latency) echo "mmap goldsborough-mmap" ;; mmap-file:throughput) echo "mmap c-ring-in-file" ;;
    eventfd:latency) echo "eventfd rigtorp-eventfd_lat" ;; signal:latency) echo "signal rigtorp-method" ;;
    rpc:latency) echo "rpc rigtorp-method-on-rpc" ;;
    *) return 1 ;;
  esac
}

# The CSV column NAME of ipclab's last row.
column() { awk -F, -v want="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) c = i } NR > 1 { v = $c } END { print v }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

mechs=${ONLY:-"pipe fifo unix-stream unix-dgram tcp sysv-msg posix-mq sysv-shm posix-shm mmap-file eventfd signal rpc"}
modes=${MODES:-"throughput latency"}
printf '%-11s %-10s %7s %-28s %13s %13s %6s %-12s\n' mechanism mode size anchor ipclab anchor ratio spread
for mech in $mechs; do
  for mode in $modes; do
    read -r amech who < <(anchor "$mech" "$mode") || continue
    rowsizes=$sizes; case $mech in eventfd|signal|rpc) rowsizes=16 ;; esac
    for size in $rowsizes; do
      case $mech in sysv-msg|posix-mq) [ "$size" -gt 8192 ] && continue ;; unix-dgram) [ "$size" -gt 65536 ] && continue ;; esac
      if [ "$mode" = throughput ]; then
        count=$(( (64 << 20) / size )); [ $count -gt 100000 ] && count=100000; [ $count -lt 200 ] && count=200
      else
        count=$(( size <= 4096 ? 10000 : (32 << 20) / size )); [ $count -lt 100 ] && count=100
      fi
      ours=() theirs=() ratios=()
      for p in $(seq "$pairs"); do
        run_ours() { $ipclab bench --only "$mech" --mode "$mode" --sizes "$size" --count "$count" "${pin[@]}" --ring-bytes "$RING_BYTES" --csv \
          | column "$([ "$mode" = latency ] && echo latency_ns_mean || echo msgs_per_s)"; }
        run_theirs() { "$tmp/anchors" "$amech" "$([ "$mode" = latency ] && echo lat || echo thr)" "$size" "$count" "$pa" "$pb" | awk '{ print $2 }'; }
        if [ $((p % 2)) = 1 ]; then o=$(run_ours); t=$(run_theirs); else t=$(run_theirs); o=$(run_ours); fi
        ours+=("$o") theirs+=("$t")
        ratios+=("$(awk -v o="$o" -v t="$t" -v m="$mode" 'BEGIN { printf "%.3f", (m == "latency") ? t / o : o / t }')")
      done
      mo=$(echo "${ours[*]}" | median) mt=$(echo "${theirs[*]}" | median)
      lo=$(echo "${ratios[*]}" | tr ' ' '\n' | sort -g | head -1) hi=$(echo "${ratios[*]}" | tr ' ' '\n' | sort -g | tail -1)
      ratio=$(awk -v o="$mo" -v t="$mt" -v m="$mode" 'BEGIN { printf "%.2f", (m == "latency") ? t / o : o / t }')
      mark=$(awk -v r="$ratio" -v lo="$lo" -v hi="$hi" 'BEGIN { d = r - 1; if (d < 0) d = -d; print ((hi - lo) / 2 > d) ? "~" : "" }')
      unit=msg/s; [ "$mode" = latency ] && unit=ns
      printf '%-11s %-10s %7s %-28s %13s %13s %6s %-12s\n' "$mech" "$mode" "$size" "$who" "$mo $unit" "$mt $unit" "$ratio$mark" "[$lo-$hi]"
    done
  done
done
echo "(ratio > 1: ipclab faster; latency: mean one-way ns; throughput: msg/s; ~: spread wider than the difference)"
