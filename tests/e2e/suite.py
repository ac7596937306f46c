"""suite.py - what every end-to-end suite shares: where the binary and the
e2e dataset are, running catwalk, temporary copies of the dataset, a run
killed while it loads, and how a suite ends: run the tests, remove the
temporary folders, print the closing "LABEL: N passed, N failed" line that CI
reads, and add the counts to $CW_COUNTS for the summary of `make test`.

A skipped test counts as neither passed nor failed, and the line says how
many were skipped, so a skip can never pass for a test that ran.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(REPO, "tests", "data", "e2e")
BIN = os.environ.get("CW_BIN", os.path.join(REPO, "catwalk"))
TEMP_DIRS = []


def run(*args, check=True, binary=None, **kw):
    """catwalk ARGS (or another binary), its output captured; with check, an
    exit status other than 0 fails the test, showing both outputs."""
    proc = subprocess.run([binary or BIN, *args], capture_output=True, text=True, timeout=600, **kw)
    if check and proc.returncode != 0:
        raise AssertionError("catwalk %s exited %d\nstdout:%s\nstderr:%s"
                             % (" ".join(args), proc.returncode, proc.stdout, proc.stderr))
    return proc


def temp_dir(prefix):
    """A temporary folder, removed when the suite ends."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    TEMP_DIRS.append(tmp)
    return tmp


def copy_dataset(prefix="cw-e2e-"):
    """A copy of tests/data/e2e/ to change and run on; returns its folder."""
    d = os.path.join(temp_dir(prefix), "d")
    shutil.copytree(DATA, d)
    return d


def kill_while_loading(test, d, config):
    """Append a large new git export to the dataset in d and kill `catwalk
    run` while it loads it; returns the export's previous bytes."""
    big = os.path.join(d, "exports", "git", "payments-service.log")
    with open(big, "rb") as f:
        original = f.read()
    with open(big, "a") as f:
        for i in range(400000):
            sha = "%040x" % (i + 1 << 20)
            f.write("\x1e%s\x1f\x1fA\x1fa@x\x1f2026-03-01T00:00:00Z\x1fA\x1fa@x\x1f2026-03-01T00:00:00Z"
                    "\x1fs %d\x1f\x1f\n" % (sha, i))
    # killed at the 200,000th record, half-way through the new export: a
    # point, not a time, so a fast machine cannot finish the run first
    proc = subprocess.Popen([BIN, "run", "-c", config, "--no-report"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            env=dict(os.environ, CW_KILL_AT="records:200000"))
    proc.wait(timeout=600)
    test.assertEqual(proc.returncode, -9, "the run finished before it could be killed")
    return original


def run_suite(label, temp_dirs=TEMP_DIRS):
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
