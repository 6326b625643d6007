#!/usr/bin/env bash
# scripts/test-under-load.sh [N]: the whole suite N times in a row (10 unless given) while a
# busy loop runs on every CPU, as on a shared lab server or a loaded CI runner.
#
# The loops run at the script's own nice value, the same as the suite's; they start after
# the build, so what is loaded is the suite and not the compiler. Each run's log is kept in
# target/test-under-load/run-K.log. It prints each run's result and wall time, the tests that
# failed by name, the tests that said they skipped, and ends with `N passed, F failed`
# (exit 0 only when every run passed). Run it as root and as an ordinary user: the suite
# must pass as both.
set -u
cd "$(dirname "$0")/.."

runs=${1:-10}
case $runs in
    '' | *[!0-9]*) echo "usage: scripts/test-under-load.sh [N]   (N: how many runs, 10 unless given)" >&2; exit 2 ;;
esac
cpus=$(nproc)
logs=target/test-under-load
mkdir -p "$logs"

echo "test-under-load: $runs runs of the suite as $(id -un) (uid $(id -u)) on $cpus CPUs, a busy loop on each"
if ! cargo test --locked --no-run >"$logs/build.log" 2>&1; then
    echo "test-under-load: the build failed (see $logs/build.log)" >&2
    exit 1
fi

hogs=()
stop_hogs() {
    [ "${#hogs[@]}" -gt 0 ] && kill "${hogs[@]}" 2>/dev/null
    wait 2>/dev/null
}
trap stop_hogs EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for _ in $(seq "$cpus"); do
    (while :; do :; done) &
    hogs+=($!)
done

passed=0 failed=0
for k in $(seq "$runs"); do
    log="$logs/run-$k.log"
    start=$(date +%s)
    cargo test --locked --no-fail-fast >"$log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    took="$((secs / 60))m $((secs % 60))s"
    summary=$(grep -E '^test result:' "$log" | awk '{p += $4; f += $6} END {printf "%d passed, %d failed", p, f}')
    if [ "$rc" = 0 ]; then
        passed=$((passed + 1))
        echo "run $k/$runs: passed in $took ($summary)"
    else
        failed=$((failed + 1))
        echo "run $k/$runs: FAILED in $took (exit $rc; $summary; log $log)"
        grep -E '^test .* \.\.\. FAILED$' "$log" | sed -E 's/^test (.*[^ ]) +\.\.\. FAILED$/    failed: \1/' | sort -u
    fi
done

skips=$(grep -h '^skipped: ' "$logs"/run-*.log 2>/dev/null | sort -u)
if [ -n "$skips" ]; then
    echo "tests that said they skipped (in any run):"
    echo "$skips" | sed 's/^/    /'
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
