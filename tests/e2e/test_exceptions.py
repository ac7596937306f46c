#!/usr/bin/python3
"""End-to-end tests of the exceptions digest (`catwalk exceptions`,
reports/exceptions.h) on tests/data/exceptions, on SQLite and, when
CW_PG_URI is set (a throwaway server from tests/pg/pg.sh), on PostgreSQL.
Each kind fires once; every score is worked out by hand (times UTC):

  T = --as-of 2026-03-16 (a Monday); history [2025-12-16, T); DORA halves
  [2026-01-19, 2026-02-16) and [2026-02-16, T).
  shop (team Web):
    SHOP-1..5 In Progress 02-02, Security Review on 02-03/04/05/06/07, Done
      02-04/05/07/08/10: cycle times 2, 3, 5, 6, 8 days -> p85 (rank
      ceil(0.85 x 5) = 5) 8 days; time at the gate 1, 1, 2, 2, 3 days -> p85 3.
    SHOP-6 In Progress since 02-24 (Ada Lovelace): 20 days, r = 20 / 8 = 2.5,
      aging_wip 1 + 2.5 = 3.5.
    SHOP-7 In Progress 03-02, Security Review since 03-09 (Grace Hopper):
      7 days, r = 7 / 3, gate_wait 2 + 2.333 = 4.33 (and not aging_wip too,
      though its 14 days exceed 8).
    Incidents of shop-api: restore 1, 2, 3 h (December), 4 h (INC-4, 02-23)
      and 10 h (INC-5, 03-02) -> p85 10 h; INC-6 open since 03-15 00:00:
      24 h, r = 2.4, open_incident 4 + 2.4 = 6.4.
    Deployments Monday and Tuesday 10:00 of every week 01-19 .. 03-10: 8 in
      each half; INC-4 and INC-5 come 2 h after a Monday deployment
      (attributed): change failure rate 0 / 8 = 0 % (elite) then 2 / 8 = 25 %
      (low): dora_regression 3 + 3 = 6, since T - 28 days = 02-16.  Deploy
      days 2 a week in both halves: no deployment-frequency regression.
    Release SHOP 2.0 (inserted by hand into dim_release and derived_forecast):
      planned 03-20, P85 04-03: 14 days late, release_at_risk 5 + 2 = 7,
      since its as_of 03-15 (no stored history).
  billing (team Ops): deployed daily at 12:00 01-05 .. 01-14: 9 gaps of 1
    day, median 1 day, threshold max(2 days, 7 days) = 7 days; the last one
    01-14 12:00 is 60.5 days before T: r = 60.5 / 7 = 8.642857,
    stalled_pipeline 2 + 8.642857 = 10.64.

Prints "exceptions: N passed, N failed".
"""
import csv
import io
import json
import os
import re
import shutil
import unittest

from suite import REPO, run, run_suite, temp_dir

DATA = os.path.join(REPO, "tests", "data", "exceptions")
PG_URI = os.environ.get("CW_PG_URI", "")
AS_OF = ["--as-of", "2026-03-16"]

# (kind, scope, name, subject, since, score, owner_team, owner, url), in rank order
EXPECTED = [
    ("stalled_pipeline", "application", "billing", "deploy-billing", "2026-01-14T12:00:00Z", 10.64,
     "Ops", None, "https://ci.example.com/job/deploy-billing/10/"),
    ("release_at_risk", "release", "SHOP 2.0", "SHOP 2.0", "2026-03-15T00:00:00Z", 7.0, "Web", None,
     None),
    ("open_incident", "application", "shop", "INC-6", "2026-03-15T00:00:00Z", 6.4, "Web", None, None),
    ("dora_regression", "application", "shop", "change_failure_rate", "2026-02-16T00:00:00Z", 6.0,
     "Web", None, None),
    ("gate_wait", "application", "shop", "SHOP-7", "2026-03-09T00:00:00Z", 4.33, "Web",
     "Grace Hopper", None),
    ("aging_wip", "application", "shop", "SHOP-6", "2026-02-24T00:00:00Z", 3.5, "Web", "Ada Lovelace",
     None),
]

# the hand-made release at risk: planned 2026-03-20, P85 2026-04-03, as_of 2026-03-15
RELEASE_SQL = (
    "INSERT INTO dim_release (release_id, project, name, release_at) VALUES "
    "(1000, 'SHOP', '2.0', 1773964800); "
    "INSERT INTO derived_forecast (release_id, as_of, remaining, has_forecast, p50_at, p85_at, "
    "p95_at, items_by_planned_85, at_risk, critical_release_id, reason) VALUES "
    "(1000, 1773532800, 6, 1, 1774569600, 1775174400, 1775779200, 3, 1, NULL, NULL)")


def entries(text):
    return [(e["kind"], e["scope"], e["name"], e["subject"], e["since"], e["score"], e["owner_team"],
             e["owner"], e["url"]) for e in json.loads(text)["exceptions"]]


class Exceptions:
    """The tests, run once per engine (the subclasses below)."""
    ENGINE = None

    @classmethod
    def setUpClass(cls):
        cls.d = os.path.join(temp_dir("cw-exceptions-"), "d")
        shutil.copytree(DATA, cls.d)
        cls.ini = os.path.join(cls.d, "catwalk.ini")
        if cls.ENGINE == "pg":
            import test_engines as te
            cls.te = te
            with open(cls.ini) as f:
                text = f.read()
            text = re.sub(r"(?m)^warehouse\s*=.*$", "warehouse = " + PG_URI.replace("\\", "\\\\"), text)
            with open(cls.ini, "w") as f:
                f.write(text)
            te.psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        run("run", "-c", cls.ini, "--no-report", "-q")
        if cls.ENGINE == "pg":
            cls.te.psql(RELEASE_SQL)
        else:
            import sqlite3
            con = sqlite3.connect(os.path.join(cls.d, "catwalk.db"))
            con.executescript(RELEASE_SQL)
            con.close()

    def exceptions(self, *args, ini=None):
        return run("exceptions", "-c", ini or self.ini, *args).stdout

    def variant(self, extra):
        """A copy of the configuration with extra sections, on the same warehouse."""
        with open(self.ini) as f:
            text = f.read()
        text = re.sub(r"(?m)^warehouse\s*=\s*catwalk.db$",
                      "warehouse = " + os.path.join(self.d, "catwalk.db"), text)
        path = os.path.join(temp_dir("cw-exceptions-ini-"), "catwalk.ini")
        with open(path, "w") as f:
            f.write(text + "\n" + extra)
        return path

    def test_every_kind_ranked(self):
        got = json.loads(self.exceptions("--format", "json", "--all", *AS_OF))
        self.assertEqual(got["as_of"], "2026-03-16T00:00:00Z")
        self.assertEqual(entries(json.dumps(got)), EXPECTED)
        self.assertEqual([e["rank"] for e in got["exceptions"]], [1, 2, 3, 4, 5, 6])
        reasons = [e["reason"] for e in got["exceptions"]]
        self.assertIn("no successful production deployment for 60.5 days; the median gap is "
                      "24.0 hours (9 gaps, 90 days), threshold 7.0 days; last: deploy-billing #10",
                      reasons[0])
        self.assertIn("P85 2026-04-03 is 14 days after the planned 2026-03-20; 6 items remaining",
                      reasons[1])
        self.assertIn("open for 24.0 hours, severity P1; the p85 time to restore of shop is 10.0 hours "
                      "(5 incidents, 90 days)", reasons[2])
        self.assertIn("change failure rate fell from elite to low: 0.0 % (8 deployments) in the 4 "
                      "weeks before, 25.0 % (8 deployments) in the last 4", reasons[3])
        self.assertIn("waiting at Security Review (security) for 7.0 days; the gate's p85 is 3.0 days "
                      "(5 items, 90 days)", reasons[4])
        self.assertIn("in progress for 20.0 days (now In Progress); the p85 cycle time of shop is "
                      "8.0 days (5 items, 90 days)", reasons[5])

    def test_top_n_table_and_csv(self):
        table = self.exceptions(*AS_OF)
        lines = table.splitlines()
        self.assertTrue(lines[0].startswith("#  score  kind"))
        self.assertEqual(len(lines), 6)           # the header and the default top 5
        self.assertIn("10.64  stalled_pipeline", lines[1])
        self.assertNotIn("aging_wip", table)
        rows = list(csv.reader(io.StringIO(self.exceptions("--format", "csv", "--top", "2", *AS_OF))))
        self.assertEqual(rows[0], ["rank", "kind", "scope", "name", "subject", "since", "score",
                                   "owner_team", "owner", "reason", "url"])
        self.assertEqual([r[:7] for r in rows[1:]], [
            ["1", "stalled_pipeline", "application", "billing", "deploy-billing",
             "2026-01-14T12:00:00Z", "10.64"],
            ["2", "release_at_risk", "release", "SHOP 2.0", "SHOP 2.0", "2026-03-15T00:00:00Z", "7.00"]])

    def test_team_and_app_filters(self):
        self.assertEqual(entries(self.exceptions("--format", "json", "--team", "Ops", *AS_OF)),
                         EXPECTED[:1])
        self.assertEqual(entries(self.exceptions("--format", "json", "--all", "--app", "shop", *AS_OF)),
                         EXPECTED[1:])
        out = self.exceptions("--team", "Nobody", *AS_OF)
        self.assertEqual(out, "no exceptions as of 2026-03-16T00:00:00Z\n")
        self.assertEqual(json.loads(self.exceptions("--format", "json", "--app", "none", *AS_OF))
                         ["exceptions"], [])

    def test_weights_and_top_from_config(self):
        # stalled_pipeline x 0.5: (2 + 8.642857) x 0.5 = 5.32, below the DORA
        # regression's 6; top = 4 is the default length
        ini = self.variant("[exceptions]\nstalled_pipeline = 0.5\ntop = 4\n")
        got = entries(self.exceptions("--format", "json", "--as-of", "2026-03-16", ini=ini))
        self.assertEqual([(e[0], e[5]) for e in got], [
            ("release_at_risk", 7.0), ("open_incident", 6.4), ("dora_regression", 6.0),
            ("stalled_pipeline", 5.32)])

    def test_gate_weighted_zero_leaves_aging_wip(self):
        # gate_wait = 0: SHOP-7 is no gate wait, so its 14 days in progress
        # against shop's 8 make it aging WIP: 1 + 14/8 = 2.75
        ini = self.variant("[exceptions]\ngate_wait = 0\n")
        got = entries(self.exceptions("--format", "json", "--all", *AS_OF, ini=ini))
        self.assertEqual([e[0] for e in got], ["stalled_pipeline", "release_at_risk", "open_incident",
                                                "dora_regression", "aging_wip", "aging_wip"])
        self.assertEqual([(e[3], e[5]) for e in got[4:]], [("SHOP-6", 3.5), ("SHOP-7", 2.75)])

    def test_small_samples(self):
        # [report] min_samples = 10: the p85s rest on 5 samples, the median gap
        # on 9 gaps and each DORA half on 8 deployments: only the release stays
        ini = self.variant("[report]\nmin_samples = 10\n")
        got = entries(self.exceptions("--format", "json", "--all", *AS_OF, ini=ini))
        self.assertEqual(got, EXPECTED[1:2])

    def test_earlier_instant(self):
        # T = 2026-03-12: INC-6 is not open yet; SHOP-7 has waited exactly the
        # gate's p85 (3 days), which is not longer: no gate wait, so SHOP-7
        # (10 days in progress) is aging WIP: 1 + 10/8 = 2.25; SHOP-6 is 16
        # days old: 1 + 2 = 3; billing has stalled 56.5 days: 2 + 56.5/7
        got = entries(self.exceptions("--format", "json", "--all", "--as-of", "2026-03-12"))
        by = {(e[0], e[3]): e[5] for e in got}
        self.assertNotIn(("open_incident", "INC-6"), by)
        self.assertNotIn(("gate_wait", "SHOP-7"), by)
        self.assertEqual(by[("aging_wip", "SHOP-7")], 2.25)
        self.assertEqual(by[("aging_wip", "SHOP-6")], 3.0)
        self.assertEqual(by[("stalled_pipeline", "deploy-billing")], round(2 + 56.5 / 7, 2))

    def test_instant_pinned_by_cw_now(self):
        proc = run("exceptions", "-c", self.ini, "--format", "json", "--all",
                   env=dict(os.environ, CW_NOW="2026-03-16T00:00:00Z"))
        self.assertEqual(entries(proc.stdout), EXPECTED)

    def test_usage_and_config_errors(self):
        out = run("exceptions", "--help").stdout
        self.assertTrue(out.startswith("usage: catwalk exceptions"))
        for option in ("--format FMT", "--top N", "--all", "--team NAME", "--app NAME",
                       "--as-of DATE", "-c, --config FILE", "-q, --quiet", "-v, --verbose",
                       "-h, --help"):
            self.assertIn(option, out)
        self.assertEqual(run("exceptions", "-h").stdout, out)
        for args, option in ((["--format", "xml"], "--format"), (["--top", "0"], "--top"),
                             (["--top", "2", "--all"], "--top"), (["--as-of", "2026-02-30"], "--as-of")):
            proc = run("exceptions", "-c", self.ini, *args, check=False)
            self.assertEqual(proc.returncode, 2, args)
            self.assertIn(option + ": ", proc.stderr)
        ini = self.variant("[exceptions]\ngate_waits = 2\n")
        proc = run("check", "-c", ini, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("%s:%d: gate_waits: unknown key in [exceptions]" % (ini, self.line_of(ini, "gate_waits")),
                      proc.stderr)
        ini = self.variant("[exceptions]\naging_wip = heavy\n")
        proc = run("check", "-c", ini, check=False)
        self.assertIn("%s:%d: aging_wip: expected a weight" % (ini, self.line_of(ini, "aging_wip")),
                      proc.stderr)

    @staticmethod
    def line_of(path, key):
        with open(path) as f:
            for n, line in enumerate(f, 1):
                if line.startswith(key + " ="):
                    return n
        raise AssertionError(key)


class ExceptionsSQLite(Exceptions, unittest.TestCase):
    ENGINE = "sqlite"


@unittest.skipUnless(PG_URI, "CW_PG_URI is not set")
class ExceptionsPostgreSQL(Exceptions, unittest.TestCase):
    ENGINE = "pg"


if __name__ == "__main__":
    run_suite("exceptions")
