#!/usr/bin/python3
"""The window summary, the filters of `catwalk metrics`, the headline and the
data-trust banner of the weekly report (issue 10, capabilities 1 and 2).

`catwalk metrics --summary --format json` (metrics.md Decisions 12) on the
hand-made dataset tests/data/e2e, on SQLite and on PostgreSQL (CW_PG_URI: a
throwaway server, as test_engines.py; without one the PostgreSQL tests fail,
never skip), checked field by field against values worked out by hand from
the dataset's comments in test_e2e.py.  Two applications are added to its
configuration for Decisions 3 and 13: `idle` (team Idle) has a CI job
pattern that matches no job, so it is measured and `low`; `ghost` (team
Ghosts) has no deployment mapping at all, so it has no frequency and no
level, and neither has its team.

The window is 2026-03-02 .. 2026-03-16 (14 days, so per week = / 2):
  payments  #3 #5 #6 (03-02, 03-03, 03-04) and #7 #8 (both 03-10): 5
            deployments, 2.5 a week; deploy days 3 and 1 a week, median 2:
            high.  Lead times 2 4 4 5 (week 1), 3 27 (week 2): median of
            2 3 4 4 5 27 = 4 h, elite.  Failed: #5 (P1), #7 (P4), #8 (P3):
            3 of 5 = 0.6, low.  Restored: P1 2 h, P2 48 h, P4 0.5 h: median
            2 h, high ([1, 24)).
  claims    #1 (03-05): 1 deployment, 0.5 a week; deploy days 1 and 0 a
            week (median 0.5 < 1), 1 in March (the window's part): medium.
            No git source: no lead time (null).  INC001 2 h after it: 1 of
            1 failed = 1.0, low.  INC001 restored in 2 h: high.
  teams     Core Banking = payments, Claims = claims, as above; Idle (idle
            only): 0 deployments, low; Ghosts (ghost only): null.
  organisation  6 deployments, 3.0 a week; deploy days 4 (03-02 03-03 03-04
            03-05) and 1: median 2.5, high; lead time 4 h elite; 4 of 6
            failed, low; restores 0.5 2 2 48: median 2 h, high.
Prints "headline: N passed, N failed".
"""
import json
import os
import re
import shutil
import subprocess
import unittest

import openpyxl

from suite import DATA, REPO, run, run_suite, temp_dir

PG_URI = os.environ.get("CW_PG_URI", "")
PSQL = os.environ.get("CW_PSQL", "psql")
WINDOW = ["--from", "2026-03-02", "--to", "2026-03-16"]

EXTRA_APPS = """
[application idle]
team = Idle
jobs = deploy-idle-never-built

[application ghost]
team = Ghosts
"""

FIELDS = ["scope", "name", "team", "deployments", "deployment_frequency_per_week",
          "deployment_frequency_level", "lead_time_median_h", "lead_time_level",
          "change_failure_rate", "change_failure_rate_level", "restore_median_h", "restore_level"]


def row(scope, name, team, deployments, per_week, df_level, lead, lead_level, cfr, cfr_level,
        restore, restore_level):
    return dict(zip(FIELDS, [scope, name, team, deployments, per_week, df_level, lead, lead_level,
                             cfr, cfr_level, restore, restore_level]))


# Worked out in the module comment; applications, then teams, then the
# organisation, each by name.
EXPECTED = [
    row("application", "claims", "Claims", 1, 0.5, "medium", None, None, 1.0, "low", 2.0, "high"),
    row("application", "ghost", "Ghosts", 0, None, None, None, None, None, None, None, None),
    row("application", "idle", "Idle", 0, 0.0, "low", None, None, None, None, None, None),
    row("application", "payments", "Core Banking", 5, 2.5, "high", 4.0, "elite", 0.6, "low",
        2.0, "high"),
    row("team", "Claims", "Claims", 1, 0.5, "medium", None, None, 1.0, "low", 2.0, "high"),
    row("team", "Core Banking", "Core Banking", 5, 2.5, "high", 4.0, "elite", 0.6, "low",
        2.0, "high"),
    row("team", "Ghosts", "Ghosts", 0, None, None, None, None, None, None, None, None),
    row("team", "Idle", "Idle", 0, 0.0, "low", None, None, None, None, None, None),
    row("organisation", "organisation", None, 6, 3.0, "high", 4.0, "elite", 4 / 6, "low",
        2.0, "high"),
]


def psql(sql):
    if not PG_URI:
        raise AssertionError("CW_PG_URI is not set: run through `make e2e` (tests/pg/pg.sh start DIR)")
    proc = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", PG_URI,
                           "-c", sql], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError("psql failed: %s\n%s" % (proc.stderr, sql))
    return proc.stdout


def dataset(engine, extra=""):
    """tests/data/e2e with the two applications (and extra) in its config,
    loaded into the engine: the config path and the run's process."""
    folder = os.path.join(temp_dir("cw-headline-"), "data")
    shutil.copytree(DATA, folder)
    config = os.path.join(folder, "catwalk.ini")
    with open(config) as f:
        text = f.read() + EXTRA_APPS + extra
    if engine == "postgresql":
        psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        text, n = re.subn(r"(?m)^warehouse\s*=.*$", "warehouse = " + PG_URI.replace("\\", "\\\\"),
                          text)
        assert n == 1
    with open(config, "w") as f:
        f.write(text)
    return config, run("run", "-c", config, "--no-report", check=False)


def metrics(config, *args):
    return run("metrics", "-c", config, *WINDOW, *args).stdout


class Summary:
    """Mixin: the window summary and the filters on one engine."""
    ENGINE = None

    @classmethod
    def setUpClass(cls):
        cls.config, cls.load = dataset(cls.ENGINE)
        if cls.load.returncode != 0:
            raise AssertionError("load exited %d: %s" % (cls.load.returncode, cls.load.stderr))
        # everything that reads PostgreSQL happens here, before another class drops it
        cls.summary = json.loads(metrics(cls.config, "--summary", "--format", "json"))
        cls.team = json.loads(metrics(cls.config, "--summary", "--team", "Core Banking"))
        cls.fields = json.loads(metrics(cls.config, "--summary", "--org", "--fields",
                                        "restore_level,deployments"))
        cls.csv = metrics(cls.config, "--summary", "--format", "csv", "--app", "ghost")
        cls.table = metrics(cls.config, "--summary", "--format", "table", "--app", "idle",
                            "--fields", "deployment_frequency_level")
        cls.rows_csv = metrics(cls.config, "--format", "csv", "--app", "payments", "--fields",
                               "deployments,lead_time_median_h")
        cls.rows_team = json.loads(metrics(cls.config, "--by-team", "--team", "Claims",
                                           "--fields", "change_failure_rate"))

    def test_field_by_field(self):
        self.assertEqual([r["name"] for r in self.summary], [r["name"] for r in EXPECTED])
        for got, want in zip(self.summary, EXPECTED):
            self.assertEqual(list(got.keys()), FIELDS, got["name"])
            for field in FIELDS:
                if isinstance(want[field], float):
                    self.assertAlmostEqual(got[field], want[field], places=9,
                                           msg="%s %s" % (got["name"], field))
                else:
                    self.assertEqual(got[field], want[field], "%s %s" % (got["name"], field))

    def test_team_filter(self):
        self.assertEqual([(r["scope"], r["name"]) for r in self.team],
                         [("application", "payments"), ("team", "Core Banking")])

    def test_fields_filter(self):
        self.assertEqual(self.fields, [{"scope": "organisation", "name": "organisation",
                                        "restore_level": "high", "deployments": 6}])

    def test_csv_and_table(self):
        self.assertEqual(self.csv, ",".join(FIELDS) + '\napplication,"ghost","Ghosts",0,,,,,,,,\n')
        # the table right-aligns the fields under their heading
        self.assertEqual(self.table.splitlines(),
                         ["scope        name  deployment_frequency_level",
                          "application  idle  " + " " * 23 + "low"])

    def test_row_filters(self):
        # payments: 3 then 2 deployments; lead time medians 4 h and 15 h (test_e2e.py)
        self.assertEqual(self.rows_csv, "application,period,deployments,lead_time_median_h\n"
                                        '"payments",2026-03-02,3,4\n"payments",2026-03-09,2,15\n')
        # team Claims: 1 of 1 failed in week 1, no deployment (null) in week 2
        self.assertEqual(self.rows_team, [
            {"team": "Claims", "period": "2026-03-02", "change_failure_rate": 1},
            {"team": "Claims", "period": "2026-03-09", "change_failure_rate": None}])


class SummarySQLite(Summary, unittest.TestCase):
    ENGINE = "sqlite"


class SummaryPostgreSQL(Summary, unittest.TestCase):
    ENGINE = "postgresql"


class UsageErrors(unittest.TestCase):
    def test_unknown_names_and_fields(self):
        folder = os.path.join(temp_dir("cw-headline-"), "data")
        shutil.copytree(DATA, folder)
        config = os.path.join(folder, "catwalk.ini")
        for args, word in ((["--app", "nope"], "--app"), (["--team", "Nobody"], "--team"),
                           (["--fields", "deployments,nope"], "--fields"),
                           (["--app", "payments", "--by-team"], "--app")):
            proc = run("metrics", "-c", config, *args, check=False)
            self.assertEqual(proc.returncode, 2, args)
            self.assertIn(word, proc.stderr)


def summary_sheet(folder):
    xlsx = [f for f in os.listdir(folder) if f.endswith(".xlsx")][0]
    html = [f for f in os.listdir(folder) if f.endswith(".html")][0]
    return os.path.join(folder, xlsx), os.path.join(folder, html)


def texts(path):
    ws = openpyxl.load_workbook(path)["Summary"]
    return [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]


class ReportHeadline(unittest.TestCase):
    """The weekly report of the same data: the headline first, the trust banner
    a warning when a source failed in the last batch (`gone`: its path matches
    no file), not a warning otherwise."""

    def report(self, extra):
        config, load = dataset("sqlite", extra)
        self.assertIn(load.returncode, (0, 3), load.stderr)
        out = os.path.join(os.path.dirname(config), "out")
        # "now" is the clock: the banner counts the batches started by the
        # report's as-of instant, and these ran just now (the window is --from/--to)
        env = dict(os.environ)
        env.pop("CW_NOW", None)
        proc = subprocess.run([os.environ.get("CW_BIN", os.path.join(REPO, "catwalk")), "report",
                               "weekly", "-q", "-c", config, *WINDOW, "--out", out],
                              capture_output=True, text=True, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return summary_sheet(out)

    def check(self, xlsx, html, *flags):
        proc = subprocess.run(["/usr/bin/python3", os.path.join(REPO, "tests", "e2e", "check_report.py"),
                               xlsx, html, "--expect-headline", *flags], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_failed_source_makes_a_warning(self):
        xlsx, html = self.report("\n[source gone]\ntype = pagerduty\npath = nowhere/*.json\n")
        self.check(xlsx, html, "--expect-degraded")
        cells = texts(xlsx)
        self.assertIn("its path matches no file", cells)          # the error, on gone's row
        self.assertIn("never", cells)                             # gone never loaded
        # The organisation's tiles (module comment): 3.0 a week; the last 4 weeks
        # [02-16, 03-16) add #1 (03-01): 7 / 4 = 1.75 a week against none in the 4
        # before: +1.75, shown +1.8, better.  Lead time 4 h, and no lead time
        # before 03-02 (#1 is the baseline): no comparison.  4 of 6 failed =
        # 66.7 %, no deployment in the prior 4 weeks: no comparison.  Restore
        # 2 h from P1, INC001, P2, P4: 4 samples < 5, greyed with n=4.  The
        # frequency's level rests on the window's 2 weeks: n=2 too.
        self.assertIn("Delivery got faster: lead time 4.0 h, deployments 3.0 per week "
                      "(+1.8 per week, n=2); change failure rate at 66.7 %, time to restore 2.0 h "
                      "(n=4).", cells)
        self.assertIn("source no records: 1 (affects every metric of the source)", cells)

    def test_clean_run_is_trusted(self):
        xlsx, html = self.report("")
        self.check(xlsx, html, "--expect-trusted")
        cells = texts(xlsx)
        self.assertIn("Lead time for changes: elite < 24 h, high < 7 days, medium < 30 days, "
                      "low >= 30 days", cells)
        # Decisions 3 on the sheet: ghost has no level, idle is low
        self.assertIn("Team Ghosts", cells)


class OrganisationName(unittest.TestCase):
    """metrics.md Decisions 9: `[catwalk] organisation = Acme Bank` names the
    organisation row of `catwalk metrics --org`, of the window summary and of
    the report (its Summary and Data sheets, and the page); the scope stays
    "organisation" and the figures (module comment: 6 deployments, 4 failed)
    do not change."""

    @classmethod
    def setUpClass(cls):
        folder = os.path.join(temp_dir("cw-headline-"), "data")
        shutil.copytree(DATA, folder)
        cls.config = os.path.join(folder, "catwalk.ini")
        with open(cls.config) as f:
            text, n = re.subn(r"(?m)^\[catwalk\]$", "[catwalk]\norganisation = Acme Bank", f.read())
        assert n == 1
        with open(cls.config, "w") as f:
            f.write(text)
        run("run", "-c", cls.config, "--no-report")
        cls.out = os.path.join(folder, "out")
        run("report", "weekly", "-q", "-c", cls.config, *WINDOW, "--out", cls.out)

    def test_metrics_and_summary(self):
        self.assertEqual(metrics(self.config, "--org", "--format", "csv", "--fields", "deployments"),
                         'organisation,period,deployments\n'
                         '"Acme Bank",2026-03-02,4\n"Acme Bank",2026-03-09,2\n')
        self.assertEqual(json.loads(metrics(self.config, "--summary", "--org", "--fields",
                                            "deployments,change_failure_rate_level")),
                         [{"scope": "organisation", "name": "Acme Bank", "deployments": 6,
                           "change_failure_rate_level": "low"}])

    def test_report(self):
        xlsx, html = summary_sheet(self.out)
        self.assertIn("Acme Bank", texts(xlsx))
        data = openpyxl.load_workbook(xlsx)["Data"]
        org = [r[:2] for r in data.iter_rows(values_only=True) if r[0] == "organisation"]
        self.assertEqual(org, [("organisation", "Acme Bank")] * 2)     # two weeks
        with open(html, encoding="utf-8") as f:
            self.assertIn("Acme Bank", f.read())


if __name__ == "__main__":
    run_suite("headline")
