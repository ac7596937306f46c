#!/usr/bin/python3
"""End-to-end tests of the catwalk binary (run by `make e2e`).

Every expected number below is worked out by hand from tests/data/e2e/, with
the reasoning in comments: nothing here was copied from catwalk's output.
The dataset covers two ISO weeks, 2026-03-02 and 2026-03-09.

Runs with Debian's python3 (unittest, sqlite3, openpyxl) and prints a closing
"N passed, N failed" line.
"""
import json
import os
import sqlite3
import subprocess
import unittest

from suite import REPO, copy_dataset, kill_while_loading, run, run_suite, temp_dir


def dump_tables(db_path, skip=("batch", "source_run")):
    """Every row of every table, as text, for before/after comparisons."""
    con = sqlite3.connect(db_path)
    out = {}
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
        if name in skip or name.startswith("sqlite_"):
            continue
        # rowids included: a re-run must not even renumber rows
        rows = con.execute('SELECT rowid, * FROM "%s"' % name).fetchall() if not name.startswith("sqlite") else []
        out[name] = sorted((tuple(r) for r in rows), key=repr)
    con.close()
    return out


def metrics(config, *extra):
    proc = run("metrics", "-c", config, "--from", "2026-03-02", "--to", "2026-03-16",
               "--by", "week", "--format", "json", *extra)
    return json.loads(proc.stdout)


def loaded_dataset():
    """A copy of the dataset, run once: its folder and its catwalk.ini."""
    d = copy_dataset()
    config = os.path.join(d, "catwalk.ini")
    run("run", "-c", config, "--no-report")
    return d, config


def assert_fields(test, row, **want):
    """Each named field of a metrics row is as wanted: a float to 6 places,
    anything else exactly (None: the field is null)."""
    for name, value in want.items():
        if isinstance(value, float):
            test.assertAlmostEqual(row[name], value, places=6, msg=name)
        else:
            test.assertEqual(row[name], value, name)


class HandMadeDataset(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = copy_dataset()
        cls.config = os.path.join(cls.dir, "catwalk.ini")
        cls.first = run("run", "-c", cls.config, "--no-report", check=False)
        cls.rows = metrics(cls.config)
        cls.by = {(r["application"], r["period"]): r for r in cls.rows}

    def row(self, app, period):
        return self.by[(app, period)]

    def test_run_exit_status_ok(self):
        self.assertEqual(self.first.returncode, 0, self.first.stderr)

    def test_field_names_exactly_as_spec(self):
        names = ["application", "period", "deployments", "deploy_days", "deploy_failures",
                 "lead_time_count", "lead_time_median_h", "lead_time_p90_h", "failed_deployments",
                 "change_failure_rate", "incidents", "restore_count", "restore_median_h",
                 "restore_p90_h", "throughput", "wip", "cycle_time_count", "cycle_time_median_h",
                 "cycle_time_p85_h", "flow_efficiency"]
        extra = ["throughput_feature", "throughput_defect", "throughput_risk", "throughput_debt",
                 "recovery_median_h", "lead_time_item_median_h", "traceability",
                 "idea_to_production_count", "idea_to_production_median_h",
                 "idea_to_production_p85_h"]
        self.assertEqual(list(self.rows[0].keys()), names + extra)

    def test_a_row_for_every_application_and_period(self):
        self.assertEqual(sorted(self.by.keys()), [("claims", "2026-03-02"), ("claims", "2026-03-09"),
                                                  ("payments", "2026-03-02"), ("payments", "2026-03-09")])

    def test_deployment_frequency(self):
        # payments, week 03-02: #3 (03-02 12:00), #5 (03-03 14:00), #6 rollback (03-04 09:00)
        # succeed in production; #2 is staging; #4 failed; #1 (03-01) is the week before.
        assert_fields(self, self.row("payments", "2026-03-02"),
                      deployments=3, deploy_days=3, deploy_failures=1)
        # week 03-09: #7 (untraceable) and #8, both on 03-10; #9 is still building.
        assert_fields(self, self.row("payments", "2026-03-09"),
                      deployments=2, deploy_days=1, deploy_failures=0)

    def test_change_lead_time(self):
        # #1 is the baseline (c1, no lead time).  #3 deploys c2 (08:00 -> 12:00 = 4 h) and
        # c3 (10:00 -> 12:00 = 2 h).  #5 deploys merge m6 (no lead time), c5 (10:00Z -> 14:00
        # = 4 h) and c4 (09:00 -> 14:00 = 5 h).  #6 (rollback to c3) deploys nothing new.
        # Sorted [2, 4, 4, 5]: median (4+4)/2 = 4, p90 rank ceil(3.6) = 4 -> 5.
        assert_fields(self, self.row("payments", "2026-03-02"),
                      lead_time_count=4, lead_time_median_h=4.0, lead_time_p90_h=5.0)
        # #8 deploys c8 (09:00Z -> 12:00 = 3 h) and c7 (03-09 09:00 -> 03-10 12:00 = 27 h).
        assert_fields(self, self.row("payments", "2026-03-09"),
                      lead_time_count=2, lead_time_median_h=15.0, lead_time_p90_h=27.0)
        # claims has no git source: its deployment is untraceable, no lead time.
        assert_fields(self, self.row("claims", "2026-03-02"),
                      lead_time_count=0, lead_time_median_h=None, lead_time_p90_h=None)

    def test_change_failure_rate(self):
        # P1 (03-03 15:00) -> #5 (14:00, 1 h before).  P2 (03-07 14:00): the latest deployment
        # before it is #6 (03-04 09:00), 77 h > 72 h -> unattributed.
        assert_fields(self, self.row("payments", "2026-03-02"),
                      failed_deployments=1, change_failure_rate=1 / 3)
        # P4 (03-10 11:00) -> #7 (10:00); P3 (03-13 12:00) -> #8 (03-10 12:00), exactly 72 h: in.
        assert_fields(self, self.row("payments", "2026-03-09"),
                      failed_deployments=2, change_failure_rate=1.0)
        # claims: INC001 opened 07:00 at -05:00 = 12:00Z, 2 h after its deployment.
        assert_fields(self, self.row("claims", "2026-03-02"),
                      deployments=1, failed_deployments=1, change_failure_rate=1.0)
        # no deployments: the rate is null, not 0
        self.assertIsNone(self.row("claims", "2026-03-09")["change_failure_rate"])

    def test_incidents_and_time_to_restore(self):
        # created in week 03-02: P1, P2; restored in it: P1 (2 h).
        assert_fields(self, self.row("payments", "2026-03-02"),
                      incidents=2, restore_count=1, restore_median_h=2.0, restore_p90_h=2.0)
        # created in week 03-09: P3 (open), P4; restored: P2 (48 h), P4 (0.5 h).
        assert_fields(self, self.row("payments", "2026-03-09"),
                      incidents=2, restore_count=2, restore_median_h=24.25, restore_p90_h=48.0)
        # ServiceNow keeps the latest row per number: INC001 resolved (2 h); INC002
        # (opened 03-11 20:00 at -05:00 = 03-12 01:00Z) is open.
        assert_fields(self, self.row("claims", "2026-03-02"),
                      incidents=1, restore_count=1, restore_median_h=2.0)
        assert_fields(self, self.row("claims", "2026-03-09"),
                      incidents=1, restore_count=0, restore_median_h=None)

    def test_flow_metrics(self):
        # Week 03-02 ends: PAY-2 (03-04, cycle 03-01 10:00 -> 03-04 10:00 = 72 h, of which
        # 24 h Blocked = wait, so 48 h active) and PAY-6 (never in progress: throughput only).
        # WIP at 03-09 00:00: PAY-3 (reopened 03-06); PAY-7 moves at exactly 03-09 00:00,
        # which is not strictly before the instant, so it is still Backlog.
        assert_fields(self, self.row("payments", "2026-03-02"),
                      throughput=2, cycle_time_count=1, cycle_time_median_h=72.0,
                      cycle_time_p85_h=72.0, flow_efficiency=48 / 72, wip=1)
        # Week 03-09: PAY-3 ends 03-10 12:00 (start 03-02 12:00: 192 h; active = 24 h In
        # Progress + 48 h In Review + 96 h after the reopen = 168 h) and PAY-7 (48 h, all
        # active).  Median (48+192)/2 = 120; p85 rank ceil(1.7) = 2 -> 192; efficiency 216/240.
        assert_fields(self, self.row("payments", "2026-03-09"),
                      throughput=2, cycle_time_count=2, cycle_time_median_h=120.0,
                      cycle_time_p85_h=192.0, flow_efficiency=0.9, wip=1)  # wip: PAY-4
        assert_fields(self, self.row("claims", "2026-03-09"),
                      throughput=0, wip=1, cycle_time_count=0, flow_efficiency=None)

    def test_traceability_links(self):
        con = sqlite3.connect(os.path.join(self.dir, "catwalk.db"))
        keys = {r[0] for r in con.execute(
            "SELECT w.item_key FROM bridge_commit_work_item b JOIN dim_work_item w USING (work_item_id)"
            " JOIN fact_commit c USING (commit_id) WHERE c.sha = ?", ("3" * 40,))}
        # 'PAY-3 validate UTF-8 input': PAY is a known project, UTF is not.
        self.assertEqual(keys, {"PAY-3"})
        untraceable = con.execute("SELECT count(*) FROM derived_deployment WHERE traceable = 0").fetchone()[0]
        self.assertEqual(untraceable, 2)  # payments #7 and claims #1
        con.close()

    def test_team_and_org_rows(self):
        rows = metrics(self.config, "--by-team")
        teams = {(r["team"], r["period"]): r for r in rows}
        self.assertEqual(teams[("Core Banking", "2026-03-02")]["deployments"], 3)
        rows = metrics(self.config, "--org")
        org = {r["period"]: r for r in rows}
        # 3 payments + 1 claims deployments; 4 failed of ... (1 payments + 1 claims) / 4
        self.assertEqual(org["2026-03-02"]["deployments"], 4)
        self.assertAlmostEqual(org["2026-03-02"]["change_failure_rate"], 0.5, places=6)


def jira_issue(key, created, status, resolved, moves):
    """A Jira search-page issue; moves are (history id, at, from, to)."""
    return {"id": key.split("-")[1] + "00", "key": key, "fields": {
        "summary": "Work on " + key, "issuetype": {"name": "Story"},
        "status": {"name": status, "statusCategory": {"key": "done"}},
        "project": {"key": key.split("-")[0]}, "labels": [], "fixVersions": [],
        "created": created, "updated": created, "resolutiondate": resolved},
        "changelog": {"startAt": 0, "maxResults": len(moves), "total": len(moves), "histories": [
            {"id": h, "created": at, "items": [{"field": "status", "fieldtype": "jira",
                                                "fromString": a, "toString": b}]}
            for h, at, a, b in moves]}}


def git_record(sha, parent, at, subject):
    return "\x1e%s\x1f%s\x1fAnn Dev\x1fann@example.com\x1f%s\x1fAnn Dev\x1fann@example.com\x1f%s\x1f%s\x1f\x1f\n" \
        % (sha, parent, at, at, subject)


class NegativeDurationsAndRelabels(unittest.TestCase):
    """metrics.md Decisions 10 and the end of a done streak, on the dataset plus:
    - deploy-payments #10, production, finished 03-11 12:00, revision cccc..., whose
      parent bbbb... (03-11 06:00) sits on 8888... (deployed by #8).  cccc was
      authored 03-11 14:00, 2 h after #10 finished: it is deployed, has no lead time.
    - PagerDuty P5 (Payments API) created 03-12 10:00, resolved 09:00, 1 h before.
    - PAY-8: In Progress 03-03 09:00, Done 03-04 09:00, relabelled Done -> Closed
      03-12 09:00 (Closed is a done status by its Jira category).
    """

    @classmethod
    def setUpClass(cls):
        cls.dir = copy_dataset()
        cls.config = os.path.join(cls.dir, "catwalk.ini")
        exports = os.path.join(cls.dir, "exports")
        with open(os.path.join(exports, "git", "payments-service.log"), "a") as f:
            f.write(git_record("b" * 40, "8" * 40, "2026-03-11T06:00:00Z", "prepare"))
            f.write(git_record("c" * 40, "b" * 40, "2026-03-11T14:00:00Z", "clock skew"))
        with open(os.path.join(exports, "jenkins", "deploy-payments-10.json"), "w") as f:
            json.dump({"name": "deploy-payments", "fullName": "deploy-payments", "allBuilds": [{
                "number": 10, "result": "SUCCESS", "building": False,
                "timestamp": (1773230400 - 600) * 1000, "duration": 600000,
                "actions": [{"_class": "hudson.model.ParametersAction", "parameters": [
                    {"name": "ENVIRONMENT", "value": "production"}]},
                    {"_class": "hudson.plugins.git.util.BuildData",
                     "lastBuiltRevision": {"SHA1": "c" * 40}}]}]}, f)
        with open(os.path.join(exports, "pagerduty", "late.json"), "w") as f:
            json.dump({"incidents": [{
                "id": "P5", "type": "incident", "incident_number": 5, "title": "Clock skew",
                "status": "resolved", "created_at": "2026-03-12T10:00:00Z",
                "resolved_at": "2026-03-12T09:00:00Z",
                "service": {"id": "PSVC1", "summary": "Payments API"}}], "more": False}, f)
        with open(os.path.join(exports, "jira", "relabel.json"), "w") as f:
            json.dump({"startAt": 0, "maxResults": 1, "total": 1, "issues": [jira_issue(
                "PAY-8", "2026-03-02T09:00:00.000+0000", "Closed", "2026-03-04T09:00:00.000+0000",
                [("81", "2026-03-03T09:00:00.000+0000", "Backlog", "In Progress"),
                 ("82", "2026-03-04T09:00:00.000+0000", "In Progress", "Done"),
                 ("83", "2026-03-12T09:00:00.000+0000", "Done", "Closed")])]}, f)
        cls.first = run("run", "-c", cls.config, "--no-report", check=False)
        cls.by = {(r["application"], r["period"]): r for r in metrics(cls.config)}

    def test_run_ok(self):
        self.assertEqual(self.first.returncode, 0, self.first.stderr)

    def test_late_commit_has_no_lead_time(self):
        # week 03-09: #8 deploys c8 (3 h) and c7 (27 h); #10 deploys bbbb (06:00 -> 12:00 =
        # 6 h) and cccc (excluded).  Sorted [3, 6, 27]: median 6, p90 rank ceil(2.7) = 3 -> 27.
        assert_fields(self, self.by[("payments", "2026-03-09")],
                      deployments=3, lead_time_count=3, lead_time_median_h=6.0, lead_time_p90_h=27.0)

    def test_early_resolved_incident_has_no_restore_time(self):
        # created in week 03-09: P3, P4, P5.  Restored: P2 48 h, P4 0.5 h; P5 is left out.
        # P3 (03-13 12:00) and P5 go to #10 (48 h and 22 h before), P4 to #7: 2 of 3 failed.
        # Recovery: P4 11:30 - #7 10:00 = 1.5 h; P5 is left out (it would be 21 h).
        assert_fields(self, self.by[("payments", "2026-03-09")],
                      incidents=3, restore_count=2, restore_median_h=24.25, restore_p90_h=48.0,
                      recovery_median_h=1.5, failed_deployments=2, change_failure_rate=2 / 3)

    def test_relabel_does_not_move_the_end(self):
        # PAY-8 ends 03-04 09:00 (week 03-02), not at the relabel (week 03-09): week 03-02
        # has PAY-2 (72 h, 48 h active), PAY-6 (no start) and PAY-8 (24 h, all active).
        # Cycle times [24, 72]: median 48, p85 rank ceil(1.7) = 2 -> 72; efficiency 72 / 96.
        assert_fields(self, self.by[("payments", "2026-03-02")],
                      throughput=3, cycle_time_count=2, cycle_time_median_h=48.0,
                      cycle_time_p85_h=72.0, flow_efficiency=0.75, wip=1)
        self.assertEqual(self.by[("payments", "2026-03-09")]["throughput"], 2)   # PAY-3, PAY-7

    def test_findings_and_views(self):
        con = sqlite3.connect(os.path.join(self.dir, "catwalk.db"))
        found = con.execute("SELECT kind, subject FROM finding WHERE kind IN "
                            "('commit_authored_after_deployment', 'incident_resolved_before_created')"
                            " ORDER BY 1").fetchall()
        self.assertEqual(found, [("commit_authored_after_deployment", "c" * 40),
                                 ("incident_resolved_before_created", "P5")])
        # the late commit is still deployed, so traceability counts it
        self.assertEqual(con.execute("SELECT count(*) FROM v_traceability WHERE commit_id = "
                                     "(SELECT commit_id FROM fact_commit WHERE sha = ?)",
                                     ("c" * 40,)).fetchone()[0], 1)
        negative = con.execute(
            "SELECT (SELECT count(*) FROM v_lead_time WHERE lead_time_s < 0)"
            " + (SELECT count(*) FROM v_incidents WHERE restore_s < 0 OR recovery_s < 0)"
            " + (SELECT count(*) FROM v_flow_items WHERE cycle_s < 0 OR lead_s < 0)").fetchone()[0]
        self.assertEqual(negative, 0)
        con.close()


class Idempotence(unittest.TestCase):
    def test_rerun_changes_no_row(self):
        d, config = loaded_dataset()
        before = dump_tables(os.path.join(d, "catwalk.db"))
        second = run("run", "-c", config, "--no-report")
        after = dump_tables(os.path.join(d, "catwalk.db"))
        self.assertEqual(before, after)
        con = sqlite3.connect(os.path.join(d, "catwalk.db"))
        batches = con.execute("SELECT status, rows_read, files_skipped FROM batch ORDER BY batch_id").fetchall()
        self.assertEqual(len(batches), 2)
        self.assertEqual(batches[1][1], 0)        # nothing re-read
        self.assertEqual(batches[1][2], 6)        # all six files skipped by checksum
        con.close()
        self.assertIn("0 records read", second.stdout)

    def test_landing_zone_keeps_raw_bytes(self):
        d, config = loaded_dataset()
        con = sqlite3.connect(os.path.join(d, "catwalk.db"))
        rows = con.execute("SELECT original_path, landed_path, sha256, bytes FROM landed_file").fetchall()
        con.close()
        self.assertEqual(len(rows), 6)
        for original, landed, sha, size in rows:
            with open(original, "rb") as a, open(landed, "rb") as b:
                self.assertEqual(a.read(), b.read())
            self.assertEqual(os.path.getsize(landed), size)
            self.assertEqual(len(sha), 64)


class BadInput(unittest.TestCase):
    def setUp(self):
        self.dir = copy_dataset()
        self.config = os.path.join(self.dir, "catwalk.ini")

    def write(self, rel, text):
        with open(os.path.join(self.dir, rel), "w") as f:
            f.write(text)

    def test_malformed_files_reject_and_good_records_load(self):
        self.write("exports/jira/broken.json", '{"issues": [\n {"key": "PAY-9", }\n')
        self.write("exports/servicenow/incident.csv",
                   "number,incident_state,sys_mod_count,opened_at,sys_updated_at,business_service,resolved_at\n"
                   "INC001,New,0,2026-03-05 07:00:00,2026-03-05 07:00:00,Claims API,\n"
                   "INC003,New,0,31/02/2026 7am,2026-03-05 07:00:00,Claims API,\n")
        proc = run("run", "-c", self.config, "--no-report", check=False)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("broken.json", proc.stderr)
        self.assertIn("line 2", proc.stderr)
        self.assertIn("opened_at", proc.stderr)
        con = sqlite3.connect(os.path.join(self.dir, "catwalk.db"))
        rejects = con.execute("SELECT source, file, record, field, reason FROM reject ORDER BY source").fetchall()
        self.assertEqual([r[0] for r in rejects], ["jira", "servicenow"])
        sn = rejects[1]
        self.assertTrue(sn[1].endswith("incident.csv"))
        self.assertEqual((sn[2], sn[3]), (3, "opened_at"))
        # the good records still loaded
        self.assertEqual(con.execute("SELECT count(*) FROM dim_work_item").fetchone()[0], 8)
        self.assertEqual(con.execute("SELECT count(*) FROM fact_incident WHERE external_id = 'INC001'").fetchone()[0], 1)
        con.close()

    def test_csv_missing_required_column(self):
        self.write("exports/servicenow/incident.csv", "number,incident_state\nINC001,New\n")
        proc = run("run", "-c", self.config, "--no-report", check=False)
        self.assertEqual(proc.returncode, 3)
        self.assertIn("opened_at", proc.stderr)
        con = sqlite3.connect(os.path.join(self.dir, "catwalk.db"))
        self.assertEqual(con.execute("SELECT count(*) FROM reject WHERE source='servicenow'").fetchone()[0], 1)
        self.assertGreater(con.execute("SELECT count(*) FROM fact_commit").fetchone()[0], 0)
        con.close()

    def test_config_error_names_file_line_key(self):
        with open(self.config, "a") as f:
            f.write("\n[source extra]\ntype = jenkins\npath = x\nproduction = ^prod(\n")
        proc = run("run", "-c", self.config, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertRegex(proc.stderr, r"catwalk\.ini:\d+: production")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "catwalk.db")))

    def test_missing_source_files_fail_that_source_only(self):
        with open(self.config, "a") as f:
            f.write("\n[source gone]\ntype = pagerduty\npath = nowhere/*.json\n")
        proc = run("run", "-c", self.config, "--no-report", check=False)
        self.assertEqual(proc.returncode, 3)
        self.assertIn("gone", proc.stderr)
        con = sqlite3.connect(os.path.join(self.dir, "catwalk.db"))
        self.assertEqual(con.execute("SELECT sources_failed FROM batch").fetchone()[0], "gone")
        self.assertGreater(con.execute("SELECT count(*) FROM fact_deployment").fetchone()[0], 0)
        con.close()


class KilledBatch(unittest.TestCase):
    def test_kill_mid_batch_leaves_warehouse_unchanged(self):
        d, config = loaded_dataset()
        before = dump_tables(os.path.join(d, "catwalk.db"), skip=())
        # a large new git export, killed while it loads
        kill_while_loading(self, d, config)
        after = dump_tables(os.path.join(d, "catwalk.db"), skip=())
        self.assertEqual(before, after)


class Reports(unittest.TestCase):
    def test_weekly_report_files_and_safety(self):
        d, config = loaded_dataset()
        out = os.path.join(d, "out")
        run("report", "weekly", "-c", config, "--from", "2026-02-02", "--to", "2026-03-16", "--out", out)
        files = sorted(os.listdir(out))
        xlsx = [f for f in files if f.endswith(".xlsx")]
        html = [f for f in files if f.endswith(".html")]
        self.assertEqual(len(xlsx), 1)
        self.assertEqual(len(html), 1)
        with open(os.path.join(out, html[0]), encoding="utf-8") as f:
            page = f.read()
        self.assertNotIn("<script", page.lower())
        # no external request: nothing loaded from a URL (text mentioning one, or
        # a link the reader may follow to Jira or CI, is fine)
        self.assertNotRegex(page, r'(?i)src\s*=\s*["\']?(https?:)?//')
        self.assertNotRegex(page, r'(?i)<link')
        self.assertNotRegex(page, r'(?i)url\(\s*["\']?(https?:)?//')
        self.assertNotRegex(page, r'(?i)@import')
        # PAY-4 (in progress, so in the WIP-age list) is summarised '=1+2 <b>bold</b> &
        # "quoted"': escaped in the HTML, a plain string (not a formula) in the workbook
        self.assertNotIn("<b>bold</b>", page)
        self.assertIn("=1+2 &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;", page)
        check = subprocess.run(["/usr/bin/python3", os.path.join(REPO, "tests", "e2e", "check_report.py"),
                                os.path.join(out, xlsx[0]), os.path.join(out, html[0]),
                                "--expect-text", '=1+2 <b>bold</b> & "quoted"'],
                               capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        # the checker itself catches a formula: the same good workbook with one formula added
        import openpyxl
        bad = os.path.join(out, "bad.xlsx")
        wb = openpyxl.load_workbook(os.path.join(out, xlsx[0]))
        wb["Data"]["A2"] = "=1+2"
        wb.save(bad)
        check = subprocess.run(["/usr/bin/python3", os.path.join(REPO, "tests", "e2e", "check_report.py"),
                                bad, os.path.join(out, html[0])], capture_output=True, text=True)
        self.assertEqual(check.returncode, 1, check.stdout + check.stderr)
        self.assertIn("Data!A2 is a formula", check.stdout + check.stderr)


class CommandLine(unittest.TestCase):
    def test_help_on_every_command(self):
        for cmd in ("run", "metrics", "report", "demo", "check"):
            proc = run(cmd, "--help")
            self.assertIn("usage: catwalk " + cmd, proc.stdout)
        self.assertIn("usage: catwalk", run("--help").stdout)

    def test_unknown_command_is_usage_error(self):
        self.assertEqual(run("frobnicate", check=False).returncode, 2)

    def test_metrics_formats(self):
        d, config = loaded_dataset()
        csv_out = run("metrics", "-c", config, "--from", "2026-03-02", "--to", "2026-03-16",
                      "--format", "csv").stdout.splitlines()
        self.assertTrue(csv_out[0].startswith("application,period,deployments,deploy_days"))
        self.assertEqual(len(csv_out), 5)
        table = run("metrics", "-c", config, "--from", "2026-03-02", "--to", "2026-03-16",
                    "--format", "table").stdout
        self.assertIn("payments", table)
        bad = run("metrics", "-c", config, "--by", "fortnight", check=False)
        self.assertEqual(bad.returncode, 2)


class Demo(unittest.TestCase):
    def test_demo_end_to_end(self):
        tmp = temp_dir("cw-demo-")
        d = os.path.join(tmp, "demo")
        run("demo", d, "--end", "2026-11-23")
        proc = run("run", "-c", os.path.join(d, "catwalk.ini"), check=False)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        con = sqlite3.connect(os.path.join(d, "catwalk.db"))
        self.assertEqual(con.execute("SELECT count(*) FROM dim_application").fetchone()[0], 35)
        self.assertEqual(con.execute("SELECT count(*) FROM dim_team").fetchone()[0], 5)
        self.assertGreater(con.execute("SELECT count(*) FROM dim_work_item").fetchone()[0], 1000)
        self.assertEqual(con.execute("SELECT count(*) FROM reject").fetchone()[0], 0)
        con.close()
        rows = json.loads(run("metrics", "-c", os.path.join(d, "catwalk.ini"), "--from", "2026-08-31",
                              "--to", "2026-11-23", "--format", "json").stdout)
        self.assertEqual(len(rows), 35 * 12)
        self.assertGreater(sum(r["deployments"] for r in rows), 100)
        reports = os.listdir(os.path.join(d, "reports"))
        self.assertTrue(any(f.endswith(".xlsx") for f in reports))
        self.assertTrue(any(f.endswith(".html") for f in reports))


if __name__ == "__main__":
    run_suite("e2e")
