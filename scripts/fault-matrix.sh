#!/usr/bin/env bash
# Run ipclab's fault-injection matrix and print its table: every demo and controller, at each
# blocking point, under SIGINT/SIGTERM/SIGHUP, SIGKILL of each child, SIGKILL then
# `ipclab clean`, EOF, a closed stdout and a full /dev/shm. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(cargo test --quiet --test cli fault_matrix -- --nocapture 2>&1)
status=$?
printf '%s\n' "$out" | sed -n '/^FAULT-TABLE$/,/^END-FAULT-TABLE$/p' | sed '1d;$d'
if ! printf '%s\n' "$out" | grep -q '^FAULT-TABLE$'; then
    printf '%s\n' "$out" | tail -30
fi
exit $status
