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


if __name__ == "__main__":
    main()
