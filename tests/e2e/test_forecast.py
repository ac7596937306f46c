#!/usr/bin/python3
"""Release forecasts end to end on both engines (issue 10, capability 4).

A hand-made Jira export (written below) is loaded with CW_NOW pinned to
2026-06-10 12:00 UTC into SQLite and into PostgreSQL (CW_PG_URI, fresh
schema); derived_forecast (v_forecast), forecast_history, the calibration
view, the burn-up view and `catwalk forecast` must give, on both, the values
worked out by hand below (rule: transform/forecast.h).  Without a PostgreSQL
the PostgreSQL tests FAIL, never skip.  Prints "forecast: N passed, N failed".

[forecast] history_days = 10, trials = 2000: the history is the 10 whole UTC
days 05-31 .. 06-09 (as_of's day 06-10 is the first simulated day).
  Team Mobile (project MOB): exactly one item done on each of those days
  (MOB-5 on 06-01, MOB-11..19 on the nine others); MOB-20 (done 06-10, today)
  and MOB-21 (05-30) are outside.  History: ten 1s.
  Team Mainframe (project MF): MF-1 and MF-2 done on 06-05.  History: one 2,
  nine 0s.  Team Idle (project IDLE): nothing done.
Releases (natural key "PROJECT NAME"):
  MOB 5.1  released 06-05: not forecast (calibration below).
  MOB 5.2  planned 06-13; MOB-1..4 in progress (4 remaining; MOB-5 done);
           [release "MOB 5.2"] depends_on = MF 2026.2.  Own work: one a day,
           06-10 .. 06-13, in every trial; by the planned day all 4 are done.
           MF 2026.2 (planned 06-20) passes on 06-20 (a release waited on
           ships on its planned day at the earliest): every trial is 06-20.
           P50 = P85 = P95 = 06-20, at risk (7 days late), critical MF 2026.2.
  MOB 5.3  no date; MOB-6 in progress, blocked by MF-3 (Jira link): depends
           on MF 2026.3.  Own: 06-10; so each trial is MF 2026.3's: the same
           P50/P85/P95, and MF 2026.3 drives the tail: critical.  No planned
           date: never at risk, items_by_planned_85 NULL.
  MF 2026.2 planned 06-20, no items: remaining 0, ready 06-10 (P50 = P85 =
           P95 = 06-10), 0 items by the planned day, not at risk.
  MF 2026.3 no date; MF-3 in progress: remaining 1, a forecast.
  IDLE 1.0 planned 07-01; IDLE-1 in progress; team Idle did nothing in the
           window: no forecast, no dates, the reason says so.
Calibration: three forecasts of MOB 5.1 are stored by hand (release instant
06-05 23:59:59): made 05-20 with P85 06-04 (miss), made 05-25 with P85 06-05
(hit), made 06-01 (less than 7 days before: not scored): hit rate 1 / 2.
"""
import calendar
import json
import os
import re
import shutil
import sqlite3
import time
import unittest

import test_engines as te
from suite import REPO, run, run_suite, temp_dir

NOW = "2026-06-10T12:00:00Z"
DAY = 86400


def t(text):
    """UTC seconds of 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS'."""
    fmt = "%Y-%m-%d %H:%M:%S" if " " in text else "%Y-%m-%d"
    return calendar.timegm(time.strptime(text, fmt))


def jira_time(text):
    return text.replace(" ", "T") + ".000+0000"


VERSIONS = {
    "MOB": [("2001", "5.1", True, "2026-06-05"), ("2002", "5.2", False, "2026-06-13"),
            ("2003", "5.3", False, None)],
    "MF": [("3002", "2026.2", False, "2026-06-20"), ("3003", "2026.3", False, None)],
    "IDLE": [("4001", "1.0", False, "2026-07-01")],
}


def version(project, name):
    for vid, vname, released, date in VERSIONS[project]:
        if vname == name:
            v = {"id": vid, "name": vname, "released": released, "archived": False}
            if date:
                v["releaseDate"] = date
            return v
    raise KeyError(name)


def issue(n, key, versions=(), done_at=None, blocks=()):
    """An issue created 05-20, started 05-21; done at done_at when given."""
    project = key.split("-")[0]
    histories = [{"id": "%d1" % n, "created": jira_time("2026-05-21 09:00:00"),
                  "items": [{"field": "status", "fromString": "Backlog", "toString": "In Progress"}]}]
    if done_at:
        histories.append({"id": "%d2" % n, "created": jira_time(done_at),
                          "items": [{"field": "status", "fromString": "In Progress",
                                     "toString": "Done"}]})
    status = ({"name": "Done", "statusCategory": {"key": "done"}} if done_at else
              {"name": "In Progress", "statusCategory": {"key": "indeterminate"}})
    return {"id": str(n), "key": key, "fields": {
        "summary": "Work on " + key, "issuetype": {"name": "Story"}, "status": status,
        "project": {"key": project}, "labels": [],
        "fixVersions": [version(project, v) for v in versions],
        "created": jira_time("2026-05-20 09:00:00"), "updated": jira_time("2026-06-09 09:00:00"),
        "resolutiondate": jira_time(done_at) if done_at else None,
        "issuelinks": [{"type": {"name": "Blocks", "outward": "blocks", "inward": "is blocked by"},
                        "outwardIssue": {"key": b}} for b in blocks]},
        "changelog": {"startAt": 0, "maxResults": len(histories), "total": len(histories),
                      "histories": histories}}


def issues():
    out = [issue(100 + i, "MOB-%d" % i, ["5.2"]) for i in range(1, 5)]
    out.append(issue(105, "MOB-5", ["5.2"], "2026-06-01 10:00:00"))
    out.append(issue(106, "MOB-6", ["5.3"]))
    days = ["2026-05-31"] + ["2026-06-%02d" % d for d in range(2, 10)]
    for i, day in enumerate(days):
        out.append(issue(111 + i, "MOB-%d" % (11 + i), ["5.1"] if i == 0 else [],
                         day + " 10:00:00"))
    out.append(issue(120, "MOB-20", [], "2026-06-10 08:00:00"))
    out.append(issue(121, "MOB-21", [], "2026-05-30 10:00:00"))
    out.append(issue(201, "MF-1", [], "2026-06-05 10:00:00"))
    out.append(issue(202, "MF-2", [], "2026-06-05 11:00:00"))
    out.append(issue(203, "MF-3", ["2026.3"], blocks=["MOB-6"]))
    out.append(issue(301, "IDLE-1", ["1.0"]))
    return out


CONFIG = """; Hand-made forecast dataset: tests/e2e/test_forecast.py works out every figure.
[catwalk]
warehouse = catwalk.db
landing = landing
reports = reports

[status]
Backlog = todo
In Progress = in_progress
Done = done

[forecast]
seed = 1
history_days = 10
trials = 2000

[release "MOB 5.2"]
depends_on = MF 2026.2

[source jira]
type = jira
path = exports/jira

[application mobile-app]
team = Mobile
projects = MOB

[application mainframe]
team = Mainframe
projects = MF

[application idle-app]
team = Idle
projects = IDLE
"""


def make_dataset(d, config=CONFIG):
    os.makedirs(os.path.join(d, "exports", "jira"))
    with open(os.path.join(d, "catwalk.ini"), "w") as f:
        f.write(config)
    for project, versions in VERSIONS.items():
        with open(os.path.join(d, "exports", "jira", "versions-%s.json" % project), "w") as f:
            json.dump([dict(version(project, v[1]), projectId=1) for v in versions], f)
    found = issues()
    with open(os.path.join(d, "exports", "jira", "search-page1.json"), "w") as f:
        json.dump({"startAt": 0, "maxResults": 100, "total": len(found), "issues": found}, f)


FORECAST_SQL = ("SELECT release, team, planned_at, remaining, has_forecast, p50_at, p85_at, p95_at,"
                " items_by_planned_85, at_risk, critical_release, days_late_p85, reason"
                " FROM v_forecast ORDER BY release")
NO_HISTORY = ("no forecast: no throughput history (the team completed nothing in the history"
              " window)")
F = t("2026-06-10")
EXPECTED = {
    "IDLE 1.0": ("Idle", t("2026-07-01"), 1, 0, None, None, None, None, 0, None, None, NO_HISTORY),
    "MF 2026.2": ("Mainframe", t("2026-06-20"), 0, 1, F, F, F, 0, 0, None, -10, None),
    "MOB 5.2": ("Mobile", t("2026-06-13"), 4, 1, t("2026-06-20"), t("2026-06-20"), t("2026-06-20"),
                4, 1, "MF 2026.2", 7,
                "P85 2026-06-20 is 7 days after the planned 2026-06-13, driven by MF 2026.2"),
}
LIKE = ("", "", 0, 0, 0, 0, 0, 0, 0, 0, "", 0, "")


def typed(row, like):
    out = []
    for v, e in zip(row, like):
        if v == te.NULL:
            out.append(None)
        elif isinstance(e, int):
            out.append(int(v))
        else:
            out.append(v)
    return tuple(out)


class Engines:
    """The dataset loaded once per engine at NOW; `rows` queries either."""

    @classmethod
    def setUpClass(cls):
        tmp = temp_dir("cw-forecast-")
        cls.dirs = {"sqlite": os.path.join(tmp, "sqlite"), "pg": os.path.join(tmp, "pg")}
        for d in cls.dirs.values():
            make_dataset(d)
        cls.env = dict(os.environ, CW_NOW=NOW)
        cls.loads = {"sqlite": run("run", "-c", cls.ini("sqlite"), "--no-report", env=cls.env)}
        if te.PG_URI:
            with open(cls.ini("pg")) as f:
                text = f.read()
            text = re.sub(r"(?m)^warehouse\s*=.*$", "warehouse = " + te.PG_URI.replace("\\", "\\\\"),
                          text)
            with open(cls.ini("pg"), "w") as f:
                f.write(text)
            te.psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            cls.loads["pg"] = run("run", "-c", cls.ini("pg"), "--no-report", env=cls.env)

    @classmethod
    def ini(cls, engine):
        return os.path.join(cls.dirs[engine], "catwalk.ini")

    def need(self, engine):
        if engine == "pg" and not te.PG_URI:
            self.fail("CW_PG_URI is not set: run through `make e2e` (tests/pg/pg.sh start DIR)")

    def rows(self, engine, sql, like):
        self.need(engine)
        if engine == "sqlite":
            con = sqlite3.connect(os.path.join(self.dirs["sqlite"], "catwalk.db"))
            out = [tuple(r) for r in con.execute(sql)]
            con.close()
            return out
        return [typed(r, like) for r in te.psql(sql)]

    def execute(self, engine, sql):
        self.need(engine)
        if engine == "sqlite":
            con = sqlite3.connect(os.path.join(self.dirs["sqlite"], "catwalk.db"))
            con.executescript(sql)
            con.commit()
            con.close()
        else:
            te.psql(sql)


class Forecasts(Engines, unittest.TestCase):
    def forecasts(self, engine):
        return {r[0]: r[1:] for r in self.rows(engine, FORECAST_SQL, LIKE)}

    def check(self, engine):
        got = self.forecasts(engine)
        self.assertEqual(sorted(got), ["IDLE 1.0", "MF 2026.2", "MF 2026.3", "MOB 5.2", "MOB 5.3"])
        for release, want in EXPECTED.items():
            self.assertEqual(got[release], want, release)
        # MOB 5.3 waits on MF 2026.3 (blocks link): the same trials, the same dates
        mf, mob = got["MF 2026.3"], got["MOB 5.3"]
        self.assertEqual(mf[:4], ("Mainframe", None, 1, 1))
        self.assertEqual(mob[:4], ("Mobile", None, 1, 1))
        self.assertEqual(mob[4:7], mf[4:7])
        self.assertTrue(F < mf[4] <= mf[5] <= mf[6])
        self.assertEqual(mob[7:10], (None, 0, "MF 2026.3"))
        self.assertEqual(mf[7:10], (None, 0, None))
        # forecast_history: this run's rows, made on NOW's day (floored:
        # every run of that day writes the same rows), IDLE 1.0's without a
        # forecast too (no dates; the reason kept), for a report as of then
        hist = self.rows(engine, "SELECT r.project || ' ' || r.name, h.made_at, h.p85_at,"
                                 " h.remaining, h.at_risk"
                                 " FROM forecast_history h JOIN dim_release r"
                                 " ON r.release_id = h.release_id ORDER BY 1", ("", 0, 0, 0, 0))
        self.assertEqual([h[0] for h in hist],
                         ["IDLE 1.0", "MF 2026.2", "MF 2026.3", "MOB 5.2", "MOB 5.3"])
        self.assertTrue(all(h[1] == t("2026-06-10") for h in hist))
        self.assertEqual(hist[0][2:], (None, 1, 0))
        self.assertEqual(hist[3][2:], (t("2026-06-20"), 4, 1))

    def test_sqlite(self):
        self.check("sqlite")

    def test_postgresql(self):
        self.check("pg")

    def burnup(self, engine):
        # MOB 5.2: MOB-1..5 carry it (created 05-20); MOB-5 done 06-01 10:00
        return self.rows(engine, "SELECT day, scope, done FROM v_release_burnup WHERE release ="
                                 " 'MOB 5.2' AND day IN (%d, %d, %d) ORDER BY day"
                         % (t("2026-05-31"), t("2026-06-01"), t("2026-06-02")), (0, 0, 0))

    def test_burnup(self):
        want = [(t("2026-05-31"), 5, 0), (t("2026-06-01"), 5, 1), (t("2026-06-02"), 5, 1)]
        for engine in ("sqlite", "pg"):
            self.assertEqual(self.burnup(engine), want, engine)

    def test_command(self):
        for engine in ("sqlite", "pg"):
            self.need(engine)
            out = json.loads(run("forecast", "-c", self.ini(engine), "--format", "json",
                                 "--at-risk").stdout)
            self.assertEqual([f["release"] for f in out["forecasts"]], ["MOB 5.2"], engine)
            f = out["forecasts"][0]
            self.assertEqual((f["planned"], f["remaining"], f["p50"], f["p85"], f["p95"],
                              f["items_by_planned_85"], f["at_risk"], f["critical_dependency"]),
                             ("2026-06-13", 4, "2026-06-20", "2026-06-20", "2026-06-20", 4, True,
                              "MF 2026.2"), engine)
            team = json.loads(run("forecast", "-c", self.ini(engine), "--format", "json", "--team",
                                  "Mainframe").stdout)
            self.assertEqual([f["release"] for f in team["forecasts"]], ["MF 2026.2", "MF 2026.3"])
            one = run("forecast", "-c", self.ini(engine), "--release", "IDLE 1.0").stdout
            self.assertIn("IDLE 1.0", one)
            self.assertIn(NO_HISTORY, one)
            self.assertIn("calibration: no forecast scored yet", one)
            csv = run("forecast", "-c", self.ini(engine), "--format", "csv").stdout.splitlines()
            self.assertEqual(csv[0], "release,application,team,planned,remaining,p50,p85,p95,"
                                     "items_by_planned_85,at_risk,critical_dependency,reason")
            # at risk first, then by P85, no forecast last
            self.assertEqual([line.split(",")[0].strip('"') for line in csv[1:]][0], "MOB 5.2")
            self.assertEqual(csv[-1].split(",")[0], '"IDLE 1.0"')

    def test_report_section(self):
        with open(os.path.join(REPO, "templates", "sql", "report_forecast.sql")) as f:
            sql = "\n".join(l for l in f.read().splitlines() if not l.startswith("--")).strip()
        # ?3, the as-of instant: NOW (the run's forecasts)
        sql = sql.rstrip(";").replace("?1", "0").replace("?2", "1").replace("?3", str(t(NOW[:10] + " " + NOW[11:19])))
        for engine in ("sqlite", "pg"):
            got = self.rows(engine, sql, ("",) * 13)
            self.assertEqual([r[0] for r in got][0], "MOB 5.2", engine)
            self.assertEqual(got[-1][0], "IDLE 1.0", engine)


class Calibration(Engines, unittest.TestCase):
    """Stored forecasts of the shipped MOB 5.1 scored by v_forecast_calibration."""

    STORED = ("INSERT INTO forecast_history (release_id, made_at, p50_at, p85_at, p95_at)"
              " SELECT release_id, %d, %d, %d, %d FROM dim_release"
              " WHERE project = 'MOB' AND name = '5.1';")

    def test_hit_rate(self):
        sql = "".join(self.STORED % (t(made), t(p85), t(p85), t(p85)) for made, p85 in (
            ("2026-05-20", "2026-06-04"), ("2026-05-25", "2026-06-05"), ("2026-06-01", "2026-06-01")))
        for engine in ("sqlite", "pg"):
            self.execute(engine, sql)
            got = self.rows(engine, "SELECT release, made_at, shipped_at, hit FROM"
                                    " v_forecast_calibration ORDER BY made_at", ("", 0, 0, 0))
            shipped = t("2026-06-05 23:59:59")
            self.assertEqual(got, [("MOB 5.1", t("2026-05-20"), shipped, 0),
                                   ("MOB 5.1", t("2026-05-25"), shipped, 1)], engine)
            out = json.loads(run("forecast", "-c", self.ini(engine), "--format", "json").stdout)
            self.assertEqual(out["calibration"], {"scored": 2, "p85_hit_rate": 0.5}, engine)
            table = run("forecast", "-c", self.ini(engine)).stdout
            self.assertIn("calibration: P85 hit rate 50.0 % over 2 scored forecasts", table)


class Rerun(unittest.TestCase):
    """An identical re-run (the configuration touched, so the derivation runs
    in full again) changes nothing: the same derived_forecast rows, no new
    forecast_history row (one per open release, IDLE 1.0's without a
    forecast included)."""

    def test_identical_rerun(self):
        d = os.path.join(temp_dir("cw-forecast-rerun-"), "d")
        make_dataset(d)
        ini = os.path.join(d, "catwalk.ini")
        env = dict(os.environ, CW_NOW=NOW)
        run("run", "-c", ini, "--no-report", env=env)

        def dump():
            con = sqlite3.connect(os.path.join(d, "catwalk.db"))
            out = ([tuple(r) for r in con.execute("SELECT * FROM derived_forecast ORDER BY 1")],
                   [tuple(r) for r in con.execute("SELECT * FROM forecast_history ORDER BY 1, 2")])
            con.close()
            return out

        first = dump()
        with open(ini, "a") as f:
            f.write("; touched\n")
        again = run("run", "-c", ini, "--no-report", "-v", env=env)
        self.assertNotIn("derived tables kept", again.stderr + again.stdout)
        self.assertEqual(dump(), first)
        self.assertEqual(len(first[1]), 5)


class Check(unittest.TestCase):
    """`catwalk check` rejects a dependency cycle and an unknown key, naming
    file, line and key."""

    def test_cycle_and_unknown_key(self):
        d = os.path.join(temp_dir("cw-forecast-check-"), "d")
        bad = CONFIG.replace('[release "MOB 5.2"]\ndepends_on = MF 2026.2\n',
                             '[release "MOB 5.2"]\ndepends_on = MF 2026.2\n\n'
                             '[release "MF 2026.2"]\ndepends_on = MOB 5.2\nblocks = MOB 5.3\n')
        make_dataset(d, bad)
        ini = os.path.join(d, "catwalk.ini")
        proc = run("check", "-c", ini, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn(ini + ":22: blocks: unknown key in [release \"MF 2026.2\"] (depends_on)",
                      proc.stderr)
        self.assertIn(ini + ":18: depends_on: dependency cycle: MOB 5.2 -> MF 2026.2 -> MOB 5.2",
                      proc.stderr)


if __name__ == "__main__":
    run_suite("forecast")
