#!/usr/bin/python3
"""The sources of issue 9, capability 8, loaded end to end on both engines.

One dataset, written here: the real DevLake Opsgenie recording
(tests/fixtures/opsgenie), a Jira CSV export with `incident_types =
Incident, Outage`, a CAB approval log read by a generic CSV source as
transitions into "CAB Approval", an in-house incident list (generic CSV,
target incident), a weekly NPS / monthly revenue series (target kpi) and a
mainframe release calendar (target release).
Every expected value is worked out by hand in the test.

Runs on SQLite; with CW_PG_URI (tests/pg/pg.sh) the same checks run on
PostgreSQL too (a fresh schema per load).  Python stdlib only; prints
"sources: N passed, N failed".
"""
import json
import os
import shutil
import sqlite3
import subprocess
import unittest

from suite import REPO, run, run_suite, temp_dir

FIXTURES = os.environ.get("CW_FIXTURES", os.path.join(REPO, "tests", "fixtures"))
PG_URI = os.environ.get("CW_PG_URI", "")
PSQL = os.environ.get("CW_PSQL", "psql")
SERVICE = "695bce3d-4621-4630-8ae1-24eb89c22d6e"   # impactedServices of the recording

# 2026-01-01 = day 20454, so 2026-03-02 (a Monday) = 20514 = 1772409600 s
MAR2 = 20514 * 86400
HOUR = 3600

JIRA = """Issue key,Issue Type,Summary,Status,Created,Resolved,Project key
PAY-1,Incident,Checkout down,Done,2026-03-02 10:00,2026-03-02 12:30,PAY
PAY-2,Story,New button,In Progress,2026-03-02 10:00,,PAY
PAY-3,outage,not an Outage: types compare exactly,Open,2026-03-03 09:00,,PAY
"""

CAB = """Change,Requested,Board
PAY-2,2026-03-03 09:00,weekly
"""

INCIDENTS = """Ticket,Opened,Closed,Application service
MF-1,2026-03-04 08:00,2026-03-04 09:15,Mainframe batch
"""

# a mainframe release calendar: days, whatever the time of day written
CALENDAR = """Project,Release,Start,Go-live,Done?
PAY,MAINFRAME 2027.1,2027-01-04 10:30,2027-03-15,yes
"""

# deploy-payments #1: 08:00 to 09:00 on 2026-03-02, to production
JENKINS = """{"fullName": "deploy-payments", "allBuilds": [
 {"number": 1, "timestamp": 1772438400000, "duration": 3600000, "result": "SUCCESS",
  "building": false, "actions": [{"_class": "hudson.model.ParametersAction",
   "parameters": [{"name": "ENVIRONMENT", "value": "production"}]}]}]}
"""

KPI = """App,KPI,Week,Value
payments,NPS,2026-W10,40
payments,NPS,2026-03-04,44
payments,revenue,2026-03,1000.5
"""

CONFIG = """[catwalk]
warehouse = {warehouse}
landing = landing
reports = reports

[source og]
type = opsgenie
path = exports/opsgenie

[source jira]
type = jira-csv
path = exports/jira.csv
timezone = UTC
date_format = yyyy-MM-dd HH:mm
incident_types = {types}

[source cab]
type = csv
target = transition
path = exports/cab.csv
column.item = Change
column.at = Requested
default.to = CAB Approval

[source inhouse]
type = csv
target = incident
path = exports/incidents.csv
column.id = Ticket
column.created_at = Opened
column.resolved_at = Closed
column.service = Application service

[source jenkins]
type = jenkins
path = exports/jenkins.json
deployment_job = ^deploy-
environment_parameter = ENVIRONMENT

[source calendar]
type = csv
target = release
path = exports/calendar.csv
column.project = Project
column.name = Release
column.start = Start
column.release_date = Go-live
column.released = Done?

[source kpi]
type = csv
target = kpi
path = exports/kpi.csv
column.application = App
column.name = KPI
column.at = Week

[application payments]
team = Core
projects = PAY
jobs = deploy-payments
services = {service}, Mainframe batch
"""


def psql(sql):
    proc = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-F", "|",
                           "-d", PG_URI, "-c", sql], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError("psql: %s\n%s" % (proc.stderr, sql))
    return [tuple(line.split("|")) for line in proc.stdout.splitlines() if line]


class Sources:
    """One engine's checks; the subclasses name the engine."""
    engine = None

    def setUp(self):
        self.dir = os.path.join(temp_dir("cw-sources-"), "d")
        ex = os.path.join(self.dir, "exports")
        os.makedirs(os.path.join(ex, "opsgenie"))
        shutil.copy(os.path.join(FIXTURES, "opsgenie", "devlake_raw_opsgenie_incidents.csv"),
                    os.path.join(ex, "opsgenie"))
        for name, text in (("jira.csv", JIRA), ("cab.csv", CAB), ("incidents.csv", INCIDENTS),
                           ("kpi.csv", KPI), ("jenkins.json", JENKINS),
                           ("calendar.csv", CALENDAR)):
            with open(os.path.join(ex, name), "w") as f:
                f.write(text)
        if self.engine == "pg":
            psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        self.write_config("Incident, Outage")

    def write_config(self, types):
        warehouse = PG_URI if self.engine == "pg" else "catwalk.db"
        with open(os.path.join(self.dir, "catwalk.ini"), "w") as f:
            f.write(CONFIG.format(warehouse=warehouse, types=types, service=SERVICE))

    def load(self):
        return run("run", "-c", "catwalk.ini", "--no-report", cwd=self.dir)

    def rows(self, sql):
        """Rows as tuples of text (NULL as ''), whatever the engine."""
        if self.engine == "pg":
            return psql(sql)
        con = sqlite3.connect(os.path.join(self.dir, "catwalk.db"))
        try:
            return [tuple("" if v is None else str(v) for v in r) for r in con.execute(sql)]
        finally:
            con.close()

    def incidents(self):
        return self.rows("SELECT s.name, i.external_id, a.name, i.created_at, i.resolved_at "
                         "FROM fact_incident i JOIN dim_source s ON s.source_id = i.source_id "
                         "LEFT JOIN dim_application a ON a.application_id = i.application_id "
                         "ORDER BY s.name, i.external_id")

    def attribution(self):
        """Each incident with its attribution, by natural keys."""
        return self.rows("SELECT s.name, i.external_id, COALESCE(a.name, ''), di.how, "
                         "COALESCE(CAST(d.run_number AS TEXT), '') FROM fact_incident i "
                         "JOIN dim_source s ON s.source_id = i.source_id "
                         "LEFT JOIN dim_application a ON a.application_id = i.application_id "
                         "JOIN derived_incident di ON di.incident_id = i.incident_id "
                         "LEFT JOIN fact_deployment d ON d.deployment_id = di.deployment_id "
                         "ORDER BY s.name, i.external_id")

    def test_everything_loads_where_it_belongs(self):
        self.load()
        # Opsgenie: created 2023-09-06T14:30:56.346Z (day 19606) and
        # 2023-09-05T18:20:28.003Z (day 19605), resolved at impactEndDate
        # 18:21:21.49Z; both on the service id payments maps.
        # inhouse: 08:00 to 09:15 on 2026-03-04; jira: PAY-1 10:00 to 12:30.
        self.assertEqual(self.incidents(), [
            ("inhouse", "MF-1", "payments", str(MAR2 + 2 * 86400 + 8 * HOUR),
             str(MAR2 + 2 * 86400 + 9 * HOUR + 15 * 60)),
            ("jira", "PAY-1", "payments", str(MAR2 + 10 * HOUR), str(MAR2 + 12 * HOUR + 30 * 60)),
            ("og", "3a74524a-f492-4172-b3f5-6041c7cb404a", "payments",
             str(19606 * 86400 + 14 * HOUR + 30 * 60 + 56), ""),
            ("og", "3f84e009-7548-4e7d-832a-fa82c1ceb6b1", "payments",
             str(19605 * 86400 + 18 * HOUR + 20 * 60 + 28),
             str(19605 * 86400 + 18 * HOUR + 21 * 60 + 21)),
        ])
        # the CAB log: PAY-2 entered the gate at 09:00 on 2026-03-03
        self.assertEqual(self.rows(
            "SELECT w.item_key, t.at, t.from_status, t.to_status FROM fact_transition t "
            "JOIN dim_work_item w ON w.work_item_id = t.work_item_id"),
            [("PAY-2", str(MAR2 + 86400 + 9 * HOUR), "", "CAB Approval")])
        # v_kpi: both NPS values fall in the week of Monday 2026-03-02 (avg 42),
        # the revenue in March (its month) and in the week of Monday 2026-02-23
        self.assertEqual(self.rows(
            "SELECT application, team, name, period, period_start, period_start_at, samples, "
            "CAST(value_sum AS TEXT), CAST(value_avg AS TEXT) FROM v_kpi "
            "WHERE period <> 'day' ORDER BY name, period, period_start"),
            [("payments", "Core", "NPS", "month", "2026-03-01", str(MAR2 - 86400), "2", "84", "42"),
             ("payments", "Core", "NPS", "week", "2026-03-02", str(MAR2), "2", "84", "42"),
             ("payments", "Core", "revenue", "month", "2026-03-01", str(MAR2 - 86400), "1",
              "1000.5", "1000.5"),
             ("payments", "Core", "revenue", "week", "2026-02-23", str(MAR2 - 7 * 86400), "1",
              "1000.5", "1000.5")]
            if self.engine == "pg" else
            [("payments", "Core", "NPS", "month", "2026-03-01", str(MAR2 - 86400), "2", "84.0", "42.0"),
             ("payments", "Core", "NPS", "week", "2026-03-02", str(MAR2), "2", "84.0", "42.0"),
             ("payments", "Core", "revenue", "month", "2026-03-01", str(MAR2 - 86400), "1",
              "1000.5", "1000.5"),
             ("payments", "Core", "revenue", "week", "2026-02-23", str(MAR2 - 7 * 86400), "1",
              "1000.5", "1000.5")])
        self.assertEqual(self.rows("SELECT count(*) FROM reject"), [("0",)])
        # the calendar's release: 2027-01-04 = day 20822, 2027-03-15 = day 20892
        self.assertEqual(self.rows("SELECT r.project, r.name, r.start_at, r.release_at, "
                                   "r.released, s.name FROM dim_release r "
                                   "JOIN dim_source s ON s.source_id = r.source_id"),
                         [("PAY", "MAINFRAME 2027.1", str(20822 * 86400), str(20892 * 86400),
                           "1", "calendar")])
        # the deployment finished at 09:00 on 2026-03-02: PAY-1 (10:00) and
        # MF-1 (2026-03-04 08:00, 47 hours later) fall in its 72-hour window;
        # the Opsgenie incidents of 2023 have no deployment before them
        self.assertEqual(self.attribution(), [
            ("inhouse", "MF-1", "payments", "window", "1"),
            ("jira", "PAY-1", "payments", "window", "1"),
            ("og", "3a74524a-f492-4172-b3f5-6041c7cb404a", "payments", "none", ""),
            ("og", "3f84e009-7548-4e7d-832a-fa82c1ceb6b1", "payments", "none", "")])

    def test_sources_with_records_in_the_window_are_no_finding(self):
        """check --data for the week of 2026-03-02: the KPI series, the CAB
        log (transitions: left out like git), the in-house list and Jira have
        records in it; the Opsgenie recording (2023) has none."""
        self.load()
        out = run("check", "--data", "-c", "catwalk.ini", "--from", "2026-03-02",
                  "--to", "2026-03-09", "--format", "json", cwd=self.dir, check=False)
        found = json.loads(out.stdout)["findings"]
        empty = [e["subject"] for f in found if f["kind"] == "source_no_records"
                 for e in f["examples"]]
        self.assertEqual(empty, ["og"])

    def test_reload_and_type_change_neither_lose_nor_double(self):
        self.load()
        ids = self.rows("SELECT external_id, incident_id FROM fact_incident ORDER BY external_id")
        self.load()                                 # the same files again: nothing moves
        self.assertEqual(self.rows("SELECT external_id, incident_id FROM fact_incident "
                                   "ORDER BY external_id"), ids)
        # PAY-1 is re-typed a Story: its incident goes, the others stay
        with open(os.path.join(self.dir, "exports", "jira.csv"), "w") as f:
            f.write(JIRA.replace("PAY-1,Incident", "PAY-1,Story"))
        derived = self.load()
        self.assertIn("deriving incrementally", derived.stderr)
        self.assertEqual([r[1] for r in self.incidents()],
                         ["MF-1", "3a74524a-f492-4172-b3f5-6041c7cb404a",
                          "3f84e009-7548-4e7d-832a-fa82c1ceb6b1"])
        night = self.attribution()
        # the configuration now lists Story: PAY-1 and PAY-2 are incidents, once each
        self.write_config("Story")
        self.load()
        self.assertEqual([r[1] for r in self.incidents() if r[0] == "jira"], ["PAY-1", "PAY-2"])
        self.assertEqual(self.rows("SELECT count(*) FROM derived_incident"), [("5",)])
        # the incremental night equals one full load of the same files
        self.assertEqual(night, self.full_load(JIRA.replace("PAY-1,Incident", "PAY-1,Story")))

    def test_incident_follows_its_project_to_another_application(self):
        self.load()
        with open(os.path.join(self.dir, "catwalk.ini")) as f:
            text = f.read()
        with open(os.path.join(self.dir, "catwalk.ini"), "w") as f:
            f.write(text.replace("projects = PAY\n", "")
                    + "\n[application checkout]\nteam = Web\nprojects = PAY\n")
        self.load()
        self.assertEqual([r for r in self.incidents() if r[0] == "jira"],
                         [("jira", "PAY-1", "checkout", str(MAR2 + 10 * HOUR),
                           str(MAR2 + 12 * HOUR + 30 * 60))])
        # checkout has no deployment: PAY-1 is no longer attributed
        self.assertIn(("jira", "PAY-1", "checkout", "none", ""), self.attribution())

    def test_retyped_into_the_list_on_an_incremental_night(self):
        with open(os.path.join(self.dir, "exports", "jira.csv"), "w") as f:
            f.write(JIRA.replace("PAY-1,Incident", "PAY-1,Story"))
        self.load()
        self.assertEqual([r[1] for r in self.incidents() if r[0] == "jira"], [])
        with open(os.path.join(self.dir, "exports", "jira.csv"), "w") as f:
            f.write(JIRA)
        self.assertIn("deriving incrementally", self.load().stderr)
        night = self.attribution()
        # PAY-1 is an incident again, attributed by window to deploy-payments #1
        self.assertIn(("jira", "PAY-1", "payments", "window", "1"), night)
        self.assertEqual(night, self.full_load(JIRA))

    def full_load(self, jira):
        """The attribution of one fresh full load of the dataset with this Jira export."""
        self.setUp()
        with open(os.path.join(self.dir, "exports", "jira.csv"), "w") as f:
            f.write(jira)
        self.load()
        return self.attribution()


    def test_jira_rest_items_of_a_listed_type(self):
        """The real Alloy issues (REST, one per file): ALOY-1001 is an
        Improvement, created 2014-05-01T17:39:46.000+0000 (day 16191) and
        resolved 2018-09-07T22:05:15.000+0000 (day 17781); ALOY-103 a Story."""
        jira = os.path.join(self.dir, "exports", "alloy")
        os.makedirs(jira)
        for rel in ("1000-1999/ALOY-1001.json", "1-999/ALOY-103.json"):
            shutil.copy(os.path.join(FIXTURES, "correlated", "alloy", "jira", rel), jira)
        with open(os.path.join(self.dir, "catwalk.ini"), "w") as f:
            f.write("[catwalk]\nwarehouse = %s\nlanding = landing\n\n"
                    "[source alloy]\ntype = jira\npath = exports/alloy\n"
                    "incident_types = Improvement\n\n"
                    "[application alloy]\nteam = Titanium\nprojects = ALOY\n"
                    % (PG_URI if self.engine == "pg" else "catwalk.db"))
        self.load()
        self.assertEqual(self.incidents(), [
            ("alloy", "ALOY-1001", "alloy", str(16191 * 86400 + 17 * HOUR + 39 * 60 + 46),
             str(17781 * 86400 + 22 * HOUR + 5 * 60 + 15))])
        self.assertEqual(self.rows("SELECT number, title, service, status FROM fact_incident"),
                         [("ALOY-1001", "Remove usage of wrench in favor of fs-extra", "ALOY",
                           "Closed")])


class SourcesSQLite(Sources, unittest.TestCase):
    engine = "sqlite"


@unittest.skipUnless(PG_URI, "CW_PG_URI is not set")
class SourcesPostgreSQL(Sources, unittest.TestCase):
    engine = "pg"


if __name__ == "__main__":
    run_suite("sources")
