#!/bin/sh
# run-unit.sh - run each cmocka test binary; print a closing "N passed, N failed" line.
set -u
passed=0; failed=0; failed_names=""
for t in "$@"; do
    if CW_TEST_DATA="$(pwd)/tests/data" "$t"; then passed=$((passed + 1)); else
        failed=$((failed + 1)); failed_names="$failed_names $(basename "$t")"; fi
done
echo "unit test programs: $passed passed, $failed failed${failed_names:+ ($failed_names )}"
[ "$failed" -eq 0 ]
