#!/usr/bin/python3
"""The hostile corpus: every hostile input catwalk has met, with what must happen.

Each folder under tests/hostile/ is one case: a catwalk.ini whose paths are
relative to the folder, the hostile input files it names, and an `expect`
file of `key = value` lines ('#' starts a comment):

    args = run -c catwalk.ini --no-report   catwalk's arguments (this is the default)
    exit = 3                                required: the exit status
    stderr = REGEX                          may repeat: each must match stderr (re.search)
    stderr_not = REGEX                      may repeat: none may match stderr
    reject = FIELD                          may repeat: some row of table reject has this field
                                            ('-' for a reject naming no field)
    rejects = N                             the exact number of rows in table reject
    sql = SELECT ... => VALUE               may repeat: the first column of the first row, as
                                            text ('' for NULL or no row)
    symlink = NAME -> TARGET                made in the case's copy before catwalk runs
    KEY@ENGINE = ...                        any key above, on that engine only (sqlite or
                                            postgresql): it replaces KEY's lines there

The case runs in a private copy, so the warehouse, landing zone and reports it
writes never touch the repository.  Every case becomes one test method, and
one more test checks the size and spread of the corpus itself.

Runs with Debian's python3 and prints a closing "hostile: N passed, N failed" line
("hostile on postgresql: ..." there).

On PostgreSQL: with CW_HOSTILE_PG_URI=postgresql://... every case's copied
catwalk.ini gets `warehouse = URI` instead of its SQLite file, and the URI's
schema public is emptied before each case, so each case starts from an empty
warehouse as on SQLite.  Exit status, stderr and reject expectations are
checked as they are; `sql =` checks run through psql, except those written
in SQLite-only SQL (SQLITE_ONLY) fail there: such a case needs `sql@postgresql`
lines (they replace all of its `sql` lines on PostgreSQL).
"""
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from suite import run_suite

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(REPO, "tests", "hostile")
BIN = os.environ.get("CW_BIN", os.path.join(REPO, "catwalk"))
MULTI = ("stderr", "stderr_not", "reject", "sql", "symlink")
MIN_FILES = 60
# every connector the registry lists must meet hostile input
TYPES = ("jira", "jira-csv", "git", "jenkins", "pagerduty", "servicenow", "github", "gitlab",
         "opsgenie", "csv")
PG_URI = os.environ.get("CW_HOSTILE_PG_URI", "")
ENGINE = "postgresql" if PG_URI else "sqlite"
# `sql =` checks in SQL PostgreSQL does not run: such a case must say
# `sql@postgresql =` instead, or the run on PostgreSQL fails
SQLITE_ONLY = re.compile(r"(?i)\b(group_concat|typeof|printf|strftime|iif|julianday|sqlite_\w+)\s*\(")


def read_expect(path):
    """The expect file as a dict; keys in MULTI hold lists."""
    spec = {k: [] for k in MULTI}
    own = set()             # keys the current engine sets with KEY@ENGINE lines
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise ValueError("%s:%d: expected key = value" % (path, lineno))
            key, value = key.strip(), value.strip()
            key, at, engine = key.partition("@")
            if at and engine not in ("sqlite", "postgresql"):
                raise ValueError("%s:%d: unknown engine %r" % (path, lineno, engine))
            if at and engine != ENGINE:
                continue
            if at and key in MULTI and key not in own:
                spec[key], own = [], own | {key}     # the engine's lines replace the others
            if at:
                own = own | {key}
            elif key in own:
                continue
            if key in MULTI:
                spec[key].append(value)
            elif key in ("args", "exit", "rejects"):
                spec[key] = value
            else:
                raise ValueError("%s:%d: unknown key %r" % (path, lineno, key))
    if "exit" not in spec:
        raise ValueError("%s: no `exit =` line" % path)
    return spec


def cases():
    if not os.path.isdir(CORPUS):
        return []
    return sorted(d for d in os.listdir(CORPUS)
                  if os.path.isfile(os.path.join(CORPUS, d, "expect")))


def scalar(con, query):
    row = con.execute(query).fetchone()
    return "" if row is None or row[0] is None else str(row[0])


NULL = "\x01null\x01"


def psql(query):
    """The rows of a query on PG_URI, as lists of text (None for NULL)."""
    out = subprocess.run(["psql", PG_URI, "-X", "-q", "-A", "-t", "-F", "\x1f", "-P", "null=" + NULL,
                          "-v", "ON_ERROR_STOP=1", "-c", query], capture_output=True, text=True,
                         errors="replace", timeout=60, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise RuntimeError("psql: %s\n%s" % (out.stderr.strip(), query))
    return [[None if v == NULL else v for v in line.split("\x1f")]
            for line in out.stdout.split("\n") if line != ""]


class PgConnection:
    """What check_case asks of a sqlite3 connection, through psql."""

    def execute(self, query):
        return PgCursor(psql(query))

    def close(self):
        pass


class PgCursor:
    def __init__(self, rows):
        self.rows = rows

    def __iter__(self):
        return iter(self.rows)

    def fetchone(self):
        return self.rows[0] if self.rows else None


def use_postgresql(ini):
    """Point a case's catwalk.ini at PG_URI and empty its schema."""
    psql("SET client_min_messages = warning; DROP SCHEMA IF EXISTS public CASCADE; "
         "CREATE SCHEMA public")
    if not os.path.isfile(ini):
        return
    with open(ini, "rb") as f:
        text = f.read()
    text = re.sub(rb"(?m)^([ \t]*warehouse[ \t]*=).*$",
                  lambda m: m.group(1) + b" " + PG_URI.encode(), text)
    with open(ini, "wb") as f:
        f.write(text)


class Case:
    """Run one case in a temporary copy and collect what it did."""

    def __init__(self, name):
        self.name = name
        self.spec = read_expect(os.path.join(CORPUS, name, "expect"))
        self.tmp = tempfile.mkdtemp(prefix="cw-hostile-")
        self.dir = os.path.join(self.tmp, name)
        shutil.copytree(os.path.join(CORPUS, name), self.dir, symlinks=True)
        for link in self.spec["symlink"]:
            link_name, arrow, target = link.partition("->")
            if not arrow:
                raise ValueError("%s: symlink = NAME -> TARGET" % name)
            path = os.path.join(self.dir, link_name.strip())
            os.makedirs(os.path.dirname(path), exist_ok=True)
            os.symlink(target.strip(), path)
        if PG_URI:
            use_postgresql(os.path.join(self.dir, "catwalk.ini"))
        args = shlex.split(self.spec.get("args", "run -c catwalk.ini --no-report"))
        self.proc = subprocess.run([BIN, *args], cwd=self.dir, capture_output=True, text=True,
                                   errors="replace", timeout=300, stdin=subprocess.DEVNULL)

    def db(self):
        if PG_URI:
            return PgConnection() if psql("SELECT to_regclass('reject')")[0][0] else None
        path = os.path.join(self.dir, "catwalk.db")
        return sqlite3.connect(path) if os.path.exists(path) else None

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def check_case(test, name):
    case = Case(name)
    try:
        spec, proc = case.spec, case.proc
        where = "case %s\nstdout:\n%s\nstderr:\n%s" % (name, proc.stdout[-3000:], proc.stderr[-3000:])
        test.assertEqual(proc.returncode, int(spec["exit"]), "exit status, " + where)
        for pattern in spec["stderr"]:
            test.assertRegex(proc.stderr, pattern, where)
        for pattern in spec["stderr_not"]:
            test.assertNotRegex(proc.stderr, pattern, where)
        needs_db = spec["reject"] or spec["sql"] or "rejects" in spec
        if not needs_db:
            return
        con = case.db()
        test.assertIsNotNone(con, "no warehouse was written, " + where)
        try:
            fields = [r[0] if r[0] is not None else "-"
                      for r in con.execute("SELECT field FROM reject")]
            for field in spec["reject"]:
                test.assertIn(field, fields, "reject fields, " + where)
            if "rejects" in spec:
                test.assertEqual(len(fields), int(spec["rejects"]), "reject count, " + where)
            for check in spec["sql"]:
                query, arrow, value = check.rpartition("=>")
                test.assertTrue(arrow, "%s: sql = QUERY => VALUE" % name)
                # SQLite-only SQL needs its own `sql@postgresql =` line
                test.assertFalse(PG_URI and SQLITE_ONLY.search(query),
                                 "%s: SQLite-only check with no sql@postgresql line: %s"
                                 % (name, query.strip()))
                test.assertEqual(scalar(con, query.strip()), value.strip(),
                                 "%s\n%s" % (query.strip(), where))
        finally:
            con.close()
    finally:
        case.close()


class HostileCorpus(unittest.TestCase):
    def test_corpus_size_and_spread(self):
        """At least MIN_FILES hostile files, over every connector and the config.

        A case's own catwalk.ini counts as a hostile file only in a config case
        (its name starts with "config"); elsewhere it is the harness."""
        names = cases()
        files, types = 0, set()
        for name in names:
            for root, _, entries in os.walk(os.path.join(CORPUS, name)):
                files += sum(1 for e in entries if e not in ("expect", "catwalk.ini"))
            files += name.startswith("config")
            ini = os.path.join(CORPUS, name, "catwalk.ini")
            if os.path.exists(ini):
                with open(ini, encoding="utf-8", errors="replace") as f:
                    types.update(re.findall(r"(?m)^\s*type\s*=\s*(\S+)", f.read()))
        self.assertGreaterEqual(files, MIN_FILES, "the hostile corpus holds %d files" % files)
        self.assertTrue(any(n.startswith("config") for n in names), "no config case")
        missing = [t for t in TYPES if t not in types]
        self.assertEqual(missing, [], "connectors without a hostile case")


def add_case_tests():
    for name in cases():
        method = re.sub(r"[^0-9A-Za-z_]", "_", name)
        setattr(HostileCorpus, "test_" + method, lambda self, n=name: check_case(self, n))


add_case_tests()

if __name__ == "__main__":
    run_suite("hostile on postgresql" if PG_URI else "hostile")
