#!/usr/bin/python3
"""Analyst re-runs (issue 10 capability 10; run by `make e2e`): `catwalk
rebuild`, landing retention, `report weekly --as-of` and the run manifest.

On both engines (SQLite, and PostgreSQL on CW_PG_URI with a fresh schema
per warehouse), with test_incremental.py's demo and its comparison helper
(test_engines.py's dump, every surrogate id replaced by its natural key):

  * rebuild: a few nights (night 1 lacks half the Jira and Jenkins files,
    night 2 brings them, night 3 nothing new), then `rebuild --replace` with
    the export folders moved away (no source can be read): every fact,
    dimension, bridge, derived table, finding and reject equals the
    warehouse the nights made, forecast_history (entered by hand: no input
    holds it) is copied across, the metrics print the same, and the landing
    zone is byte for byte what it was (nothing landed again, nothing
    changed).  SQLite: by default the rebuild is a new file beside the
    configured one, which is left as it was; an existing file is never
    overwritten.  PostgreSQL: without --into or --replace it is a usage
    error.
  * --as-of: the demo rendered as its night would (CW_NOW pinned), then the
    next day's export loaded by a night two days later (its forecasts made
    then), then rendered again with --as-of that instant (the clock now days
    later): every sheet's cells are the same (openpyxl), the Forecasts sheet
    included (the forecasts as they stood at that instant, from
    forecast_history), while a render without --as-of shows the later data
    (a pull request's deploy stage ended since) and the later forecasts.  The About sheet names the manifest: version,
    the configuration's SHA-256, per source the files and the digest of
    their landed checksums in landing order (worked out here from the
    landing zone), the as-of instant, the seed, the last batch.
  * retention (keep_batches = 1): SQLite checkpoints the warehouse and
    deletes the expired folder (the log counts files and bytes; nothing
    outside the landing folder goes), keeps the folder after the checkpoint
    that a rebuild still needs, and a rebuild from the checkpoint equals the
    warehouse.  PostgreSQL makes no checkpoint: every folder is kept, and
    the rebuild equals the warehouse.
Without a PostgreSQL (CW_PG_URI unset or the server down) the PostgreSQL
tests FAIL, never skip.  Prints "rerun: N passed, N failed".
"""
import hashlib
import os
import re
import shutil
import sqlite3
import time
import unittest

import test_engines as te
from suite import run, run_suite, temp_dir
from test_incremental import (COMPARED, END, METRICS, Demo, DeltaDemo, Engine, add_delta_day, exports,
                              unconfigured_status)

try:
    import openpyxl
except ImportError:             # scripts/install-deps.sh installs python3-openpyxl
    openpyxl = None

# Two forecasts made by hand (no input holds them: each night made its own).
HISTORY = ("INSERT INTO forecast_history (release_id, made_at, p50_at, p85_at, p95_at)"
           " SELECT release_id, 1790000000, 1791000000, 1792000000, 1793000000 FROM dim_release"
           " WHERE release_id IN (SELECT MIN(release_id) FROM dim_release UNION"
           " SELECT MAX(release_id) FROM dim_release)")


def landing_tree(d):
    """Every landed file: its path, mode and checksum."""
    out = []
    root = os.path.join(d, "landing")
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            out.append((os.path.relpath(path, root), oct(os.stat(path).st_mode), digest))
    return sorted(out)


def folders(d):
    return sorted(n for n in os.listdir(os.path.join(d, "landing")) if n != "checkpoint")


def folder_bytes(d, name):
    total, count = 0, 0
    for folder, _, files in os.walk(os.path.join(d, "landing", name)):
        for f in files:
            total += os.path.getsize(os.path.join(folder, f))
            count += 1
    return count, total


class Rerun(Engine):
    """Mixin: the demo's nights on ENGINE, and what a rebuild makes of them."""

    @classmethod
    def sql(cls, d, text):
        if cls.ENGINE == "pg":
            te.psql(text)
            return
        con = sqlite3.connect(os.path.join(d, "catwalk.db"))
        con.execute(text)
        con.commit()
        con.close()

    @classmethod
    def history(cls, d):
        """forecast_history by natural key, through the same dump helper."""
        sql, floats = te.dump_query("forecast_history", cls.columns(d, "forecast_history"))
        if cls.ENGINE == "pg":
            return te.dump_pg(sql, floats, d)
        return te.dump_sqlite(os.path.join(d, "catwalk.db"), sql, floats, d)

    @classmethod
    def nights(cls, name, extra_ini=""):
        """Night 1 (half the files), night 2 (the rest): separate seconds, so
        the landing folders sort as the nights ran."""
        d, ini = cls.folder(name, True)
        if extra_ini:
            with open(ini, "a") as f:
                f.write(extra_ini)
        loads = [cls.night(ini)]
        time.sleep(1.1)
        for rel in exports(cls.hidden):
            shutil.copy2(os.path.join(cls.hidden, "exports", rel), os.path.join(d, "exports", rel))
        loads.append(cls.night(ini))
        return d, ini, loads

    @classmethod
    def rebuild(cls, d, ini, *args):
        """rebuild with the export folders away: no source can be read; at
        the nights' instant (Engine.night pins CW_NOW), so the forecasts it
        derives are made on the same day as theirs."""
        os.rename(os.path.join(d, "exports"), os.path.join(d, "exports.away"))
        try:
            return run("rebuild", "-c", ini, "-v", *args, check=False,
                       env=dict(os.environ, CW_NOW=END + "T00:00:00Z"))
        finally:
            os.rename(os.path.join(d, "exports.away"), os.path.join(d, "exports"))


class Rebuild(Rerun):

    @classmethod
    def setUpClass(cls):
        Demo.make()
        d, ini, cls.loads = cls.nights("rebuild")
        cls.loads.append(cls.night(ini))                   # night 3: nothing new
        cls.sql(d, HISTORY)
        cls.before = cls.dump(d)
        cls.history_before = cls.history(d)
        cls.metrics_before = run("metrics", "-c", ini, *METRICS).stdout
        cls.landing_before = landing_tree(d)
        cls.replaced = cls.rebuild(d, ini, "--replace")
        cls.after = cls.dump(d)
        cls.history_after = cls.history(d)
        cls.metrics_after = run("metrics", "-c", ini, *METRICS).stdout
        cls.landing_after = landing_tree(d)
        cls.d, cls.ini = d, ini

    def test_nights_ran(self):
        self.assertEqual(self.loads[0].returncode, 3, self.loads[0].stderr)  # a git log lacking
        for proc in self.loads[1:]:
            self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.replaced.returncode, 0, self.replaced.stderr)

    def test_rebuild_equals_the_warehouse(self):
        for table in COMPARED:
            with self.subTest(table=table):
                self.assertEqual(self.after[table], self.before[table])
        self.assertTrue(self.before["bridge_deployment_commit"] and self.before["derived_incident"])
        self.assertTrue(self.before["reject"] or self.before["finding"])
        self.assertEqual(self.metrics_after, self.metrics_before)
        self.assertIn('"deployments"', self.metrics_before)

    def test_batch_by_batch(self):
        # the two folders, in their order; night 3 landed nothing (no folder)
        log = self.replaced.stderr
        replayed = re.findall(r"rebuild: replaying \S+/landing/(\S+)", log)
        self.assertEqual(replayed, folders(self.d))
        self.assertEqual(len(replayed), 2)
        self.assertIn("deriving incrementally", log)       # as night 2 did

    def test_forecast_history_copied(self):
        # the nights' own forecasts (made on END) and the two entered by hand
        made = sorted({row[1] for row in self.history_before})
        self.assertEqual(len(made), 2, made)
        self.assertEqual(self.history_after, self.history_before)
        self.assertIn("%d forecast_history row(s) copied" % len(self.history_before),
                      self.replaced.stderr)

    def test_landing_zone_untouched(self):
        self.assertTrue(self.landing_before)
        self.assertEqual(self.landing_after, self.landing_before)


class SQLiteRebuild(Rebuild, unittest.TestCase):
    ENGINE = "sqlite"

    def test_default_is_a_new_file_beside(self):
        db = os.path.join(self.d, "catwalk.db")
        with open(db, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        proc = self.rebuild(self.d, self.ini)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        target = proc.stdout.strip()
        self.assertRegex(target, r"/catwalk-rebuilt-\d{8}T\d{6}Z\.db$")
        self.assertEqual(os.path.dirname(target), self.d)
        with open(db, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), digest)
        # the new file, dumped where the helper looks (and put back)
        os.rename(db, db + ".kept")
        os.rename(target, db)
        try:
            rebuilt = self.dump(self.d)
        finally:
            os.rename(db, target)
            os.rename(db + ".kept", db)
        for table in COMPARED:
            with self.subTest(table=table):
                self.assertEqual(rebuilt[table], self.before[table])
        # it exists now: a second rebuild into it is refused, the file kept
        with open(target, "rb") as f:
            kept = f.read()
        again = run("rebuild", "-c", self.ini, "--into", target, check=False)
        self.assertEqual(again.returncode, 1, again.stderr)
        self.assertIn("never overwrites", again.stderr)
        with open(target, "rb") as f:
            self.assertEqual(f.read(), kept)


    def test_lost_warehouse(self):
        # the warehouse is gone: --replace makes it again from the landing
        # zone alone (every folder replayed, nothing to copy history from)
        d = os.path.join(temp_dir("cw-rerun-"), "lost")
        shutil.copytree(self.d, d)
        for name in os.listdir(d):
            if name.startswith("catwalk") and name != "catwalk.ini":
                os.remove(os.path.join(d, name))
        proc = self.rebuild(d, os.path.join(d, "catwalk.ini"), "--replace")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("does not exist: every landed folder is replayed", proc.stderr)
        rebuilt = self.dump(d)
        for table in COMPARED:
            with self.subTest(table=table):
                self.assertEqual(rebuilt[table], self.before[table])

    def test_nothing_to_replay(self):
        d = temp_dir("cw-rerun-")
        ini = os.path.join(d, "c.ini")
        with open(ini, "w") as f:
            f.write("[catwalk]\nwarehouse = w.db\n")
        proc = run("rebuild", "-c", ini, check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("holds no batch to replay", proc.stderr)
        self.assertEqual(os.listdir(d), ["c.ini"])


class PostgreSQLRebuild(Rebuild, unittest.TestCase):
    ENGINE = "pg"

    def test_needs_into_or_replace(self):
        proc = run("rebuild", "-c", self.ini, check=False)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("--into", proc.stderr)


AS_OF = "2026-11-30T06:00:00Z"      # the demo's night: its END day, 06:00 UTC
LATER_NIGHT = "2026-12-02T00:00:00Z"  # the night that loads the delta day


def workbook(folder):
    """Every sheet of the one workbook in folder: its cells' values."""
    names = [n for n in os.listdir(folder) if n.endswith(".xlsx")]
    assert len(names) == 1, names
    wb = openpyxl.load_workbook(os.path.join(folder, names[0]))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def landed_digests(d):
    """Per source: files and the SHA-256 over "<sha256>\n" of each landed
    file, in landing order (folders by name, then files by name)."""
    out = {}
    root = os.path.join(d, "landing")
    for batch in sorted(os.listdir(root)):
        for source in sorted(os.listdir(os.path.join(root, batch))):
            folder = os.path.join(root, batch, source)
            if not os.path.isdir(folder):
                continue
            for name in sorted(os.listdir(folder)):
                with open(os.path.join(folder, name), "rb") as f:
                    line = hashlib.sha256(f.read()).hexdigest() + "\n"
                files, text = out.get(source, (0, ""))
                out[source] = (files + 1, text + line)
    return {s: (n, hashlib.sha256(t.encode()).hexdigest()) for s, (n, t) in out.items()}


class AsOf(Engine):

    @classmethod
    def setUpClass(cls):
        DeltaDemo.make()
        d, ini = cls.folder("asof", False, DeltaDemo.source)
        cls.loads = [cls.night(ini)]
        cls.digests1 = landed_digests(d)
        out = os.path.join(d, "out")
        cls.first = run("report", "weekly", "-c", ini, "--out", out + "1", "--format", "xlsx",
                        env=dict(os.environ, CW_NOW=AS_OF), check=False)
        time.sleep(1.1)
        add_delta_day(d)
        # a later night: its forecasts are made on its own day, so the
        # first night's stand only in forecast_history
        cls.loads.append(run("run", "-c", ini, "--no-report", "-v", check=False,
                             env=dict(os.environ, CW_NOW=LATER_NIGHT)))
        env = {k: v for k, v in os.environ.items() if k != "CW_NOW"}
        cls.again = run("report", "weekly", "-c", ini, "--as-of", AS_OF, "--out", out + "2",
                        "--format", "xlsx", env=env, check=False)
        cls.later = run("report", "weekly", "-c", ini, "--to", "2026-11-30", "--out", out + "3",
                        "--format", "xlsx", env=env, check=False)
        with open(ini, "rb") as f:
            cls.config_sha = hashlib.sha256(f.read()).hexdigest()
        cls.books = [workbook(out + str(i)) if openpyxl else None for i in (1, 2, 3)]

    def test_ran(self):
        self.assertIsNotNone(openpyxl, "python3-openpyxl is not installed")
        for proc in self.loads + [self.first, self.again, self.later]:
            self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(self.first.stdout.strip().endswith("catwalk-weekly-2026-11-30.xlsx"))
        self.assertTrue(self.again.stdout.strip().endswith("catwalk-weekly-2026-11-30.xlsx"))

    def test_same_values_as_of(self):
        first, again, later = self.books
        self.assertEqual(list(again), list(first))
        for sheet in first:
            # About names the run (its own test below)
            if sheet == "About":
                continue
            with self.subTest(sheet=sheet):
                self.assertEqual(again[sheet], first[sheet])
        # not vacuous: rendered now, the later data and forecasts show
        self.assertNotEqual(later["Pull requests"], first["Pull requests"])
        self.assertGreater(len(first["Forecasts"]), 2)
        self.assertNotEqual(later["Forecasts"], first["Forecasts"])

    def about(self, book):
        rows = {r[0]: r[1:] for r in book["About"] if r and r[0]}
        return rows

    def test_manifest(self):
        first, again = self.books[0], self.books[1]
        a1, a2 = self.about(first), self.about(again)
        self.assertEqual(a1["catwalk version"][0], "1.0.0")
        self.assertEqual(a1["Configuration SHA-256"][0], self.config_sha)
        self.assertEqual(a1["Window"][0], "2026-09-07 to 2026-11-29")
        self.assertEqual(a1["As of"][0], AS_OF)
        self.assertEqual(a2["As of"][0], AS_OF)
        self.assertEqual(a1["Forecast seed"][0], "1")
        self.assertEqual((a1["Last batch"][0], a2["Last batch"][0]), (1, 2))
        self.assertEqual(a1["Render it again"][0], "catwalk report weekly -c FILE --from 2026-09-07"
                         " --to 2026-11-30 --as-of " + AS_OF)
        inputs = {k: (v[0], v[1]) for k, v in a1.items() if k in self.digests1}
        self.assertEqual(inputs, self.digests1)
        self.assertGreater(len(inputs), 5)


class SQLiteAsOf(AsOf, unittest.TestCase):
    ENGINE = "sqlite"


class PostgreSQLAsOf(AsOf, unittest.TestCase):
    ENGINE = "pg"


class Retention(Rerun):
    """keep_batches = 1: after night 2, night 1's folder has expired."""

    @classmethod
    def setUpClass(cls):
        Demo.make()
        d, ini, cls.loads = cls.nights("retention", "\n[landing]\nkeep_batches = 1\n")
        cls.after2 = folders(d)
        cls.exports2 = exports(d)
        time.sleep(1.1)
        unconfigured_status(d)                              # night 3: one new Jira page
        cls.loads.append(cls.night(ini))
        cls.after3 = folders(d)
        cls.checkpoints = sorted(os.listdir(os.path.join(d, "landing", "checkpoint"))) \
            if os.path.isdir(os.path.join(d, "landing", "checkpoint")) else []
        cls.before = cls.dump(d)
        cls.rebuilt = cls.rebuild(d, ini, "--replace")
        cls.after = cls.dump(d)
        cls.d = d

    def test_nights_ran(self):
        for proc in self.loads[1:]:
            self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.rebuilt.returncode, 0, self.rebuilt.stderr)

    def test_rebuild_after_retention_equals_the_warehouse(self):
        for table in COMPARED:
            with self.subTest(table=table):
                self.assertEqual(self.after[table], self.before[table])
        self.assertTrue(self.before["bridge_deployment_commit"])


class SQLiteRetention(Retention, unittest.TestCase):
    ENGINE = "sqlite"

    def test_expired_folder_deleted_after_a_checkpoint(self):
        # night 2: night 1's folder expired; the warehouse was checkpointed
        # first (named after night 2's folder), then the folder went
        log = self.loads[1].stderr
        m = re.search(r"landing retention: deleted 1 folder\(s\), (\d+) file\(s\), (\d+) bytes; a "
                      r"rebuild starts from the checkpoint (\S+)", log)
        self.assertTrue(m, log[-2000:])
        self.assertEqual(len(self.after2), 1)
        self.assertEqual(m.group(3), self.after2[0])
        self.assertGreater(int(m.group(1)), 10)
        self.assertGreater(int(m.group(2)), 100000)
        # nothing outside the landing folder
        self.assertFalse(set(self.exports2) - set(exports(self.d)))
        self.assertTrue(os.path.exists(os.path.join(self.d, "catwalk.db")))

    def test_needed_folder_kept(self):
        # night 3: night 2's folder expired and the checkpoint covers it (no
        # new one); night 3's folder is after the checkpoint: a rebuild
        # needs it, it stays
        log = self.loads[2].stderr
        self.assertIn("landing retention: deleted 1 folder(s)", log)
        self.assertEqual(len(self.after3), 1)
        self.assertGreater(self.after3[0], self.after2[0])
        self.assertEqual(self.checkpoints, [self.after2[0] + ".db"])
        replayed = re.findall(r"rebuild: replaying \S+/landing/(\S+)", self.rebuilt.stderr)
        self.assertEqual(replayed, self.after3)
        self.assertIn("starting from the checkpoint", self.rebuilt.stderr)


class PostgreSQLRetention(Retention, unittest.TestCase):
    ENGINE = "pg"

    def test_every_folder_kept(self):
        # no checkpoint of a server database: every expired folder is still needed
        for proc in self.loads[1:]:
            self.assertIn("folder(s) past the limits are kept: a rebuild still needs them",
                          proc.stderr)
        self.assertEqual(len(self.after3), 3)
        self.assertEqual(self.checkpoints, [])
        replayed = re.findall(r"rebuild: replaying \S+/landing/(\S+)", self.rebuilt.stderr)
        self.assertEqual(replayed, self.after3)


if __name__ == "__main__":
    run_suite("rerun")
