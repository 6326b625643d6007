#!/usr/bin/env bash
# ipclab bench beside plain C loops (scripts/bench_c.c) in the same run: same mechanisms,
# sizes, counts and pinning; prints each figure and the ratio ipclab / C.
#   scripts/bench-vs-c.sh [CPU_PARENT CPU_CHILD]     (default 0 1; -1 -1 for unpinned)
set -euo pipefail
cd "$(dirname "$0")/.."
pa=${1:-0} pb=${2:-1}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/bench_c" scripts/bench_c.c -lrt
cargo build --release --quiet
ipclab=target/release/ipclab
pin=(); [ "$pa" -ge 0 ] && pin=(--pin "$pa,$pb")
printf '%-12s %-10s %6s %14s %14s %7s\n' mechanism mode size ipclab C ratio
for mech in pipe fifo unix-stream unix-dgram tcp sysv-msg posix-mq sysv-shm posix-shm mmap-file eventfd signal; do
  sizes="64 4096 65536 1048576"
  case $mech in eventfd|signal) sizes=16 ;; esac
  for size in $sizes; do
    case $mech in sysv-msg|posix-mq) [ "$size" -gt 8192 ] && continue ;; unix-dgram) [ "$size" -gt 65536 ] && continue ;; esac
    for mode in throughput latency; do
      case $mech in eventfd|signal) [ "$mode" = throughput ] && continue ;; esac
      if [ "$mode" = throughput ]; then count=$(( (256 << 20) / size )); [ $count -gt 200000 ] && count=200000; [ $count -lt 200 ] && count=200
      else count=$(( size <= 4096 ? 20000 : (64 << 20) / size )); [ $count -lt 100 ] && count=100; fi
      ours=$($ipclab bench --only "$mech" --mode "$mode" --sizes "$size" --count "$count" "${pin[@]}" --csv | tail -1)
      if [ "$mode" = throughput ]; then r=$(echo "$ours" | cut -d, -f5); else r=$(echo "$ours" | cut -d, -f7); fi
      c=$("$tmp/bench_c" "$mech" "$mode" "$size" "$count" "$pa" "$pb")
      unit=msg/s; [ "$mode" = latency ] && unit=ns
      ratio=$(awk -v a="$r" -v b="$c" -v m="$mode" 'BEGIN { if (m == "latency") printf "%.2f", b / a; else printf "%.2f", a / b }')
      printf '%-12s %-10s %6s %14s %14s %7s\n' "$mech" "$mode" "$size" "$r $unit" "$c $unit" "$ratio"
    done
  done
done
echo "(ratio > 1: ipclab faster; throughput msg/s, latency one-way median ns)"
