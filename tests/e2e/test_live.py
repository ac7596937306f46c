#!/usr/bin/python3
"""End-to-end tests of live extraction against the local replay server.

The server (tests/replay/server.py) serves the pages of a generated demo
through the real APIs' endpoints, parameters and headers, and injects faults
on demand.  The reference is the same demo loaded from its dropped files: the
live run must give the same metrics and the same warehouse rows, with every
fault switched on too.  Run by `make e2e` after test_e2e.py; prints a closing
"N passed, N failed" line.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

from suite import run_suite

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("CW_BIN", os.path.join(REPO, "catwalk"))
SERVER = os.path.join(REPO, "tests", "replay", "server.py")
TOKEN = "cw-test-token-7f3a9c2e51"
LIVE_TYPES = ("jira", "jenkins", "pagerduty", "servicenow")
FACT_TABLES = ("dim_work_item", "fact_transition", "fact_commit", "fact_build", "fact_deployment",
               "fact_incident", "bridge_deployment_commit", "bridge_commit_work_item",
               "derived_incident", "derived_work_item")


def catwalk(*args, env=None, check=True):
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=900, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError("catwalk %s exited %d\n%s" % (" ".join(args), proc.returncode, proc.stderr))
    return proc


class ReplayServer:
    def __init__(self, data_dir, env=None):
        self.proc = subprocess.Popen(["/usr/bin/python3", SERVER, "--data", data_dir, "--token", TOKEN],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=dict(os.environ, **(env or {})))
        import select
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline() if ready else ""
        m = re.match(r"PORT (\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError("replay server did not start: %r" % line)
        self.url = "http://127.0.0.1:%s" % m.group(1)

    def control(self, path, body=None):
        import urllib.request
        data = json.dumps(body).encode() if body is not None else (b"" if path != "/__log" else None)
        req = urllib.request.Request(self.url + path, data=data, method="GET" if data is None else "POST")
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
        return json.loads(text) if text.strip() else None

    def log(self):
        return self.control("/__log")

    def reset(self, faults=()):
        self.control("/__reset", {})
        self.control("/__faults", list(faults))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def read_sections(path):
    """The INI as a list of (header, [lines]) keeping order and comments."""
    sections, header, lines = [], None, []
    with open(path) as f:
        for line in f:
            if line.startswith("["):
                sections.append((header, lines))
                header, lines = line.strip(), []
            else:
                lines.append(line)
    sections.append((header, lines))
    return sections


def source_type(lines):
    for line in lines:
        m = re.match(r"\s*type\s*=\s*(\S+)", line)
        if m:
            return m.group(1)
    return None


def write_config(demo, name, live_url=None, extra=None):
    """A copy of the demo's catwalk.ini with its own warehouse, landing and
    reports; with live_url, the Jira, Jenkins, PagerDuty and ServiceNow
    sources fetch from the replay server instead of reading files."""
    sections = read_sections(os.path.join(demo, "catwalk.ini"))
    projects = []
    for header, lines in sections:
        if header and header.startswith("[application "):
            for line in lines:
                m = re.match(r"\s*projects\s*=\s*(.+)", line)
                if m:
                    projects += [p.strip() for p in m.group(1).split(";")[0].split(",") if p.strip()]
    # and the projects no application maps (the demo's portfolio of Initiatives,
    # HPORT): the file drop holds them, so the live fetch asks for them too
    for page in sorted(os.listdir(os.path.join(demo, "exports", "jira"))):
        m = re.match(r"([A-Z][A-Z0-9]*)-page1\.json$", page)
        if m and m.group(1) not in projects:
            projects.append(m.group(1))
    out = []
    for header, lines in sections:
        if header == "[catwalk]":
            lines = ["warehouse = %s.db\n" % name, "landing = landing-%s\n" % name,
                     "reports = reports-%s\n" % name]
        elif header and header.startswith("[source ") and live_url and source_type(lines) in LIVE_TYPES:
            kind = source_type(lines)
            lines = [l for l in lines if not re.match(r"\s*path\s*=", l)]
            lines += ["base_url = %s\n" % live_url, "token_env = CW_TEST_TOKEN\n",
                      "backoff_initial = 0.05\n", "backoff_max = 2\n"]
            if kind == "jira":
                # a long list continues on indented lines (inih reads 200-byte lines)
                chunks = [", ".join(projects[i:i + 8]) for i in range(0, len(projects), 8)]
                lines += ["projects = %s\n" % ",\n    ".join(chunks), "api = cloud\n"]
            if kind in ("jira", "jenkins", "servicenow"):
                lines += ["user = catwalk\n"]
            if kind == "pagerduty":
                lines += ["start = 2025-06-01\n"]
            lines += (extra or {}).get(kind, [])
        if header:
            out.append(header + "\n")
        out.extend(lines)
        out.append("\n")
    path = os.path.join(demo, name + ".ini")
    with open(path, "w") as f:
        f.writelines(out)
    return path


def metrics(config):
    # a fixed window, so a run that crosses Monday 00:00 UTC compares like with like
    return json.loads(catwalk("metrics", "-c", config, "--from", "2026-10-12", "--to", "2026-11-23",
                              "--format", "json").stdout)


def table_rows(db, table):
    """Rows without surrogate ids, so two warehouses compare by content."""
    con = sqlite3.connect(db)
    cols = [r[1] for r in con.execute("PRAGMA table_info(%s)" % table)]
    rows = con.execute("SELECT * FROM %s" % table).fetchall()
    con.close()
    keep = [i for i, c in enumerate(cols) if not c.endswith("_id") and c not in ("source_id",)]
    return sorted((tuple(r[i] for i in keep) for r in rows), key=repr)


class Live(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cw-live-")
        cls.demo = os.path.join(cls.tmp, "demo")
        catwalk("demo", cls.demo, "--scale", "0.1", "--weeks", "6", "--end", "2026-11-23")
        cls.server = ReplayServer(cls.demo)
        cls.env = {"CW_TEST_TOKEN": TOKEN}
        files = write_config(cls.demo, "files")
        proc = catwalk("run", "-c", files, "--no-report", check=False)
        assert proc.returncode == 0, proc.stderr
        cls.files_metrics = metrics(files)
        cls.files_db = os.path.join(cls.demo, "files.db")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def live_run(self, name, faults=(), extra=None, args=()):
        config = write_config(self.demo, name, self.server.url, extra)
        self.server.reset(faults)
        proc = catwalk("run", "-c", config, "--no-report", *args, env=self.env, check=False)
        return config, proc, self.server.log()

    def test_live_equals_file_drop(self):
        config, proc, log = self.live_run("live")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(metrics(config), self.files_metrics)
        live_db = os.path.join(self.demo, "live.db")
        for table in FACT_TABLES:
            self.assertEqual(table_rows(live_db, table), table_rows(self.files_db, table), table)
        con = sqlite3.connect(live_db)
        audit = dict(con.execute("SELECT source, mode FROM source_run").fetchall())
        con.close()
        self.assertEqual(audit["jira"], "live")
        self.assertEqual(audit["jenkins"], "live")
        self.assertTrue(all(e["status"] == 200 for e in log), [e for e in log if e["status"] != 200][:3])
        print("\nfull live extraction: %d requests" % len(log), file=sys.stderr)

    def test_every_fault_gives_the_same_metrics(self):
        faults = [
            {"path": "/rest/api/3/search/jql", "nth": 1, "kind": "429", "retry_after": 1},
            {"path": "/rest/api/3/search/jql", "nth": 3, "kind": "truncate"},
            {"path": "/rest/api/.*/changelog", "nth": 1, "kind": "reset"},
            {"path": "/job/", "nth": 2, "kind": "503", "times": 2},
            {"path": "/job/", "nth": 6, "kind": "403-ratelimit", "reset_in": 1},
            {"path": "/incidents", "nth": 1, "kind": "slow", "seconds": 4},
            {"path": "/api/now/table", "nth": 1, "kind": "reset"},
            {"path": "/api/now/table", "nth": 2, "kind": "truncate"},
        ]
        extra = {"pagerduty": ["timeout = 2\n"]}
        config, proc, log = self.live_run("faulty", faults, extra)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(metrics(config), self.files_metrics)
        kinds = {e.get("fault") for e in log if e.get("fault")}
        self.assertTrue({"429", "truncate", "503", "403-ratelimit", "slow", "reset"} <= kinds, kinds)
        con = sqlite3.connect(os.path.join(self.demo, "faulty.db"))
        retries = dict(con.execute("SELECT source, retries FROM source_run").fetchall())
        waits = dict(con.execute("SELECT source, rate_limit_waits FROM source_run").fetchall())
        waited = dict(con.execute("SELECT source, waited_s FROM source_run").fetchall())
        con.close()
        self.assertGreaterEqual(retries["jira"], 3)         # 429, truncated page, reset changelog
        self.assertGreaterEqual(retries["jenkins"], 3)      # two 503s and a 403 rate limit
        self.assertGreaterEqual(retries["pagerduty"], 1)    # the slow response timed out
        self.assertGreaterEqual(retries["servicenow"], 2)
        self.assertGreaterEqual(waits["jira"], 1)
        self.assertGreaterEqual(waited["jira"], 1.0)        # Retry-After: 1 was honoured

    def test_incremental_fetches_only_the_delta(self):
        config, proc, full_log = self.live_run("incr")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.server.reset()
        proc = catwalk("run", "-c", config, "--no-report", env=self.env, check=False)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        delta_log = self.server.log()
        self.assertLess(len(delta_log), len(full_log))
        jira_full = [e for e in full_log if "/search" in e["path"]]
        jira_delta = [e for e in delta_log if "/search" in e["path"]]
        self.assertLess(len(jira_delta), len(jira_full))
        self.assertTrue(any("updated" in json.dumps(e["query"]) for e in jira_delta))
        con = sqlite3.connect(os.path.join(self.demo, "incr.db"))
        since = con.execute("SELECT since FROM source_run WHERE source = 'jira' ORDER BY batch_id DESC").fetchone()[0]
        con.close()
        self.assertIsNotNone(since)
        self.assertEqual(metrics(config), self.files_metrics)   # nothing lost, nothing doubled
        print("\nincremental: %d requests (full: %d)" % (len(delta_log), len(full_log)), file=sys.stderr)
        self.server.reset()
        proc = catwalk("run", "-c", config, "--no-report", "--full", env=self.env, check=False)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(self.server.log()), len(full_log))

    def test_token_is_never_stored_or_logged(self):
        config, proc, log = self.live_run("secret")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(log and all(e["status"] == 200 for e in log))   # the token was sent
        self.assertNotIn(TOKEN, proc.stdout + proc.stderr)
        hits = []
        for root, _, files in os.walk(self.demo):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    if TOKEN.encode() in fh.read():
                        hits.append(os.path.join(root, f))
        self.assertEqual(hits, [])

    def test_dry_run_prints_requests_and_sends_none(self):
        config = write_config(self.demo, "dry", self.server.url)
        self.server.reset()
        proc = catwalk("run", "-c", config, "--dry-run", env=self.env)
        self.assertIn("GET %s/rest/api/3/search/jql" % self.server.url, proc.stdout)
        self.assertEqual(self.server.log(), [])
        self.assertFalse(os.path.exists(os.path.join(self.demo, "dry.db")) and
                         sqlite3.connect(os.path.join(self.demo, "dry.db")).execute(
                             "SELECT count(*) FROM batch").fetchone()[0])

    def test_missing_credentials_stop_before_anything_runs(self):
        config = write_config(self.demo, "nocred", self.server.url)
        self.server.reset()
        env = dict(os.environ)
        env.pop("CW_TEST_TOKEN", None)
        proc = subprocess.run([BIN, "run", "-c", config, "--no-report"], capture_output=True,
                              text=True, timeout=120, env=env)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertRegex(proc.stderr, r"nocred\.ini:\d+: token_env")
        self.assertFalse(os.path.exists(os.path.join(self.demo, "nocred.db")))
        self.assertEqual(self.server.log(), [])

    def test_failing_source_does_not_stop_the_others(self):
        config = write_config(self.demo, "partial", self.server.url)
        self.server.reset()
        proc = catwalk("run", "-c", config, "--no-report", env={"CW_TEST_TOKEN": "wrong-token"},
                       check=False)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("401", proc.stderr)
        self.assertNotIn("wrong-token", proc.stderr)
        con = sqlite3.connect(os.path.join(self.demo, "partial.db"))
        failed = con.execute("SELECT sources_failed FROM batch").fetchone()[0].split(",")
        errors = con.execute("SELECT error FROM source_run WHERE status = 'failed'").fetchall()
        commits = con.execute("SELECT count(*) FROM fact_commit").fetchone()[0]
        con.close()
        self.assertEqual(sorted(failed), sorted(["jira", "jenkins", "pagerduty", "servicenow"]))
        self.assertTrue(all(self.server.url in e[0] for e in errors), errors)
        self.assertGreater(commits, 0)      # the git file sources still loaded
        # a 401 is not retried
        self.assertEqual(len([e for e in self.server.log() if e["path"].startswith("/rest/api")]), 1)


if __name__ == "__main__":
    run_suite("live")
