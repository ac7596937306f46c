#!/bin/sh
# run-e2e.sh - end-to-end tests: the real binary on hand-made and demo data,
# then live extraction against the local replay server, the hostile corpus
# (on SQLite, then on PostgreSQL),
# then the same runs with --jobs 1, 2 and 4 (tests/e2e/test_jobs.py),
# then epics and themes on both engines (tests/e2e/test_hierarchy.py),
# then the kill test (SIGKILL at 20+ points of a run, tests/e2e/test_kill.py),
# then the same datasets on SQLite and PostgreSQL (tests/e2e/test_engines.py),
# then nights one after another against one full load on both engines
# (tests/e2e/test_incremental.py), then the data-quality findings and the
# audit evidence on both engines (tests/e2e/test_quality.py), and release
# scope on both engines (tests/e2e/test_releases.py), running it as a
# service: install, man pages, units, -q/-v, journald (tests/e2e/test_operations.py),
# the weekly mail through a local SMTP sink (tests/e2e/test_mail.py), and the
# window summary and the report's headline on both engines (tests/e2e/test_headline.py).
# Needs CW_BIN (the catwalk binary), CW_FIXTURES and CW_PG_URI (a throwaway
# PostgreSQL: the engines test fails without one); each suite prints "N passed, N failed".
set -u
dir=$(dirname "$0")
status=0
/usr/bin/python3 "$dir/e2e/test_e2e.py" || status=1
/usr/bin/python3 "$dir/e2e/test_load_order.py" || status=1
/usr/bin/python3 "$dir/e2e/test_jobs.py" || status=1
/usr/bin/python3 "$dir/e2e/test_live.py" || status=1
/usr/bin/python3 "$dir/e2e/test_hostile.py" || status=1
# the hostile corpus again on PostgreSQL (the server make e2e started)
CW_HOSTILE_PG_URI=${CW_PG_URI:-postgresql://not-started/} /usr/bin/python3 "$dir/e2e/test_hostile.py" || status=1
/usr/bin/python3 "$dir/e2e/test_landing.py" || status=1
/usr/bin/python3 "$dir/e2e/test_commands.py" || status=1
/usr/bin/python3 "$dir/e2e/test_pr_stages.py" || status=1
/usr/bin/python3 "$dir/e2e/test_hierarchy.py" || status=1
/usr/bin/python3 "$dir/e2e/test_kill.py" || status=1
/usr/bin/python3 "$dir/e2e/test_engines.py" || status=1
# the report definition (templates/), its read-only SQL on both engines, workbook craft
/usr/bin/python3 "$dir/e2e/test_definition.py" || status=1
/usr/bin/python3 "$dir/e2e/test_charts.py" || status=1
/usr/bin/python3 "$dir/e2e/test_sources.py" || status=1
/usr/bin/python3 "$dir/e2e/test_incremental.py" || status=1
/usr/bin/python3 "$dir/e2e/test_rerun.py" || status=1
/usr/bin/python3 "$dir/e2e/test_quality.py" || status=1
/usr/bin/python3 "$dir/e2e/test_releases.py" || status=1
/usr/bin/python3 "$dir/e2e/test_headline.py" || status=1
/usr/bin/python3 "$dir/e2e/test_flow.py" || status=1
/usr/bin/python3 "$dir/e2e/test_operations.py" || status=1
/usr/bin/python3 "$dir/e2e/test_mail.py" || status=1
/usr/bin/python3 "$dir/e2e/test_templates.py" || status=1
/usr/bin/python3 "$dir/e2e/test_exceptions.py" || status=1
/usr/bin/python3 "$dir/e2e/test_forecast.py" || status=1
exit $status
