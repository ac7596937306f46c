#!/usr/bin/python3
"""End-to-end tests of the command line (run by `make e2e`): one option
convention for every command, one --from/--to parser, and one error policy
for `run` and `extract` (pipeline/pipeline.h).

The dataset is tests/data/e2e (see test_e2e.py).  Prints a closing
"N passed, N failed" line.
"""
import os
import sqlite3
import unittest

from suite import copy_dataset, run, run_suite

COMMANDS = ("run", "extract", "metrics", "report", "check", "flow", "forecast", "mail")


def add_source(d, text):
    with open(os.path.join(d, "catwalk.ini"), "a") as f:
        f.write("\n" + text)


class OptionConvention(unittest.TestCase):
    def test_every_command_lists_the_common_options(self):
        for cmd in COMMANDS:
            out = run(cmd, "--help").stdout
            self.assertTrue(out.startswith("usage: catwalk " + cmd), out)
            for option in ("-c, --config FILE", "-q, --quiet", "-v, --verbose", "-h, --help"):
                self.assertIn(option, out, "%s --help lacks %s" % (cmd, option))
            self.assertEqual(run(cmd, "-h").stdout, out)

    def test_quiet_and_verbose_are_accepted_everywhere(self):
        d = copy_dataset("cw-commands-")
        config = os.path.join(d, "catwalk.ini")
        for flags in (["-q"], ["--verbose"], ["-qv"]):
            self.assertEqual(run("check", "-c", config, *flags).returncode, 0)
        run("run", "-c", config, "--no-report", "-q")
        run("extract", "--config=" + config, "-q")
        run("metrics", "-c" + config, "-q", "--from", "2026-03-02", "--to", "2026-03-16")
        out = os.path.join(d, "out")
        run("report", "-q", "weekly", "-c", config, "--to=2026-03-16", "--out", out)

    def test_usage_errors_exit_2_and_name_the_option(self):
        d = copy_dataset("cw-commands-")
        config = os.path.join(d, "catwalk.ini")
        for cmd in COMMANDS:
            args = ["weekly"] if cmd in ("report", "mail") else []
            proc = run(cmd, *args, "-c", config, "--frobnicate", check=False)
            self.assertEqual(proc.returncode, 2, cmd)
            self.assertIn("--frobnicate: unknown option", proc.stderr)
            self.assertIn("Try 'catwalk %s --help'." % cmd, proc.stderr)
            proc = run(cmd, *args, "-c", check=False)
            self.assertEqual(proc.returncode, 2, cmd)
            self.assertIn("-c: needs a value", proc.stderr)
            proc = run(cmd, *args, check=False)
            self.assertEqual(proc.returncode, 2, cmd)
            self.assertIn("-c: the configuration file is required", proc.stderr)
        proc = run("run", "-c", config, "stray", check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("stray: unexpected argument", proc.stderr)
        proc = run("check", "-c", config, "--quiet=yes", check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--quiet=yes: takes no value", proc.stderr)


class Window(unittest.TestCase):
    """metrics and report read --from/--to with the same parser."""

    @classmethod
    def setUpClass(cls):
        cls.d = copy_dataset("cw-commands-")
        cls.config = os.path.join(cls.d, "catwalk.ini")
        run("run", "-c", cls.config, "--no-report")

    def metrics(self, *args, check=True):
        return run("metrics", "-c", self.config, "--format", "csv", *args, check=check)

    def report(self, *args, check=True):
        return run("report", "weekly", "-c", self.config, "--out", os.path.join(self.d, "out"),
                   *args, check=check)

    def test_dates_and_instants_align_down_to_the_period(self):
        # 2026-03-04 is a Wednesday, 2026-03-16T09:00Z a Monday morning: weeks 03-02 and 03-09
        by_date = self.metrics("--from", "2026-03-02", "--to", "2026-03-16").stdout
        by_instant = self.metrics("--from", "2026-03-04", "--to", "2026-03-16T09:00:00Z").stdout
        self.assertEqual(by_instant, by_date)
        self.assertEqual(sorted({line.split(",")[1] for line in by_date.splitlines()[1:]}),
                         ["2026-03-02", "2026-03-09"])
        paths = self.report("--from", "2026-03-04", "--to", "2026-03-16T09:00:00Z").stdout.split()
        self.assertEqual([os.path.basename(p) for p in paths],
                         ["catwalk-weekly-2026-03-16.xlsx", "catwalk-weekly-2026-03-16.html"])

    def test_bad_windows_are_usage_errors_in_both_commands(self):
        for command in (self.metrics, self.report):
            for args, option in ((["--from", "2026-02-30"], "--from"),
                                 (["--to", "16/03/2026"], "--to"),
                                 (["--from", "2026-03-16", "--to", "2026-03-10"], "--from")):
                proc = command(*args, check=False)
                self.assertEqual(proc.returncode, 2, (args, proc.stderr))
                self.assertIn(option + ": ", proc.stderr)


class ErrorPolicy(unittest.TestCase):
    """run and extract share one pipeline, so one error policy."""

    def test_a_failed_source_makes_both_partial(self):
        d = copy_dataset("cw-commands-")
        config = os.path.join(d, "catwalk.ini")
        with open(config) as f:
            text = f.read()
        # every source but one that matches no file
        keep = text.split("[source jira]")[0]
        apps = text[text.index("[application "):]
        with open(config, "w") as f:
            f.write(keep + "[source gone]\ntype = jira\npath = exports/nothing-here/*.json\n\n" + apps)
        extract = run("extract", "-c", config, check=False)
        self.assertEqual(extract.returncode, 3, extract.stderr)
        self.assertIn("[source gone] failed", extract.stdout)
        loaded = run("run", "-c", config, "--no-report", check=False)
        self.assertEqual(loaded.returncode, 3, loaded.stderr)

    def test_an_unreadable_warehouse_fails_both(self):
        d = copy_dataset("cw-commands-")
        config = os.path.join(d, "catwalk.ini")
        # a live source: its watermark must come from the warehouse
        add_source(d, "[source pd-live]\ntype = pagerduty\nbase_url = http://127.0.0.1:9\n"
                      "token_env = CW_TEST_TOKEN\nstart = 2025-06-01\nmax_tries = 1\n")
        with open(os.path.join(d, "catwalk.db"), "w") as f:
            f.write("this is not a database, and a full extraction would be a surprise\n" * 100)
        env = dict(os.environ, CW_TEST_TOKEN="a-token-for-the-test")
        for args in (["extract"], ["run", "--no-report"]):
            proc = run(*args, "-c", config, check=False, env=env)
            self.assertEqual(proc.returncode, 1, (args, proc.stdout, proc.stderr))
            self.assertEqual(os.listdir(os.path.join(d, "landing")) if os.path.isdir(
                os.path.join(d, "landing")) else [], [], args)

    def test_extract_without_a_warehouse_creates_none(self):
        d = copy_dataset("cw-commands-")
        config = os.path.join(d, "catwalk.ini")
        proc = run("extract", "-c", config)
        self.assertIn("[source jira] 1 file(s)", proc.stdout)
        self.assertIn("landed in ", proc.stdout)
        self.assertFalse(os.path.exists(os.path.join(d, "catwalk.db")))

    def test_run_prints_the_summary_line(self):
        d = copy_dataset("cw-commands-")
        proc = run("run", "-c", os.path.join(d, "catwalk.ini"), "--no-report", check=False)
        self.assertIn(proc.returncode, (0, 3))
        self.assertRegex(proc.stdout, r"^batch 1: \d+ records read, \d+ loaded \(\d+ changed\), "
                                      r"\d+ rejected; \d+ commits, \d+ deployments \(\d+ "
                                      r"untraceable\), \d+ incidents attributed\n$")
        con = sqlite3.connect(os.path.join(d, "catwalk.db"))
        self.assertEqual(con.execute("SELECT count(*) FROM batch").fetchone()[0], 1)
        con.close()


if __name__ == "__main__":
    run_suite("e2e commands")
