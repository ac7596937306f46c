#!/usr/bin/python3
"""Release scope, planned vs shipped, end to end on both engines (issue 9).

The hand-made dataset tests/data/releases (project REL, application
`releases`) is loaded with `catwalk run --no-report` into SQLite and into
PostgreSQL (CW_PG_URI, fresh schema), and the views v_release_scope,
v_release_items and v_done_not_deployed must give, on both, the values
worked out by hand below (rule: transform/scope.h).  Without a PostgreSQL
the PostgreSQL tests FAIL, never skip.  Prints "releases: N passed, N failed".

The data (UTC; git rel-service a <- b <- c <- d <- e, deploy-rel to production):
  deployments #1 02-28 12:00 revision a (the baseline), #2 03-05 12:00 revision c
  (ships b REL-1, c REL-2), #3 03-12 12:00 revision d (ships d REL-4 REL-8);
  e (REL-3, 03-13) is never deployed.
  Version 1.0 (id 1000): release date 2026-03-10, no start date.  REL-1..7 are
  created 03-01 00:00; 1.0 is first carried then (by those created with it), so
  the baseline is 03-02 00:00; the release instant is 03-10 23:59:59.
    REL-1 created with 1.0, done 03-04, shipped 03-05          planned, shipped
    REL-2 added 03-03 09:00 under its old name "1.0-rc" (found by id 1000),
          done 03-04, shipped 03-05                             added, shipped
    REL-3 created with it, done 03-08, its commit never deployed
                                                    planned, done_not_deployed
    REL-4 created with it, done 03-09, deployed 03-12 (after the instant)
                                                planned, delivered_not_shipped
    REL-5 created with it, removed 03-06                        removed
    REL-6 created with it (and with "Later", which has no date: no release),
          in progress                                           planned, carried_over
    REL-7 added 03-03, removed 03-07                            transient
  planned 5 (1, 3, 4, 5, 6), added 1 (2), removed 1 (5), delivered 4 (1-4),
  shipped 2 (1, 2), carried over 1 (6), done_not_deployed 1 (3);
  scope change (1 + 1) / 5 = 40 %.
  Version 2.0 (id 1001): start date 2026-03-05, no release date: baseline 03-05
  00:00, release instant = the last deployment of its items = #3, 03-12 12:00.
    REL-8 created 03-04 with it, done 03-07, deployed 03-12     planned, shipped
    REL-9 created 03-06 with it (after the baseline), done 03-10, no commit
                                                      added, done_not_deployed
  planned 1, added 1, removed 0, delivered 2, shipped 1, carried over 0,
  done_not_deployed 1; scope change 1 / 1 = 100 %.
  0-versions-REL.json, an older versions page read first, names version 1000
  "1.0-rc" (its old name, release date 03-08): a row of dim_release that is not
  measured, since the version's current row (1.0) has its id.
"""
import calendar
import os
import re
import shutil
import sqlite3
import time
import unittest

import test_engines as te
from suite import REPO, run, run_suite, temp_dir

DATA = os.path.join(REPO, "tests", "data", "releases")


def t(text):
    """UTC seconds of 'YYYY-MM-DD HH:MM:SS'."""
    return calendar.timegm(time.strptime(text, "%Y-%m-%d %H:%M:%S"))


SCOPE_SQL = ("SELECT release, application, baseline_at, release_instant, planned, added, removed,"
             " delivered, shipped, carried_over, done_not_deployed, scope_change_pct"
             " FROM v_release_scope ORDER BY release")
SCOPE = [
    ("1.0", "releases", t("2026-03-02 00:00:00"), t("2026-03-10 23:59:59"), 5, 1, 1, 4, 2, 1, 1, 40.0),
    ("2.0", "releases", t("2026-03-05 00:00:00"), t("2026-03-12 12:00:00"), 1, 1, 0, 2, 1, 0, 1, 100.0),
]
ITEMS_SQL = "SELECT release, item_key, scope, outcome FROM v_release_items ORDER BY release, item_key"
ITEMS = [
    ("1.0", "REL-1", "planned", "shipped"),
    ("1.0", "REL-2", "added", "shipped"),
    ("1.0", "REL-3", "planned", "done_not_deployed"),
    ("1.0", "REL-4", "planned", "delivered_not_shipped"),
    ("1.0", "REL-5", "removed", None),
    ("1.0", "REL-6", "planned", "carried_over"),
    ("1.0", "REL-7", "transient", None),
    ("2.0", "REL-8", "planned", "shipped"),
    ("2.0", "REL-9", "added", "done_not_deployed"),
]
DND_SQL = "SELECT release, item_key, done_at, commits FROM v_done_not_deployed ORDER BY release, item_key"
DND = [
    ("1.0", "REL-3", t("2026-03-08 09:00:00"), 1),
    ("2.0", "REL-9", t("2026-03-10 09:00:00"), 0),
]
# the weekly sheet for the week of 03-09: both releases have their instant in it
REPORT_WINDOW = (t("2026-03-09 00:00:00"), t("2026-03-16 00:00:00"))


def typed(row, like):
    """A psql row (text) as the types of the expected row."""
    out = []
    for v, e in zip(row, like):
        if v == te.NULL:
            out.append(None)
        elif isinstance(e, float):
            out.append(float(v))
        elif isinstance(e, int):
            out.append(int(v))
        else:
            out.append(v)
    return tuple(out)


class Engines:
    """The dataset loaded once per engine; `rows` queries either."""

    @classmethod
    def setUpClass(cls):
        tmp = temp_dir("cw-releases-")
        cls.lite = os.path.join(tmp, "sqlite")
        cls.pg = os.path.join(tmp, "pg")
        shutil.copytree(DATA, cls.lite)
        shutil.copytree(DATA, cls.pg)
        cls.lite_load = run("run", "-c", os.path.join(cls.lite, "catwalk.ini"), "--no-report")
        cls.pg_load = None
        if te.PG_URI:
            ini = os.path.join(cls.pg, "catwalk.ini")
            with open(ini) as f:
                text = f.read()
            text = re.sub(r"(?m)^warehouse\s*=.*$", "warehouse = " + te.PG_URI.replace("\\", "\\\\"),
                          text)
            with open(ini, "w") as f:
                f.write(text)
            te.psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            cls.pg_load = run("run", "-c", ini, "--no-report")

    def rows(self, engine, sql, like, params=()):
        if engine == "sqlite":
            con = sqlite3.connect(os.path.join(self.lite, "catwalk.db"))
            out = [tuple(r) for r in con.execute(sql, params)]
            con.close()
            return out
        if not te.PG_URI:
            self.fail("CW_PG_URI is not set: run through `make e2e` (tests/pg/pg.sh start DIR)")
        for i, p in enumerate(params, 1):
            sql = sql.replace("?%d" % i, str(int(p)))
        return [typed(r, like) for r in te.psql(sql)]


class ReleaseScope(Engines, unittest.TestCase):
    def check(self, engine):
        self.assertEqual(self.rows(engine, SCOPE_SQL, SCOPE[0]), SCOPE)
        self.assertEqual(self.rows(engine, ITEMS_SQL, ITEMS[0]), ITEMS)
        self.assertEqual(self.rows(engine, DND_SQL, DND[0]), DND)

    def test_sqlite(self):
        self.check("sqlite")

    def test_postgresql(self):
        self.check("pg")

    def report(self, engine):
        with open(os.path.join(REPO, "templates", "sql", "report_releases.sql")) as f:
            sql = "\n".join(l for l in f.read().splitlines() if not l.startswith("--")).strip()
        sql = sql.rstrip(";")
        like = ("", "", "", 0, 0, 0, 0, 0, 0.0, 0, 0, 0, 0, 0.0)
        return self.rows(engine, sql, like, REPORT_WINDOW)

    def test_report_sheet(self):
        # 1.0: shipped 2 of planned 5 + added 1 = 1/3; 2.0 released 03-12 is in
        # the window too (instant 03-12 12:00): shipped 1 of 1 + 1 = 1/2; scope
        # change (1 + 1) / 5 = 0.4 and (1 + 0) / 1 = 1 (shares, as the sheet shows them)
        want = [("releases", "REL", "1.0", t("2026-03-02 00:00:00"), t("2026-03-10 23:59:59"),
                 5, 1, 1, 0.4, 4, 2, 1, 1, 1 / 3),
                ("releases", "REL", "2.0", t("2026-03-05 00:00:00"), t("2026-03-12 12:00:00"),
                 1, 1, 0, 1.0, 2, 1, 0, 1, 0.5)]
        for engine in ("sqlite", "pg"):
            got = self.report(engine)
            self.assertEqual([r[:13] for r in got], [w[:13] for w in want], engine)
            for g, w in zip(got, want):
                self.assertAlmostEqual(g[13], w[13], places=9)

    def test_second_run_keeps_the_rows(self):
        # nothing new: the derived tables are kept, the views answer the same
        again = run("run", "-c", os.path.join(self.lite, "catwalk.ini"), "--no-report")
        self.assertIn("0 records read", again.stdout)
        self.check("sqlite")


class IncrementalNight(unittest.TestCase):
    """Night 1 lacks deployment #3: 2.0 has no release instant yet (REL-8's
    commit is undeployed, REL-9 has none), so only its scope so far counts:
    planned 1 (REL-8), added 1 (REL-9), removed 0, the rest unknown (NULL);
    1.0 is as above except REL-4, whose commit is not deployed: it is
    done_not_deployed (2 then).  Night 2 brings #3 and derives incrementally:
    the views must then equal a full load's (SCOPE)."""

    def test_night_two_equals_full_load(self):
        d = os.path.join(temp_dir("cw-releases-nights-"), "d")
        shutil.copytree(DATA, d)
        jobs = os.path.join(d, "exports", "jenkins", "deploy-rel.json")
        with open(jobs) as f:
            full = f.read()
        job = te.json.loads(full)
        job["allBuilds"] = [b for b in job["allBuilds"] if b["number"] != 3]
        with open(jobs, "w") as f:
            te.json.dump(job, f)
        config = os.path.join(d, "catwalk.ini")
        run("run", "-c", config, "--no-report")
        db = os.path.join(d, "catwalk.db")
        con = sqlite3.connect(db)
        night1 = [tuple(r) for r in con.execute(SCOPE_SQL)]
        con.close()
        self.assertEqual(night1, [
            ("1.0", "releases", t("2026-03-02 00:00:00"), t("2026-03-10 23:59:59"),
             5, 1, 1, 4, 2, 1, 2, 40.0),
            ("2.0", "releases", t("2026-03-05 00:00:00"), None, 1, 1, 0, None, None, None, None,
             100.0)])
        with open(jobs, "w") as f:
            f.write(full)
        second = run("run", "-c", config, "--no-report")
        self.assertIn("deriving incrementally", second.stderr + second.stdout)
        con = sqlite3.connect(db)
        self.assertEqual([tuple(r) for r in con.execute(SCOPE_SQL)], SCOPE)
        self.assertEqual([tuple(r) for r in con.execute(ITEMS_SQL)], ITEMS)
        con.close()


if __name__ == "__main__":
    run_suite("releases")
