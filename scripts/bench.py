#!/usr/bin/python3
"""bench.py - throughput and memory figures for `make bench`.

Default (`make bench`): generates the demo at several scales, runs the
nightly job on each and prints records/s and peak RSS, so a regression in
speed or in memory growth shows as numbers (never as a timed pass/fail
test).  With CW_PG_URI set (`make bench` starts a throwaway PostgreSQL 15),
the same input is loaded into PostgreSQL too and its row is printed beside
SQLite's; then one 200 MB Jenkins document shows the peak RSS of a run.

`make bench BENCH=L` (CW_BENCH=L): the enterprise-L shape, 500 applications
over two years (`catwalk demo --apps 500 --weeks 104 --scale 3.25 --delta-day`,
about 13M records), through the stages of a real night on each engine:

  full       the first nightly run (`catwalk run -c ... --no-report -q`)
  no-change  the same command again, nothing new
  one-day    the delta day's new files copied into the exports, run again
  report     `catwalk report weekly` over the 12 weeks up to the delta day

and, measured in the same session on the same input, the floor: every file
read once and every JSON document parsed once with jansson (tools/floor.c,
CW_FLOOR), plus `sqlite3 .import` (`\\copy` on PostgreSQL) of a CSV with as
many rows as the full run read.  Each stage prints wall time, CPU time
(user + sys of that child alone, from os.wait4), records/s and the child's
own peak RSS; then the floor ratio (full / floor) and the delta ratios
(no-change / full, one-day / full).  PostgreSQL's server work is in the wall
times only: it is not a child of this script.

CW_BENCH_L_APPS, CW_BENCH_L_WEEKS and CW_BENCH_L_SCALE shrink the shape for a
quick try; CW_BENCH_ENGINES=sqlite leaves PostgreSQL out; CW_BENCH_DIR
chooses where it is written (default: a temporary folder, removed at the
end unless CW_BENCH_KEEP=1).
"""
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("CW_BIN", os.path.join(HERE, "..", "catwalk"))
FLOOR = os.environ.get("CW_FLOOR", os.path.join(HERE, "..", "build", "floor"))
SCALES = [int(s) for s in os.environ.get("CW_BENCH_SCALES", "1 4 8").split()]
PG_URI = os.environ.get("CW_PG_URI")
END = "2026-11-23"          # a Monday: the delta day is 2026-11-23, the report runs to 2026-11-30
REPORT_TO = "2026-11-30"


def child_rss_kb():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


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


def use_sqlite(d):
    ini = os.path.join(d, "catwalk.ini")
    with open(ini) as f:
        text = f.read()
    with open(ini, "w") as f:
        f.write("\n".join("warehouse = catwalk.db" if line.startswith("warehouse =") else line
                          for line in text.split("\n")))
    for name in ("catwalk.db", "catwalk.db-wal", "catwalk.db-shm"):
        if os.path.exists(os.path.join(d, name)):
            os.remove(os.path.join(d, name))


def last_batch(d, engine, column="rows_read"):
    sql = "SELECT %s FROM batch ORDER BY batch_id DESC LIMIT 1" % column
    if engine == "postgresql":
        return int(psql(sql) or 0)
    con = sqlite3.connect(os.path.join(d, "catwalk.db"))
    row = con.execute(sql).fetchone()
    con.close()
    return int(row[0]) if row else 0


def counts(d, engine):
    if engine == "postgresql":
        return last_batch(d, engine), int(psql("SELECT count(*) FROM fact_commit"))
    con = sqlite3.connect(os.path.join(d, "catwalk.db"))
    commits = con.execute("SELECT count(*) FROM fact_commit").fetchone()[0]
    con.close()
    return last_batch(d, engine), commits


def input_bytes(d):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)


# ---- the default bench: demo scales ---------------------------------------------------

def run_scale(scale, engine):
    tmp = tempfile.mkdtemp(prefix="cw-bench-")
    d = os.path.join(tmp, "demo")
    subprocess.run([BIN, "demo", d, "--scale", str(scale)], check=True, capture_output=True)
    size = input_bytes(os.path.join(d, "exports"))
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
    shutil.rmtree(tmp, ignore_errors=True)
    return size, rows, commits, elapsed, metrics_s


def bench_scales():
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


# ---- BENCH=L: the stages of a night, and the floor ------------------------------------

class Stage:
    def __init__(self, name, engine, wall, cpu, rss_mb, records, rc, err):
        self.name, self.engine, self.wall, self.cpu = name, engine, wall, cpu
        self.rss_mb, self.records, self.rc, self.err = rss_mb, records, rc, err


def timed(name, engine, argv, stdin_text=None, ok=(0,)):
    """Run argv; wall time, and this child's own CPU time and peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as inp:
        if stdin_text is not None:
            inp.write(stdin_text.encode())
            inp.seek(0)
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=inp, stdout=out, stderr=err)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        out.seek(0)
        stage = Stage(name, engine, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, 0,
                      proc.returncode, err.read().decode(errors="replace"))
        stage.out = out.read().decode(errors="replace")
    if stage.rc not in ok:
        sys.exit("bench: %s (%s) failed with %d: %s" % (name, engine, stage.rc, stage.err[-2000:]))
    return stage


def l_shape():
    return (int(os.environ.get("CW_BENCH_L_APPS", "500")), int(os.environ.get("CW_BENCH_L_WEEKS", "104")),
            os.environ.get("CW_BENCH_L_SCALE", "3.25"))


def delta_files(d):
    """(source, destination) of every file of the delta day."""
    pairs = []
    root = os.path.join(d, "delta", "exports")
    for r, _, fs in os.walk(root):
        for f in fs:
            src = os.path.join(r, f)
            pairs.append((src, os.path.join(d, "exports", os.path.relpath(src, root))))
    return sorted(pairs)


def write_floor_csv(path, rows):
    """rows lines of about the width of a loaded record (ids, a key, times, a subject)."""
    with open(path, "w") as f:
        f.write("id,source,natural_key,kind,at,author,subject,a,b\n")
        block = 100000
        for start in range(0, rows, block):
            f.write("".join(
                "%d,jira,KEY-%d,transition,2026-11-%02dT%02d:%02d:00Z,person%d@harbourside.example,"
                "\"Fix rounding in premium breakdown, row %d\",%d,%d\n"
                % (i, i, 1 + i % 28, i % 24, i % 60, i % 97, i, i % 1000, i % 7)
                for i in range(start, min(rows, start + block))))


def floor_import(engine, csv_path, d):
    if engine == "sqlite":
        db = os.path.join(d, "floor.db")
        if os.path.exists(db):
            os.remove(db)
        stage = timed("floor import", engine, ["sqlite3", db],
                      stdin_text=".mode csv\n.import '%s' floor\n" % csv_path)
        os.remove(db)
        return stage
    psql("DROP TABLE IF EXISTS floor_import; CREATE TABLE floor_import (id bigint, source text, "
         "natural_key text, kind text, at timestamptz, author text, subject text, a int, b int)")
    stage = timed("floor import", engine, ["psql", PG_URI, "-q", "-c",
                                           "\\copy floor_import FROM '%s' WITH (FORMAT csv, HEADER)" % csv_path])
    psql("DROP TABLE floor_import")
    return stage


def night(d, engine):
    """full, no-change, one-day and report on one engine; the delta files go again afterwards."""
    ini = os.path.join(d, "catwalk.ini")
    run = [BIN, "run", "-c", ini, "--no-report", "-q"]
    for sub in ("landing", "reports", "bench-reports"):
        shutil.rmtree(os.path.join(d, sub), ignore_errors=True)
    if engine == "postgresql":
        use_postgresql(d)
    else:
        use_sqlite(d)
    stages = []
    for name in ("full", "no-change"):
        stage = timed(name, engine, run, ok=(0, 3))
        stage.records = last_batch(d, engine)
        stages.append(stage)
        print_stage(stage)
        note_rejects(d, engine, stage)
    copied = delta_files(d)
    for src, dst in copied:
        shutil.copyfile(src, dst)
    stage = timed("one-day", engine, run, ok=(0, 3))
    stage.records = last_batch(d, engine)
    stages.append(stage)
    print_stage(stage)
    note_rejects(d, engine, stage)
    stage = timed("report", engine, [BIN, "report", "weekly", "-c", ini, "-q", "--to", REPORT_TO,
                                     "--out", os.path.join(d, "bench-reports")])
    stages.append(stage)
    print_stage(stage)
    for _, dst in copied:
        os.remove(dst)
    return stages


def note_rejects(d, engine, stage):
    """The demo loads without a reject; say so when it did not."""
    rejected = last_batch(d, engine, "rows_rejected")
    if rejected or stage.rc:
        print("  (%s, %s: exit %d, %d records rejected)" % (stage.name, engine, stage.rc, rejected), flush=True)


HEADER = "%-14s %-10s %9s %9s %11s %11s %12s" % ("stage", "engine", "wall s", "CPU s", "records",
                                               "records/s", "peak RSS MB")


def print_stage(s):
    rate = "%11.0f" % (s.records / s.wall) if s.records and s.wall > 0 else "%11s" % "-"
    print("%-14s %-10s %9.2f %9.2f %11s %s %12.1f" % (s.name, s.engine, s.wall, s.cpu,
                                                      s.records or "-", rate, s.rss_mb), flush=True)


def bench_l():
    apps, weeks, scale = l_shape()
    keep = os.environ.get("CW_BENCH_KEEP") == "1"
    base = os.environ.get("CW_BENCH_DIR") or tempfile.mkdtemp(prefix="cw-bench-L-")
    d = os.path.join(base, "demo")
    engines = ["sqlite"] + (["postgresql"] if PG_URI else [])
    engines = [e for e in engines if e in os.environ.get("CW_BENCH_ENGINES", "sqlite postgresql").split()]
    print("enterprise-L: catwalk demo --apps %d --weeks %d --scale %s --end %s --delta-day  (in %s)"
          % (apps, weeks, scale, END, d), flush=True)
    print(HEADER)
    shutil.rmtree(d, ignore_errors=True)
    gen = timed("generate", "-", [BIN, "demo", d, "--apps", str(apps), "--weeks", str(weeks), "--scale", scale,
                                  "--end", END, "--delta-day", "-q"])
    print_stage(gen)
    floor_read = timed("floor read", "-", [FLOOR, os.path.join(d, "exports")])
    print_stage(floor_read)
    print("input: %s; delta day: %d files, %.1f MB" % (
        floor_read.out.strip(), len(delta_files(d)), input_bytes(os.path.join(d, "delta")) / 1e6), flush=True)
    results = {}
    csv_path = os.path.join(base, "floor.csv")
    for engine in engines:
        stages = night(d, engine)
        full = stages[0]
        if not os.path.exists(csv_path):
            write_floor_csv(csv_path, full.records)
        imp = floor_import(engine, csv_path, d)
        imp.records = full.records
        print_stage(imp)
        results[engine] = (stages, imp)
    print()
    print("%-10s %14s %14s %14s %14s %12s" % ("engine", "floor s", "full/floor", "full/floor CPU",
                                              "no-change/full", "one-day/full"))
    for engine, (stages, imp) in results.items():
        full, nochange, oneday = stages[0], stages[1], stages[2]
        floor_wall = floor_read.wall + imp.wall
        floor_cpu = floor_read.cpu + imp.cpu
        print("%-10s %14.2f %14.2f %14.2f %13.1f%% %11.1f%%" % (
            engine, floor_wall, full.wall / floor_wall, full.cpu / floor_cpu if floor_cpu else 0,
            100 * nochange.wall / full.wall, 100 * oneday.wall / full.wall))
    print("(floor = floor read (every file read once, every JSON parsed once with jansson) + floor import"
          " (sqlite3 .import, or psql \\copy, of as many CSV rows as the full run read).  CPU is each child's"
          " own; PostgreSQL's server time is in wall only.  Targets: full within 2x the floor, no-change"
          " at most 1 %, one-day at most 2 % of full, report under 10 s.)")
    if not keep and not os.environ.get("CW_BENCH_DIR"):
        shutil.rmtree(base, ignore_errors=True)
    elif not keep:
        shutil.rmtree(d, ignore_errors=True)
        if os.path.exists(csv_path):
            os.remove(csv_path)


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


def main():
    if os.environ.get("CW_BENCH", "").upper() == "L":
        bench_l()
    else:
        bench_scales()
        big_json()


if __name__ == "__main__":
    main()
