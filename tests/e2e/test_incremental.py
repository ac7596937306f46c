#!/usr/bin/python3
"""Nights one after another equal one full load (issue 8; run by `make e2e`).

A small demo is split in two by files, the way exports arrive night after
night: night 1 holds every other Jenkins job and Jira page and all but one
git log; night 2 drops the rest into the export folders; night 3 brings
nothing new.  The same exports are also loaded in one full run into a fresh
warehouse.  After each step, and on both engines (SQLite, and PostgreSQL on
CW_PG_URI with a fresh schema per warehouse), the warehouse is dumped with
every surrogate id replaced by its natural key (test_engines.py's dump).

What must hold:
  * after night 2, every fact, dimension, bridge, derived table, finding and
    reject equals the full load's, and so does `catwalk metrics`;
  * night 3 reads no file (each is known by its path, size and mtime, so
    not one byte is hashed), keeps the derived tables (the log says so), and
    changes no row;
  * a file touched (new mtime, same bytes) is read and hashed but not
    loaded, and the night after it is known by its stat again;
  * a changed configuration (a comment added) derives again, to the same rows;
  * night 2 derives incrementally (pipeline/derive.h), and night 7, which
    moves an item to a status nobody configured, falls back to the full flow
    and equals a full load of the same exports;
  * a full load followed by the next day's export (demo --delta-day), whose
    night walks new deployments on from each application's last one, equals
    one full load of both days, tables and metrics.
Without a PostgreSQL (CW_PG_URI unset or the server down) the PostgreSQL
tests FAIL, never skip.  Prints "incremental: N passed, N failed".
"""
import json
import os
import re
import shutil
import sqlite3
import unittest

import test_engines as te
from suite import run, run_suite, temp_dir

END = "2026-11-30"
METRICS = ["--by", "week", "--from", "2026-09-07", "--to", END, "--format", "json"]
# landed_file: its landed_path names the night's folder; compared on its own
# forecast_history keeps every run's forecasts (calibration): nights write
# more of them than one full load, by design
COMPARED = [t for t in te.TABLES if t not in ("landed_file", "forecast_history")]
HELD_BACK_GIT = "claims-intake.log"


# The portfolio's Initiatives (a project no application maps) come on night
# 1: a project first seen on night 2 would change the known projects, and
# every commit would rightly be linked again, which is not what night 2 tests.
PORTFOLIO = "HPORT-"


def unread(rel):
    """Is exports/REL a file no source of the demo's catwalk.ini reads (a pull
    request's commits or reviews page: WRITE_PR_PAGES in demogen/config.c)?"""
    folder, name = rel.split("/", 1)
    return folder == "github" and name.startswith("pull-")


def held_back(rel):
    """Is exports/REL one of night 2's files?"""
    folder, name = rel.split("/", 1)
    if folder in ("jenkins", "jira"):
        names = [n for n in sorted(os.listdir(os.path.join(Demo.source, "exports", folder)))
                 if not n.startswith(PORTFOLIO)]
        return name in names and names.index(name) % 2 == 1
    return folder == "git" and name == HELD_BACK_GIT


class Demo:
    source = None

    @classmethod
    def make(cls):
        if cls.source:
            return
        cls.source = os.path.join(temp_dir("cw-incremental-"), "demo")
        run("demo", cls.source, "--scale", "0.2", "--end", END, "-q")
        assert os.path.exists(os.path.join(cls.source, "exports", "git", HELD_BACK_GIT))


def exports(folder):
    root = os.path.join(folder, "exports")
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, fs in os.walk(root) for f in fs)


def unconfigured_status(folder):
    """A Jira page moving one existing item to a status the demo does not
    configure (and no source categorises): its flow needs a guess."""
    name = sorted(os.listdir(os.path.join(Demo.source, "exports", "jira")))[0]
    with open(os.path.join(Demo.source, "exports", "jira", name)) as f:
        page = json.load(f)
    issue = page["issues"][0]
    old = issue["fields"]["status"]
    issue["fields"]["status"] = {"name": "Quarantined", "id": "99999"}
    issue["fields"]["updated"] = "2026-11-29T10:00:00.000+0000"
    log = issue["changelog"]
    log["histories"].insert(0, {"id": "1999999999", "created": "2026-11-29T10:00:00.000+0000",
                                "items": [{"field": "status", "fieldtype": "jira", "fieldId": "status",
                                           "from": old["id"], "fromString": old["name"],
                                           "to": "99999", "toString": "Quarantined"}]})
    log["total"] = log["maxResults"] = len(log["histories"])
    page["issues"], page["total"] = [issue], 1
    with open(os.path.join(folder, "exports", "jira", "zz-quarantined.json"), "w") as f:
        json.dump(page, f)
    return issue["key"]


class DeltaDemo:
    """A demo with its next day's nightly export beside it (--delta-day)."""
    source = None

    @classmethod
    def make(cls):
        if not cls.source:
            cls.source = os.path.join(temp_dir("cw-incremental-"), "demo")
            run("demo", cls.source, "--scale", "0.2", "--end", END, "--delta-day", "-q")


def add_delta_day(folder):
    """The delta day's files dropped into the export folders (new mtimes)."""
    root = os.path.join(folder, "delta", "exports")
    for d, _, fs in os.walk(root):
        for f in fs:
            src = os.path.join(d, f)
            shutil.copyfile(src, os.path.join(folder, "exports", os.path.relpath(src, root)))


SHALLOW_GIT = "claims-intake.log"


def shallow_git_log(folder):
    """Night 1's export of one repository lacks its older half (a shallow
    clone): the night after, the whole history arrives, and the commits it
    adds are parents the walked commits named but the graph lacked."""
    path = os.path.join(folder, "exports", "git", SHALLOW_GIT)
    with open(path, "rb") as f:
        records = f.read().split(b"\x1e")
    kept = records[:1 + (len(records) - 1) // 2]       # [0] is the empty text before the first
    with open(path, "wb") as f:
        f.write(b"\x1e".join(kept))


class Engine:
    """Mixin: demo folders and their warehouses on ENGINE."""
    ENGINE = None

    @classmethod
    def folder(cls, name, night1_only, source=None):
        d = os.path.join(temp_dir("cw-incremental-"), name)
        shutil.copytree(source or Demo.source, d)          # copy2: the same mtimes
        cls.hidden = os.path.join(os.path.dirname(d), "night2")
        if night1_only:
            for rel in exports(d):
                if held_back(rel):
                    dest = os.path.join(cls.hidden, "exports", rel)
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    shutil.move(os.path.join(d, "exports", rel), dest)
        ini = os.path.join(d, "catwalk.ini")
        if cls.ENGINE == "pg":
            with open(ini) as f:
                text = f.read()
            text = re.sub(r"(?m)^warehouse\s*=.*$", "warehouse = " + te.PG_URI.replace("\\", "\\\\"), text)
            with open(ini, "w") as f:
                f.write(text)
            te.psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        return d, ini

    @classmethod
    def night(cls, ini, *extra):
        # forecasts are made as of the run's instant: every night and the full
        # load at the same one, so their tables can be compared
        return run("run", "-c", ini, "--no-report", "-v", *extra, check=False,
                   env=dict(os.environ, CW_NOW=END + "T00:00:00Z"))

    @classmethod
    def columns(cls, d, table):
        if cls.ENGINE == "sqlite":
            return te.columns(os.path.join(d, "catwalk.db"), table)
        return [(r[0], r[1].upper()) for r in te.psql(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema ="
            " 'public' AND table_name = '%s' ORDER BY ordinal_position" % table)]

    @classmethod
    def dump(cls, d):
        def rows(sql, floats):
            if cls.ENGINE == "pg":
                return te.dump_pg(sql, floats, d)
            return te.dump_sqlite(os.path.join(d, "catwalk.db"), sql, floats, d)
        out = {table: rows(*te.dump_query(table, cls.columns(d, table))) for table in COMPARED}
        out["landed_file"] = rows("SELECT source, original_path, sha256, bytes, records, rejects,"
                                  " deferred, mtime_ns FROM landed_file", [False] * 8)
        return out


class Nights(Engine):
    """Mixin: the demo loaded night by night and in one full run, on ENGINE."""

    @classmethod
    def batches(cls):
        sql = "SELECT batch_id, rows_read, files_skipped, derived_by FROM batch ORDER BY batch_id"
        if cls.ENGINE == "pg":
            return [tuple(None if v == te.NULL else v for v in r) for r in te.psql(sql)]
        con = sqlite3.connect(os.path.join(cls.inc_dir, "catwalk.db"))
        rows = [tuple(str(v) if v is not None else None for v in r) for r in con.execute(sql)]
        con.close()
        return rows

    @classmethod
    def setUpClass(cls):
        Demo.make()
        # one full run
        full_dir, full_ini = cls.folder("full", False)
        cls.full_load = cls.night(full_ini)
        cls.full = cls.dump(full_dir)
        cls.full_metrics = run("metrics", "-c", full_ini, *METRICS).stdout
        cls.full_check = run("check", "--data", "-c", full_ini, "--format", "json", check=False).stdout
        # night by night (PostgreSQL: the same schema, dropped and made again)
        cls.inc_dir, ini = cls.folder("nights", True)
        cls.loads = [cls.night(ini)]
        cls.waiting1 = cls.dump(cls.inc_dir)["derived_commit_key"]
        for rel in exports(cls.hidden):
            dest = os.path.join(cls.inc_dir, "exports", rel)
            shutil.copy2(os.path.join(cls.hidden, "exports", rel), dest)
        cls.loads.append(cls.night(ini))
        cls.after2 = cls.dump(cls.inc_dir)
        cls.inc_metrics = run("metrics", "-c", ini, *METRICS).stdout
        cls.inc_check = run("check", "--data", "-c", ini, "--format", "json", check=False).stdout
        cls.loads.append(cls.night(ini))                   # night 3: nothing new
        cls.after3 = cls.dump(cls.inc_dir)
        cls.files3 = len([r for r in exports(cls.inc_dir) if not unread(r)])
        touched = os.path.join(cls.inc_dir, "exports", "git", HELD_BACK_GIT)
        os.utime(touched, ns=(os.stat(touched).st_atime_ns, os.stat(touched).st_mtime_ns + 10**9))
        cls.loads.append(cls.night(ini))                   # night 4: one file touched
        cls.loads.append(cls.night(ini))                   # night 5: known by its stat again
        with open(ini, "a") as f:
            f.write("\n# a comment changes the configuration's fingerprint\n")
        cls.loads.append(cls.night(ini))                   # night 6: derived again
        cls.after6 = cls.dump(cls.inc_dir)
        cls.batch_rows = cls.batches()
        cls.quarantined = unconfigured_status(cls.inc_dir)
        cls.loads.append(cls.night(ini))                   # night 7: a status not configured
        cls.after7 = cls.dump(cls.inc_dir)
        # the same exports and configuration in one full run (PostgreSQL:
        # the schema made again, so after the nights' dumps)
        full7_dir, full7_ini = cls.folder("full7", False)
        unconfigured_status(full7_dir)
        with open(full7_ini, "a") as f:
            f.write("\n# a comment changes the configuration's fingerprint\n")
        cls.full7_load = cls.night(full7_ini)
        cls.full7 = cls.dump(full7_dir)

    def test_loads_ran(self):
        self.assertEqual(self.full_load.returncode, 0, self.full_load.stderr)
        # night 1 lacks one git log: that source fails (exit 3), the rest loads
        self.assertEqual(self.loads[0].returncode, 3, self.loads[0].stderr)
        self.assertIn("git-claims-intake", self.loads[0].stderr)
        for i, proc in enumerate(self.loads[1:], start=2):
            self.assertEqual(proc.returncode, 0, "night %d: %s" % (i, proc.stderr))

    def test_two_nights_equal_one_full_load(self):
        for table in COMPARED + ["landed_file"]:
            with self.subTest(table=table):
                self.assertEqual(self.after2[table], self.full[table])
        self.assertTrue(self.full["bridge_deployment_commit"] and self.full["derived_incident"])

    def test_night_two_derived_incrementally(self):
        # the derived tables night 1 left were current: night 2 re-derives
        # only what its rows change, and every item status is configured,
        # so no part fell back to a full pass
        log = self.loads[1].stderr
        self.assertIn("deriving incrementally", log)
        self.assertNotIn("every item's flow again", log)
        self.assertNotIn("every commit is linked again", log)
        # the held-back Jenkins jobs bring applications their first
        # deployments: no baseline to walk on from, so those go in full
        walked = re.search(r"correlate: (\d+) application\(s\) walked on from their last "
                           r"deployment, (\d+) again in full", log)
        self.assertTrue(walked, log[-3000:])
        self.assertGreater(int(walked.group(2)), 0)
        # night 2 brings Jira pages night 1 lacked: commits of night 1 named
        # those items and waited in derived_commit_key; none waits now for an
        # item that is loaded
        self.assertTrue(self.full["bridge_commit_work_item"])
        loaded = {r[0] for r in self.full["dim_work_item"]}
        self.assertTrue([r for r in self.waiting1 if r[0] in loaded])
        self.assertFalse([r for r in self.after2["derived_commit_key"] if r[0] in loaded])

    def test_unconfigured_status_falls_back_to_the_full_flow(self):
        self.assertEqual(self.loads[6].returncode, 0, self.loads[6].stderr)
        self.assertEqual(self.full7_load.returncode, 0, self.full7_load.stderr)
        log = self.loads[6].stderr
        self.assertIn("deriving incrementally", log)
        self.assertIn("status 'Quarantined' is not configured: every item's flow again", log)
        for table in COMPARED:
            with self.subTest(table=table):
                self.assertEqual(self.after7[table], self.full7[table])
        guessed = [r for r in self.after7["finding"] if r[0] == "status_guessed"]
        self.assertEqual([r[1] for r in guessed], ["Quarantined"])

    def test_metrics_equal(self):
        self.assertIn('"deployments"', self.full_metrics)
        self.assertEqual(self.inc_metrics, self.full_metrics)

    def test_findings_equal(self):
        # the data-quality views read tables both derivations write alike
        self.assertIn('"coverage"', self.full_check)
        self.assertEqual(self.inc_check, self.full_check)

    def test_night_with_nothing_new(self):
        log = self.loads[2].stderr
        self.assertIn("nothing new since the last batch: derived tables kept", log)
        self.assertIn("same size and mtime", log)
        self.assertNotIn("(sha256 ", log)                 # not one file was read
        self.assertEqual(self.after3, self.after2)
        batch3 = self.batch_rows[2]
        self.assertEqual((batch3[1], batch3[2]), ("0", str(self.files3)))
        # its summary line still counts the derived rows
        self.assertEqual(self.loads[2].stdout.split(";")[1], self.loads[1].stdout.split(";")[1])

    def test_touched_file_hashed_once(self):
        touched = "exports/git/%s: unchanged since it was loaded (sha256 " % HELD_BACK_GIT
        self.assertIn(touched, self.loads[3].stderr)
        self.assertEqual(self.loads[3].stderr.count("(sha256 "), 1)
        self.assertIn("nothing new since the last batch", self.loads[3].stderr)
        self.assertNotIn("(sha256 ", self.loads[4].stderr)

    def test_changed_configuration_derives_again(self):
        self.assertNotIn("nothing new since the last batch", self.loads[5].stderr)
        fingerprints = [r[3] for r in self.batch_rows]
        self.assertEqual(len(set(fingerprints[:5])), 1)
        self.assertNotEqual(fingerprints[5], fingerprints[4])
        self.assertTrue(fingerprints[0].startswith("catwalk "))
        for table in COMPARED:          # landed_file: the touched file's new mtime
            with self.subTest(table=table):
                self.assertEqual(self.after6[table], self.after2[table])


class DeltaDay(Engine):
    """Mixin: a full load, then the next day's nightly export (demo
    --delta-day) and the whole history of a repository night 1 had only
    half of.  The second night derives incrementally: new deployments
    are walked on from each application's last one, incidents attributed
    again, links and flow of the new rows only; its warehouse and metrics
    equal one full load of both days."""

    @classmethod
    def setUpClass(cls):
        DeltaDemo.make()
        full_dir, full_ini = cls.folder("full", False, DeltaDemo.source)
        add_delta_day(full_dir)
        cls.full_load = cls.night(full_ini)
        cls.full = cls.dump(full_dir)
        cls.full_metrics = run("metrics", "-c", full_ini, *METRICS).stdout
        cls.full_check = run("check", "--data", "-c", full_ini, "--format", "json", check=False).stdout
        inc_dir, ini = cls.folder("nights", False, DeltaDemo.source)
        shallow_git_log(inc_dir)
        cls.loads = [cls.night(ini)]
        shutil.copyfile(os.path.join(DeltaDemo.source, "exports", "git", SHALLOW_GIT),
                        os.path.join(inc_dir, "exports", "git", SHALLOW_GIT))
        add_delta_day(inc_dir)
        cls.loads.append(cls.night(ini))
        cls.after = cls.dump(inc_dir)
        cls.inc_metrics = run("metrics", "-c", ini, *METRICS).stdout
        cls.inc_check = run("check", "--data", "-c", ini, "--format", "json", check=False).stdout

    def test_loads_ran(self):
        for proc in [self.full_load] + self.loads:
            self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_walked_on_from_the_last_deployment(self):
        log = self.loads[1].stderr
        self.assertIn("deriving incrementally", log)
        walked = re.search(r"correlate: (\d+) application\(s\) walked on from their last "
                           r"deployment, (\d+) again in full", log)
        self.assertTrue(walked, log[-3000:])
        self.assertGreater(int(walked.group(1)), 0)
        # the repository whose older history arrived late is walked again
        self.assertGreater(int(walked.group(2)), 0)
        self.assertNotIn("every application walked", log)

    def test_equals_one_full_load(self):
        for table in COMPARED:
            with self.subTest(table=table):
                self.assertEqual(self.after[table], self.full[table])
        # the day brought deployments, incidents and deployed commits
        self.assertTrue(self.full["bridge_deployment_commit"] and self.full["derived_incident"])

    def test_metrics_equal(self):
        self.assertIn('"deployments"', self.full_metrics)
        self.assertEqual(self.inc_metrics, self.full_metrics)

    def test_findings_equal(self):
        self.assertIn('"coverage"', self.full_check)
        self.assertEqual(self.inc_check, self.full_check)


class SQLiteNights(Nights, unittest.TestCase):
    ENGINE = "sqlite"


class PostgreSQLNights(Nights, unittest.TestCase):
    ENGINE = "pg"


class SQLiteDeltaDay(DeltaDay, unittest.TestCase):
    ENGINE = "sqlite"


class PostgreSQLDeltaDay(DeltaDay, unittest.TestCase):
    ENGINE = "pg"


if __name__ == "__main__":
    run_suite("incremental")
