#!/usr/bin/env bash
# Signals at random moments, many times: each trial runs a demo (a pair runs both sides),
# sends SIGINT, SIGTERM or SIGHUP to the group, the leader or a child after a random delay,
# and checks the exit status, that every process ended, and that nothing is left.
#
#   scripts/signal-fuzz.sh [TRIALS] [SEED]     (default 2000 trials, a random seed)
#
# The seed is printed; the same seed replays the same trials. Prints the failures and a count.
set -uo pipefail
cd "$(dirname "$0")/.."
trials=${1:-2000}
seed=${2:-$(( (RANDOM << 15 | RANDOM) % 1000000 + 1 ))}
echo "signal fuzz: $trials trials, seed $seed (replay: scripts/signal-fuzz.sh $trials $seed)"
cargo build --quiet --tests
# A shell without job control starts background commands with SIGINT ignored, and an
# ignored disposition survives exec (ipclab keeps it, as Unix programs do): the trials
# need SIGINT and SIGHUP at their defaults, whoever started this script.
out=$(IPCLAB_SIGNAL_TRIALS=$trials IPCLAB_SIGNAL_SEED=$seed env --default-signal=INT,HUP cargo test --quiet --test faults -- random: 2>&1)
status=$?
log=target/signal-fuzz-$seed.log
printf '%s\n' "$out" > "$log"
# Each failure in full (what the trial hit, the status, where a stuck process was).
printf '%s\n' "$out" | sed -n '/^---- /,/^failures:$/p' | sed '$d' | head -200
passed=$(printf '%s\n' "$out" | grep -cE '^test random: .* ok$')
failed=$(printf '%s\n' "$out" | grep -cE '^test random: .* FAILED$')
echo "signal fuzz: seed $seed: $passed passed, $failed failed of $trials (full output: $log)"
exit $status
