#!/usr/bin/python3
"""End-to-end tests of the value stream layer on tests/data/flow, on SQLite
and, when CW_PG_URI is set (a throwaway server from tests/pg/pg.sh), on
PostgreSQL: `catwalk flow` (time in status, top waiting stage, gates,
in-flight items), the idea_to_production fields of `catwalk metrics`, the
views of reports/sql/flow_views.sql, the report queries
report_value_stream.sql and report_gates.sql, and the [gates] configuration.

Every expected value is worked out by hand from the dataset (times UTC,
weeks W1 = 2026-03-02, W2 = 2026-03-09, report instant 2026-03-16 00:00):

  shop requires the security gate, billing the security and cab gates.
  SHOP-1  created 03-02 00:00; In Progress 03-02 06:00, Security Review 03-03
          06:00, In Progress 03-04 06:00, Done 03-05 06:00 (start 03-02 06:00,
          end 03-05 06:00): In Progress 24 + 24 = 48 h, Security Review 24 h.
  SHOP-2  created 03-02 00:00; In Progress 03-02 12:00, Security Review 03-03
          00:00, In Progress 03-03 10:00, Security Review 03-04 00:00, Done
          03-04 06:00, reopened In Progress 03-05 00:00, Done 03-06 00:00 (end):
          In Progress 12 + 14 + 24 = 50 h, Security Review 10 + 6 = 16 h (the
          gate visited twice), Done 18 h (its first done visit).
  SHOP-3  created 03-09 00:00; In Progress 03-09 06:00, In Review 03-10 06:00,
          Done 03-11 06:00: 24 h and 24 h; never at Security Review: skipped.
  SHOP-4  In Security Review since 03-12 00:00: waiting now.
  SHOP-6  In Security Review 03-11 00:00 to 03-17 00:00: waiting at 03-16.
  SHOP-7  created 03-12, named by a commit shipped on 03-05: in production
          before it was created, so no idea-to-production sample.
  BILL-1  In Progress 03-09 06:00, Security Review 03-10 06:00, In Progress
          03-10 18:00, Done 03-12 06:00: 24 + 36 = 60 h, security 12 h; skips cab.
  BILL-2  In Progress 03-03 00:00, CAB Approval 03-04 00:00, Done 03-04 08:00:
          24 h, cab 8 h; skips security.
  Commits (shop, linear): C0 02-25 "SHOP-1" shipped by the baseline D1
  (02-26); C1 03-01 12:00 "SHOP-2" (before SHOP-2 was created), C2 03-02
  08:00 and C3 03-04 10:00 "SHOP-1" (C3 names SHOP-7 too) shipped by D2
  03-05 12:00; C4 03-05 06:00 "SHOP-2" by D3 03-06 12:00; C5 03-09 12:00
  "SHOP-3" by D4 03-11 12:00; C6 03-11 00:00 "SHOP-4" not deployed.

Prints "flow: N passed, N failed".
"""
import csv
import io
import json
import os
import re
import shutil
import sqlite3
import unittest

from suite import REPO, run, run_suite, temp_dir

FLOW_DATA = os.path.join(REPO, "tests", "data", "flow")
PG_URI = os.environ.get("CW_PG_URI", "")
WINDOW = ["--from", "2026-03-02", "--to", "2026-03-16"]
T_FROM, T_TO = 1772409600, 1773619200          # 2026-03-02, 2026-03-16 00:00 UTC


def csv_rows(text):
    return [tuple(r) for r in csv.reader(io.StringIO(text))]


class Flow:
    """The tests, run once per engine (the subclasses below)."""
    ENGINE = None

    @classmethod
    def setUpClass(cls):
        cls.d = os.path.join(temp_dir("cw-flow-"), "d")
        shutil.copytree(FLOW_DATA, cls.d)
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

    def query(self, sql, params=()):
        """Rows of a query as tuples of text (None for NULL), on the engine."""
        if self.ENGINE == "pg":
            for i, p in reversed(list(enumerate(params, 1))):
                sql = sql.replace("?%d" % i, str(p))
            rows = self.te.psql(sql)
            return [tuple(None if v == self.te.NULL else v for v in r) for r in rows]
        con = sqlite3.connect(os.path.join(self.d, "catwalk.db"))
        rows = [tuple(None if v is None else str(v) for v in r) for r in con.execute(sql, params)]
        con.close()
        return rows

    def flow(self, *args):
        return run("flow", "-c", self.ini, "--format", "csv", *args).stdout

    def test_time_in_status_by_application(self):
        rows = csv_rows(self.flow(*WINDOW))
        self.assertEqual(rows[0], ("application", "period", "status", "category", "is_wait", "is_gate",
                                   "items", "total_h", "median_h", "p85_h", "top_waiting"))
        self.assertEqual(rows[1:], [
            ("billing", "2026-03-02", "CAB Approval", "in_progress", "1", "1", "1", "8", "8", "8", "0"),
            ("billing", "2026-03-02", "In Progress", "in_progress", "0", "0", "1", "24", "24", "24", "0"),
            ("billing", "2026-03-09", "In Progress", "in_progress", "0", "0", "1", "60", "60", "60", "0"),
            # billing's top waiting stage: Security Review 12 h against CAB Approval 8 h
            ("billing", "2026-03-09", "Security Review", "in_progress", "1", "1", "1", "12", "12", "12",
             "1"),
            ("shop", "2026-03-02", "Done", "done", "0", "0", "1", "18", "18", "18", "0"),
            # SHOP-1 48 h, SHOP-2 50 h: median 49, p85 (rank ceil(1.7) = 2) 50
            ("shop", "2026-03-02", "In Progress", "in_progress", "0", "0", "2", "98", "49", "50", "0"),
            # SHOP-1 24 h, SHOP-2 16 h (two visits)
            ("shop", "2026-03-02", "Security Review", "in_progress", "1", "1", "2", "40", "20", "24", "1"),
            ("shop", "2026-03-09", "In Progress", "in_progress", "0", "0", "1", "24", "24", "24", "0"),
            ("shop", "2026-03-09", "In Review", "in_progress", "0", "0", "1", "24", "24", "24", "0"),
        ])

    def test_time_in_status_by_team_and_org(self):
        # Web = shop + billing: In Progress of W1 48, 50, 24 h: median 48, p85 (rank 3) 50;
        # W2 24 and 60 h: median 42, p85 60
        team = run("flow", "-c", self.ini, "--format", "json", "--by-team", *WINDOW).stdout
        by = {(r["team"], r["period"], r["status"]): r for r in json.loads(team)}
        self.assertEqual(by[("Web", "2026-03-02", "In Progress")],
                         {"team": "Web", "period": "2026-03-02", "status": "In Progress",
                          "category": "in_progress", "is_wait": 0, "is_gate": 0, "items": 3,
                          "total_h": 122.0, "median_h": 48.0, "p85_h": 50.0, "top_waiting": 0})
        self.assertEqual((by[("Web", "2026-03-09", "In Progress")]["median_h"],
                          by[("Web", "2026-03-09", "In Progress")]["p85_h"]), (42.0, 60.0))
        # the top waiting stage: Security Review 40 + 12 = 52 h against CAB Approval 8 h
        self.assertEqual(sorted({k[2] for k, r in by.items() if r["top_waiting"]}), ["Security Review"])
        org = csv_rows(self.flow("--org", *WINDOW))
        self.assertEqual(org[0][0], "organisation")
        self.assertIn(("organisation", "2026-03-09", "Security Review", "in_progress", "1", "1", "1",
                       "12", "12", "12", "1"), org)
        table = run("flow", "-c", self.ini, *WINDOW).stdout
        self.assertIn("top waiting stage of shop: Security Review\n", table)
        self.assertIn("top waiting stage of billing: Security Review\n", table)

    def test_gates(self):
        rows = csv_rows(self.flow("--gates", *WINDOW))
        self.assertEqual(rows[0], ("application", "period", "gate", "stakeholder", "passed", "median_h",
                                   "p85_h", "skipped", "waiting", "oldest_waiting_at"))
        self.assertEqual(rows[1:], [
            ("billing", "2026-03-02", "CAB Approval", "cab", "1", "8", "8", "0", "0", ""),
            ("billing", "2026-03-09", "CAB Approval", "cab", "0", "", "", "1", "0", ""),      # BILL-1
            ("billing", "2026-03-02", "Security Review", "security", "0", "", "", "1", "0", ""),  # BILL-2
            ("billing", "2026-03-09", "Security Review", "security", "1", "12", "12", "0", "0", ""),
            # SHOP-1 24 h, SHOP-2 16 h; waiting at 03-16: SHOP-6 (since 03-11) and SHOP-4
            ("shop", "2026-03-02", "Security Review", "security", "2", "20", "24", "0", "2",
             "2026-03-11T00:00:00Z"),
            ("shop", "2026-03-09", "Security Review", "security", "0", "", "", "1", "2",  # SHOP-3
             "2026-03-11T00:00:00Z"),
        ])
        # at the report instant 03-12 00:00 (one day, 03-11): SHOP-6 only, as
        # SHOP-4 entered at that very instant (from_at < T is false)
        day = csv_rows(self.flow("--gates", "--period", "day", "--from", "2026-03-11",
                                 "--to", "2026-03-12"))
        self.assertEqual([r[8:] for r in day[1:] if r[0] == "shop"], [("1", "2026-03-11T00:00:00Z")])

    def test_in_flight(self):
        rows = csv_rows(self.flow("--in-flight"))
        self.assertEqual(rows, [
            ("application", "team", "item", "status", "category", "created_at", "undeployed_commits",
             "oldest_undeployed_at"),
            ("shop", "Web", "SHOP-4", "Security Review", "in_progress", "2026-03-09T00:00:00Z", "1",
             "2026-03-11T00:00:00Z")])

    def test_idea_to_production_fields(self):
        # SHOP-1: 03-02 00:00 -> 03-05 12:00 = 84 h; SHOP-2: 03-02 00:00 -> 03-06 12:00 = 108 h
        # (W1: median 96, p85 rank 2 = 108); SHOP-3: 03-09 00:00 -> 03-11 12:00 = 60 h (W2)
        fields = ["idea_to_production_count", "idea_to_production_median_h", "idea_to_production_p85_h"]
        for scope, name in (([], "shop"), (["--by-team"], "Web"), (["--org"], "organisation")):
            out = run("metrics", "-c", self.ini, "--format", "csv", *scope, *WINDOW).stdout
            rows = list(csv.DictReader(io.StringIO(out)))
            self.assertEqual(list(rows[0].keys())[-4:], ["traceability"] + fields)
            got = {r["period"]: tuple(r[f] for f in fields)
                   for r in rows if r[list(r.keys())[0]] == name}
            self.assertEqual(got, {"2026-03-02": ("2", "96", "108"), "2026-03-09": ("1", "60", "60")})
        billing = run("metrics", "-c", self.ini, "--format", "json", *WINDOW).stdout
        for r in json.loads(billing):
            if r["application"] == "billing":
                self.assertEqual([r[f] for f in fields], [0, None, None])

    def test_idea_to_production_view(self):
        # SHOP-1: the baseline's C0 (02-25) is left aside: first commit C2 03-02 08:00; start
        # 03-02 06:00 is earlier: before development 6 h, development to C3 03-04 10:00 52 h,
        # waiting for production 26 h.  SHOP-2: C1 03-01 12:00 is before its creation: -12 h
        # clamped to 0 (a finding); development 03-01 12:00 -> C4 03-05 06:00 90 h; waiting 30 h.
        # SHOP-3: 6 h, 6 h, 48 h.  SHOP-7 (production before creation) is excluded.
        rows = self.query("SELECT item_key, first_commit_at - created_at, last_commit_at - created_at, "
                          "CAST(idea_to_production_h AS INTEGER), CAST(before_development_h AS INTEGER), "
                          "CAST(development_h AS INTEGER), CAST(waiting_for_production_h AS INTEGER), "
                          "clamped_stages FROM v_idea_to_production ORDER BY item_key")
        self.assertEqual(rows, [
            ("SHOP-1", str(8 * 3600), str((2 * 24 + 10) * 3600), "84", "6", "52", "26", "0"),
            ("SHOP-2", str(-12 * 3600), str((3 * 24 + 6) * 3600), "108", "0", "90", "30", "1"),
            ("SHOP-3", str(12 * 3600), str(12 * 3600), "60", "6", "6", "48", "0")])
        self.assertEqual(self.query("SELECT subject FROM v_idea_to_production_findings"), [("SHOP-2",)])
        self.assertEqual(self.query("SELECT subject FROM v_data_quality_finding "
                                    "WHERE kind = 'idea_to_production_stage_clamped'"), [("SHOP-2",)])

    def test_report_queries(self):
        with open(os.path.join(REPO, "templates", "sql", "report_value_stream.sql")) as f:
            stream = self.query(f.read().rstrip().rstrip(";"), (T_FROM, T_TO))
        self.assertEqual([(r[0], r[2], r[6], r[7], float(r[8])) for r in stream], [
            ("billing", "CAB Approval", "1", "1", 8.0),
            ("billing", "In Progress", "0", "2", 84.0),
            ("billing", "Security Review", "1", "1", 12.0),
            ("shop", "In Progress", "0", "3", 122.0),
            ("shop", "In Review", "0", "1", 24.0),
            ("shop", "Security Review", "1", "2", 40.0),
            ("shop", "Done", "0", "1", 18.0)])
        with open(os.path.join(REPO, "templates", "sql", "report_gates.sql")) as f:
            gates = self.query(f.read().rstrip().rstrip(";"), (T_FROM, T_TO))
        # shop over the window: SHOP-1 24 h, SHOP-2 16 h: median 20, p85 24; SHOP-3 skipped
        self.assertEqual([(r[0], r[2], r[4], r[5] and float(r[5]), r[6] and float(r[6]), r[7], r[8],
                           r[9]) for r in gates], [
            ("billing", "CAB Approval", "1", 8.0, 8.0, "1", "0", None),
            ("billing", "Security Review", "1", 12.0, 12.0, "1", "0", None),
            ("shop", "Security Review", "2", 20.0, 24.0, "1", "2", str(T_FROM + 9 * 86400))])


class FlowSQLite(Flow, unittest.TestCase):
    ENGINE = "sqlite"

    def test_gate_mirrors_follow_the_configuration(self):
        con = sqlite3.connect(os.path.join(self.d, "catwalk.db"))
        self.assertEqual(sorted(con.execute("SELECT status, stakeholder FROM map_gate")),
                         [("CAB Approval", "cab"), ("Security Review", "security")])
        self.assertEqual(sorted(con.execute("SELECT a.name, g.stakeholder FROM map_application_gate g "
                                            "JOIN dim_application a USING (application_id)")),
                         [("billing", "cab"), ("billing", "security"), ("shop", "security")])
        con.close()
        d = os.path.join(temp_dir("cw-flow-"), "d")
        shutil.copytree(self.d, d)
        ini = os.path.join(d, "catwalk.ini")
        with open(ini) as f:
            text = f.read()
        text = text.replace("CAB Approval = cab\n", "").replace("gates = security, cab", "gates = security")
        with open(ini, "w") as f:
            f.write(text)
        run("run", "-c", ini, "--no-report", "-q")
        con = sqlite3.connect(os.path.join(d, "catwalk.db"))
        self.assertEqual(list(con.execute("SELECT status FROM map_gate")), [("Security Review",)])
        self.assertEqual(sorted(con.execute("SELECT a.name, g.stakeholder FROM map_application_gate g "
                                            "JOIN dim_application a USING (application_id)")),
                         [("billing", "security"), ("shop", "security")])
        con.close()

    def test_check_names_file_line_and_key(self):
        d = os.path.join(temp_dir("cw-flow-"), "d")
        os.makedirs(d)
        ini = os.path.join(d, "catwalk.ini")
        with open(ini, "w") as f:
            f.write("[gates]\nSecurity Review = security\n\n[application shop]\nteam = Web\n"
                    "gates = security, cab\n")
        proc = run("check", "-c", ini, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("%s:6: gates: [application shop] requires the gate of 'cab', but no [gates] "
                      "status names that stakeholder" % ini, proc.stderr)

    def test_usage(self):
        out = run("flow", "--help").stdout
        self.assertTrue(out.startswith("usage: catwalk flow"))
        for option in ("--by WHAT", "--gates", "--in-flight", "--from DATE", "--to DATE",
                       "--format FMT", "--by-team", "--org", "-c, --config FILE"):
            self.assertIn(option, out)
        for args, option in ((["--by", "team"], "--by"), (["--gates", "--in-flight"], "--gates"),
                             (["--format", "xml"], "--format"), (["--by-team", "--org"], "--by-team")):
            proc = run("flow", "-c", self.ini, *args, check=False)
            self.assertEqual(proc.returncode, 2, args)
            self.assertIn(option + ": ", proc.stderr)


@unittest.skipUnless(PG_URI, "CW_PG_URI is not set")
class FlowPostgreSQL(Flow, unittest.TestCase):
    ENGINE = "pg"


if __name__ == "__main__":
    run_suite("flow")
