#!/usr/bin/python3
"""Data-quality findings, coverage lines and audit evidence (issue 9,
capabilities 6 and 5; run by `make e2e`).

1. A hand-made dataset (written below, two ISO weeks 2026-03-02 and
   2026-03-09) with one finding of each kind reports/sql/quality.sql computes;
   `catwalk check --data` must print exactly those, with the coverage lines
   worked out by hand, on SQLite and on PostgreSQL (CW_PG_URI).
2. `catwalk report audit` on the same data: the CSV rows and the workbook
   (openpyxl), by window and by release, on both engines.
3. Every real fixture directory of tests/fixtures loaded at once, then
   `check --data` on both engines: the DevLake Jira recordings, with their
   Chinese status names, give the hand-counted findings and never a crash.

Without CW_PG_URI the PostgreSQL tests fail (as test_engines.py does).
Runs with Debian's python3 (unittest, sqlite3, openpyxl); prints
"quality: N passed, N failed".
"""
import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import unittest

from suite import REPO, run, run_suite, temp_dir

PG_URI = os.environ.get("CW_PG_URI", "")
PSQL = os.environ.get("CW_PSQL", "psql")
FIXTURES = os.environ.get("CW_FIXTURES", os.path.join(REPO, "tests", "fixtures"))
ENGINES = ("sqlite", "postgresql")

# ---------------------------------------------------------------- the dataset
#
# Application shop (team Web): Jira project SHOP, repository shop, Jenkins job
# deploy-shop, PagerDuty service "Shop Web".  Application ops (team Ops) maps
# project OPS, whose items are not loaded.  Every instant is UTC.
#
# Items (created 2026-03-02 09:00):
#   SHOP-1  To Do -> In Progress 03-03 09:00 -> Security Review 03-04 09:00 -> Done 03-05 09:00
#           fix version R1                                       (no finding)
#   SHOP-2  To Do -> Done 03-04 09:00; fix versions R0, R1       done_without_start
#   SHOP-3  In Progress 03-03, Done 03-04, back to In Progress 03-06 09:00
#                                                                transition_after_done
#   SHOP-4  In Progress 03-03, back to To Do 03-04 09:00; fix version R10
#                                                                backward_move
#   SHOP-5  To Do -> Limbo 03-03 -> In Progress 03-04 ("Limbo": configured
#           nowhere, and only a history names it, so no source category)
#                                                                status_missing_from_mapping
#   SHOP-6  one history (To Do -> In Progress 03-03) of a changelog whose total is 3
#                                                                changelog_truncated
#   SHOP-7  To Do -> In Progress 03-05 09:00, status Done, resolved 03-04 09:00:
#           it ends at its resolution, a day before it started   item_ended_before_started
# Commits (repository shop, a chain):
#   aaaa 03-02 08:00 "initial"            deployed by #1, the baseline
#   1111 03-03 10:00 "SHOP-1 add feature"
#   2222 03-04 10:00 "SHOP-2 fix"
#   3333 03-05 10:00 "=1+2 tidy up"       no key: untraceable commit
#   4444 03-05 11:00 "OPS-9 config"       OPS is known, OPS-9 not loaded: referenced_item_not_loaded
#   5555 03-09 14:00 "SHOP-4 late"        deployed by #3, finished 2 h before: commit_authored_after_deployment
# Production deployments of deploy-shop (each a 10-minute run):
#   #1 03-02 12:00 aaaa (baseline)   #2 03-06 12:00 4444 (deploys 1111..4444)
#   #3 03-09 12:00 5555              #4 03-10 12:00 ffff (not in git): untraceable_deployment
# Incidents:
#   P1 Shop Web, 03-10 13:00 -> 15:00
#   P2 Shop Web, created 03-11 10:00, resolved 09:00              incident_resolved_before_created
#   P3 Unknown Svc, 03-11 12:00 -> 13:00                          incident_unmapped_service
# Source "empty": a PagerDuty page with no incident               source_no_records

CONFIG = """[catwalk]
warehouse = catwalk.db
landing = landing
reports = reports

[status]
To Do = todo
In Progress = in_progress
Security Review = wait
Done = done

[source jira]
type = jira
path = exports/jira

[source git]
type = git
path = exports/git/shop.log
repository = shop

[source jenkins]
type = jenkins
path = exports/jenkins/*.json
deployment_job = ^deploy-
environment_parameter = ENVIRONMENT
production = ^prod

[source pagerduty]
type = pagerduty
path = exports/pagerduty/incidents.json

[source empty]
type = pagerduty
path = exports/empty/none.json

[application shop]
team = Web
projects = SHOP
repositories = shop
jobs = deploy-shop
services = Shop Web

[application ops]
team = Ops
projects = OPS
"""

T = "2026-03-%02dT%02d:00:00.000+0000"
SHA = {c: c * 40 for c in "a12345f"}


def issue(n, status, moves, fix=(), resolved=None, total=None):
    key = "SHOP-%d" % n
    return {"id": str(1000 + n), "key": key, "fields": {
        "summary": "Work on " + key, "issuetype": {"name": "Story"},
        "status": {"name": status, "statusCategory": {"key": "done" if status == "Done" else "new"}},
        "project": {"key": "SHOP"}, "labels": [], "fixVersions": [{"name": v} for v in fix],
        "created": T % (2, 9), "updated": T % (2, 9), "resolutiondate": resolved},
        "changelog": {"startAt": 0, "maxResults": len(moves),
                      "total": len(moves) if total is None else total, "histories": [
            {"id": "%d%d" % (n, i), "created": T % at, "items": [
                {"field": "status", "fieldtype": "jira", "fromString": a, "toString": b}]}
            for i, (at, a, b) in enumerate(moves)]}}


ISSUES = [
    issue(1, "Done", [((3, 9), "To Do", "In Progress"), ((4, 9), "In Progress", "Security Review"),
                      ((5, 9), "Security Review", "Done")], fix=["R1"], resolved=T % (5, 9)),
    issue(2, "Done", [((4, 9), "To Do", "Done")], fix=["R0", "R1"], resolved=T % (4, 9)),
    issue(3, "In Progress", [((3, 9), "To Do", "In Progress"), ((4, 9), "In Progress", "Done"),
                             ((6, 9), "Done", "In Progress")]),
    issue(4, "To Do", [((3, 9), "To Do", "In Progress"), ((4, 9), "In Progress", "To Do")],
          fix=["R10"]),
    issue(5, "In Progress", [((3, 9), "To Do", "Limbo"), ((4, 9), "Limbo", "In Progress")]),
    issue(6, "In Progress", [((3, 9), "To Do", "In Progress")], total=3),
    issue(7, "Done", [((5, 9), "To Do", "In Progress")], resolved=T % (4, 9)),
]


def commit(sha, parent, at, subject):
    when = "2026-03-%02dT%02d:00:00Z" % at
    return "\x1e%s\x1f%s\x1fAnn Dev\x1fann@example.com\x1f%s\x1fAnn Dev\x1fann@example.com\x1f%s\x1f%s\x1f\x1f\n" \
        % (sha, parent, when, when, subject)


COMMITS = [
    commit(SHA["a"], "", (2, 8), "initial"),
    commit(SHA["1"], SHA["a"], (3, 10), "SHOP-1 add feature"),
    commit(SHA["2"], SHA["1"], (4, 10), "SHOP-2 fix"),
    commit(SHA["3"], SHA["2"], (5, 10), "=1+2 tidy up"),
    commit(SHA["4"], SHA["3"], (5, 11), "OPS-9 config"),
    commit(SHA["5"], SHA["4"], (9, 14), "SHOP-4 late"),
]


def epoch(day, hour):
    # 2026-03-01T00:00:00Z is 1772323200
    return 1772323200 + (day - 1) * 86400 + hour * 3600


def build(number, day, hour, sha):
    return {"number": number, "result": "SUCCESS", "building": False,
            "timestamp": (epoch(day, hour) - 600) * 1000, "duration": 600000,
            "url": "https://ci.example.com/job/deploy-shop/%d/" % number,
            "actions": [{"_class": "hudson.model.ParametersAction", "parameters": [
                {"name": "ENVIRONMENT", "value": "production"}]},
                {"_class": "hudson.plugins.git.util.BuildData", "lastBuiltRevision": {"SHA1": sha}}]}


def incident(n, service, created, resolved):
    iso = "2026-03-%02dT%02d:00:00Z"
    return {"id": "P%d" % n, "type": "incident", "incident_number": n, "title": "Outage %d" % n,
            "status": "resolved", "created_at": iso % created, "resolved_at": iso % resolved,
            "service": {"id": "S" + service[:4], "summary": service}}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def make_dataset(folder, warehouse="catwalk.db"):
    write(os.path.join(folder, "catwalk.ini"),
          CONFIG.replace("warehouse = catwalk.db", "warehouse = " + warehouse))
    write(os.path.join(folder, "exports", "jira", "page1.json"),
          json.dumps({"startAt": 0, "maxResults": 50, "total": len(ISSUES), "issues": ISSUES}))
    write(os.path.join(folder, "exports", "git", "shop.log"), "".join(COMMITS))
    write(os.path.join(folder, "exports", "jenkins", "deploy-shop.json"), json.dumps({
        "name": "deploy-shop", "fullName": "deploy-shop", "allBuilds": [
            build(1, 2, 12, SHA["a"]), build(2, 6, 12, SHA["4"]), build(3, 9, 12, SHA["5"]),
            build(4, 10, 12, SHA["f"])]}))
    write(os.path.join(folder, "exports", "pagerduty", "incidents.json"), json.dumps({
        "incidents": [incident(1, "Shop Web", (10, 13), (10, 15)),
                      incident(2, "Shop Web", (11, 10), (11, 9)),
                      incident(3, "Unknown Svc", (11, 12), (11, 13))], "more": False}))
    write(os.path.join(folder, "exports", "empty", "none.json"),
          json.dumps({"incidents": [], "more": False}))


# ---------------------------------------------------------------- engines

def psql(sql):
    if not PG_URI:
        raise AssertionError("CW_PG_URI is not set: run through `make e2e` (tests/pg/pg.sh start DIR)")
    proc = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", PG_URI,
                           "-c", sql], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError("psql failed: %s\n%s" % (proc.stderr, sql))
    return proc.stdout


def execute(engine, folder, sql):
    """Run statements on the engine's warehouse (hand-made rows of tables
    another step fills: the gates of the [gates] configuration)."""
    if engine == "postgresql":
        psql(sql)
        return
    con = sqlite3.connect(os.path.join(folder, "catwalk.db"))
    con.executescript(sql)
    con.commit()
    con.close()


def load(folder, make, engine):
    """The dataset make(folder, warehouse) loaded into the engine; the config path."""
    if engine == "postgresql":
        if not PG_URI:
            raise AssertionError("CW_PG_URI is not set: run through `make e2e`")
        psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        make(folder, PG_URI)
    else:
        make(folder)
    config = os.path.join(folder, "catwalk.ini")
    proc = run("run", "-c", config, "--no-report", check=False)
    if proc.returncode not in (0, 3):
        raise AssertionError("%s load exited %d: %s" % (engine, proc.returncode, proc.stderr))
    return config


def check_data(config, *extra):
    proc = run("check", "--data", "-c", config, "--format", "json", *extra, check=False)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout else None


def by_kind(doc):
    return {f["kind"]: (f["count"], [e["subject"] for e in f["examples"]]) for f in doc["findings"]}


def coverage(doc):
    return {(c["scope"], c["name"], c["metric"]): (c["samples"], c["base"]) for c in doc["coverage"]}


# Every kind of the hand-made dataset, with its one subject.
EXPECTED = {
    "backward_move": (1, ["SHOP-4"]),
    "changelog_truncated": (1, ["SHOP-6"]),
    "commit_authored_after_deployment": (1, [SHA["5"]]),
    "done_without_start": (1, ["SHOP-2"]),
    "incident_resolved_before_created": (1, ["P2"]),
    "incident_unmapped_service": (1, ["P3"]),
    "item_ended_before_started": (1, ["SHOP-7"]),
    "referenced_item_not_loaded": (1, ["OPS-9"]),
    "source_no_records": (1, ["empty"]),
    "status_missing_from_mapping": (1, ["Limbo"]),
    "transition_after_done": (1, ["SHOP-3"]),
    "untraceable_deployment": (1, ["deploy-shop#4"]),
}

# Worked out from the dataset's comments:
#   lead time: #2 deploys 1111..4444, #3 5555 (non-merge, not baseline): base 5;
#     5555 was authored after #3 finished: 4 samples.
#   traceability: the same 5; 3333 names no key (4444 names OPS-9: a known
#     project's key still makes it traceable): 4.
#   restore: shop's resolved incidents P1, P2; P2 resolved before created: 1 of 2.
#   cycle time: done items SHOP-1 (sample), SHOP-2 (never started), SHOP-7
#     (ended before started): 1 of 3.
#   idea to production: SHOP-1, SHOP-2 (1111, 2222 by #2) and SHOP-4 (5555 by #3):
#     3 of 3, each in production after it was created.
COVERAGE = {"lead_time": (4, 5), "traceability": (4, 5), "restore": (1, 2),
            "cycle_time": (1, 3), "idea_to_production": (3, 3)}

GATES = """INSERT INTO map_gate (status, stakeholder) VALUES ('Security Review', 'security');
INSERT INTO map_application_gate (application_id, stakeholder)
SELECT application_id, 'security' FROM dim_application WHERE name = 'shop';
"""


class HandMade:
    """Mixin: the hand-made dataset on one engine."""
    ENGINE = None

    @classmethod
    def setUpClass(cls):
        cls.dir = os.path.join(temp_dir("cw-quality-"), "d")
        cls.config = load(cls.dir, make_dataset, cls.ENGINE)
        execute(cls.ENGINE, cls.dir, GATES)
        cls.status, cls.doc = check_data(cls.config)
        cls.week2 = check_data(cls.config, "--from", "2026-03-09", "--to", "2026-03-16")
        cls.table = run("check", "--data", "-c", cls.config, check=False)
        out = os.path.join(cls.dir, "audit")
        cls.audit = run("report", "audit", "-c", cls.config, "--from", "2026-03-02", "--to",
                        "2026-03-16", "--out", out, check=False)
        cls.release = run("report", "audit", "-c", cls.config, "--release", "R1", "--out", out,
                          check=False)
        cls.release10 = run("report", "audit", "-c", cls.config, "--release", "R10", "--out", out,
                            check=False)
        cls.out = out

    def test_every_kind_once(self):
        self.assertEqual(self.status, 3)
        self.assertEqual(by_kind(self.doc), EXPECTED)

    def test_metric_named(self):
        metrics = {f["kind"]: f["metric"] for f in self.doc["findings"]}
        self.assertEqual(metrics["commit_authored_after_deployment"], "lead_time")
        self.assertEqual(metrics["incident_resolved_before_created"], "restore")
        self.assertIn("cycle_time", metrics["done_without_start"])

    def test_window(self):
        # week 03-09: the findings dated in it (5555 at #3's finish 03-09 12:00, #4
        # 03-10, P2 and P3 03-11) and those with no instant (Limbo, SHOP-6, the
        # source); SHOP-2..4, SHOP-7 (03-04 .. 03-06) and OPS-9 (03-05) fall out
        # source jira has nothing dated in the week (items created 03-02, resolved by
        # 03-05, last moved 03-06): with the empty source, 2 sources without records;
        # jenkins (#3, #4) and pagerduty (P1..P3) have some, git is never counted so
        status, doc = self.week2
        self.assertEqual(status, 3)
        self.assertEqual(by_kind(doc)["source_no_records"], (2, ["empty", "jira"]))
        self.assertEqual(sorted(by_kind(doc)), [
            "changelog_truncated", "commit_authored_after_deployment",
            "incident_resolved_before_created", "incident_unmapped_service",
            "source_no_records", "status_missing_from_mapping", "untraceable_deployment"])
        # week 03-09 coverage: 5555 only (not a sample); P1, P2
        cov = coverage(doc)
        self.assertEqual(cov[("application", "shop", "lead_time")], (0, 1))
        self.assertEqual(cov[("application", "shop", "restore")], (1, 2))

    def test_coverage_per_scope(self):
        cov = coverage(self.doc)
        for (scope, name) in (("application", "shop"), ("team", "Web"), ("organisation", "organisation")):
            for metric, want in COVERAGE.items():
                self.assertEqual(cov[(scope, name, metric)], want, (scope, metric))
        # ops has no sample of any figure: no line
        self.assertFalse([k for k in cov if k[1] in ("ops", "Ops")])

    def test_table_format(self):
        self.assertEqual(self.table.returncode, 3)
        self.assertIn("lead time from 4 of 5 deployed commits", self.table.stdout)
        self.assertIn("backward_move: 1 (affects cycle_time, wip)", self.table.stdout)

    def audit_rows(self, name):
        with open(os.path.join(self.out, name), newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    def test_audit_csv_window(self):
        self.assertEqual(self.audit.returncode, 0, self.audit.stderr)
        rows = self.audit_rows("catwalk-audit-2026-03-02_2026-03-16.csv")
        # #1 is the baseline (no row); #2 four changes by sha; #3 one; #4 untraceable
        self.assertEqual([(r["number"], r["commit"]) for r in rows],
                         [("2", SHA["1"]), ("2", SHA["2"]), ("2", SHA["3"]), ("2", SHA["4"]),
                          ("3", SHA["5"]), ("4", SHA["f"])])
        first = rows[0]
        self.assertEqual((first["application"], first["job"], first["finished_at"],
                          first["environment"], first["author"], first["subject"], first["items"]),
                         ("shop", "deploy-shop", "2026-03-06T12:00:00Z", "production", "Ann Dev",
                          "SHOP-1 add feature", "SHOP-1"))
        self.assertEqual(first["build"], "https://ci.example.com/job/deploy-shop/2/")
        self.assertEqual(first["gate_transitions"],
                         "SHOP-1: Security Review (security) 2026-03-04T09:00:00Z")
        self.assertEqual([r["gate_not_passed"] for r in rows],
                         ["", "SHOP-2: security", "", "", "SHOP-4: security", ""])
        self.assertEqual([r["untraceable_commit"] for r in rows], ["", "", "yes", "", "", ""])
        self.assertEqual([r["revision_not_in_git"] for r in rows], ["", "", "", "", "", "yes"])
        self.assertEqual([r["items"] for r in rows], ["SHOP-1", "SHOP-2", "", "OPS-9", "SHOP-4", ""])
        # a message a spreadsheet would read as a formula stays text
        self.assertEqual(rows[2]["subject"], "'=1+2 tidy up")

    def test_audit_release(self):
        self.assertEqual(self.release.returncode, 0, self.release.stderr)
        # R1: SHOP-1 and SHOP-2 (R0,R1), both shipped by #2 only; R10 (SHOP-4) is not R1
        rows = self.audit_rows("catwalk-audit-release-R1.csv")
        self.assertEqual([(r["number"], r["commit"]) for r in rows],
                         [("2", SHA["1"]), ("2", SHA["2"]), ("2", SHA["3"]), ("2", SHA["4"])])
        rows = self.audit_rows("catwalk-audit-release-R10.csv")
        self.assertEqual([(r["number"], r["commit"]) for r in rows], [("3", SHA["5"])])

    def test_audit_workbook(self):
        import openpyxl
        wb = openpyxl.load_workbook(os.path.join(self.out, "catwalk-audit-2026-03-02_2026-03-16.xlsx"))
        ws = wb["Audit"]
        rows = list(ws.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("application", "job", "number"))
        self.assertEqual(len(rows), 7)
        self.assertEqual(rows[1][2], 2)
        # the formula-looking subject is a text cell, not a formula
        cell = ws.cell(row=4, column=9)
        self.assertEqual((cell.value, cell.data_type), ("=1+2 tidy up", "s"))
        # gaps are highlighted, other cells are not
        gap = ws.cell(row=4, column=12)
        self.assertEqual(gap.value, "yes")
        self.assertEqual(gap.fill.fgColor.rgb[-6:], "FFC7CE")
        self.assertNotEqual((ws.cell(row=2, column=9).fill.fgColor.rgb or "")[-6:], "FFC7CE")
        self.assertEqual(ws.cell(row=3, column=14).value, "SHOP-2: security")


class HandMadeSqlite(HandMade, unittest.TestCase):
    ENGINE = "sqlite"


class HandMadePostgresql(HandMade, unittest.TestCase):
    ENGINE = "postgresql"


class Extras(unittest.TestCase):
    def test_derived_finding_passes_through(self):
        # a kind another derivation step writes (a key of an unknown project)
        d = os.path.join(temp_dir("cw-quality-"), "d")
        config = load(d, make_dataset, "sqlite")
        execute("sqlite", d, "INSERT INTO derived_finding VALUES "
                "('key_unknown_project', 'ZZZ-1', 'traceability', 'no such project');")
        status, doc = check_data(config)
        self.assertEqual(by_kind(doc)["key_unknown_project"], (1, ["ZZZ-1"]))

    def test_usage(self):
        self.assertEqual(run("check", "-c", "x.ini", "--from", "2026-01-01", check=False).returncode, 2)
        self.assertEqual(run("report", "audit", "-c", "x.ini", "--from", "2026-01-01",
                             check=False).returncode, 2)
        self.assertEqual(run("report", "weekly", "-c", "x.ini", "--release", "R1",
                             check=False).returncode, 2)


# ---------------------------------------------------------------- real fixtures

def make_fixtures(folder, warehouse="catwalk.db"):
    """Every real fixture directory of tests/fixtures as sources."""
    shutil.copytree(FIXTURES, os.path.join(folder, "fx"))
    fx = "fx/"
    config = """[catwalk]
warehouse = {warehouse}
landing = landing
reports = reports

[source jira]
type = jira
path = {fx}jira/*.json

[source jira-devlake]
type = jira
path = {fx}jira/devlake_raw_jira_api_*.csv

[source jira-cloud-csv]
type = jira-csv
path = {fx}jira/jira-cloud-export-all-fields_ericmedlock.csv

[source jira-fr-csv]
type = jira-csv
path = {fx}jira/jira-server-export-fr-locale_ckiw_JIRA28line.csv

[source alloy]
type = jira
path = {fx}correlated/alloy/jira/1-999

[source git-cli]
type = git
path = {fx}git/commons-cli.log-tsv.txt
repository = commons-cli

[source git-alloy]
type = git
path = {fx}correlated/alloy/git.log
repository = alloy

[source jenkins]
type = jenkins
path = {fx}jenkins/*.csv
deployment_job = .*
environment = production

[source github]
type = github
path = {fx}github
repository = panjf2000/ants

[source gitlab]
type = gitlab
path = {fx}gitlab
repository = gitlab-fixture

[source pagerduty]
type = pagerduty
path = {fx}pagerduty

[application ee]
team = EE
projects = EE

[application cli]
team = Commons
projects = CLI
repositories = commons-cli
""".format(warehouse=warehouse, fx=fx)
    write(os.path.join(folder, "catwalk.ini"), config)


CHINESE_STATUSES = [
    "代码评审", "分析中", "发布中", "处理中", "已关闭", "已初筛", "已发布", "已完成", "已解决",
    "开发中", "开发自测", "待发布", "待评分", "打开", "技术开发中", "挂起中", "故事", "无效的",
    "暂不修改", "概设中", "测试中", "细化中", "缺陷", "设计中", "重新打开", "需求挂起中"]


class RealFixtures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docs = {}
        cls.status = {}
        cls.dirs = {}
        for engine in ENGINES:
            d = cls.dirs[engine] = os.path.join(temp_dir("cw-quality-fx-"), "d")
            config = load(d, make_fixtures, engine)
            cls.status[engine], cls.docs[engine] = check_data(config)

    def test_no_crash_and_same_on_both_engines(self):
        for engine in ENGINES:
            self.assertEqual(self.status[engine], 3, engine)
        self.assertEqual(self.docs["sqlite"], self.docs["postgresql"])

    def test_devlake_jira_recordings(self):
        kinds = by_kind(self.docs["sqlite"])
        # EE-1, EE-2 and EE-3 (tests/fixtures/jira/devlake_raw_jira_api_issues.excerpt.items.json),
        # their status histories read by hand:
        #   EE-1  Inbox -> Ready for Dev -> In Development; In Progress -> Open (todo);
        #         Open -> Closed -> 已完成
        #   EE-2, EE-3  Inbox -> Ready for Dev -> To Do (todo) -> Open -> Resolved -> Closed -> 已完成
        # Inbox, Ready for Dev and In Development have no category anywhere (no status
        # list or issue names them, the config has no [status]): guessed in_progress.
        # So each moves back from in_progress to todo once (EE-1 In Development -> Open,
        # the others Ready for Dev -> To Do), and each leaves a done status (Closed -> 已完成).
        self.assertEqual(kinds["backward_move"], (3, ["EE-1", "EE-2", "EE-3"]))
        self.assertEqual(kinds["transition_after_done"], (3, ["EE-1", "EE-2", "EE-3"]))
        self.assertEqual(kinds["status_missing_from_mapping"],
                         (3, ["In Development", "Inbox", "Ready for Dev"]))
        # the DevLake status list says 已完成 is done (id 10068), EE-1's own status says new
        self.assertEqual(kinds["status_category_conflict"], (1, ["已完成"]))
        # the 19 Jenkins runs (DevLake recordings) deploy revisions of repositories not loaded
        self.assertEqual(kinds["untraceable_deployment"][0], 19)

    def test_chinese_status_names(self):
        # the 26 distinct Chinese names of devlake_raw_jira_api_status.csv, none configured:
        # each is a status_from_source finding (its category from the status list)
        con = sqlite3.connect(os.path.join(self.dirs["sqlite"], "catwalk.db"))
        got = sorted(r[0] for r in con.execute(
            "SELECT subject FROM v_data_quality_finding WHERE kind = 'status_from_source'")
            if re.search("[\u4e00-\u9fff]", r[0]))
        con.close()
        self.assertEqual(got, sorted(CHINESE_STATUSES))


if __name__ == "__main__":
    run_suite("quality")
