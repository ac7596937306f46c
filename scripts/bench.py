#!/usr/bin/python3
"""bench.py - throughput and memory figures for `make bench`.

Generates the demo at several scales, runs the nightly job on each and
prints records/s and peak RSS, so a regression in speed or in memory growth
shows as numbers (never as a timed pass/fail test).  With CW_PG_URI set
(`make bench` starts a throwaway PostgreSQL 15), the same input is loaded
into PostgreSQL too and its row is printed beside SQLite's.
"""
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("CW_BIN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "catwalk"))
SCALES = [int(s) for s in os.environ.get("CW_BENCH_SCALES", "1 4 8").split()]


def child_rss_kb():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


PG_URI = os.environ.get("CW_PG_URI")


def psql(sql):
    return subprocess.run(["psql", PG_URI, "-At", "-c", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def use_postgresql(d):
    """Point the demo's configuration at the server, on a fresh schema."""
    ini = os.path.join(d, "catwalk.ini")
    with open(ini) as f:
        text = f.read()
    with open(ini, "w") as f:
        f.write("\n".join("warehouse = " + PG_URI if line.startswith("warehouse =") else line
                          for line in text.split("\n")))
    psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def counts(d, engine):
    if engine == "postgresql":
        return (int(psql("SELECT rows_read FROM batch ORDER BY batch_id DESC LIMIT 1")),
                int(psql("SELECT count(*) FROM fact_commit")))
    con = sqlite3.connect(os.path.join(d, "catwalk.db"))
    rows = con.execute("SELECT rows_read FROM batch ORDER BY batch_id DESC LIMIT 1").fetchone()[0]
    commits = con.execute("SELECT count(*) FROM fact_commit").fetchone()[0]
    con.close()
    return rows, commits


def run_scale(scale, engine):
    tmp = tempfile.mkdtemp(prefix="cw-bench-")
    d = os.path.join(tmp, "demo")
    subprocess.run([BIN, "demo", d, "--scale", str(scale)], check=True, capture_output=True)
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(os.path.join(d, "exports")) for f in fs)
    if engine == "postgresql":
        use_postgresql(d)
    start = time.monotonic()
    # a fresh process per run so ru_maxrss of RUSAGE_CHILDREN reflects the largest child so far
    proc = subprocess.run([BIN, "run", "-c", os.path.join(d, "catwalk.ini"), "--no-report", "-q"],
                          capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if proc.returncode not in (0, 3):
        sys.exit("run failed at scale %d: %s" % (scale, proc.stderr))
    rows, commits = counts(d, engine)
    start = time.monotonic()
    subprocess.run([BIN, "metrics", "-c", os.path.join(d, "catwalk.ini"), "--format", "json"],
                   check=True, capture_output=True)
    metrics_s = time.monotonic() - start
    return size, rows, commits, elapsed, metrics_s


def main():
    engines = ["sqlite"] + (["postgresql"] if PG_URI else [])
    print("%-6s %-10s %10s %10s %10s %9s %12s %10s %12s" % (
        "scale", "engine", "input MB", "records", "commits", "run s", "records/s", "metrics s",
        "peak RSS MB"))
    for scale in SCALES:
        for engine in engines:
            size, rows, commits, elapsed, metrics_s = run_scale(scale, engine)
            print("%-6d %-10s %10.1f %10d %10d %9.2f %12.0f %10.2f %12.1f" % (
                scale, engine, size / 1e6, rows, commits, elapsed, rows / elapsed, metrics_s,
                child_rss_kb() / 1024), flush=True)
    print("(peak RSS is the largest of all runs so far, catwalk's own; it should grow far slower"
          " than the input.  PostgreSQL rows: the server's work is not in catwalk's RSS.)")


# ---------------------------------------------------------------- one huge JSON file
# Bounded memory (issue 8): a single 200 MB Jenkins `allBuilds` document must
# not be held whole (core/jsonstream.c reads one build at a time).  The file is
# written by a generator, the run's own peak RSS comes from wait4.

BIG_JSON_MB = int(os.environ.get("CW_BENCH_BIG_JSON_MB", "200"))
BIG_BUILD = ('{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","actions":['
             '{"_class":"hudson.model.ParametersAction","parameters":[{"name":"ENVIRONMENT",'
             '"value":"production"}]},{"_class":"hudson.plugins.git.util.BuildData",'
             '"lastBuiltRevision":{"SHA1":"%040x"},"remoteUrls":["git@example.com:big/app.git"]},{}],'
             '"building":false,"duration":30260,"fullDisplayName":"deploy-big #%d","number":%d,'
             '"result":"SUCCESS","timestamp":%d,"url":"https://jenkins.example/job/deploy-big/%d/"}')


def big_json():
    import shutil
    tmp = tempfile.mkdtemp(prefix="cw-bench-big-")
    path = os.path.join(tmp, "deploy-big.json")
    builds = 0
    with open(path, "w") as f:
        f.write('{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","allBuilds":[\n')
        while f.tell() < BIG_JSON_MB * 1000 * 1000:
            builds += 1
            f.write((",\n" if builds > 1 else "") +
                    BIG_BUILD % (builds, builds, builds, 1700000000000 + builds * 60000, builds))
        f.write('],"fullName":"deploy-big","name":"deploy-big"}\n')
        size = f.tell()
    with open(os.path.join(tmp, "catwalk.ini"), "w") as f:
        f.write("[catwalk]\nwarehouse = catwalk.db\nlanding = landing\nreports = reports\n\n"
                "[source jenkins]\ntype = jenkins\npath = deploy-big.json\n"
                "environment_parameter = ENVIRONMENT\n")
    start = time.monotonic()
    proc = subprocess.Popen([BIN, "run", "-c", os.path.join(tmp, "catwalk.ini"), "--no-report", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        sys.exit("run failed on the big Jenkins file: " + proc.stderr.read().decode())
    con = sqlite3.connect(os.path.join(tmp, "catwalk.db"))
    loaded = con.execute("SELECT count(*) FROM fact_build").fetchone()[0]
    con.close()
    print("%d MB Jenkins allBuilds: peak RSS %.1f MB (%d of %d builds loaded in %.1f s, "
          "%.1f s CPU)" % (size / 1e6, usage.ru_maxrss / 1024, loaded, builds, elapsed,
                           usage.ru_utime + usage.ru_stime), flush=True)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
    big_json()
