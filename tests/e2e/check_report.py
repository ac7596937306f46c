#!/usr/bin/python3
"""check_report.py - check a weekly report pair as a reader's tools see it.

    check_report.py FILE.xlsx FILE.html [--expect-text T]... [--expect-number N]...
                    [--expect-level L]...

The workbook is read back with openpyxl (an independent reader, not
libxlsxwriter): the sheets exist, no cell anywhere is a formula (catwalk
writes none, so text such as "=1+2" must come back as a string), every
metric sheet has a native chart, the Data sheet has frozen panes and an
autofilter over its header, its header row repeated on printed pages and
its periods as dates (not text), and the document properties name catwalk.
The HTML page must be self-contained: no script, no external resource
(images only as PNG data: URIs, links only to web pages), and no hand-drawn
SVG once PNG charts are there.  The --expect options name values the caller
put into the warehouse or model:
    --expect-text T    some cell holds exactly T, as a string (data_type 's')
    --expect-number N  some numeric cell of the Data sheet equals N
    --expect-level L   the Summary sheet shows DORA level L
    --expect-sheet-number SHEET=N
                       some numeric cell of sheet SHEET equals N
    --expect-chart SHEET
                       sheet SHEET has a native chart
Exits 0 when every check passes, 1 with one line per failure otherwise.
"""
import argparse
import re
import sys

import openpyxl

SHEETS = ["Summary", "Deployment frequency", "Lead time", "Change failure", "Restore",
          "Flow", "Audit", "Data"]
METRIC_SHEETS = SHEETS[1:6]
DATA_HEADER = ["scope", "name", "team", "period", "deployments", "deploy_days",
               "deploy_failures", "lead_time_count", "lead_time_median_h", "lead_time_p90_h",
               "failed_deployments", "change_failure_rate", "incidents", "restore_count",
               "restore_median_h", "restore_p90_h", "throughput", "wip", "cycle_time_count",
               "cycle_time_median_h", "cycle_time_p85_h", "flow_efficiency"]


def all_cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws, cell


def check_xlsx(path, args, fail):
    wb = openpyxl.load_workbook(path)
    for name in SHEETS:
        if name not in wb.sheetnames:
            fail(f"{path}: no sheet {name!r} (has {wb.sheetnames})")
    for ws, cell in all_cells(wb):
        if cell.data_type == "f":
            fail(f"{path}: {ws.title}!{cell.coordinate} is a formula: {cell.value!r}")
    for name in METRIC_SHEETS:
        if name in wb.sheetnames and len(wb[name]._charts) < 1:
            fail(f"{path}: sheet {name!r} has no chart")
    if "Data" in wb.sheetnames:
        data = wb["Data"]
        header = [c.value for c in data[1]][:len(DATA_HEADER)]
        if header != DATA_HEADER:
            fail(f"{path}: Data header is {header}")
        if not data.freeze_panes:
            fail(f"{path}: Data sheet has no frozen panes")
        if not data.auto_filter.ref or not data.auto_filter.ref.startswith("A1:"):
            fail(f"{path}: Data sheet has no autofilter from A1 (ref {data.auto_filter.ref!r})")
        if data.print_title_rows != "$1:$1":
            fail(f"{path}: Data sheet does not repeat its header row ({data.print_title_rows!r})")
        for cell in data["D"][1:]:
            if cell.value is not None and not cell.is_date:
                fail(f"{path}: Data!{cell.coordinate} period {cell.value!r} is not a date")
                break
    if wb.properties.creator != "catwalk":
        fail(f"{path}: document author is {wb.properties.creator!r}, not 'catwalk'")
    for text in args.expect_text:
        hits = [(ws.title, c) for ws, c in all_cells(wb) if c.value == text]
        if not hits:
            fail(f"{path}: no cell holds {text!r}")
        for title, c in hits:
            if c.data_type != "s":
                fail(f"{path}: {title}!{c.coordinate} {text!r} has type {c.data_type!r}, not 's'")
    for number in args.expect_number:
        if "Data" in wb.sheetnames and not any(
                isinstance(c.value, (int, float)) and abs(c.value - number) < 1e-9
                for row in wb["Data"].iter_rows(min_row=2) for c in row):
            fail(f"{path}: the Data sheet has no number {number}")
    for spec in args.expect_sheet_number:
        sheet, number = spec.rsplit("=", 1)
        if sheet not in wb.sheetnames or not any(
                isinstance(c.value, (int, float)) and abs(c.value - float(number)) < 1e-9
                for row in wb[sheet].iter_rows() for c in row):
            fail(f"{path}: sheet {sheet!r} has no number {number}")
    for sheet in args.expect_chart:
        if sheet not in wb.sheetnames or len(wb[sheet]._charts) < 1:
            fail(f"{path}: sheet {sheet!r} has no chart")
    for level in args.expect_level:
        if "Summary" in wb.sheetnames and not any(
                c.value == level for row in wb["Summary"].iter_rows() for c in row):
            fail(f"{path}: the Summary sheet shows no level {level!r}")


def check_html(path, args, fail):
    with open(path, encoding="utf-8") as f:
        page = f.read()
    lower = page.lower()
    for bad in ("<script", "<link", "<iframe", "<object", "@import", "url("):
        if bad in lower:
            fail(f"{path}: contains {bad!r}")
    # Nothing is loaded from elsewhere: an image is a PNG data: URI (the
    # charts of cw_report_images); a link is one the reader follows (Jira, CI).
    for attr, value in re.findall(r"\s(src|href)\s*=\s*[\"']?([^\"'\s>]*)", lower):
        if attr == "src" and not value.startswith("data:image/png;base64,"):
            fail(f"{path}: src={value[:60]!r} is not an embedded PNG")
        if attr == "href" and not re.match(r"https?://[^/]", value):
            fail(f"{path}: href={value[:60]!r} is not a web link")
    if "<style>" not in lower:
        fail(f"{path}: no inline CSS")
    if "{{" in page:
        fail(f"{path}: an unfilled placeholder remains")
    svg, png = lower.count("<svg"), lower.count("<img")
    if png and svg:
        fail(f"{path}: {png} PNG charts and still {svg} hand-drawn SVG charts")
    if svg + png < len(METRIC_SHEETS):
        fail(f"{path}: {svg + png} charts, expected at least {len(METRIC_SHEETS)}")
    for level in args.expect_level:
        if f">{level}</td>" not in page:
            fail(f"{path}: the summary shows no level {level!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("xlsx")
    parser.add_argument("html")
    parser.add_argument("--expect-text", action="append", default=[])
    parser.add_argument("--expect-number", action="append", type=float, default=[])
    parser.add_argument("--expect-level", action="append", default=[])
    parser.add_argument("--expect-sheet-number", action="append", default=[])
    parser.add_argument("--expect-chart", action="append", default=[])
    args = parser.parse_args()
    failures = []
    check_xlsx(args.xlsx, args, failures.append)
    check_html(args.html, args, failures.append)
    for f in failures:
        print(f"check_report: {f}", file=sys.stderr)
    print(f"check_report: {'ok' if not failures else f'{len(failures)} failure(s)'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
