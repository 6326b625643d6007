#!/usr/bin/env bash
# `ipclab bench` beside C loops that reproduce the public IPC benchmarks line for line
# (scripts/anchors.c names each anchor's file and commit; nothing is fetched), interleaved:
# PAIRS pairs per row, the order swapped every pair, the same size, count and placement on
# both sides.
#
#   scripts/bench-vs-anchors.sh [PAIRS] [CPU_PARENT CPU_CHILD] [SIZES]
#       defaults: 3 pairs, CPUs 0 1 (-1 -1: not pinned), sizes "64 4096 65536 1048576"
#   ONLY="pipe posix-shm" MODES=latency scripts/bench-vs-anchors.sh   (a subset)
#   IPCLAB=target/x86_64-unknown-linux-gnu/dist/ipclab ...   another build of ipclab
#   RING=1048576 ...   the shared-memory throughput ring, bytes per direction, on both sides
#
# Two tables. The first holds the anchors: each row follows one file of one anchor's master,
# built twice, with the anchor's own flags (the build people run) and with -O2. The second
# holds ipclab's own methods written in C, for mechanisms no anchor has a program for: a
# comparison of the languages, not with anyone's benchmark.
#
# Ratio > 1: ipclab faster. It is the median of the per-pair ratios; [lo-hi] are the lowest
# and highest of them; `~` marks a row whose per-pair ratios lie on both sides of 1.
# Latency compares means of one-way time (half a round trip) on both sides, because the
# anchors print nothing else (medians would need other programs than theirs); throughput
# compares messages per second. How each side is timed is in the `timed` column and the
# legend under the tables.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-3} pa=${2:-0} pb=${3:-1}
sizes=${4:-"64 4096 65536 1048576"}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gcc -O2 -Wall -o "$tmp/anchors-O2" scripts/anchors.c -lrt
gcc -O0 -Wall -Wextra -Wpedantic -o "$tmp/anchors-rigtorp" scripts/anchors.c -lrt # CMakeLists.txt
gcc -O3 -g -std=gnu11 -o "$tmp/anchors-goldsborough" scripts/anchors.c -lrt      # CMakeLists.txt
gcc -O0 -g -Wall -o "$tmp/anchors-detailyang" scripts/anchors.c -lrt              # Makefile
ipclab=${IPCLAB:-target/release/ipclab}
[ -n "${IPCLAB:-}" ] || cargo build --release --quiet
pin=(); [ "$pa" -ge 0 ] && pin=(--pin "$pa,$pb")
export RING_BYTES=${RING:-524288}

# MECH MODE -> the C mechanism, the anchor (or "own"), what it follows, how the C side is timed.
row() {
  case "$1:$2" in
    pipe:latency) echo "pipe rigtorp src/pipe_lat.c@b281203 S-total" ;;
    pipe:throughput) echo "pipe rigtorp src/pipe_thr.c@b281203 S-cold" ;;
    unix-stream:latency) echo "unix rigtorp src/unix_lat.c@b281203 S-total" ;;
    unix-stream:throughput) echo "unix rigtorp src/unix_thr.c@b281203 S-cold" ;;
    tcp:latency) echo "tcp rigtorp src/tcp_lat.c@b281203 S-total" ;;
    tcp:throughput) echo "tcp rigtorp src/tcp_thr.c@b281203 S-cold" ;;
    posix-shm:latency) echo "shm goldsborough source/shm@589146a RT-mean" ;;
    mmap-file:latency) echo "mmap goldsborough source/mmap@589146a RT-mean" ;;
    sysv-msg:latency) echo "msg goldsborough source/mq@589146a RT-mean" ;;
    fifo:throughput) echo "fifo detailyang fifo.c@4e1f678 S-cold" ;;
    posix-mq:throughput) echo "mq detailyang posixq.c@4e1f678 S-cold" ;;
    sysv-shm:throughput) echo "semshm detailyang shm.c@4e1f678 S-cold" ;;
    fifo:latency) echo "fifo own ping-pong S-total" ;;
    unix-dgram:latency) echo "udg own ping-pong S-total" ;;
    unix-dgram:throughput) echo "udg own sender-loop S-cold" ;;
    sysv-msg:throughput) echo "msg own sender-loop S-cold" ;;
    posix-mq:latency) echo "mq own ping-pong S-total" ;;
    sysv-shm:latency) echo "semshm own ping-pong S-total" ;;
    posix-shm:throughput) echo "shm own ring S-cold" ;;
    mmap-file:throughput) echo "mmap own ring-in-file S-cold" ;;
    eventfd:latency) echo "eventfd own ping-pong S-total" ;;
    signal:latency) echo "signal own ping-pong S-total" ;;
    rpc:latency) echo "rpc own NULL-call S-total" ;;
    *) return 1 ;;
  esac
}

# The CSV column NAME of ipclab's last row.
column() { awk -F, -v want="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) c = i } NR > 1 { v = $c } END { print v }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v o="$1" -v t="$2" -v m="$3" 'BEGIN { printf "%.3f", (m == "latency") ? t / o : o / t }'; }

mechs=${ONLY:-"pipe fifo unix-stream unix-dgram tcp sysv-msg posix-mq sysv-shm posix-shm mmap-file eventfd signal rpc"}
modes=${MODES:-"throughput latency"}
fmt='%-11s %-10s %7s %-36s %-7s %-8s %13s %13s %-9s %-13s\n'
anchors=$tmp/anchors.txt own=$tmp/own.txt; : > "$anchors"; : > "$own"
for mech in $mechs; do
  for mode in $modes; do
    read -r cmech who follows timed < <(row "$mech" "$mode") || continue
    rowsizes=$sizes; case $mech in eventfd|signal|rpc) rowsizes=16 ;; esac
    builds="O2"; [ "$who" = own ] || builds="$who O2"
    for size in $rowsizes; do
      case $mech in sysv-msg|posix-mq) [ "$size" -gt 8192 ] && continue ;; unix-dgram) [ "$size" -gt 65536 ] && continue ;; esac
      if [ "$mode" = throughput ]; then
        count=$(( (64 << 20) / size )); [ $count -gt 100000 ] && count=100000; [ $count -lt 200 ] && count=200
      else
        count=$(( size <= 4096 ? 10000 : (32 << 20) / size )); [ $count -lt 100 ] && count=100
      fi
      for build in $builds; do
        ours=() theirs=() ratios=()
        run_ours() { $ipclab bench --only "$mech" --mode "$mode" --sizes "$size" --count "$count" "${pin[@]}" --ring-bytes "$RING_BYTES" --csv \
          | column "$([ "$mode" = latency ] && echo latency_ns_mean || echo msgs_per_s)"; }
        run_theirs() { "$tmp/anchors-$build" "$cmech" "$([ "$mode" = latency ] && echo lat || echo thr)" "$size" "$count" "$pa" "$pb" | awk '{ print $2 }'; }
        for p in $(seq "$pairs"); do
          if [ $((p % 2)) = 1 ]; then o=$(run_ours); t=$(run_theirs); else t=$(run_theirs); o=$(run_ours); fi
          ours+=("$o") theirs+=("$t") ratios+=("$(ratio "$o" "$t" "$mode")")
        done
        mo=$(echo "${ours[*]}" | median) mt=$(echo "${theirs[*]}" | median)
        r=$(echo "${ratios[*]}" | median)
        lo=$(echo "${ratios[*]}" | tr ' ' '\n' | sort -g | head -1) hi=$(echo "${ratios[*]}" | tr ' ' '\n' | sort -g | tail -1)
        mark=$(awk -v lo="$lo" -v hi="$hi" 'BEGIN { print (lo < 1 && hi > 1) ? "~" : "" }')
        unit=msg/s; [ "$mode" = latency ] && unit=ns
        flags=$([ "$build" = O2 ] && echo "-O2" || echo "own")
        star=""; [ "$who" = rigtorp ] && [ "$size" -ge 65536 ] && star="*"
        line=$(printf "$fmt" "$mech" "$mode" "$size" "$who $follows$star" "$flags" "$timed" "$mo $unit" "$mt $unit" "$(printf %.2f "$r")$mark" "[$lo-$hi]")
        if [ "$who" = own ]; then echo "$line" >> "$own"; else echo "$line" >> "$anchors"; fi
        echo "$line" >&2
      done
    done
  done
done
printf "\nAgainst the anchors (C side: a reproduction of the file named, with the anchor's flags and with -O2)\n"
printf "$fmt" mechanism mode size follows flags timed ipclab anchor ratio per-pair
cat "$anchors"
printf "\nipclab's own methods in C (no anchor has a program for these: the languages compared)\n"
printf "$fmt" mechanism mode size method flags timed ipclab "own C" ratio per-pair
cat "$own"
cat <<'LEGEND'

ratio > 1: ipclab faster (median of the per-pair ratios; ~: the pairs fall on both sides of 1).
timed, the C side: S-total = one clock around the whole ping-pong loop, total / (2 x count),
  no warm-up (rigtorp); S-cold = the sender's clock from its first write to its last, no
  warm-up, no wait for the receiver (rigtorp *_thr.c, detailyang); RT-mean = each round trip
  timed alone, the mean, halved (goldsborough).
*: at this size rigtorp's own program fails in some runs or all ("read: Success", or a hang):
  it takes a short read() as an error (src/pipe_thr.c:82, unix_thr.c, *_lat.c); the
  reproduction reads on. Its buffers come from malloc(SIZE), which from 128 KiB up starts
  16 bytes past a cache line; ipclab's start on one (copies are faster so on this machine).
ipclab: a warm-up discarded; latency = each round trip timed, the mean, halved; throughput
  = the receiver's clock from the first message to the last.
LEGEND
