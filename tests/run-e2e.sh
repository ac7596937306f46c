#!/bin/sh
# run-e2e.sh - end-to-end tests: the real binary on hand-made and demo data,
# then live extraction against the local replay server, the hostile corpus,
# then the kill test (SIGKILL at 20+ points of a run, tests/e2e/test_kill.py).
# Needs CW_BIN (the catwalk binary) and CW_FIXTURES; each suite prints "N passed, N failed".
set -u
dir=$(dirname "$0")
status=0
/usr/bin/python3 "$dir/e2e/test_e2e.py" || status=1
/usr/bin/python3 "$dir/e2e/test_load_order.py" || status=1
/usr/bin/python3 "$dir/e2e/test_live.py" || status=1
/usr/bin/python3 "$dir/e2e/test_hostile.py" || status=1
/usr/bin/python3 "$dir/e2e/test_landing.py" || status=1
/usr/bin/python3 "$dir/e2e/test_kill.py" || status=1
exit $status
