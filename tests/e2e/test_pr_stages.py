#!/usr/bin/python3
"""End-to-end tests of the pull-request stages (issue 9, capability 7):
GitHub pages of pull requests, their commits and reviews, commits and
deployments loaded by the real binary, then the views v_pr_stages and
v_pr_stage_weekly and the report query templates/sql/report_pr_stages.sql,
on SQLite and (when CW_PG_URI is set) on PostgreSQL.  Every expected value
below is worked out by hand from the dataset (make_dataset).

The dataset, one repository acme/pay of application pay (team Core), all in
the ISO week of Monday 2026-03-02:
  c0  root commit, 03-02 00:00; deployment 101 (the baseline) of c0, 01:00
  PR 1 (alice): commits a1 02:00, a2 04:00; opened 06:00; reviews: alice
       herself 07:00 (not a pickup), bob APPROVED 09:00, carol 10:00;
       merged 12:00 as merge commit m1; deployment 102 of m1 at 18:00
       -> coding 4 h, pickup 3 h, review 3 h, deploy 6 h
  PR 2 (bob, squash-merged): commit b1 03-03 00:00 (only in the PR's own
       commit list); opened 01:00; review alice 02:30; merged 03:00 as the
       squash commit s2; deployment 103 of s2 at 09:00
       -> coding 1 h, pickup 1.5 h, review 0.5 h, deploy 6 h
  PR 3 (carol): commit c3 03-04 00:00; opened 02:00; no review; merged 05:00
       as m3, never deployed -> coding 2 h, pickup, review, deploy NULL
  PR 4 (dave): opened 03-04 10:30; commit d4 11:00 (after the opening: the
       coding stage is -0.5 h, clamped to 0 and counted); only dave's own
       review 11:30; merged 12:00 as m4, never deployed
       -> coding 0 h (clamped), pickup, review, deploy NULL
  PR 5 (erin): open, not merged -> not in the views
Prints a closing "N passed, N failed" line.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import unittest

from suite import REPO, run, run_suite, temp_dir

PG_URI = os.environ.get("CW_PG_URI", "")
PSQL = os.environ.get("CW_PSQL", "psql")
API = "https://api.github.com/repos/acme/pay"

SHA = {name: "%040x" % (i + 0xc0ffee) for i, name in enumerate(
    ("c0", "a1", "a2", "m1", "b1", "s2", "c3", "m3", "d4", "m4", "t5"))}


def commit(name, at, parents):
    return {"sha": SHA[name], "parents": [{"sha": SHA[p]} for p in parents],
            "commit": {"author": {"name": "Dev", "email": "dev@acme.test", "date": at},
                       "committer": {"name": "Dev", "email": "dev@acme.test", "date": at},
                       "message": "%s change" % name}}


def pull(number, author, created, merged, sha):
    return {"id": 9000 + number, "number": number, "state": "closed" if merged else "open",
            "title": "PR %d" % number, "body": None, "user": {"login": author},
            "created_at": created, "updated_at": merged or created, "closed_at": merged,
            "merged_at": merged, "merge_commit_sha": SHA[sha],
            "head": {"ref": "feature-%d" % number}, "base": {"ref": "main"}}


def review(rid, number, login, state, at, with_url=True):
    r = {"id": rid, "user": {"login": login}, "state": state, "submitted_at": at,
         "commit_id": SHA["a2"], "body": ""}
    if with_url:
        r["pull_request_url"] = "%s/pulls/%d" % (API, number)
    return r


def deployment(did, sha, created):
    return {"id": did, "sha": SHA[sha], "ref": "main", "task": "deploy",
            "environment": "production", "created_at": created, "updated_at": created,
            "statuses_url": "%s/deployments/%d/statuses" % (API, did)}


def status(sid, did, at):
    return {"id": sid, "state": "success", "created_at": at,
            "deployment_url": "%s/deployments/%d" % (API, did)}


def make_dataset(folder):
    gh = os.path.join(folder, "github")
    os.makedirs(gh)
    files = {
        "commits.json": [
            commit("c0", "2026-03-02T00:00:00Z", []),
            commit("a1", "2026-03-02T02:00:00Z", ["c0"]),
            commit("a2", "2026-03-02T04:00:00Z", ["a1"]),
            commit("m1", "2026-03-02T12:00:00Z", ["c0", "a2"]),
            commit("s2", "2026-03-03T03:00:00Z", ["m1"]),
            commit("c3", "2026-03-04T00:00:00Z", ["s2"]),
            commit("m3", "2026-03-04T05:00:00Z", ["s2", "c3"]),
            commit("d4", "2026-03-04T11:00:00Z", ["m3"]),
            commit("m4", "2026-03-04T12:00:00Z", ["m3", "d4"]),
        ],
        "pulls.json": [
            pull(1, "alice", "2026-03-02T06:00:00Z", "2026-03-02T12:00:00Z", "m1"),
            pull(2, "bob", "2026-03-03T01:00:00Z", "2026-03-03T03:00:00Z", "s2"),
            pull(3, "carol", "2026-03-04T02:00:00Z", "2026-03-04T05:00:00Z", "m3"),
            pull(4, "dave", "2026-03-04T10:30:00Z", "2026-03-04T12:00:00Z", "m4"),
            pull(5, "erin", "2026-03-05T00:00:00Z", None, "t5"),
        ],
        # a PR's commit pages name the PR by their file name (pull-N-commits)
        "pull-1-commits.json": [commit("a1", "2026-03-02T02:00:00Z", ["c0"]),
                                commit("a2", "2026-03-02T04:00:00Z", ["a1"])],
        "pull-2-commits.json": [commit("b1", "2026-03-03T00:00:00Z", ["m1"])],
        "pull-3-commits.json": [commit("c3", "2026-03-04T00:00:00Z", ["s2"])],
        "pull-4-commits.json": [commit("d4", "2026-03-04T11:00:00Z", ["m3"])],
        "pull-1-reviews.json": [review(5001, 1, "alice", "COMMENTED", "2026-03-02T07:00:00Z"),
                                review(5002, 1, "bob", "APPROVED", "2026-03-02T09:00:00Z"),
                                review(5003, 1, "carol", "COMMENTED", "2026-03-02T10:00:00Z")],
        # without pull_request_url: the file name names the PR
        "pull-2-reviews.json": [review(5004, 2, "alice", "APPROVED", "2026-03-03T02:30:00Z",
                                       with_url=False)],
        "pull-4-reviews.json": [review(5005, 4, "dave", "COMMENTED", "2026-03-04T11:30:00Z")],
        "deployments.json": [deployment(101, "c0", "2026-03-02T00:30:00Z"),
                             deployment(102, "m1", "2026-03-02T17:00:00Z"),
                             deployment(103, "s2", "2026-03-03T08:00:00Z")],
        "statuses-101.json": [status(1, 101, "2026-03-02T01:00:00Z")],
        "statuses-102.json": [status(2, 102, "2026-03-02T18:00:00Z")],
        "statuses-103.json": [status(3, 103, "2026-03-03T09:00:00Z")],
    }
    for name, items in files.items():
        with open(os.path.join(gh, name), "w") as f:
            json.dump(items, f, indent=1)
    with open(os.path.join(folder, "catwalk.ini"), "w") as f:
        f.write("""; Hand-made pull requests: tests/e2e/test_pr_stages.py works out every value.
[catwalk]
warehouse = catwalk.db
landing = landing
reports = reports

[source github]
type = github
path = github/*.json
repository = acme/pay

[application pay]
team = Core
repositories = acme/pay
jobs = acme/pay/deployments
""")


H = 3600

# v_pr_stages: number -> (coding_s, pickup_s, review_s, deploy_s, clamped)
EXPECTED_PRS = {
    1: (4 * H, 3 * H, 3 * H, 6 * H, 0),
    2: (1 * H, 5400, 1800, 6 * H, 0),
    3: (2 * H, None, None, None, 0),
    4: (0, None, None, None, 1),
}

# v_pr_stage_weekly, week 2026-03-02, for each scope: stage -> (merged_prs,
# samples, median_h, p85_h, clamped).  coding: 0, 1, 2, 4 h: median (1 + 2)
# / 2, p85 at rank ceil(3.4) = 4; pickup 1.5, 3: median 2.25, p85 at rank
# ceil(1.7) = 2; review 0.5, 3; deploy 6, 6.
EXPECTED_WEEK = {
    "coding": (4, 4, 1.5, 4.0, 1),
    "pickup": (4, 2, 2.25, 3.0, 0),
    "review": (4, 2, 1.75, 3.0, 0),
    "deploy": (4, 2, 6.0, 6.0, 0),
}

# report_pr_stages.sql over [2026-03-03, 2026-03-09): PRs 2, 3 and 4.
# coding 0, 1, 2 h: median 1, p85 at rank ceil(2.55) = 3 -> 2 h; pickup and
# review only PR 2's; deploy only PR 2's 6 h.
EXPECTED_REPORT = {
    "coding": (3, 3, 1.0, 2.0, 1),
    "pickup": (3, 1, 1.5, 1.5, 0),
    "review": (3, 1, 0.5, 0.5, 0),
    "deploy": (3, 1, 6.0, 6.0, 0),
}
MAR3, MAR9 = 1772496000, 1773014400     # 2026-03-03 and 2026-03-09, 00:00 UTC
NOW = 4102444800                        # ?3, the report's as-of: 2100-01-01, all known
ORG = "Acme Bank"                       # ?4, [catwalk] organisation: the organisation rows' name
# As of 2026-03-03 08:00, PR 2 (merged 03:00) was not deployed yet (09:00):
# its deploy stage is no sample; at 09:00 it is.
EXPECTED_AS_OF_8 = dict(EXPECTED_REPORT, deploy=(3, 0, None, None, 0))


def report_sql():
    with open(os.path.join(REPO, "templates", "sql", "report_pr_stages.sql")) as f:
        return f.read()


def num(v):
    return None if v is None else float(v)


class Checks:
    """The expectations, over rows some engine returned."""

    def check_prs(self, rows):
        got = {int(r[0]): tuple(None if v is None else int(v) for v in r[1:]) for r in rows}
        self.assertEqual(got, EXPECTED_PRS)

    def check_stats(self, rows, expected, org="organisation"):
        by = {}
        for r in rows:
            scope, name, stage = r[0], r[1], r[2]
            by.setdefault((scope, name), {})[stage] = (
                int(r[3]), int(r[4]), num(r[5]), num(r[6]), int(r[7]))
        self.assertEqual(sorted(by), [("application", "pay"), ("organisation", org),
                                      ("team", "Core")])
        for key, stages in by.items():
            self.assertEqual(stages, expected, key)


PRS_SQL = ("SELECT number, coding_s, pickup_s, review_s, deploy_s, clamped FROM v_pr_stages "
           "ORDER BY number")
WEEK_SQL = ("SELECT scope, name, stage, merged_prs, samples, median_h, p85_h, clamped "
            "FROM v_pr_stage_weekly WHERE week_start = '2026-03-02'")


class SQLite(Checks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = os.path.join(temp_dir("cw-prs-"), "d")
        make_dataset(cls.dir)
        cls.load = run("run", "-c", os.path.join(cls.dir, "catwalk.ini"), "--no-report")
        cls.con = sqlite3.connect(os.path.join(cls.dir, "catwalk.db"))

    @classmethod
    def tearDownClass(cls):
        cls.con.close()

    def q(self, sql, params=()):
        return self.con.execute(sql, params).fetchall()

    def test_nothing_rejected(self):
        self.assertEqual(self.q("SELECT count(*) FROM reject"), [(0,)])

    def test_pull_request_commits_have_their_pull_request(self):
        rows = self.q("SELECT p.number, c.sha FROM fact_pull_request_commit c "
                      "JOIN fact_pull_request p ON p.pull_request_id = c.pull_request_id")
        self.assertEqual(sorted(rows), sorted([(1, SHA["a1"]), (1, SHA["a2"]), (2, SHA["b1"]),
                                               (3, SHA["c3"]), (4, SHA["d4"])]))

    def test_reviews(self):
        rows = self.q("SELECT number, review_id, reviewer, state, submitted_at "
                      "FROM fact_pull_request_review ORDER BY review_id")
        # 2026-03-02 00:00 UTC is 1772409600
        self.assertEqual(rows, [(1, 5001, "alice", "COMMENTED", 1772409600 + 7 * H),
                                (1, 5002, "bob", "APPROVED", 1772409600 + 9 * H),
                                (1, 5003, "carol", "COMMENTED", 1772409600 + 10 * H),
                                (2, 5004, "alice", "APPROVED", 1772409600 + 26 * H + 1800),
                                (4, 5005, "dave", "COMMENTED", 1772409600 + 59 * H + 1800)])

    def test_per_pull_request(self):
        self.check_prs(self.q(PRS_SQL))

    def test_hours_and_instants(self):
        row = self.q("SELECT first_commit_at, first_review_at, deployed_at, coding_h, "
                     "pickup_h, review_h, deploy_h FROM v_pr_stages WHERE number = 2")[0]
        # b1 03-03 00:00, alice 02:30, deployment 103 at 09:00
        self.assertEqual(row, (1772409600 + 24 * H, 1772409600 + 26 * H + 1800,
                               1772409600 + 33 * H, 1.0, 1.5, 0.5, 6.0))

    def test_weekly(self):
        self.check_stats(self.q(WEEK_SQL), EXPECTED_WEEK)

    def test_report_window(self):
        self.check_stats(self.q(report_sql(), (MAR3, MAR9, NOW, ORG)), EXPECTED_REPORT, ORG)

    def test_report_as_of(self):
        self.check_stats(self.q(report_sql(), (MAR3, MAR9, MAR3 + 8 * H, ORG)), EXPECTED_AS_OF_8,
                         ORG)
        self.check_stats(self.q(report_sql(), (MAR3, MAR9, MAR3 + 9 * H, ORG)), EXPECTED_REPORT,
                         ORG)

    def test_report_rows_in_stage_order(self):
        rows = self.q(report_sql(), (MAR3, MAR9, NOW, ORG))
        self.assertEqual([r[2] for r in rows[:4]], ["coding", "pickup", "review", "deploy"])

    def test_empty_window_has_no_rows(self):
        self.assertEqual(self.q(report_sql(), (0, 1, NOW, ORG)), [])

    def test_second_run_changes_nothing(self):
        before = self.q(PRS_SQL)
        run("run", "-c", os.path.join(self.dir, "catwalk.ini"), "--no-report")
        con = sqlite3.connect(os.path.join(self.dir, "catwalk.db"))
        self.assertEqual(con.execute(PRS_SQL).fetchall(), before)
        con.close()


FIXTURES = os.environ.get("CW_FIXTURES", os.path.join(REPO, "tests", "fixtures"))


class RealGitLab(unittest.TestCase):
    """The real gitlab.com recordings (DevLake): merge requests, their
    commits and (an excerpt of) their notes.  Worked out by hand from the
    recordings:
      MR 3 (martinguindon): opened 2019-08-15T19:34:32Z, its one commit
        authored 19:32:19 -> coding 133 s; the first note by someone else,
        emilie's, 2019-08-26T12:14:39Z -> pickup 11 days less 7:19:53 =
        924,007 s; merged 14:15:27 -> review 2:00:48 = 7,248 s; no deployment
        of it is loaded -> deploy NULL.
      MR 1 (emilie): opened 2019-06-28T05:21:43Z, its first commit authored
        05:40:36 (a commit dated after the opening) -> coding clamped to 0;
        the only note a person wrote is emilie's own -> pickup and review
        NULL.
      MR 4 (emilie), merged the same week as MR 3 (2019-08-26): opened
        15:32:49, its commit authored 15:34:33 -> coding clamped to 0; no
        note.
    Only merge requests are loaded: the days of their merges must still be
    in dim_date for the weekly view."""

    @classmethod
    def setUpClass(cls):
        cls.dir = os.path.join(temp_dir("cw-prs-gl-"), "d")
        os.makedirs(cls.dir)
        with open(os.path.join(cls.dir, "catwalk.ini"), "w") as f:
            f.write("""[catwalk]
warehouse = catwalk.db
landing = landing
reports = reports

[source gitlab]
type = gitlab
path = %s/gitlab/devlake_raw_gitlab_api_merge_*.csv
repository = gitlab-data/snowflake_spend

[application snowflake]
team = Data
repositories = gitlab-data/snowflake_spend
""" % FIXTURES)
        run("run", "-c", os.path.join(cls.dir, "catwalk.ini"), "--no-report")
        con = sqlite3.connect(os.path.join(cls.dir, "catwalk.db"))
        cls.rows = {r[0]: r[1:] for r in con.execute(PRS_SQL)}
        cls.week = {r[2]: r[3:] for r in con.execute(
            WEEK_SQL.replace("2026-03-02", "2019-08-26") + " AND scope = 'application'")}
        cls.rejects = con.execute("SELECT count(*) FROM reject").fetchone()[0]
        con.close()

    def test_merge_request_3(self):
        self.assertEqual(self.rows[3], (133, 924007, 7248, None, 0))

    def test_merge_request_1(self):
        self.assertEqual(self.rows[1], (0, None, None, None, 1))

    def test_nothing_rejected(self):
        self.assertEqual(self.rejects, 0)

    def test_week_of_merge_requests_3_and_4(self):
        # coding 0 and 133 s: median 66.5 s, p85 at rank ceil(1.7) = 2
        self.assertEqual(self.week["coding"], (2, 2, 66.5 / H, 133 / H, 1))
        self.assertEqual(self.week["pickup"], (2, 1, 924007 / H, 924007 / H, 0))
        self.assertEqual(self.week["review"], (2, 1, 7248 / H, 7248 / H, 0))
        self.assertEqual(self.week["deploy"], (2, 0, None, None, 0))


def psql(sql):
    proc = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-P", "null=<NULL>",
                           "-F", "\x1f", "-R", "\x1e", "-d", PG_URI, "-c", sql],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError("psql failed: %s\n%s" % (proc.stderr, sql))
    out = proc.stdout.rstrip("\n")
    return [[None if v == "<NULL>" else v for v in rec.split("\x1f")]
            for rec in out.split("\x1e")] if out else []


@unittest.skipUnless(PG_URI, "CW_PG_URI is not set")
class PostgreSQL(Checks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = os.path.join(temp_dir("cw-prs-pg-"), "d")
        make_dataset(cls.dir)
        ini = os.path.join(cls.dir, "catwalk.ini")
        with open(ini) as f:
            text = f.read().replace("warehouse = catwalk.db", "warehouse = " + PG_URI)
        with open(ini, "w") as f:
            f.write(text)
        psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        run("run", "-c", ini, "--no-report")

    def test_per_pull_request(self):
        self.check_prs(psql(PRS_SQL))

    def test_weekly(self):
        self.check_stats(psql(WEEK_SQL), EXPECTED_WEEK)

    def test_report_window(self):
        sql = report_sql().replace("?1", str(MAR3)).replace("?2", str(MAR9))
        sql = sql.replace("?4", "'%s'" % ORG)
        self.check_stats(psql(sql.replace("?3", str(NOW))), EXPECTED_REPORT, ORG)
        self.check_stats(psql(sql.replace("?3", str(MAR3 + 8 * H))), EXPECTED_AS_OF_8, ORG)


if __name__ == "__main__":
    run_suite("pr stages")
