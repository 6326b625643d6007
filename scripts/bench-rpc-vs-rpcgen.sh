#!/usr/bin/env bash
# The rpc bench row beside rpcgen's own stack: `ipclab bench --only rpc` (NULL calls between
# two ipclab processes) interleaved with COUNT NULL calls through libtirpc's clnt_call to the
# C server rpcgen makes from src/demos/rpc/date.x (found through rpcbind, which must run).
# Prints both medians of mean one-way ns and their ratio (> 1: ipclab faster).
#
#   scripts/bench-rpc-vs-rpcgen.sh [PAIRS] [COUNT]     (defaults: 5, 20000; pinned 0 and 1)
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-5} count=${2:-20000}
rpcinfo -p >/dev/null 2>&1 || { echo "rpcbind does not answer: start it (as root: rpcbind)" >&2; exit 1; }
tmp=$(mktemp -d)
cp src/demos/rpc/date.x tests/c/rpc_date_server.c "$tmp"/
(cd "$tmp" && rpcgen date.x && gcc -O2 -w -I/usr/include/tirpc -o srv rpc_date_server.c date_svc.c date_xdr.c -ltirpc)
gcc -O2 -Wall -I/usr/include/tirpc -o "$tmp/loop" scripts/rpc_null_loop.c -ltirpc
cargo build --release --quiet
taskset -c 1 "$tmp/srv" & srv=$!
trap 'kill $srv 2>/dev/null; rpcinfo -d 536895507 1 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do rpcinfo -p | grep -q 536895507 && break; sleep 0.1; done
ours=() theirs=()
for p in $(seq "$pairs"); do
  o() { target/release/ipclab bench --only rpc --count "$count" --pin 0,1 --csv | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "latency_ns_mean") c = i } NR > 1 { print $c }'; }
  t() { taskset -c 0 "$tmp/loop" 127.0.0.1 "$count" | awk '{ print $2 }'; }
  if [ $((p % 2)) = 1 ]; then ours+=("$(o)"); theirs+=("$(t)"); else theirs+=("$(t)"); ours+=("$(o)"); fi
done
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mo=$(echo "${ours[*]}" | median) mt=$(echo "${theirs[*]}" | median)
printf 'rpc NULL call, mean one-way: ipclab %s ns, rpcgen/libtirpc %s ns, ratio %s (pairs: ipclab %s; rpcgen %s)\n' \
  "$mo" "$mt" "$(awk -v o="$mo" -v t="$mt" 'BEGIN { printf "%.2f", t / o }')" "${ours[*]}" "${theirs[*]}"
