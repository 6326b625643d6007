#!/usr/bin/env bash
# Run ipclab's fault-injection matrix (every demo and controller, at each blocking point,
# under SIGINT/SIGTERM/SIGHUP, SIGKILL of each child, SIGKILL then `ipclab clean`, EOF, a
# closed stdout and a full /dev/shm) and the strace delay_exit cases; one line per trial.
# Any argument is a filter: scripts/fault-matrix.sh 'msg-server'
set -uo pipefail
cd "$(dirname "$0")/.."
filter=${1:-}
cargo test --quiet --test faults -- ${filter:+"$filter"} 2>&1 | grep -E '^test (matrix|inject)|^test result|^---- |FAILED|left|exit'
