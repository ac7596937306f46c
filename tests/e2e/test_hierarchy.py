#!/usr/bin/python3
"""Epics and themes end to end (metrics.md "Hierarchy roll-up"): a Jira REST
export and a Jira CSV export with parent, Epic Link and theme fields go
through `catwalk run`, and the views v_hierarchy_progress, v_hierarchy_flow
and the weekly sheet's query (templates/sql/report_epics.sql) give the values
worked out by hand below, on SQLite and, when CW_PG_URI is set, on
PostgreSQL too.  A second night re-reads a CSV export whose row lost its
Epic Link: the link leaves the warehouse (the incremental derivation).

The dataset (written by make_dataset):
  REST (project PAY, application payments; PLAN is no application's):
    PLAN-1 Initiative                   PAY-1 Epic, parent PLAN-1 (its theme)
    PAY-10 Story, parent PAY-1          In Progress 03-02 10:00, Done 03-03 10:00: 24 h
    PAY-11 Sub-task of PAY-10           In Progress 03-03 08:00, Done 03-06 09:00
    PAY-20, PAY-21 Tasks, each the other's parent: a cycle
    PAY-14 Story, blocks PAY-10 (outward Blocks link)
  CSV (project MOB, application mobile; no history, so no cycle time):
    MOB-1 Epic, theme column PLAN-2     MOB-10 Bug, Epic Link PAY-1, resolved 03-04 12:00
    MOB-11 Story, Epic Link PAY-1, in progress
    MOB-12 Sub-task, Parent id 7011 (MOB-11)
    MOB-20 Story, Epic Link MOB-1, resolved 03-10 09:00
So epic PAY-1 spans payments and mobile: items PAY-10, MOB-10, MOB-11 (3,
2 done), sub-tasks PAY-11 and MOB-12 (not counted), last change PAY-11's
Done, median cycle time 24 h (PAY-10 alone has one).  Theme PLAN-1 has the
same items; theme PLAN-2 has MOB-20.

Prints "hierarchy: N passed, N failed".
"""
import json
import os
import sqlite3
import unittest

from suite import run, run_suite, temp_dir

PG_URI = os.environ.get("CW_PG_URI", "")

INI = """[catwalk]
warehouse = %(warehouse)s
landing = landing
reports = reports

[status]
To Do = todo
In Progress = in_progress
Done = done

[source jira]
type = jira
path = exports/jira
epic_link_field = customfield_10014
theme_field = customfield_10500

[source mobile]
type = jira-csv
path = exports/mobile.csv
timezone = UTC
column.theme = Custom field (Theme)

[application payments]
team = Core
projects = PAY

[application mobile]
team = Apps
projects = MOB
"""

CSV_HEADER = ("Issue key,Issue id,Issue Type,Status,Created,Updated,Resolved,Parent id,"
              "Custom field (Epic Link),Custom field (Theme)\n")
CSV_ROWS = [
    "MOB-1,7001,Epic,In Progress,2026-03-02 09:00,2026-03-02 09:00,,,,PLAN-2\n",
    "MOB-10,7010,Bug,Done,2026-03-02 09:00,2026-03-04 12:00,2026-03-04 12:00,,PAY-1,\n",
    "MOB-11,7011,Story,In Progress,2026-03-02 09:00,2026-03-02 09:00,,,PAY-1,\n",
    "MOB-12,7012,Sub-task,To Do,2026-03-02 09:00,2026-03-02 09:00,,7011,,\n",
    "MOB-20,7020,Story,Done,2026-03-02 09:00,2026-03-10 09:00,2026-03-10 09:00,,MOB-1,\n",
]
# night 2: MOB-10 left epic PAY-1 (a newer export)
MOB10_NIGHT2 = "MOB-10,7010,Bug,Done,2026-03-02 09:00,2026-03-05 00:00,2026-03-04 12:00,,,\n"


def history(hid, at, frm, to):
    return {"id": hid, "created": at, "items": [{"field": "status", "fromString": frm, "toString": to}]}


def issue(key, iid, itype, status, category, histories=(), **fields):
    f = {"summary": "Work on " + key, "issuetype": {"name": itype},
         "status": {"name": status, "statusCategory": {"key": category}},
         "created": "2026-03-02T09:00:00.000+0000", "updated": "2026-03-02T09:00:00.000+0000"}
    f.update(fields)
    return {"id": iid, "key": key, "fields": f,
            "changelog": {"startAt": 0, "maxResults": 100, "total": len(histories),
                          "histories": list(histories)}}


def issues():
    return {"issues": [
        issue("PLAN-1", "9001", "Initiative", "To Do", "new"),
        issue("PAY-1", "1001", "Epic", "In Progress", "indeterminate", parent={"key": "PLAN-1"}),
        issue("PAY-10", "1010", "Story", "Done", "done", [
            history("1", "2026-03-02T10:00:00.000+0000", "To Do", "In Progress"),
            history("2", "2026-03-03T10:00:00.000+0000", "In Progress", "Done")],
            parent={"id": "1001", "key": "PAY-1"}),
        issue("PAY-11", "1011", "Sub-task", "Done", "done", [
            history("3", "2026-03-03T08:00:00.000+0000", "To Do", "In Progress"),
            history("4", "2026-03-06T09:00:00.000+0000", "In Progress", "Done")],
            parent={"key": "PAY-10"}),
        issue("PAY-20", "1020", "Task", "To Do", "new", parent={"key": "PAY-21"}),
        issue("PAY-21", "1021", "Task", "To Do", "new", parent={"key": "PAY-20"}),
        issue("PAY-14", "1014", "Story", "To Do", "new", issuelinks=[
            {"type": {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
             "outwardIssue": {"key": "PAY-10"}}]),
    ]}


def make_dataset(folder, warehouse):
    os.makedirs(os.path.join(folder, "exports", "jira"))
    with open(os.path.join(folder, "catwalk.ini"), "w") as f:
        f.write(INI % {"warehouse": warehouse})
    with open(os.path.join(folder, "exports", "jira", "issues.json"), "w") as f:
        json.dump(issues(), f)
    write_csv(folder, CSV_ROWS)


def write_csv(folder, rows):
    with open(os.path.join(folder, "exports", "mobile.csv"), "w") as f:
        f.write(CSV_HEADER + "".join(rows))


# floats rounded in SQL, so both engines print them alike
PROGRESS = ("SELECT level, key, items_total, items_done, items_remaining,"
            " ROUND(CAST(percent_done AS NUMERIC), 4), subtasks, last_change_at, applications,"
            " application_list, cycle_time_count, ROUND(CAST(cycle_time_median_h AS NUMERIC), 4)"
            " FROM v_hierarchy_progress")
FLOW = "SELECT level, key, week_start, throughput, feature, defect FROM v_hierarchy_flow"
LINKS = ("SELECT w.item_key, l.kind, l.target_key FROM fact_work_item_link l"
         " JOIN dim_work_item w ON w.work_item_id = l.work_item_id")
FINDINGS = "SELECT kind, subject FROM derived_finding WHERE kind = 'hierarchy cycle'"


def report_sql(frm, to):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                           "templates", "sql", "report_epics.sql")) as f:
        text = f.read()
    text = text.replace("?1", str(frm)).replace("?2", str(to)).rstrip().rstrip(";")
    return ("SELECT level, key, summary, applications, application_list, items_total, items_done,"
            " items_remaining, ROUND(CAST(done_pct AS NUMERIC), 4), last_change_at,"
            " ROUND(CAST(cycle_time_median_h AS NUMERIC), 4), throughput, feature, defect, risk,"
            " debt FROM (%s\n) r" % text)


def cell(v):
    if v is None:
        return "NULL"
    if isinstance(v, float):
        return "%.4f" % v
    return str(v)


class Engine:
    """Query one warehouse: SQLite through sqlite3, PostgreSQL through psql."""

    def __init__(self, sqlite_path=None):
        self.path = sqlite_path

    def rows(self, sql):
        if self.path:
            con = sqlite3.connect(self.path)
            out = sorted("|".join(cell(v) for v in r) for r in con.execute(sql))
            con.close()
            return out
        from test_engines import psql, NULL
        out = []
        for r in psql(sql):
            vals = []
            for v in r:
                if v == NULL:
                    vals.append("NULL")
                elif "." in v and v.replace(".", "", 1).replace("-", "", 1).isdigit():
                    vals.append("%.4f" % float(v))
                else:
                    vals.append(v)
            out.append("|".join(vals))
        return sorted(out)


class Hierarchy:
    """Mixin: the dataset on one engine, two nights."""
    engine = None

    @classmethod
    def warehouse(cls, folder):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        cls.d = os.path.join(temp_dir("cw-hierarchy-"), "d")
        make_dataset(cls.d, cls.warehouse(cls.d))
        cls.config = os.path.join(cls.d, "catwalk.ini")
        cls.night1 = run("run", "-c", cls.config, "--no-report")
        db = cls.engine_of(cls.d)
        cls.before = {q: db.rows(sql) for q, sql in (
            ("progress", PROGRESS), ("flow", FLOW), ("links", LINKS), ("findings", FINDINGS),
            ("report", report_sql(1772409600, 1773014400)))}
        write_csv(cls.d, [MOB10_NIGHT2 if r.startswith("MOB-10,") else r for r in CSV_ROWS])
        cls.night2 = run("run", "-c", cls.config, "--no-report")
        cls.after = {q: db.rows(sql) for q, sql in (
            ("progress", PROGRESS), ("flow", FLOW), ("links", LINKS))}

    def test_progress(self):
        # last change: PAY-11's Done, 2026-03-06T09:00Z = 1772787600; the
        # CSV items have no transitions
        self.assertEqual(self.before["progress"], [
            "epic|MOB-1|1|1|0|1.0000|0|NULL|1|mobile|0|NULL",
            "epic|PAY-1|3|2|1|0.6667|2|1772787600|2|mobile, payments|1|24.0000",
            "theme|PLAN-1|3|2|1|0.6667|2|1772787600|2|mobile, payments|1|24.0000",
            "theme|PLAN-2|1|1|0|1.0000|0|NULL|1|mobile|0|NULL",
        ])

    def test_flow(self):
        # PAY-10 (feature) ends 03-03, MOB-10 (defect) 03-04: the week of
        # Monday 2026-03-02; MOB-20 ends 03-10, the week of 03-09
        self.assertEqual(self.before["flow"], [
            "epic|MOB-1|2026-03-09|1|1|0",
            "epic|PAY-1|2026-03-02|2|1|1",
            "theme|PLAN-1|2026-03-02|2|1|1",
            "theme|PLAN-2|2026-03-09|1|1|0",
        ])

    def test_links_and_cycle(self):
        self.assertEqual(self.before["links"], sorted([
            "PAY-1|parent|PLAN-1", "PAY-10|parent|PAY-1", "PAY-11|parent|PAY-10",
            "PAY-20|parent|PAY-21", "PAY-21|parent|PAY-20", "PAY-14|blocks|PAY-10",
            "MOB-1|theme|PLAN-2", "MOB-10|epic|PAY-1", "MOB-11|epic|PAY-1",
            "MOB-12|parent|MOB-11", "MOB-20|epic|MOB-1"]))
        self.assertEqual(self.before["findings"], ["hierarchy cycle|PAY-20"])

    def test_report_sheet(self):
        # window [2026-03-02, 2026-03-09): MOB-1 and PLAN-2 have nothing
        # left and nothing in it
        self.assertEqual(self.before["report"], sorted([
            "theme|PLAN-1|Work on PLAN-1|2|mobile, payments|3|2|1|0.6667|1772787600|24.0000|2|1|1|0|0",
            "epic|PAY-1|Work on PAY-1|2|mobile, payments|3|2|1|0.6667|1772787600|24.0000|2|1|1|0|0",
        ]))

    def test_reload_removes_the_dropped_link(self):
        self.assertIn("deriving incrementally", self.night2.stderr)
        self.assertNotIn("MOB-10|epic|PAY-1", self.after["links"])
        self.assertEqual(len(self.after["links"]), 10)
        self.assertIn("epic|PAY-1|2|1|1|0.5000|2|1772787600|2|mobile, payments|1|24.0000",
                      self.after["progress"])
        self.assertIn("epic|PAY-1|2026-03-02|1|1|0", self.after["flow"])


HIERARCHY = ("SELECT w.item_key, h.epic_key, e.item_key, h.theme_key, t.item_key, h.is_epic,"
             " h.is_subtask FROM derived_hierarchy h"
             " JOIN dim_work_item w ON w.work_item_id = h.work_item_id"
             " LEFT JOIN dim_work_item e ON e.work_item_id = h.epic_id"
             " LEFT JOIN dim_work_item t ON t.work_item_id = h.theme_id")


class OnSQLite(Hierarchy, unittest.TestCase):
    @classmethod
    def warehouse(cls, folder):
        return "catwalk.db"

    @classmethod
    def engine_of(cls, folder):
        return Engine(os.path.join(folder, "catwalk.db"))

    def test_incremental_equals_full(self):
        # night 2 derived incrementally; the same exports loaded at once
        # must give the same links, hierarchy and findings
        full = os.path.join(temp_dir("cw-hierarchy-full-"), "d")
        make_dataset(full, "catwalk.db")
        write_csv(full, [MOB10_NIGHT2 if r.startswith("MOB-10,") else r for r in CSV_ROWS])
        run("run", "-c", os.path.join(full, "catwalk.ini"), "--no-report")
        for sql in (LINKS, HIERARCHY, FINDINGS, PROGRESS, FLOW):
            self.assertEqual(self.engine_of(self.d).rows(sql), self.engine_of(full).rows(sql), sql)


@unittest.skipUnless(PG_URI, "CW_PG_URI is not set")
class OnPostgreSQL(Hierarchy, unittest.TestCase):
    @classmethod
    def warehouse(cls, folder):
        from test_engines import psql
        psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        return PG_URI

    @classmethod
    def engine_of(cls, folder):
        return Engine()


if __name__ == "__main__":
    run_suite("hierarchy")
