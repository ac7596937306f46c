#!/usr/bin/python3
"""The report definition outside C, its read-only queries, and the workbook's
craft (run by `make e2e`).

  * An analyst copies templates/, adds a sheet (a new query over a view, and
    a view read whole) and re-runs `catwalk report weekly` with `[report]
    templates` pointing at the copy: the sheet is there, with its headings,
    number formats and widths, and its values (worked out by hand from
    tests/data/e2e) - no recompile.
  * A broken definition (unknown key, missing query file, SQL that does not
    prepare, a column the query lacks) fails with the definition's file and
    line, and writes no report.
  * The definition's SQL runs read-only on both engines: DELETE, CREATE TABLE,
    DELETE ... RETURNING (which passes the "returns columns" check and reaches
    the engine) and, on PostgreSQL, set_config lifting the session's read-only
    default before a DELETE in the next sheet, all fail, and the warehouse is
    unchanged (row counts and table list).
  * Workbook craft read back with openpyxl: date cells are datetimes with a
    date format, page setup is landscape and one page wide, header rows
    repeat, item keys and builds link to Jira and the CI server named in the
    configuration, document properties name catwalk and the window.

PostgreSQL: CW_PG_URI (a throwaway server, tests/pg/pg.sh); without it the
PostgreSQL test FAILS, never skips.  Prints "definition: N passed, N failed".
"""
import datetime
import os
import re
import shutil
import sqlite3
import subprocess
import unittest

import openpyxl

from suite import REPO, copy_dataset, run, run_suite, temp_dir

PG_URI = os.environ.get("CW_PG_URI", "")
PSQL = os.environ.get("CW_PSQL", "psql")
WINDOW = ["--from", "2026-03-02", "--to", "2026-03-09"]

# A new sheet over v_deployments_prod: per application, production
# deployments finishing in the window, the last one, the share that failed.
DEPLOYS_SQL = """-- deploys.sql - an analyst's sheet
SELECT application, COUNT(*) AS deployments, MAX(finished_at) AS last_at,
       CAST(SUM(failed) AS DOUBLE PRECISION) / COUNT(*) AS failed_share
  FROM v_deployments_prod
 WHERE finished_at >= CAST(?1 AS BIGINT) AND finished_at < CAST(?2 AS BIGINT)
 GROUP BY application
 ORDER BY application
"""

DEPLOYS_SHEET = """
[sheet Deploys]
title = Production deployments per application
intro = Deployments finishing in the window, the last one and the share that failed.
query = sql/deploys.sql
column application = Application
column deployments = Production deployments | 0 |
column last_at = Last deployment | yyyy-mm-dd hh:mm | 20
column failed_share = Failed | 0.0%

[sheet Environments]
title = Environments
intro = Every production deployment's environment, read from the view whole.
view = v_deployments_prod
"""


def copy_templates(extra="", files=None):
    """templates/ copied to a temporary folder, `extra` appended to its
    weekly.report, `files` (name -> text) written into it; its folder."""
    d = os.path.join(temp_dir("cw-templates-"), "templates")
    shutil.copytree(os.path.join(REPO, "templates"), d)
    with open(os.path.join(d, "weekly.report"), "a") as f:
        f.write(extra)
    for name, text in (files or {}).items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    return d


def with_templates(config, templates, links=False, warehouse=None):
    """A copy of config with `[report] templates = DIR` (and, with links,
    the Jira and Jenkins base URLs a live configuration would have)."""
    with open(config) as f:
        text = f.read()
    if warehouse:
        text, n = re.subn(r"(?m)^warehouse\s*=.*$", "warehouse = " + warehouse, text)
        assert n == 1
    if links:
        text = text.replace("[source jira]\n", "[source jira]\nbase_url = https://jira.example.com/\n"
                            "projects = PAY, CLM\n", 1)
        text = text.replace("[source jenkins]\n", "[source jenkins]\nbase_url = https://ci.example.com\n", 1)
    if templates:
        text += "\n[report]\ntemplates = %s\n" % templates
    path = os.path.join(os.path.dirname(config), "report-%d.ini" % len(os.listdir(os.path.dirname(config))))
    with open(path, "w") as f:
        f.write(text)
    return path


def line_of(path, needle):
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if needle in line:
                return n
    raise AssertionError("%s: no line holds %r" % (path, needle))


def psql(sql):
    if not PG_URI:
        raise AssertionError("CW_PG_URI is not set: run through `make e2e` (tests/pg/pg.sh start DIR)")
    proc = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", PG_URI, "-c", sql],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError("psql failed: %s\n%s" % (proc.stderr, sql))
    return proc.stdout.strip()


class Definition(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = copy_dataset("cw-definition-")
        cls.config = os.path.join(cls.dir, "catwalk.ini")
        run("run", "-c", cls.config, "--no-report")
        cls.db = os.path.join(cls.dir, "catwalk.db")

    def report(self, config, check=True):
        out = temp_dir("cw-definition-out-")
        proc = run("report", "weekly", "-c", config, *WINDOW, "--out", out, "--format", "xlsx",
                   check=check)
        return proc, out, os.path.join(out, "catwalk-weekly-2026-03-09.xlsx")

    def test_added_sheet_has_its_columns_and_formats(self):
        templates = copy_templates(DEPLOYS_SHEET, {"sql/deploys.sql": DEPLOYS_SQL})
        _, _, xlsx = self.report(with_templates(self.config, templates))
        wb = openpyxl.load_workbook(xlsx)
        self.assertIn("Deploys", wb.sheetnames)
        self.assertIn("Environments", wb.sheetnames)
        # the added sheets follow the built-in ones, in the definition's order
        self.assertLess(wb.sheetnames.index("Coverage"), wb.sheetnames.index("Deploys"))
        ws = wb["Deploys"]
        self.assertEqual(ws["A1"].value, "Production deployments per application")
        head = [c.value for c in ws[5]][:4]
        self.assertEqual(head, ["Application", "Production deployments", "Last deployment", "Failed"])
        rows = {r[0].value: r for r in ws.iter_rows(min_row=6, max_row=7)}
        # week 03-02: payments #3, #5, #6 (the last 03-04 09:00), #4 failed to run
        # (no deployment), #2 is staging; one of the three caused an incident.
        # claims #1 (03-05 10:00) caused one.
        self.assertEqual(rows["payments"][1].value, 3)
        self.assertEqual(rows["payments"][2].value, datetime.datetime(2026, 3, 4, 9, 0))
        self.assertEqual(rows["payments"][2].number_format, "yyyy-mm-dd hh:mm")
        self.assertAlmostEqual(rows["payments"][3].value, 1 / 3, places=9)
        self.assertEqual(rows["payments"][3].number_format, "0.0%")
        self.assertEqual(rows["payments"][1].number_format, "0")
        self.assertEqual(rows["claims"][1].value, 1)
        self.assertEqual(rows["claims"][3].value, 1.0)
        # 20 characters as given (libxlsxwriter adds Excel's cell padding)
        self.assertAlmostEqual(ws.column_dimensions["C"].width, 20, delta=1)
        # a heading over numbers is right-aligned like them; over text, left
        self.assertEqual(ws["B5"].alignment.horizontal, "right")
        self.assertIn(ws["A5"].alignment.horizontal, (None, "general", "left"))
        # no heading is clipped: each column is at least as wide as its heading
        for cell in ws[5][:4]:
            width = ws.column_dimensions[cell.column_letter].width
            self.assertGreaterEqual(width, len(cell.value), cell.value)
        # the view's sheet: every column of v_deployments_prod
        env = wb["Environments"]
        self.assertIn("environment", [c.value for c in env[5]])

    def test_change_without_recompile(self):
        # an analyst changes a built-in sheet's title and a column's format
        templates = copy_templates()
        path = os.path.join(templates, "weekly.report")
        with open(path) as f:
            text = f.read()
        text = text.replace("title = Gates: who holds work up", "title = Gates (edited)")
        with open(path, "w") as f:
            f.write(text)
        _, _, xlsx = self.report(with_templates(self.config, templates))
        self.assertEqual(openpyxl.load_workbook(xlsx)["Gates"]["A1"].value, "Gates (edited)")

    def broken(self, extra, files, needle, message):
        templates = copy_templates(extra, files)
        proc, out, _ = self.report(with_templates(self.config, templates), check=False)
        path = os.path.join(templates, "weekly.report")
        where = "%s:%d:" % (path, line_of(path, needle))
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn(where, proc.stderr)
        self.assertIn(message, proc.stderr)
        self.assertEqual(os.listdir(out), [])
        return proc

    def test_unknown_key_names_file_and_line(self):
        self.broken("\n[sheet Extra]\ntitle = x\nquery = sql/report_kpi.sql\ncolour = red\n", {},
                    "colour = red", "colour: unknown key in [sheet Extra]")

    def test_missing_query_file_names_file_and_line(self):
        self.broken("\n[sheet Extra]\ntitle = x\nquery = sql/nowhere.sql\n", {},
                    "query = sql/nowhere.sql", "cannot read")

    def test_sql_that_does_not_prepare_names_file_and_line(self):
        self.broken("\n[sheet Extra]\ntitle = x\nquery = sql/bad.sql\n",
                    {"sql/bad.sql": "SELECT application FROM no_such_view"},
                    "query = sql/bad.sql", "no_such_view")

    def test_column_the_query_lacks_names_its_line(self):
        self.broken("\n[sheet Extra]\ntitle = x\nquery = sql/deploys.sql\ncolumn lastat = Last\n",
                    {"sql/deploys.sql": DEPLOYS_SQL}, "column lastat", "has no column lastat")

    def test_check_validates_the_definition(self):
        templates = copy_templates("\n[sheet Extra]\ntitle = x\nquery = sql/report_kpi.sql\ncolour = red\n")
        config = with_templates(self.config, templates)
        proc = run("check", "-c", config, check=False)
        path = os.path.join(templates, "weekly.report")
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("%s:%d: colour: unknown key" % (path, line_of(path, "colour = red")), proc.stderr)
        # a folder that is not there is the configuration's own error
        with open(config) as f:
            text = f.read().replace(templates, templates + "-missing")
        with open(config, "w") as f:
            f.write(text)
        proc = run("check", "-c", config, check=False)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertRegex(proc.stderr, r"report-\d+\.ini:\d+: templates: '.*-missing' is not a folder")

    def test_unknown_section_names_its_line(self):
        self.broken("\n[sheets Extra]\ntitle = x\n", {}, "[sheets Extra]", "unknown section")


# What a definition may try in order to write: every one fails.
WRITES = {
    "delete": "DELETE FROM fact_deployment",
    "create": "CREATE TABLE evil AS SELECT 1 AS x",
    "returning": "DELETE FROM fact_deployment RETURNING deployment_id",
}


def evil_sheets(sqls):
    extra, files = "", {}
    for i, sql in enumerate(sqls):
        extra += "\n[sheet Evil %d]\ntitle = evil\nquery = sql/evil%d.sql\n" % (i, i)
        files["sql/evil%d.sql" % i] = sql
    return extra, files


class ReadOnly(unittest.TestCase):
    """The definition's SQL cannot change the warehouse, on either engine."""

    def check_engine(self, config, snapshot):
        before = snapshot()
        for name, sql in WRITES.items():
            extra, files = evil_sheets([sql])
            templates = copy_templates(extra, files)
            out = temp_dir("cw-ro-out-")
            proc = run("report", "weekly", "-c", with_templates(config, templates), *WINDOW,
                       "--out", out, check=False)
            self.assertEqual(proc.returncode, 1, name + ": " + proc.stderr)
            self.assertIn("weekly.report:", proc.stderr, name)
            self.assertEqual(snapshot(), before, name)
        return before

    def test_sqlite(self):
        d = copy_dataset("cw-ro-")
        config = os.path.join(d, "catwalk.ini")
        run("run", "-c", config, "--no-report")
        db = os.path.join(d, "catwalk.db")

        def snapshot():
            con = sqlite3.connect(db)
            tables = sorted(r[0] for r in con.execute("SELECT name FROM sqlite_master"))
            n = con.execute("SELECT COUNT(*) FROM fact_deployment").fetchone()[0]
            con.close()
            return tables, n

        before = self.check_engine(config, snapshot)
        self.assertGreater(before[1], 0)

    def test_postgresql(self):
        d = copy_dataset("cw-ro-pg-")
        psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        config = with_templates(os.path.join(d, "catwalk.ini"), None, warehouse=PG_URI)
        run("run", "-c", config, "--no-report")

        def snapshot():
            return (psql("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
                         "information_schema.tables WHERE table_schema = 'public'"),
                    psql("SELECT COUNT(*) FROM fact_deployment"))

        before = self.check_engine(config, snapshot)
        self.assertNotEqual(before[1], "0")
        # set_config lifts the session's read-only default in one sheet; the
        # next sheet's DELETE ... RETURNING still fails: the transaction
        # around them is read-only and rolled back
        extra, files = evil_sheets([
            "SELECT set_config('default_transaction_read_only', 'off', false) AS x",
            "SELECT set_config('transaction_read_only', 'off', false) AS x",
            WRITES["returning"]])
        proc = run("report", "weekly", "-c", with_templates(config, copy_templates(extra, files)),
                   *WINDOW, "--out", temp_dir("cw-ro-out-"), check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("weekly.report:", proc.stderr)
        self.assertEqual(snapshot(), before)


class Craft(unittest.TestCase):
    """The workbook as a reader's tools see it (openpyxl)."""

    @classmethod
    def setUpClass(cls):
        d = copy_dataset("cw-craft-")
        config = os.path.join(d, "catwalk.ini")
        run("run", "-c", config, "--no-report")
        config = with_templates(config, os.path.join(REPO, "templates"), links=True)
        out = temp_dir("cw-craft-out-")
        # two weeks: PAY-4 is in progress at the end (test_e2e.py, Reports)
        run("report", "weekly", "-c", config, "--from", "2026-03-02", "--to", "2026-03-16",
            "--out", out, "--format", "xlsx")
        cls.wb = openpyxl.load_workbook(os.path.join(out, "catwalk-weekly-2026-03-16.xlsx"))

    def find(self, sheet, value):
        for row in self.wb[sheet].iter_rows():
            for cell in row:
                if cell.value == value:
                    return cell
        raise AssertionError("%s: no cell holds %r" % (sheet, value))

    def test_instants_are_dates(self):
        # claims #1, untraceable, finished 2026-03-05 10:00 UTC, the first of
        # the window's two (payments #7 on 03-10) on the Audit sheet
        audit = self.wb["Audit"]
        head = self.find("Audit", "Finished (UTC)")
        cell = audit.cell(row=head.row + 1, column=head.column)
        self.assertEqual(cell.value, datetime.datetime(2026, 3, 5, 10, 0))
        self.assertTrue(cell.is_date)
        self.assertEqual(cell.number_format, "yyyy-mm-dd hh:mm")
        # the weeks of a metric family and the Data sheet's periods are dates
        week = self.wb["Lead time"].cell(row=6, column=1)
        self.assertEqual(week.value, datetime.datetime(2026, 3, 2))
        self.assertEqual(week.number_format, "yyyy-mm-dd")
        periods = {c.value for c in self.wb["Data"]["D"][1:]}
        self.assertIn(datetime.datetime(2026, 3, 2), periods)

    def test_data_sheet_rounds_by_format(self):
        # the organisation's week 03-02: 4 deployments, 2 failed (test_e2e.py):
        # the rate is the full 0.5, shown as a percentage
        data = self.wb["Data"]
        head = [c.value for c in data[1]]
        for row in data.iter_rows(min_row=2):
            if row[0].value == "organisation" and row[3].value == datetime.datetime(2026, 3, 2):
                cfr = row[head.index("change_failure_rate")]
                self.assertEqual(cfr.value, 0.5)
                self.assertEqual(cfr.number_format, "0.0%")
                self.assertEqual(row[head.index("lead_time_median_h")].number_format, "0.0")
                self.assertEqual(row[head.index("deployments")].value, 4)
                self.assertEqual(row[head.index("deployments")].number_format, "0")
                break
        else:
            self.fail("no organisation row for 2026-03-02")

    def test_page_setup(self):
        for name in self.wb.sheetnames:
            ws = self.wb[name]
            if name == "Summary":
                continue        # the headline's sheet (reports/xlsx_summary.c)
            self.assertEqual(ws.page_setup.orientation, "landscape", name)
            self.assertTrue(ws.sheet_properties.pageSetUpPr.fitToPage, name)
            # fitToWidth 1 is the default: written or left out
            self.assertIn(ws.page_setup.fitToWidth, (None, 1, "1"), name)
            self.assertIn(ws.page_setup.fitToHeight, (0, "0"), name)
        self.assertEqual(self.wb["Gates"].print_title_rows, "$5:$5")
        self.assertEqual(self.wb["Data"].print_title_rows, "$1:$1")
        self.assertEqual(self.wb["Gates"].freeze_panes, "A6")

    def test_links_to_jira_and_ci(self):
        key = self.find("Audit", "PAY-4")
        self.assertEqual(key.hyperlink.target, "https://jira.example.com/browse/PAY-4")
        self.assertEqual(key.data_type, "s")
        run_cell = self.find("Audit", "1")
        self.assertEqual(run_cell.hyperlink.target, "https://ci.example.com/job/deploy-claims/1/")

    def test_document_properties(self):
        p = self.wb.properties
        self.assertEqual(p.creator, "catwalk")
        self.assertEqual(p.title, "Catwalk weekly report")
        self.assertIn("2026-03-02 to 2026-03-16", p.description)


class NoLinksWithoutServer(unittest.TestCase):
    def test_plain_text_without_base_url(self):
        d = copy_dataset("cw-nolinks-")
        config = os.path.join(d, "catwalk.ini")
        run("run", "-c", config, "--no-report")
        out = temp_dir("cw-nolinks-out-")
        run("report", "weekly", "-c", config, *WINDOW, "--out", out, "--format", "xlsx")
        wb = openpyxl.load_workbook(os.path.join(out, "catwalk-weekly-2026-03-09.xlsx"))
        for row in wb["Audit"].iter_rows():
            for cell in row:
                self.assertIsNone(cell.hyperlink, cell.coordinate)


if __name__ == "__main__":
    run_suite("definition")
