#!/bin/sh
# run-e2e.sh - end-to-end tests: the real binary on hand-made and demo data.
# Needs CW_BIN (the catwalk binary) and CW_FIXTURES; prints "N passed, N failed".
set -u
exec /usr/bin/python3 "$(dirname "$0")/e2e/test_e2e.py" "$@"
