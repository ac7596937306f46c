#!/usr/bin/python3
"""The number of threads changes nothing but the time (run by `make e2e`).

`catwalk run --jobs N` parses files on N - 1 threads while the main thread
lands and loads them (pipeline/parallel.h), replaying each file's records in
the order a single thread would have read them.  So every table of the
warehouse, ids included, and every message (rejects, warnings) must be the
same for any N.  Two datasets, each loaded with --jobs 1, 2 and 4:

  - the hand-made e2e dataset plus sources that reject and warn: a Jira
    page cut off in the middle (a file-level reject), a Jira page and a git
    log that are not UTF-8 (warnings and text_not_utf8 findings), a
    symbolic link that is not followed (a reject that never reaches a
    parser) right after a long page with rejects of its own, and a source
    whose path matches no file;
  - a small generated demo (74 sources, 208 files read).

A run is compared whole: every row of every table with every column
(`batch` start and end times, `source_run` elapsed seconds, the files'
modification times (each run reads its own copy) and the landing folder's
name, which holds the time and pid, aside), ordered by all its
columns, and stderr (in order, but for what the landing says as it goes).  Then the ways to say N: `[catwalk] jobs`,
and what is refused.

Stdlib only; prints "jobs: N passed, N failed".
"""
import json
import os
import re
import shutil
import sqlite3
import unittest

from suite import BIN, REPO, copy_dataset, run, run_suite, temp_dir

HOSTILE = os.path.join(REPO, "tests", "hostile")
VOLATILE = {"batch": {"started_at", "finished_at"}, "source_run": {"elapsed_s", "waited_s"},
            "landed_file": {"mtime_ns"}}  # each run reads its own copy of the files
# a landing folder is named after the time and pid of its run
BATCH_FOLDER = re.compile(r"\d{8}T\d{6}Z-\d+")

EXTRA_SOURCES = """
[source jira-hostile]
type = jira
path = exports/jira-hostile

[source git-legacy]
type = git
path = exports/git-legacy/commits.log
repository = legacy-service

[source pagerduty-links]
type = pagerduty
path = exports/pagerduty-links

[source nothing]
type = pagerduty
path = exports/nothing/*.json
"""


def big_page(path):
    """A PagerDuty page long enough to be still in a parser's hands when the
    landing reaches the next file: 40000 incidents, every 1000th with an
    impossible creation time (a reject)."""
    incidents = []
    for i in range(40000):
        created = "2026-13-45T00:00:00Z" if i % 1000 == 999 else "2026-03-%02dT10:00:00Z" % (1 + i % 28)
        incidents.append({"id": "Q%d" % i, "type": "incident", "incident_number": 1000 + i,
                          "title": "Incident %d" % i, "status": "resolved", "urgency": "low",
                          "created_at": created, "updated_at": created, "resolved_at": created,
                          "service": {"id": "PSVC9", "type": "service_reference",
                                      "summary": "Batch Jobs"}})
    with open(path, "w") as f:
        json.dump({"incidents": incidents, "limit": 40000, "offset": 0, "more": False}, f)


def hostile_dataset():
    """tests/data/e2e with the sources of EXTRA_SOURCES beside its own."""
    d = copy_dataset("cw-jobs-")
    ex = os.path.join(d, "exports")
    os.makedirs(os.path.join(ex, "jira-hostile"))
    shutil.copy(os.path.join(HOSTILE, "jira-truncated-json", "page.json"),
                os.path.join(ex, "jira-hostile", "a-truncated.json"))
    shutil.copy(os.path.join(HOSTILE, "jira-invalid-utf8", "page.json"),
                os.path.join(ex, "jira-hostile", "b-invalid-utf8.json"))
    os.makedirs(os.path.join(ex, "git-legacy"))
    shutil.copy(os.path.join(HOSTILE, "git-latin1-author", "commits.log"),
                os.path.join(ex, "git-legacy", "commits.log"))
    links = os.path.join(ex, "pagerduty-links")
    os.makedirs(links)
    big_page(os.path.join(links, "a-big.json"))
    os.symlink("/etc/passwd", os.path.join(links, "b-passwd.json"))
    pd = os.path.join(ex, "pagerduty")
    for name in sorted(os.listdir(pd)):
        shutil.copy(os.path.join(pd, name), os.path.join(links, "c-" + name))
    with open(os.path.join(d, "catwalk.ini"), "a") as f:
        f.write(EXTRA_SOURCES)
    return d


DEMO = []


def demo_dataset():
    """A small generated demo, generated once and copied for each run."""
    if not DEMO:
        d = os.path.join(temp_dir("cw-jobs-demo-"), "demo")
        run("demo", d, "--scale", "1", "--seed", "7", "--end", "2026-11-30")
        DEMO.append(d)
    copy = os.path.join(temp_dir("cw-jobs-demo-"), "d")
    shutil.copytree(DEMO[0], copy)
    return copy


def dump(db_path, root):
    """Every table, every row, every column but the volatile ones, in order."""
    con = sqlite3.connect(db_path)
    out = {}
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    for name in tables:
        cols = [r[1] for r in con.execute('PRAGMA table_info("%s")' % name)
                if r[1] not in VOLATILE.get(name, ())]
        order = ", ".join('"%s"' % c for c in cols)
        out[name] = [tuple(mask(v, root) for v in row) for row in
                     con.execute('SELECT %s FROM "%s" ORDER BY %s' % (order, name, order))]
    con.close()
    return out


def mask(value, root):
    if isinstance(value, str):
        return BATCH_FOLDER.sub("BATCH", value.replace(root, "ROOT"))
    return value


def replayed(stderr):
    """The messages of stderr in the order of the files: all but what the
    landing says as it goes (a path that matches no file), which may come
    before the messages of the files parsed before it."""
    return [line for line in stderr.splitlines() if "matches no file" not in line]


class Jobs(unittest.TestCase):
    def load(self, make, jobs, expect_status):
        d = make()
        proc = run("run", "-c", os.path.join(d, "catwalk.ini"), "--no-report", "--jobs", str(jobs),
                   check=False)
        self.assertEqual(proc.returncode, expect_status, proc.stderr)
        return dump(os.path.join(d, "catwalk.db"), d), mask(proc.stderr, d), mask(proc.stdout, d)

    def check_same(self, make, expect_status):
        one = self.load(make, 1, expect_status)
        self.assertTrue(sum(len(rows) for rows in one[0].values()) > 0)
        for jobs in (2, 4):
            other = self.load(make, jobs, expect_status)
            for table in one[0]:
                self.assertEqual(other[0][table], one[0][table],
                                 "table %s differs with --jobs %d" % (table, jobs))
            self.assertEqual(sorted(other[0]), sorted(one[0]))
            self.assertEqual(replayed(other[1]), replayed(one[1]),
                             "stderr differs with --jobs %d" % jobs)
            self.assertEqual(sorted(other[1].splitlines()), sorted(one[1].splitlines()))
            self.assertEqual(other[2], one[2], "stdout differs with --jobs %d" % jobs)
        return one

    def test_hostile_sources_same_for_any_jobs(self):
        tables, stderr, _ = self.check_same(hostile_dataset, 3)
        # the dataset does what it is here for: rejects of three kinds,
        # repaired text with its warnings and findings, a failed source
        rejects = [(r[3], r[5]) for r in tables["reject"]]  # file, field
        self.assertTrue(any(f and f.endswith("a-truncated.json") for f, _ in rejects), rejects)
        self.assertTrue(any(f and f.endswith("b-passwd.json") and field == "path"
                            for f, field in rejects), rejects)
        self.assertEqual(sum(1 for f, _ in rejects if f.endswith("a-big.json")), 40)
        self.assertIn("text_not_utf8", [r[0] for r in tables["finding"]])
        self.assertRegex(stderr, r"commits\.log: record \d+: .* is not valid UTF-8")
        self.assertIn("sources failed: nothing", stderr)

    def test_demo_same_for_any_jobs(self):
        tables, _, stdout = self.check_same(demo_dataset, 0)
        self.assertGreater(len(tables["landed_file"]), 100)
        self.assertRegex(stdout, r"batch 1: \d+ records read")

    def test_warehouse_failure_stops_the_workers(self):
        """A write the warehouse fails in the middle of a file being
        replayed: the batch rolls back and the run ends (no thread left
        waiting), leaving the warehouse as it was."""
        d = hostile_dataset()
        links = os.path.join(d, "exports", "pagerduty-links")
        os.rename(os.path.join(links, "a-big.json"), os.path.join(d, "a-big.json"))
        run("run", "-c", os.path.join(d, "catwalk.ini"), "--no-report", "-q", check=False)
        db = os.path.join(d, "catwalk.db")
        before = dump(db, d)
        os.rename(os.path.join(d, "a-big.json"), os.path.join(links, "a-big.json"))
        con = sqlite3.connect(db)
        # abs() of the smallest integer is a runtime error, not a refused value
        con.execute("CREATE TRIGGER boom BEFORE INSERT ON fact_incident "
                    "WHEN NEW.external_id = 'Q30000' BEGIN SELECT abs(-9223372036854775807 - 1); END")
        con.commit()
        con.close()
        for jobs in (1, 2, 4):
            proc = run("run", "-c", os.path.join(d, "catwalk.ini"), "--no-report", "--jobs", str(jobs),
                       check=False)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertIn("batch rolled back", proc.stderr)
            self.assertIn("integer overflow", proc.stderr)
            self.assertEqual(dump(db, d), before, "--jobs %d" % jobs)

    def test_jobs_from_the_configuration(self):
        d = copy_dataset("cw-jobs-ini-")
        ini = os.path.join(d, "catwalk.ini")
        with open(ini) as f:
            text = f.read()
        with open(ini, "w") as f:
            f.write(text.replace("[catwalk]\n", "[catwalk]\njobs = 3\n", 1))
        run("run", "-c", ini, "--no-report", "-q")
        self.assertEqual(dump(os.path.join(d, "catwalk.db"), d)["fact_commit"],
                         dump_of_plain_run()["fact_commit"])

    def test_refused(self):
        d = copy_dataset("cw-jobs-bad-")
        ini = os.path.join(d, "catwalk.ini")
        for value in ("0", "-1", "1.5", "x", "257", ""):
            proc = run("run", "-c", ini, "--jobs", value, check=False)
            self.assertEqual(proc.returncode, 2, value)
            self.assertIn("--jobs: expected a whole number of threads from 1 to 256", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(d, "catwalk.db")))
        with open(ini) as f:
            text = f.read()
        for value in ("0", "many"):
            with open(ini, "w") as f:
                f.write(text.replace("[catwalk]\n", "[catwalk]\njobs = %s\n" % value, 1))
            proc = run("run", "-c", ini, check=False)
            self.assertEqual(proc.returncode, 2, value)
            self.assertRegex(proc.stderr, r"catwalk\.ini:\d+: jobs: expected a whole number of "
                             r"threads from 1 to 256, got '%s'" % value)
        with open(ini, "w") as f:
            f.write(text.replace("[catwalk]\n", "[catwalk]\njobs = 2\njobs = 2\n", 1))
        proc = run("run", "-c", ini, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("jobs: given twice in [catwalk]", proc.stderr)

    def test_help_documents_jobs(self):
        out = run("run", "--help").stdout
        self.assertIn("--jobs N", out)
        self.assertIn("processors online", out)


PLAIN = []


def dump_of_plain_run():
    if not PLAIN:
        d = copy_dataset("cw-jobs-plain-")
        run("run", "-c", os.path.join(d, "catwalk.ini"), "--no-report", "-q", "--jobs", "1")
        PLAIN.append(dump(os.path.join(d, "catwalk.db"), d))
    return PLAIN[0]


if __name__ == "__main__":
    run_suite("jobs")
