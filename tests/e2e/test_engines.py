#!/usr/bin/python3
"""Same numbers on both engines (run by `make e2e`).

Each dataset -- the hand-made tests/data/e2e and a small demo -- is loaded
with `catwalk run --no-report` once into SQLite and once into PostgreSQL
(CW_PG_URI, a throwaway server from tests/pg/pg.sh, fresh schema per load).
Then the two warehouses must give:
  * byte-identical `catwalk metrics --format json` for --by day/week/month
    (per application), --by-team and --org;
  * the same weekly report (HTML, and every xlsx member) once the generation
    timestamp is taken out;
  * the same rows in every dimension, fact, mapping, bridge and derived
    table, each surrogate id replaced by the natural key it stands for
    (item_key, repository:sha, source:job#number, source:external_id, ...),
    dumped from SQLite with the sqlite3 module and from PostgreSQL with psql,
    NULLs and floats written one way, rows sorted in Python (the engines sort
    NULLs differently, so no ORDER BY is trusted here).
The audit tables batch and source_run are left out: they hold clock times.

Without a PostgreSQL (CW_PG_URI unset or the server down) every test FAILS:
this test never skips.  Python stdlib only; prints "engines: N passed, N failed".
"""
import json
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import unittest

import test_pr_stages
from suite import DATA, run, run_suite, temp_dir
import zipfile

PG_URI = os.environ.get("CW_PG_URI", "")
PSQL = os.environ.get("CW_PSQL", "psql")
NULL = "\x02NULL\x02"          # how a NULL is written on both sides

# Every table compared, in schema order.  batch and source_run hold clock
# times and are left out.
TABLES = [
    "schema_version", "landed_file", "stage_transition", "stage_work_item_link", "reject", "finding",
    "dim_team", "dim_application", "map_project", "map_repository", "map_service",
    "map_job", "map_job_resolved", "dim_status", "dim_source", "source_status",
    "dim_person", "dim_environment", "dim_date", "dim_work_item",
    "fact_transition", "fact_work_item_link", "fact_commit", "fact_build", "fact_build_revision",
    "fact_deployment", "fact_deployment_status", "fact_pull_request", "fact_incident",
    "fact_pull_request_commit", "fact_pull_request_listed_commit", "fact_pull_request_review",
    "fact_kpi", "map_incident_type",
    "bridge_deployment_commit", "bridge_commit_work_item", "derived_commit_key", "derived_project",
    "derived_missing_parent",
    "derived_deployment", "derived_incident", "derived_work_item", "derived_status_interval",
    "dim_release", "fact_work_item_version", "stage_work_item_version",
    "derived_release", "derived_release_item",
    "map_gate", "map_application_gate", "derived_finding",
    "derived_hierarchy",
    "derived_forecast", "forecast_history",
]

# A table's own surrogate key: left out of its dump.
OWN_ID = {
    "landed_file": "landed_file_id", "stage_transition": "stage_id", "reject": "reject_id",
    "stage_work_item_link": "stage_id",
    "dim_team": "team_id", "dim_application": "application_id", "dim_source": "source_id",
    "dim_person": "person_id", "dim_environment": "environment_id",
    "dim_work_item": "work_item_id", "fact_commit": "commit_id", "fact_build": "build_id",
    "fact_deployment": "deployment_id", "fact_pull_request": "pull_request_id",
    "fact_incident": "incident_id",
    "dim_release": "release_id", "stage_work_item_version": "stage_id",
}

# A surrogate id in any other table: replaced by the natural key it stands for.
_BUILD_KEY = ("s.name || ':' || b.job || '#' || CAST(b.number AS TEXT) "
              "FROM fact_build b JOIN dim_source s ON s.source_id = b.source_id")
NATURAL = {
    "batch_id": None,   # audit only: dropped
    "source_id": "(SELECT x.name FROM dim_source x WHERE x.source_id = t.source_id)",
    "application_id": "(SELECT x.name FROM dim_application x WHERE x.application_id = t.application_id)",
    "team_id": "(SELECT x.name FROM dim_team x WHERE x.team_id = t.team_id)",
    "author_id": "(SELECT x.email FROM dim_person x WHERE x.person_id = t.author_id)",
    "environment_id": "(SELECT x.name FROM dim_environment x WHERE x.environment_id = t.environment_id)",
    "work_item_id": "(SELECT x.item_key FROM dim_work_item x WHERE x.work_item_id = t.work_item_id)",
    "epic_id": "(SELECT x.item_key FROM dim_work_item x WHERE x.work_item_id = t.epic_id)",
    "theme_id": "(SELECT x.item_key FROM dim_work_item x WHERE x.work_item_id = t.theme_id)",
    "commit_id": "(SELECT x.repository || ':' || x.sha FROM fact_commit x WHERE x.commit_id = t.commit_id)",
    "build_id": "(SELECT " + _BUILD_KEY + " WHERE b.build_id = t.build_id)",
    "deployment_id": "(SELECT " + _BUILD_KEY + " JOIN fact_deployment d ON d.build_id = b.build_id"
                     " WHERE d.deployment_id = t.deployment_id)",
    "pull_request_id": "(SELECT x.repository || '#' || CAST(x.number AS TEXT) FROM fact_pull_request x"
                       " WHERE x.pull_request_id = t.pull_request_id)",
    "incident_id": "(SELECT s.name || ':' || i.external_id FROM fact_incident i"
                   " JOIN dim_source s ON s.source_id = i.source_id WHERE i.incident_id = t.incident_id)",
    "release_id": "(SELECT x.project || ':' || x.name FROM dim_release x WHERE x.release_id = t.release_id)",
    "critical_release_id": "(SELECT x.project || ':' || x.name FROM dim_release x"
                           " WHERE x.release_id = t.critical_release_id)",
}

# landed paths carry the landing folder's clock stamp and pid
STAMP = re.compile(r"\d{8}T\d{6}Z-\d+")
GENERATED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def psql(sql):
    """Rows of a query on CW_PG_URI as lists of text, NULL as NULL."""
    if not PG_URI:
        raise AssertionError("CW_PG_URI is not set: run through `make e2e` (tests/pg/pg.sh start DIR)")
    proc = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-P", "null=" + NULL,
                           "-F", "\x1f", "-R", "\x1e", "-d", PG_URI, "-c", sql],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError("psql failed on %s: %s\n%s" % (PG_URI, proc.stderr, sql))
    out = proc.stdout[:-1] if proc.stdout.endswith("\n") else proc.stdout
    return [rec.split("\x1f") for rec in out.split("\x1e")] if out else []


def columns(db_path, table):
    con = sqlite3.connect(db_path)
    cols = [(r[1], r[2].upper()) for r in con.execute('PRAGMA table_info("%s")' % table)]
    con.close()
    return cols


def dump_query(table, cols):
    """SELECT of the table's non-surrogate columns, ids as natural keys (portable SQL)."""
    exprs, floats = [], []
    for name, decl in cols:
        if name == OWN_ID.get(table):
            continue
        if name in NATURAL:
            if NATURAL[name] is None:
                continue
            exprs.append("%s AS %s" % (NATURAL[name], name))
        else:
            exprs.append("t.%s" % name)
        floats.append(decl in ("REAL", "DOUBLE PRECISION", "FLOAT"))
    return "SELECT %s FROM %s t" % (", ".join(exprs), table), floats


def norm(value, is_float, folder):
    if value is None or value == NULL:
        return NULL
    if is_float:
        return repr(float(value))
    if isinstance(value, bytes):
        return value.hex()
    text = str(value)
    return STAMP.sub("STAMP", text.replace(folder, "DIR"))


def dump_sqlite(db_path, sql, floats, folder):
    con = sqlite3.connect(db_path)
    rows = [tuple(norm(v, f, folder) for v, f in zip(r, floats)) for r in con.execute(sql)]
    con.close()
    return sorted(rows)


def dump_pg(sql, floats, folder):
    return sorted(tuple(norm(v, f, folder) for v, f in zip(r, floats)) for r in psql(sql))


def without_timestamps(data):
    return GENERATED.sub("TIMESTAMP", data.decode("utf-8", "replace"))


def report_files(folder):
    """{name: normalised content} of the weekly report's HTML and xlsx members."""
    out = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.endswith(".html"):
            with open(path, "rb") as f:
                out[name] = without_timestamps(f.read())
        elif name.endswith(".xlsx"):
            with zipfile.ZipFile(path) as z:
                for member in z.namelist():
                    out[name + ":" + member] = without_timestamps(z.read(member))
    return out



def same_run(report, config):
    """A report file with the manifest's configuration digest blanked: the
    two configurations name different warehouses (the renders pin their
    as-of instant, so nothing else may differ)."""
    with open(config, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return report.replace(digest, "-")

class EnginePair:
    """Mixin: one dataset loaded into both engines, then compared."""
    # tables a dataset leaves empty (stage_transition always is between
    # batches; a key waiting for its item and a parent outside the commit
    # graph only where the data has them: test_incremental.py fills both)
    MAY_BE_EMPTY = {"stage_transition", "derived_commit_key", "derived_missing_parent",
                    "stage_work_item_version",
                    # no KPI series or incident_types here (test_sources.py, both engines)
                    "fact_kpi", "map_incident_type",
                    # no gates configured in these datasets (test_flow.py has them, by hand)
                    "map_gate", "map_application_gate",
                    # only where the data has them (test_quality.py, PR datasets)
                    "derived_finding", "fact_pull_request_commit",
                    "stage_work_item_link", "fact_work_item_link", "derived_hierarchy"}
    FROM = TO = MONTH_FROM = MONTH_TO = None

    @classmethod
    def make_dataset(cls, folder):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        tmp = temp_dir("cw-engines-")
        source = os.path.join(tmp, "source")
        cls.make_dataset(source)
        cls.sqlite_dir = os.path.join(tmp, "sqlite")
        cls.pg_dir = os.path.join(tmp, "pg")
        shutil.copytree(source, cls.sqlite_dir)
        shutil.copytree(source, cls.pg_dir)
        ini = os.path.join(cls.pg_dir, "catwalk.ini")
        with open(ini) as f:
            text = f.read()
        text, n = re.subn(r"(?m)^warehouse\s*=.*$", "warehouse = " + PG_URI.replace("\\", "\\\\"), text)
        assert n == 1, "no warehouse line in " + ini
        with open(ini, "w") as f:
            f.write(text)
        cls.configs = {"sqlite": os.path.join(cls.sqlite_dir, "catwalk.ini"), "pg": ini}
        cls.db_path = os.path.join(cls.sqlite_dir, "catwalk.db")
        # Everything that reads PostgreSQL happens here, before the next
        # dataset's class drops the schema.
        psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        # forecasts are made as of the run's instant: the same on both engines
        now = dict(os.environ, CW_NOW=cls.TO + "T00:00:00Z")
        cls.loads = {e: run("run", "-c", c, "--no-report", check=False, env=now)
                     for e, c in cls.configs.items()}
        for engine, proc in cls.loads.items():
            if proc.returncode != 0:
                raise AssertionError("%s load exited %d: %s" % (engine, proc.returncode, proc.stderr))
        cls.metrics = {}
        # months need a window that holds a whole month of the data
        for label, to, extra in (("day", cls.TO, ["--by", "day", "--from", cls.FROM]),
                                 ("week", cls.TO, ["--by", "week", "--from", cls.FROM]),
                                 ("month", cls.MONTH_TO, ["--by", "month", "--from", cls.MONTH_FROM]),
                                 ("team", cls.TO, ["--by-team", "--from", cls.FROM]),
                                 ("org", cls.TO, ["--org", "--from", cls.FROM])):
            cls.metrics[label] = {e: run("metrics", "-c", c, "--to", to, "--format", "json", *extra).stdout
                                  for e, c in cls.configs.items()}
        cls.reports = {}
        for engine, config in cls.configs.items():
            out = os.path.join(tmp, "report-" + engine)
            run("report", "weekly", "-q", "-c", config, "--to", cls.TO, "--out", out,
                env=dict(os.environ, CW_NOW=cls.TO + "T12:00:00Z"))
            cls.reports[engine] = report_files(out)
        # data-quality findings and coverage (views of reports/sql/quality.sql)
        cls.checks = {e: run("check", "--data", "-c", c, "--format", "json", check=False).stdout
                      for e, c in cls.configs.items()}
        cls.dumps = {}
        for table in TABLES:
            sql, floats = dump_query(table, columns(cls.db_path, table))
            cls.dumps[table] = (dump_sqlite(cls.db_path, sql, floats, cls.sqlite_dir),
                                dump_pg(sql, floats, cls.pg_dir), sql)

    def test_load_summaries_equal(self):
        self.assertEqual(self.loads["sqlite"].stdout, self.loads["pg"].stdout)

    def test_same_tables(self):
        con = sqlite3.connect(self.db_path)
        lite = sorted(r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"))
        con.close()
        pg = sorted(r[0] for r in psql("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"))
        self.assertEqual(lite, pg)
        # every data table is compared (batch, source_run: clock times)
        self.assertEqual(sorted(set(lite) - {"batch", "source_run"}), sorted(TABLES))

    def check_metrics(self, label):
        m = self.metrics[label]
        # not just "[]": some row counts at least one deployment
        rows = json.loads(m["sqlite"])
        self.assertGreater(len(rows), 0, "metrics --%s printed no row" % label)
        self.assertTrue(any((r.get("deployments") or 0) > 0 for r in rows),
                        "metrics --%s counted no deployment" % label)
        self.assertEqual(m["sqlite"], m["pg"], "metrics --%s differ between engines" % label)

    def test_metrics_by_day(self):
        self.check_metrics("day")

    def test_metrics_by_week(self):
        self.check_metrics("week")

    def test_metrics_by_month(self):
        self.check_metrics("month")

    def test_metrics_by_team(self):
        self.check_metrics("team")

    def test_metrics_org(self):
        self.check_metrics("org")

    def test_weekly_report(self):
        lite, pg = self.reports["sqlite"], self.reports["pg"]
        self.assertEqual(sorted(lite), sorted(pg))
        self.assertTrue(any(k.endswith(".html") for k in lite))
        for name in lite:
            self.assertEqual(same_run(lite[name], self.configs["sqlite"]),
                             same_run(pg[name], self.configs["pg"]),
                             "report %s differs between engines" % name)

    def test_check_data(self):
        self.assertIn('"coverage"', self.checks["sqlite"])
        self.assertEqual(self.checks["sqlite"], self.checks["pg"])


def _table_test(table):
    def test(self):
        lite, pg, sql = self.dumps[table]
        # two empty tables are equal: a table the dataset fills must not be
        if table not in self.MAY_BE_EMPTY:
            self.assertGreater(len(lite), 0, "%s is empty on SQLite" % table)
        if lite != pg:
            only_lite = sorted(set(lite) - set(pg))
            only_pg = sorted(set(pg) - set(lite))
            self.fail("%s: %d rows on SQLite, %d on PostgreSQL; %d only on SQLite, e.g. %r; "
                      "%d only on PostgreSQL, e.g. %r\n%s"
                      % (table, len(lite), len(pg), len(only_lite), only_lite[:3],
                         len(only_pg), only_pg[:3], sql))
    test.__name__ = "test_table_" + table
    return test


for _t in TABLES:
    setattr(EnginePair, "test_table_" + _t, _table_test(_t))


# the tables of a pull request's commits and reviews (GitHub and GitLab only)
PULL_PARTS = {"fact_pull_request_commit", "fact_pull_request_listed_commit",
              "fact_pull_request_review"}


class HandMade(EnginePair, unittest.TestCase):
    FROM, TO, MONTH_FROM, MONTH_TO = "2026-03-02", "2026-03-16", "2026-02-01", "2026-04-01"
    # no GitHub or GitLab source, no Jira status list, no bad record
    MAY_BE_EMPTY = EnginePair.MAY_BE_EMPTY | {"fact_pull_request", "fact_deployment_status",
                                              "source_status", "reject"} | PULL_PARTS
    # no fix versions (tests/e2e/test_releases.py has its own dataset)
    MAY_BE_EMPTY |= {"dim_release", "fact_work_item_version", "derived_release",
                     "derived_release_item", "derived_forecast", "forecast_history"}

    @classmethod
    def make_dataset(cls, folder):
        shutil.copytree(DATA, folder)

    def test_dataset_has_rows(self):
        lite = self.dumps
        for table in ("dim_work_item", "fact_transition", "fact_commit", "fact_build",
                      "fact_deployment", "fact_incident", "bridge_deployment_commit",
                      "derived_incident", "derived_status_interval"):
            self.assertGreater(len(lite[table][0]), 0, table)


class SmallDemo(EnginePair, unittest.TestCase):
    # --scale 0.1: about 6,300 records, 255 deployments; a few seconds on PostgreSQL
    FROM, TO, MONTH_FROM, MONTH_TO = "2026-08-31", "2026-11-23", "2026-06-01", "2026-11-01"
    # the demo has GitHub pull requests (its configuration does not read their
    # commits and reviews pages: WRITE_PR_PAGES in demogen/config.c) but no
    # GitHub deployments, no Jira status list, no bad record; its Fix Version
    # histories fill fact_work_item_version
    MAY_BE_EMPTY = EnginePair.MAY_BE_EMPTY | {"fact_deployment_status", "source_status",
                                              "reject"} | PULL_PARTS

    @classmethod
    def make_dataset(cls, folder):
        run("demo", folder, "--end", "2026-11-23", "--scale", "0.1", "-q")

    def test_dataset_has_rows(self):
        self.assertGreater(len(self.dumps["fact_pull_request"][0]), 100)
        self.assertGreater(len(self.dumps["fact_work_item_version"][0]), 100)
        self.assertGreater(len(self.dumps["fact_deployment"][0]), 100)
        self.assertGreater(len(self.dumps["bridge_commit_work_item"][0]), 100)


class PullRequests(EnginePair, unittest.TestCase):
    # tests/e2e/test_pr_stages.py's GitHub dataset: pull requests, their
    # commits and reviews, deployments; no work item, incident or CI job
    FROM, TO, MONTH_FROM, MONTH_TO = "2026-03-02", "2026-03-09", "2026-03-01", "2026-04-01"
    MAY_BE_EMPTY = EnginePair.MAY_BE_EMPTY | {
        "source_status", "reject", "finding", "dim_work_item", "fact_transition", "fact_incident",
        "bridge_commit_work_item", "derived_incident", "derived_work_item",
        "derived_status_interval", "map_project", "map_service", "dim_status", "derived_project",
        "fact_build_revision",
        # no work items, so no fix versions, links or epics
        "dim_release", "fact_work_item_version", "derived_release", "derived_release_item",
        "fact_work_item_link", "derived_hierarchy", "derived_forecast", "forecast_history"}

    @classmethod
    def make_dataset(cls, folder):
        test_pr_stages.make_dataset(folder)

    def test_dataset_has_rows(self):
        for table in sorted(PULL_PARTS):
            self.assertGreater(len(self.dumps[table][0]), 0, table)


if __name__ == "__main__":
    run_suite("engines")
