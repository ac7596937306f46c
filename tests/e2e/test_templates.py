#!/usr/bin/python3
"""test_templates.py - templates outside C (issue 10, capability 6).

An analyst copies templates/ to a folder, points `[report] templates` at it,
edits a layout (adds a line, removes a section, changes a partial) and
re-runs `catwalk report weekly`: the change is in the page, with the same
binary.  A broken template fails the report (exit 1) and `catwalk check`
(exit 2) with its file and line, and leaves the previous page in place.
"""
import os
import re
import shutil
import unittest

from suite import REPO, copy_dataset, run, run_suite

WINDOW = ("--from", "2026-02-02", "--to", "2026-03-16")
PAGE = "catwalk-weekly-2026-03-16.html"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class Templates(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = copy_dataset("cw-templates-")
        cls.config = os.path.join(cls.d, "catwalk.ini")
        run("run", "-c", cls.config, "--no-report")
        # the built-in page, before the configuration names a folder
        cls.builtin = os.path.join(cls.d, "builtin")
        run("report", "weekly", "-c", cls.config, *WINDOW, "--out", cls.builtin, "--format", "html")
        cls.tpl = os.path.join(cls.d, "tpl")
        shutil.copytree(os.path.join(REPO, "templates"), cls.tpl)
        with open(cls.config, "a") as f:
            f.write("\n[report]\ntemplates = tpl\n")
        with open(cls.config) as f:
            cls.key_line = f.read().splitlines().index("templates = tpl") + 1

    def setUp(self):
        shutil.rmtree(self.tpl, ignore_errors=True)
        shutil.copytree(os.path.join(REPO, "templates"), self.tpl)

    def report(self, out, check=True):
        return run("report", "weekly", "-c", self.config, *WINDOW, "--out", out, "--format", "html",
                   check=check)

    def test_unchanged_copy_renders_the_built_in_page(self):
        out = os.path.join(self.d, "same")
        self.report(out)
        # what rightly differs: when each was generated (and its as-of), and
        # the manifest's configuration digest (one configuration has the key)
        run_bound = re.compile(r"Generated \S+|as of [0-9T:Z-]+;|configuration SHA-256 [0-9a-f]{64}")
        self.assertEqual(run_bound.sub("", read(os.path.join(out, PAGE))),
                         run_bound.sub("", read(os.path.join(self.builtin, PAGE))))
        self.assertEqual(run("check", "-c", self.config).returncode, 0)

    def test_edited_layout_and_partial_show_without_recompiling(self):
        weekly = os.path.join(self.tpl, "weekly.html")
        page = read(weekly)
        # add a line under the title
        page = page.replace("<h1>{{title}}</h1>\n",
                            "<h1>{{title}}</h1>\n<p id=\"analyst\">Reviewed for {{to}}</p>\n")
        # remove the audit section
        start = page.index('<section id="audit">')
        end = page.index("</section>", start) + len("</section>")
        page = page[:start] + page[end:]
        write(weekly, page)
        # a partial: every table gets a caption-like class
        table = os.path.join(self.tpl, "partials", "table.html")
        write(table, read(table).replace("<div class=\"scroll\"><table>",
                                         "<div class=\"scroll\"><table class=\"analyst-table\">"))
        out = os.path.join(self.d, "edited")
        self.report(out)
        html = read(os.path.join(out, PAGE))
        self.assertTrue('<p id="analyst">Reviewed for 2026-03-16</p>' in html)
        self.assertFalse("Audit and data quality" in html)
        self.assertTrue('<table class="analyst-table">' in html)
        builtin = read(os.path.join(self.builtin, PAGE))
        self.assertTrue("Audit and data quality" in builtin)
        self.assertFalse("analyst" in builtin)

    def test_broken_template_fails_with_file_and_line(self):
        out = os.path.join(self.d, "broken")
        self.report(out)
        before = read(os.path.join(out, PAGE))
        weekly = os.path.join(self.tpl, "weekly.html")
        lines = read(weekly).splitlines(keepends=True)
        at = next(i for i, line in enumerate(lines) if line.startswith("<section id=\"summary\">"))
        lines.insert(at + 1, "{{#teams}}\n")        # never closed
        write(weekly, "".join(lines))
        proc = self.report(out, check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        want = "tpl/weekly.html:%d: unclosed section 'teams'" % (at + 2)
        self.assertIn(want, proc.stderr)
        # the previous page is left whole
        self.assertTrue(read(os.path.join(out, PAGE)) == before)
        proc = run("check", "-c", self.config, check=False)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn(want, proc.stderr)
        self.assertIn("catwalk.ini:%d: templates:" % self.key_line, proc.stderr)

    def test_unknown_partial_and_broken_email_template(self):
        weekly = os.path.join(self.tpl, "weekly.html")
        page = read(weekly).replace("{{>partials/manifest.html}}", "{{>partials/nope.html}}")
        write(weekly, page)
        line = page[:page.index("{{>partials/nope.html}}")].count("\n") + 1
        proc = self.report(os.path.join(self.d, "nope"), check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("tpl/weekly.html:%d: unknown partial 'partials/nope.html'" % line, proc.stderr)
        # check parses the email layouts too, which the page never reads
        self.setUp()
        email = os.path.join(self.tpl, "email.txt")
        write(email, read(email).replace("{{/exceptions}}", "{{/exception}}", 1))
        proc = run("check", "-c", self.config, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertRegex(proc.stderr, r"tpl/email\.txt:\d+: '\{\{/exception\}\}' does not close "
                                      r"section 'exceptions' \(line \d+\)")

    def test_missing_folder_is_a_check_error(self):
        shutil.rmtree(self.tpl)
        proc = run("check", "-c", self.config, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("catwalk.ini:%d: templates: 'tpl' is not a folder" % self.key_line, proc.stderr)


if __name__ == "__main__":
    run_suite("templates")
