#!/bin/sh
# run-unit.sh - run each cmocka test binary and print a closing
# "unit: N passed, N failed" line counting individual tests.
# With CW_COUNTS=FILE, also appends "passed failed" to FILE for the summary.
set -u
passed=0; failed=0; broken=""
log=$(mktemp)
for t in "$@"; do
    # a hung binary (a deadlock, a server that never answers) fails instead of stalling CI
    CW_TEST_DATA="$(pwd)/tests/data" timeout 600 "$t" >"$log" 2>&1
    rc=$?
    cat "$log"
    run=$(sed -n 's/^\[==========\] \([0-9]*\) test(s) run\./\1/p' "$log" | tail -n 1)
    ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log" | tail -n 1)
    run=${run:-0}; ok=${ok:-0}
    passed=$((passed + ok))
    failed=$((failed + run - ok))
    if [ "$rc" -ne 0 ] || [ "$run" -eq 0 ]; then
        broken="$broken $(basename "$t")"
        [ "$run" -eq "$ok" ] && failed=$((failed + 1))   # crashed outside a test
    fi
done
rm -f "$log"
[ -n "$broken" ] && echo "failing programs:$broken"
[ -n "${CW_COUNTS:-}" ] && echo "$passed $failed" >>"$CW_COUNTS"
echo "unit: $passed passed, $failed failed"
[ -z "$broken" ]
