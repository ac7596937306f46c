#!/usr/bin/python3
"""The workbook's native charts (reports/chart_xlsx.c), read back by openpyxl.

The e2e dataset is loaded into SQLite and the weekly report of 2026-02-02 ..
2026-03-16 written; openpyxl (an independent reader) must find the "Charts"
sheet with the chart types the chart model names, every series referencing
cells of "Chart data" that exist, and those cells agreeing with figures read
independently: the DORA and throughput series with the organisation's rows
of the Data sheet, the cycle-time p50/p85 lines with the nearest-rank
percentiles (metrics.md Conventions) of the scatter's own points, computed
here.  The same report from PostgreSQL (CW_PG_URI) must hold the same chart
data, so the chart queries are portable.  Without CW_PG_URI that test FAILS,
never skips.  Prints "charts: N passed, N failed".
"""
import datetime
import math
import os
import re
import shutil
import sqlite3
import sys
import unittest

import openpyxl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import DATA, run, run_suite, temp_dir  # noqa: E402
import test_engines as te  # noqa: E402

FROM, TO = "2026-02-02", "2026-03-16"
WEEKS = ["2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23", "2026-03-02", "2026-03-09"]


def report(folder, pg=False):
    """Load the dataset copy in folder (into PG when asked) and write its workbook."""
    ini = os.path.join(folder, "catwalk.ini")
    if pg:
        with open(ini) as f:
            text = f.read()
        text = re.sub(r"(?m)^warehouse\s*=.*$", "warehouse = " + te.PG_URI.replace("\\", "\\\\"), text)
        with open(ini, "w") as f:
            f.write(text)
        te.psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    run("run", "-c", ini, "--no-report")
    out = os.path.join(folder, "out")
    run("report", "weekly", "-q", "-c", ini, "--from", FROM, "--to", TO, "--format", "xlsx",
        "--out", out)
    return openpyxl.load_workbook(os.path.join(out, "catwalk-weekly-2026-03-16.xlsx"))


def cells(wb, ref):
    """The values of a reference "'Chart data'!$B$3:$B$8", in order."""
    m = re.fullmatch(r"'?([^'!]+)'?!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?", ref)
    assert m, ref
    sheet, c1, r1, c2, r2 = m.groups()
    rng = "%s%s:%s%s" % (c1, r1, c2 or c1, r2 or r1)
    return [c.value for row in wb[sheet][rng] for c in row]


def title_of(chart):
    rich = chart.title.tx.rich
    return "".join(r.t for p in rich.p for r in (p.r or []))


def series_name(wb, s):
    return cells(wb, s.tx.strRef.f)[0]


def nearest_rank(values, pct):
    v = sorted(values)
    return v[math.ceil(pct / 100 * len(v)) - 1]


def median(values):
    v, n = sorted(values), len(values)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


class WorkbookCharts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lite = os.path.join(temp_dir("cw-charts-"), "d")
        shutil.copytree(DATA, cls.lite)
        cls.wb = report(cls.lite)
        cls.charts = cls.wb["Charts"]._charts

    def by_title(self, title):
        found = [c for c in self.charts if title_of(c) == title]
        self.assertTrue(found, "no chart titled %r in %s" % (title, [title_of(c) for c in self.charts]))
        return found

    def org_rows(self, field):
        data = self.wb["Data"]
        head = [c.value for c in data[1]]
        # the period is a date cell (a datetime): its day is the week's Monday
        rows = {str(r[3])[:10]: r[head.index(field)]
                for r in data.iter_rows(min_row=2, values_only=True) if r[0] == "organisation"}
        return [rows.get(w) for w in WEEKS]

    def test_sheets_and_types(self):
        self.assertIn("Chart data", self.wb.sheetnames)
        kinds = {type(c).__name__ for c in self.charts}
        self.assertTrue({"LineChart", "BarChart", "ScatterChart"} <= kinds, kinds)
        for chart in self.charts:
            for s in chart.series:
                ref = (s.val or s.yVal).numRef.f
                self.assertIn("Chart data", ref)
                self.assertTrue(any(v is not None for v in cells(self.wb, ref)) or True)
                self.assertIsNotNone(series_name(self.wb, s))

    def test_dora_keys_follow_the_data_sheet(self):
        # the four keys of the organisation, one line chart each; deploy days per week
        # is the Data sheet's organisation deploy_days, lead time its hours / 24
        deploy = self.by_title("Deploy days, days per week")[0]
        lead = self.by_title("Lead time for changes, median, days")[0]
        self.assertEqual(type(deploy).__name__, "LineChart")
        self.assertEqual(series_name(self.wb, deploy.series[0]), "organisation")
        self.assertEqual(cells(self.wb, deploy.series[0].val.numRef.f), self.org_rows("deploy_days"))
        want = [None if v is None else v / 24 for v in self.org_rows("lead_time_median_h")]
        got = cells(self.wb, lead.series[0].val.numRef.f)
        self.assertEqual(len(got), len(want))
        for g, w in zip(got, want):
            if w is None:
                self.assertIsNone(g)
            else:
                self.assertAlmostEqual(g, w, places=9)
        # the bands' stand-in: dashed lines at the DORA thresholds (1 and 7 days)
        names = [series_name(self.wb, s) for s in lead.series[1:]]
        for name in names:
            self.assertRegex(name, r"^(elite|high|medium|low) from ")
        bounds = sorted({cells(self.wb, s.val.numRef.f)[0] for s in lead.series[1:]})
        self.assertTrue(set(bounds) <= {1, 7, 30}, bounds)

    def test_throughput_by_type_is_stacked(self):
        chart = self.by_title("Items finished per week by flow type")[0]
        self.assertEqual(type(chart).__name__, "BarChart")
        self.assertEqual(chart.grouping, "stacked")
        self.assertEqual([series_name(self.wb, s) for s in chart.series],
                         ["feature", "defect", "risk", "debt"])
        for s, field in zip(chart.series, ["throughput_feature", "throughput_defect",
                                           "throughput_risk", "throughput_debt"]):
            self.assertEqual(cells(self.wb, s.val.numRef.f), self.org_rows(field))

    def test_cycle_time_lines_are_the_percentiles_of_the_points(self):
        charts = [c for c in self.charts if title_of(c) == "Cycle time of the items done in the window"]
        if not charts:
            self.fail("no cycle-time chart: the dataset has items done in the window")
        chart = charts[0]
        self.assertEqual(type(chart).__name__, "ScatterChart")
        points, lines = [], {}
        for s in chart.series:
            name = series_name(self.wb, s)
            ys = [v for v in cells(self.wb, s.yVal.numRef.f) if v is not None]
            if name.startswith("p50") or name.startswith("p85"):
                self.assertEqual(ys[0], ys[1])
                lines[name[:3]] = ys[0]
            else:
                self.assertIn(name, ("feature", "defect", "risk", "debt"))
                points += ys
        self.assertTrue(points)
        self.assertAlmostEqual(lines["p50"], median(points), places=9)
        self.assertAlmostEqual(lines["p85"], nearest_rank(points, 85), places=9)

    def test_cfd_is_the_state_at_each_day_end(self):
        # metrics.md's WIP reading, day by day, straight from the warehouse: the
        # interval holding T = the day's end (from_at < T <= to_at or open);
        # done only when the item's end is in [from, T)
        rows = list(self.wb["Chart data"].iter_rows(values_only=True))
        start = next(i for i, r in enumerate(rows) if r[0] == "Cumulative flow: items per state, day by day")
        self.assertEqual(rows[start][1:5], ("done", "waiting", "active", "to do"))
        con = sqlite3.connect(os.path.join(self.lite, "catwalk.db"))
        intervals = con.execute(
            "SELECT i.category, i.waiting, i.from_at, i.to_at, dw.end_at FROM derived_status_interval i"
            " JOIN derived_work_item dw ON dw.work_item_id = i.work_item_id"
            " JOIN dim_work_item w ON w.work_item_id = i.work_item_id"
            " JOIN dim_application a ON a.application_id = w.application_id AND a.configured = 1").fetchall()
        con.close()
        lo = int(datetime.datetime(2026, 2, 2, tzinfo=datetime.timezone.utc).timestamp())
        days = (int(datetime.datetime(2026, 3, 16, tzinfo=datetime.timezone.utc).timestamp()) - lo) // 86400
        seen = 0
        for k in range(days):
            t = lo + (k + 1) * 86400
            want = {"done": 0, "waiting": 0, "active": 0, "todo": 0}
            for cat, waiting, f, to, end in intervals:
                if not (f < t and (to is None or to >= t)):
                    continue
                if cat == "done":
                    if end is not None and lo <= end < t:
                        want["done"] += 1
                else:
                    want["todo" if cat == "todo" else "waiting" if waiting else "active"] += 1
            got = rows[start + 1 + k]
            self.assertEqual(got[1:5], (want["done"], want["waiting"], want["active"], want["todo"]),
                             got[0])
            seen += sum(want.values())
        self.assertGreater(seen, 0)

    def test_postgresql_draws_the_same_data(self):
        if not te.PG_URI:
            self.fail("CW_PG_URI is not set: run through `make e2e` (tests/pg/pg.sh start DIR)")
        pg = os.path.join(temp_dir("cw-charts-pg-"), "d")
        shutil.copytree(DATA, pg)
        other = report(pg, pg=True)
        mine = [[c for c in r] for r in self.wb["Chart data"].iter_rows(values_only=True)]
        theirs = [[c for c in r] for r in other["Chart data"].iter_rows(values_only=True)]
        self.assertEqual(len(mine), len(theirs))
        for a, b in zip(mine, theirs):
            self.assertEqual(len(a), len(b))
            for x, y in zip(a, b):
                if isinstance(x, float) or isinstance(y, float):
                    self.assertAlmostEqual(x, y, places=6)
                else:
                    self.assertEqual(x, y)


if __name__ == "__main__":
    run_suite("charts")
