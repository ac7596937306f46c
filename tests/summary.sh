#!/bin/sh
# summary.sh - add up the counts files of every suite run by `make test` and
# print the closing "tests: N passed, N failed" line.
set -u
passed=0; failed=0
for f in "$@"; do
    [ -f "$f" ] || continue
    while read -r p fl; do passed=$((passed + p)); failed=$((failed + fl)); done <"$f"
done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
