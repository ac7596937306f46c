"""suite.py - how every end-to-end suite ends: run the tests, remove the
temporary folders, print the closing "LABEL: N passed, N failed" line that CI
reads, and add the counts to $CW_COUNTS for the summary of `make test`.

A skipped test counts as neither passed nor failed, and the line says how
many were skipped, so a skip can never pass for a test that ran.
"""
import os
import shutil
import sys
import unittest


def run_suite(label, temp_dirs=()):
    result = unittest.main(exit=False, verbosity=1).result
    for tmp in temp_dirs:
        shutil.rmtree(tmp, ignore_errors=True)
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    passed = max(0, result.testsRun - failed - skipped)
    print("%s: %d passed, %d failed%s" % (label, passed, failed,
                                          " (%d skipped)" % skipped if skipped else ""))
    if os.environ.get("CW_COUNTS"):
        with open(os.environ["CW_COUNTS"], "a") as f:
            f.write("%d %d\n" % (passed, failed))
    sys.exit(1 if failed else 0)
