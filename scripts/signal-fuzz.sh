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
out=$(IPCLAB_SIGNAL_TRIALS=$trials IPCLAB_SIGNAL_SEED=$seed cargo test --quiet --test faults -- random: 2>&1)
status=$?
printf '%s\n' "$out" | grep -E '^---- |FAILED|process|left' | head -100
passed=$(printf '%s\n' "$out" | grep -cE '^test random: .* ok$')
failed=$(printf '%s\n' "$out" | grep -cE '^test random: .* FAILED$')
echo "signal fuzz: seed $seed: $passed passed, $failed failed of $trials"
exit $status
