#!/usr/bin/python3
"""Load order must not matter (issue 6, defects 3 and 4; run by `make e2e`).

The real DevLake Jira recordings (tests/fixtures/jira, SOURCES.md) are loaded
with their files named so they sort in different orders, inside one source
and across two sources, and every fact table, the status categories, the
findings, the rejects and the metrics must come out the same.

DevLake keeps issues and changelogs in separate raw tables.  The issue
excerpt embeds its changelogs, so the test splits them the way DevLake
stores them: the three issues without `changelog` (a JSON array) and their
histories as `_raw_jira_api_issue_changelogs` rows (url and input name the
issue id, as in the real changelog table).  The real changelog excerpt is
loaded too: its 10 rows belong to issues 13383, 13954 and 13491, which are
not in the issue excerpt, so they are rejected (field item_id) in every
order, and their file is read again by the next run.

Expectations worked out by hand from the fixture (see the comments).
Runs with Debian's python3 (unittest, sqlite3) and prints "load order: N passed, N failed".
"""
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from suite import run_suite

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("CW_BIN", os.path.join(REPO, "catwalk"))
FIXTURES = os.environ.get("CW_FIXTURES", os.path.join(REPO, "tests", "fixtures"))
JIRA = os.path.join(FIXTURES, "jira")

TEMP_DIRS = []

# EE-1 has 5 status changes in its changelog, EE-2 and EE-3 6 each.
TRANSITIONS = 5 + 6 + 6
# and Fix Version changes: EE-1 v2.7.0 -> SaaS (a removal and an addition in
# history 18876), EE-2 and EE-3 the same plus the first v2.7.0 (10646, 10647).
VERSION_CHANGES = 2 + 3 + 3
# The real changelog excerpt: 10 rows, all of issues the excerpt lacks.
ORPHAN_CHANGES = 10


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=600)


def split_devlake_issues():
    """(issues JSON text without changelogs, DevLake changelog CSV text)."""
    with open(os.path.join(JIRA, "devlake_raw_jira_api_issues.excerpt.items.json"),
              encoding="utf-8") as f:
        issues = json.load(f)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "params", "data", "url", "input", "created_at"])
    row_id = 1
    for issue in issues:
        for history in issue.pop("changelog")["histories"]:
            w.writerow([row_id, '{"ConnectionId":2,"BoardId":8}', json.dumps(history, ensure_ascii=False),
                        "https://merico.atlassian.net/rest/api/3/issue/%s/changelog?maxResults=100&startAt=0"
                        % issue["id"],
                        json.dumps({"issue_id": int(issue["id"])}), "2022-08-08 04:25:18.083"])
            row_id += 1
    return json.dumps(issues, ensure_ascii=False), out.getvalue()


CONFIG_HEAD = """[catwalk]
warehouse = catwalk.db
landing = landing
reports = reports

[application ee]
team = EE
projects = EE
"""


def make_case(names, two_sources=False, with_status_list=True):
    """A folder whose files get the given names (keys: issues, changelog,
    orphans, status); with two_sources the changelogs are a second source
    listed before the issues' source."""
    tmp = tempfile.mkdtemp(prefix="cw-order-")
    TEMP_DIRS.append(tmp)
    issues, changelog = split_devlake_issues()
    first = os.path.join(tmp, "exports", "changes" if two_sources else "jira")
    second = os.path.join(tmp, "exports", "jira")
    os.makedirs(first)
    os.makedirs(second, exist_ok=True)
    with open(os.path.join(second, names["issues"]), "w", encoding="utf-8") as f:
        f.write(issues)
    with open(os.path.join(first, names["changelog"]), "w", encoding="utf-8") as f:
        f.write(changelog)
    shutil.copyfile(os.path.join(JIRA, "devlake_raw_jira_api_issue_changelogs.status-only.excerpt.csv"),
                    os.path.join(first, names["orphans"]))
    if with_status_list:
        shutil.copyfile(os.path.join(JIRA, "devlake_raw_jira_api_status.csv"),
                        os.path.join(second, names["status"]))
    config = CONFIG_HEAD
    if two_sources:
        config += "\n[source changes]\ntype = jira\npath = exports/changes\n"
    config += "\n[source jira]\ntype = jira\npath = exports/jira\n"
    with open(os.path.join(tmp, "catwalk.ini"), "w") as f:
        f.write(config)
    return tmp


def load(case):
    proc = run("run", "-c", os.path.join(case, "catwalk.ini"), "--no-report")
    return proc


def snapshot(case):
    """Fact tables, statuses, findings and rejects by natural key (surrogate
    ids follow the load order and are left out), plus the metrics."""
    con = sqlite3.connect(os.path.join(case, "catwalk.db"))

    def q(sql):
        try:
            return sorted(tuple(r) for r in con.execute(sql).fetchall())
        except sqlite3.OperationalError as e:     # an older warehouse: say so, compare on
            return [("missing", str(e))]
    snap = {
        "items": q("SELECT item_key, project, external_id, summary, item_type, status, status_id,"
                   " source_category, created_at, updated_at, resolved_at FROM dim_work_item"),
        "transitions": q("SELECT w.item_key, t.at, t.history_id, t.from_status, t.to_status"
                         " FROM fact_transition t JOIN dim_work_item w USING (work_item_id)"),
        "statuses": q("SELECT name, category, waiting, origin FROM dim_status"),
        "derived": q("SELECT w.item_key, d.flow_type, d.category, d.start_at, d.end_at, d.active_s"
                     " FROM derived_work_item d JOIN dim_work_item w USING (work_item_id)"),
        "intervals": q("SELECT w.item_key, i.seq, i.status, i.category, i.from_at, i.to_at"
                       " FROM derived_status_interval i JOIN dim_work_item w USING (work_item_id)"),
        "findings": q("SELECT kind, subject, detail FROM finding"),
        "rejects": q("SELECT field, reason FROM reject"),
        "source_status": q("SELECT status_id, name, category FROM source_status"),
    }
    con.close()
    proc = run("metrics", "-c", os.path.join(case, "catwalk.ini"), "--from", "2020-06-01",
               "--to", "2021-05-01", "--by", "month", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    snap["metrics"] = json.loads(proc.stdout)
    return snap


ORDERS = [
    # changelogs sort before the issues and the status list after them
    dict(changelog="a_raw_jira_api_issue_changelogs.csv", orphans="b_changelogs.csv",
         issues="c_issues.json", status="d_status.csv"),
    # the other way round
    dict(changelog="d_raw_jira_api_issue_changelogs.csv", orphans="c_changelogs.csv",
         issues="b_issues.json", status="a_status.csv"),
]


class LoadOrder(unittest.TestCase):
    def test_file_order_inside_a_source(self):
        snaps = []
        for names in ORDERS:
            case = make_case(names)
            proc = load(case)
            # exit 3: the orphan changelog rows are rejected
            self.assertEqual(proc.returncode, 3, proc.stderr)
            snaps.append(snapshot(case))
        a, b = snaps
        for key in a:
            self.assertEqual(a[key], b[key], key)
        self.assertEqual(len(a["transitions"]), TRANSITIONS)
        self.assertEqual(len(a["rejects"]), ORPHAN_CHANGES)
        self.assertEqual({r[0] for r in a["rejects"]}, {"item_id"})
        self.assertEqual({r[1] for r in a["rejects"]},
                         {"unknown work item 13383", "unknown work item 13954",
                          "unknown work item 13491"})

    def test_changelog_in_a_source_before_the_issues(self):
        case = make_case(ORDERS[1], two_sources=True)
        self.assertEqual(load(case).returncode, 3)
        across = snapshot(case)
        self.assertEqual(len(across["transitions"]), TRANSITIONS)
        alone = make_case(ORDERS[0])
        load(alone)
        inside = snapshot(alone)
        for key in inside:
            if key == "source_status":
                continue
            self.assertEqual(across[key], inside[key], key)

    def test_status_list_decides_the_category(self):
        # The status list says 已完成 (id 10068) is done; EE-1, the latest
        # issue carrying it, says new (todo), EE-2 and EE-3 say done.  The
        # list wins: the three items are done, throughput 3 over the window.
        case = make_case(ORDERS[0])
        load(case)
        snap = snapshot(case)
        self.assertIn(("已完成", "done", 0, "source"), snap["statuses"])
        self.assertEqual(sum(r["throughput"] for r in snap["metrics"]), 3)
        self.assertIn(("status_category_conflict", "已完成",
                       "done from the status list of jira (id 10068); todo from issue EE-1"),
                      snap["findings"])

    def test_without_status_list_the_latest_issue_decides(self):
        # EE-1 was updated last (16:06:08.713 +0800 against 16:05:55): todo,
        # whichever order the issues load in, so nothing is done.
        snaps = []
        for names in ORDERS:
            case = make_case(names, with_status_list=False)
            load(case)
            snaps.append(snapshot(case))
        a, b = snaps
        self.assertEqual(a["statuses"], b["statuses"])
        self.assertEqual(a["metrics"], b["metrics"])
        self.assertIn(("已完成", "todo", 0, "source"), a["statuses"])
        self.assertEqual(sum(r["throughput"] for r in a["metrics"]), 0)
        # EE-2 and EE-3 were updated in the same second (16:05:55; instants
        # are kept to the second): the tie goes by key, EE-2 is named
        self.assertIn(("status_category_conflict", "已完成",
                       "todo from issue EE-1; done from issue EE-2"), a["findings"])

    def test_deferred_file_is_read_again(self):
        # Night 1: only the changelogs arrive; night 2 the issues too.  The
        # changelog file is unchanged, but its rejects waited for other data,
        # so it is read again and its transitions load.
        case = make_case(ORDERS[0])
        issues = os.path.join(case, "exports", "jira", ORDERS[0]["issues"])
        kept = os.path.join(case, ORDERS[0]["issues"])
        os.rename(issues, kept)
        self.assertEqual(load(case).returncode, 3)
        con = sqlite3.connect(os.path.join(case, "catwalk.db"))
        self.assertEqual(con.execute("SELECT count(*) FROM fact_transition").fetchone()[0], 0)
        self.assertEqual(con.execute("SELECT count(*) FROM reject").fetchone()[0],
                         TRANSITIONS + VERSION_CHANGES + ORPHAN_CHANGES)
        con.close()
        os.rename(kept, issues)
        second = load(case)
        self.assertEqual(second.returncode, 3, second.stderr)
        con = sqlite3.connect(os.path.join(case, "catwalk.db"))
        self.assertEqual(con.execute("SELECT count(*) FROM fact_transition").fetchone()[0], TRANSITIONS)
        self.assertEqual(con.execute("SELECT count(*) FROM fact_work_item_version").fetchone()[0],
                         VERSION_CHANGES)
        # batch 2 rejected only the orphans again
        self.assertEqual(con.execute("SELECT count(*) FROM reject WHERE batch_id = 2").fetchone()[0],
                         ORPHAN_CHANGES)
        self.assertEqual(con.execute("SELECT sum(deferred > 0) FROM landed_file").fetchone()[0], 1)
        con.close()
        self.assertIn("loaded (", second.stdout)

    def test_rows_changed_in_the_summary(self):
        # A second run over the same files: the deferred orphan file is read
        # again, its 10 rows rejected again; nothing else is read, nothing changes.
        case = make_case(ORDERS[0])
        load(case)
        again = load(case)
        self.assertIn("10 records read, 0 loaded (0 changed), 10 rejected", again.stdout)
        con = sqlite3.connect(os.path.join(case, "catwalk.db"))
        self.assertEqual(con.execute("SELECT rows_loaded, rows_changed FROM batch WHERE batch_id = 2")
                         .fetchone(), (0, 0))
        con.close()


if __name__ == "__main__":
    run_suite("load order", TEMP_DIRS)
