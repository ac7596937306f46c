#!/usr/bin/python3
"""End-to-end tests of the landing zone and the files catwalk writes (run by
`make e2e`): symbolic links, owner-only modes, unreadable and empty sources,
atomic reports, the folder of a killed run, and the batch row of a failed
report.

Expected values are worked out by hand from tests/data/e2e/ (see
test_e2e.py for the dataset): its PagerDuty export holds 4 incidents and its
Jira page 8 issues.  Prints a closing "N passed, N failed" line.
"""
import os
import resource
import shutil
import signal
import sqlite3
import stat
import unittest

from suite import BIN, copy_dataset, kill_while_loading, run, run_suite

SECRET = "root:$6$SECRETSALT$c2VjcmV0:19000:0:99999:7:::\n"
NOBODY = 65534


def query(d, sql, *args):
    con = sqlite3.connect(os.path.join(d, "catwalk.db"))
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def every_path(root):
    for top, dirs, files in os.walk(root):
        for name in dirs:
            yield os.path.join(top, name), True
        for name in files:
            yield os.path.join(top, name), False


class Symlinks(unittest.TestCase):
    def setUp(self):
        self.dir = copy_dataset("cw-landing-")
        self.config = os.path.join(self.dir, "catwalk.ini")
        # a private file outside the exports, and a link to it among them
        self.secret = os.path.join(os.path.dirname(self.dir), "shadow")
        with open(self.secret, "w") as f:
            f.write(SECRET)
        os.chmod(self.secret, 0o600)
        os.symlink(self.secret, os.path.join(self.dir, "exports", "pagerduty", "s.json"))

    def assert_secret_nowhere(self, proc, landing=True):
        self.assertNotIn("SECRETSALT", proc.stdout + proc.stderr)
        for (text,) in query(self.dir, "SELECT coalesce(reason, '') || coalesce(raw, '') FROM reject"):
            self.assertNotIn("SECRETSALT", text)
            self.assertNotIn("root:", text)
        for path, is_dir in every_path(os.path.join(self.dir, "landing")) if landing else ():
            if not is_dir:
                with open(path, "rb") as f:
                    self.assertNotIn(b"SECRETSALT", f.read(), path)

    def test_symlink_is_rejected_and_the_others_load(self):
        proc = run("run", "-c", self.config, "--no-report", check=False)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("symbolic link", proc.stderr)
        rejects = query(self.dir, "SELECT source, file, record, field, reason, raw FROM reject")
        self.assertEqual(len(rejects), 1)
        source, file, record, field, reason, raw = rejects[0]
        self.assertEqual((source, record, field, raw), ("pagerduty", 0, "path", None))
        self.assertTrue(file.endswith("s.json"), file)
        self.assertIn("follow_symlinks", reason)
        self.assertEqual(query(self.dir, "SELECT count(*) FROM landed_file WHERE original_path LIKE '%/s.json'"),
                         [(0,)])
        # the 4 incidents of incidents.json still load
        self.assertEqual(query(self.dir, "SELECT count(*) FROM fact_incident i JOIN dim_source s"
                                         " ON s.source_id = i.source_id WHERE s.name = 'pagerduty'"), [(4,)])
        self.assert_secret_nowhere(proc)

    def test_configured_path_that_is_a_symlink_is_rejected(self):
        real = os.path.join(self.dir, "exports", "jira")
        moved = os.path.join(os.path.dirname(self.dir), "jira-real")
        shutil.move(real, moved)
        os.symlink(moved, real)
        proc = run("run", "-c", self.config, "--no-report", check=False)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertEqual(query(self.dir, "SELECT count(*) FROM reject WHERE source = 'jira' AND field = 'path'"),
                         [(1,)])
        self.assertEqual(query(self.dir, "SELECT count(*) FROM dim_work_item"), [(0,)])

    def test_follow_symlinks_reads_a_regular_file_only(self):
        os.unlink(os.path.join(self.dir, "exports", "pagerduty", "s.json"))
        pd = os.path.join(self.dir, "exports", "pagerduty")
        elsewhere = os.path.join(os.path.dirname(self.dir), "pd-elsewhere")
        os.mkdir(elsewhere)
        shutil.move(os.path.join(pd, "incidents.json"), os.path.join(elsewhere, "incidents.json"))
        os.symlink(os.path.join(elsewhere, "incidents.json"), os.path.join(pd, "a.json"))
        os.symlink(elsewhere, os.path.join(pd, "b.json"))          # a folder
        os.symlink(os.path.join(elsewhere, "gone"), os.path.join(pd, "c.json"))  # dangling
        with open(self.config) as f:
            text = f.read()
        text = text.replace("[source pagerduty]\n", "[source pagerduty]\nfollow_symlinks = true\n")
        with open(self.config, "w") as f:
            f.write(text)
        proc = run("run", "-c", self.config, "--no-report", check=False)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertEqual(query(self.dir, "SELECT count(*) FROM fact_incident i JOIN dim_source s"
                                         " ON s.source_id = i.source_id WHERE s.name = 'pagerduty'"), [(4,)])
        rejects = query(self.dir, "SELECT file, reason FROM reject ORDER BY file")
        self.assertEqual([os.path.basename(r[0]) for r in rejects], ["b.json", "c.json"])
        self.assertIn("not a regular file", rejects[0][1])
        self.assertIn("missing", rejects[1][1])

    def test_follow_symlinks_must_be_true_or_false(self):
        with open(self.config, "a") as f:
            f.write("\n[source more]\ntype = pagerduty\npath = exports/pagerduty\nfollow_symlinks = yes\n")
        proc = run("check", "-c", self.config, check=False)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertRegex(proc.stderr, r"catwalk\.ini:\d+: follow_symlinks")

    def test_not_json_is_rejected_without_its_bytes(self):
        # followed on purpose: the reject still never quotes the file
        with open(self.config) as f:
            text = f.read()
        with open(self.config, "w") as f:
            f.write(text.replace("[source pagerduty]\n", "[source pagerduty]\nfollow_symlinks = true\n"))
        proc = run("run", "-c", self.config, "--no-report", check=False)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        (reason, raw), = query(self.dir, "SELECT reason, raw FROM reject")
        self.assertRegex(reason, r"^not JSON: line 1, column \d+")
        self.assertIsNone(raw)
        self.assert_secret_nowhere(proc, landing=False)    # landed: the source asked for it


class Modes(unittest.TestCase):
    def test_landing_and_warehouse_are_owner_only(self):
        d = copy_dataset("cw-landing-")
        incidents = os.path.join(d, "exports", "pagerduty", "incidents.json")
        os.chmod(incidents, 0o600)
        old = os.umask(0o022)       # a permissive caller: catwalk sets its own
        try:
            run("run", "-c", os.path.join(d, "catwalk.ini"))
        finally:
            os.umask(old)
        landing = os.path.join(d, "landing")
        self.assertEqual(stat.S_IMODE(os.stat(landing).st_mode), 0o700)
        files = 0
        for path, is_dir in every_path(landing):
            mode = stat.S_IMODE(os.stat(path).st_mode)
            self.assertEqual(mode, 0o700 if is_dir else 0o400, path)
            files += not is_dir
        self.assertEqual(files, 6)      # the 6 exports of the dataset
        for name in os.listdir(d):
            if name.startswith("catwalk.db"):
                self.assertEqual(stat.S_IMODE(os.stat(os.path.join(d, name)).st_mode) & 0o077, 0, name)
        for name in os.listdir(os.path.join(d, "reports")):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(d, "reports", name)).st_mode) & 0o077, 0, name)


def as_nobody():
    os.setgid(NOBODY)
    os.setuid(NOBODY)


class Unreadable(unittest.TestCase):
    def test_unreadable_file_is_one_reject_and_the_rest_load(self):
        d = copy_dataset("cw-landing-")
        pd = os.path.join(d, "exports", "pagerduty")
        # sorts before incidents.json: today it stops the source there
        bad = os.path.join(pd, "a-private.json")
        with open(bad, "w") as f:
            f.write('{"incidents": []}')
        os.chmod(bad, 0)
        kw = {}
        if os.geteuid() == 0:
            # root reads any file: run as nobody, who owns everything but bad.
            # nobody runs a copy of the binary beside the data: the checkout
            # may sit in a folder only root can enter (a clone under mktemp -d).
            kw["binary"] = os.path.join(os.path.dirname(d), "catwalk")
            shutil.copy(BIN, kw["binary"])
            for path, _ in every_path(os.path.dirname(d)):
                os.lchown(path, NOBODY, NOBODY)
            os.lchown(os.path.dirname(d), NOBODY, NOBODY)
            os.chown(bad, 0, 0)
            kw["preexec_fn"] = as_nobody
        proc = run("run", "-c", os.path.join(d, "catwalk.ini"), "--no-report", check=False, **kw)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        rejects = query(d, "SELECT source, file, record, field, reason FROM reject")
        self.assertEqual(len(rejects), 1, rejects)
        source, file, record, field, reason = rejects[0]
        self.assertEqual((source, os.path.basename(file), record, field), ("pagerduty", "a-private.json", 0, "path"))
        self.assertIn("Permission denied", reason)
        self.assertEqual(query(d, "SELECT count(*) FROM fact_incident i JOIN dim_source s"
                                  " ON s.source_id = i.source_id WHERE s.name = 'pagerduty'"), [(4,)])
        self.assertEqual(query(d, "SELECT sources_failed FROM batch"), [(None,)])


class EmptySources(unittest.TestCase):
    def setUp(self):
        self.dir = copy_dataset("cw-landing-")
        self.config = os.path.join(self.dir, "catwalk.ini")

    def test_folder_with_only_subfolders(self):
        jira = os.path.join(self.dir, "exports", "jira")
        os.mkdir(os.path.join(jira, "2026"))
        shutil.move(os.path.join(jira, "search-page1.json"), os.path.join(jira, "2026", "search-page1.json"))
        proc = run("run", "-c", self.config, "--no-report", check=False)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertRegex(proc.stderr, r"source jira\].*(matches no file|loaded nothing)")
        # correlation rebuilds its own findings after loading: this one stays
        self.assertEqual(query(self.dir, "SELECT kind, subject FROM finding WHERE subject = 'jira'"),
                         [("source_no_records", "jira")])
        self.assertEqual(query(self.dir, "SELECT status FROM source_run WHERE source = 'jira'"), [("failed",)])
        # once the issues are back, the finding goes
        shutil.move(os.path.join(jira, "2026", "search-page1.json"), os.path.join(jira, "search-page1.json"))
        run("run", "-c", self.config, "--no-report")
        self.assertEqual(query(self.dir, "SELECT count(*) FROM finding WHERE kind = 'source_no_records'"), [(0,)])

    def test_files_with_no_record(self):
        with open(os.path.join(self.dir, "exports", "pagerduty", "incidents.json"), "w") as f:
            f.write('{"incidents": []}')
        proc = run("run", "-c", self.config, "--no-report", check=False)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(proc.stderr, r"warning: \[source pagerduty\] loaded nothing")
        self.assertEqual(query(self.dir, "SELECT kind, subject FROM finding WHERE subject = 'pagerduty'"),
                         [("source_no_records", "pagerduty")])
        self.assertEqual(query(self.dir, "SELECT status, error FROM source_run WHERE source = 'pagerduty'"),
                         [("empty", "its file holds no record")])
        # a re-run skips the unchanged file: the finding stands
        run("run", "-c", self.config, "--no-report")
        self.assertEqual(query(self.dir, "SELECT count(*) FROM finding WHERE subject = 'pagerduty'"), [(1,)])


class AtomicReports(unittest.TestCase):
    def test_failed_rendering_keeps_last_report(self):
        d = copy_dataset("cw-landing-")
        config = os.path.join(d, "catwalk.ini")
        run("run", "-c", config, "--no-report")
        out = os.path.join(d, "out")
        args = ("report", "weekly", "-c", config, "--from", "2026-02-02", "--to", "2026-03-16", "--out", out)
        run(*args)
        before = {}
        for name in os.listdir(out):
            with open(os.path.join(out, name), "rb") as f:
                before[name] = f.read()
        self.assertEqual(len(before), 2)

        limit = 33000   # above SQLite's 32 KiB WAL index, below either report
        self.assertTrue(all(len(data) > limit for data in before.values()))

        def small_files():
            # every write past the limit fails (EFBIG), as on a full disk
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        proc = run(*args, check=False, preexec_fn=small_files)
        self.assertNotEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(sorted(os.listdir(out)), sorted(before))   # no temporary file left
        for name, data in before.items():
            with open(os.path.join(out, name), "rb") as f:
                self.assertEqual(f.read(), data, name)


class KilledRun(unittest.TestCase):
    def test_landing_folder_of_a_killed_run_is_removed(self):
        d = copy_dataset("cw-landing-")
        config = os.path.join(d, "catwalk.ini")
        landing = os.path.join(d, "landing")
        run("run", "-c", config, "--no-report")
        kept = set(os.listdir(landing))
        self.assertEqual(len(kept), 1)
        # a folder `catwalk extract` landed (never loaded) must survive
        extracted = run("extract", "-c", config)
        kept |= set(os.listdir(landing)) - kept
        self.assertEqual(len(kept), 2, extracted.stdout)
        original = kill_while_loading(self, d, config)
        killed = set(os.listdir(landing)) - kept
        self.assertEqual(len(killed), 1)
        # back to the loaded export: the next run lands nothing new, so the
        # folders left are exactly the loaded batch's and the extract's
        with open(os.path.join(d, "exports", "git", "payments-service.log"), "wb") as f:
            f.write(original)
        run("run", "-c", config, "--no-report")
        self.assertEqual(set(os.listdir(landing)), kept)


class ReportStatus(unittest.TestCase):
    def test_batch_row_says_partial_when_the_report_fails(self):
        d = copy_dataset("cw-landing-")
        config = os.path.join(d, "catwalk.ini")
        with open(os.path.join(d, "reports"), "w") as f:
            f.write("a file where the reports folder should be\n")
        proc = run("run", "-c", config, check=False)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertEqual(query(d, "SELECT status FROM batch"), [("partial",)])


if __name__ == "__main__":
    run_suite("e2e landing")
