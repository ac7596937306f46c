"""routes_gitlab.py - GitLab REST v4 over real recorded items.

DATA/gitlab/ holds copies of the DevLake raw-table CSVs of
tests/fixtures/gitlab/ (one API item per row, in the `data` cell);
when it has none, they are read from $CW_FIXTURES/gitlab/.
Any project id or path serves the same items.

  GET /api/v4/projects/:id/merge_requests   state=all|opened|closed|merged|locked,
                                            updated_after, order_by=created_at|updated_at, sort
  GET /api/v4/projects/:id/merge_requests/:iid/commits   the MR's recorded commits
  GET /api/v4/projects/:id/merge_requests/:iid/notes     the MR's recorded notes ([] when none)
  GET /api/v4/projects/:id/pipelines        updated_after, order_by=id|updated_at, sort
  GET /api/v4/projects/:id/pipelines/:pid   the single-pipeline detail
  GET /api/v4/projects/:id/deployments      updated_after (needs order_by=updated_at, as
                                            GitLab requires), sort
The pipelines list holds the recorded list items plus the list shape of the
recorded details (the two recordings name different pipelines).  A detail
that was not recorded is synthesised from its list item with no timings
(started_at, finished_at and duration null, as GitLab sends for a pipeline
that never ran).  Lists take per_page (default 20, at most 100) and page,
and answer with GitLab's headers: X-Page, X-Per-Page, X-Next-Page,
X-Prev-Page, X-Total, X-Total-Pages, Link, and RateLimit-*.

Quirk, when DATA/gitlab/quirks.json says {"next_page_on_last": true}: the
last page still carries X-Next-Page (gitlab #471566), pointing at an empty
page; a client must stop on the empty or short page.
"""
import email.utils
import glob
import json
import os
import time
import urllib.parse

from replay_common import (Counter, devlake_items, devlake_items_by_input, json_response,
                           page_of, per_data_dir, recording_dir)

PROJECT = r"/api/v4/projects/(.+)"
LIST_KEYS = ("id", "iid", "project_id", "sha", "ref", "status", "source", "created_at",
             "updated_at", "web_url")

_observed = Counter()


def _json(status, obj, headers=()):
    return json_response(status, obj, "application/json", headers)


def _error(status, message):
    return _json(status, {"message": message} if status != 400 else {"error": message})


def _items(data_dir, name):
    path = os.path.join(recording_dir(data_dir, "gitlab"), "devlake_raw_gitlab_api_%s.csv" % name)
    if not os.path.exists(path):
        return []
    return devlake_items(path)


@per_data_dir
def _data(data_dir):
    details = {p["id"]: p for p in _items(data_dir, "pipeline_details")}
    pipelines = {p["id"]: p for p in _items(data_dir, "pipeline")}
    for pid, detail in details.items():
        pipelines.setdefault(pid, {k: detail.get(k) for k in LIST_KEYS})
    quirks = {}
    quirk_path = os.path.join(data_dir, "gitlab", "quirks.json")
    if os.path.exists(quirk_path):
        with open(quirk_path, encoding="utf-8") as f:
            quirks = json.load(f)
    data = {
        "merge_requests": _items(data_dir, "merge_requests"),
        "pipelines": list(pipelines.values()),
        "details": details,
        "deployments": _items(data_dir, "deployments"),
        "quirks": quirks,
        "mr_commits": _by_merge_request(data_dir, "merge_request_commits"),
        "mr_notes": _by_merge_request(data_dir, "merge_request_notes"),
    }
    return data


def _by_merge_request(data_dir, name):
    """{iid: [items]} of the DevLake CSVs of name (the whole file or an excerpt)."""
    out = {}
    pattern = os.path.join(recording_dir(data_dir, "gitlab"), "devlake_raw_gitlab_api_%s*.csv" % name)
    for path in sorted(glob.glob(pattern)):
        for iid, items in devlake_items_by_input(path, "Iid").items():
            out.setdefault(iid, []).extend(items)
    return out


def _rate_headers():
    observed = _observed.next()
    reset = int(time.time()) + 60
    return [("RateLimit-Limit", "2000"), ("RateLimit-Observed", str(observed)),
            ("RateLimit-Remaining", str(max(0, 2000 - observed))), ("RateLimit-Reset", str(reset)),
            ("RateLimit-ResetTime", email.utils.formatdate(reset, usegmt=True))]


def _page_url(req, page, per_page):
    query = [(k, v) for k, vs in req.query.items() for v in vs if k not in ("page", "per_page")]
    query += [("page", str(page)), ("per_page", str(per_page))]
    return "%s%s?%s" % (req.base_url, urllib.parse.quote(req.path), urllib.parse.urlencode(query))


def _paginate(req, items):
    data = _data(req.data_dir)
    try:
        per_page, page, total_pages, chunk = page_of(req, items, 20)
    except ValueError:
        return _error(400, "page and per_page must be integers")
    has_next = page < total_pages or (data["quirks"].get("next_page_on_last") and chunk)
    headers = [("X-Page", str(page)), ("X-Per-Page", str(per_page)),
               ("X-Next-Page", str(page + 1) if has_next else ""),
               ("X-Prev-Page", str(page - 1) if page > 1 else ""),
               ("X-Total", str(len(items))), ("X-Total-Pages", str(total_pages))]
    links = []
    if has_next:
        links.append('<%s>; rel="next"' % _page_url(req, page + 1, per_page))
    if page > 1:
        links.append('<%s>; rel="prev"' % _page_url(req, page - 1, per_page))
    links.append('<%s>; rel="first"' % _page_url(req, 1, per_page))
    links.append('<%s>; rel="last"' % _page_url(req, total_pages, per_page))
    headers.append(("Link", ", ".join(links)))
    return _json(200, chunk, headers + _rate_headers())


def _filtered(req, items, default_order):
    """updated_after, then order_by/sort (GitLab's default: newest first)."""
    after = req.arg("updated_after", "")
    if after:
        after = after.replace("+00:00", "Z")
        items = [i for i in items if i.get("updated_at") and i["updated_at"][:19] >= after[:19]]
    field = req.arg("order_by", default_order)
    if field not in ("id", "created_at", "updated_at"):
        raise ValueError("order_by does not have a valid value")
    descending = req.arg("sort", "desc") == "desc"
    return sorted(items, key=lambda i: (i.get(field) or "", i["id"]) if field != "id" else i["id"],
                  reverse=descending)


def merge_requests(req):
    state = req.arg("state", "all")
    if state not in ("all", "opened", "closed", "merged", "locked"):
        return _error(400, "state does not have a valid value")
    items = [m for m in _data(req.data_dir)["merge_requests"] if state in ("all", m["state"])]
    try:
        return _paginate(req, _filtered(req, items, "created_at"))
    except ValueError as e:
        return _error(400, str(e))


def pipelines(req):
    try:
        return _paginate(req, _filtered(req, _data(req.data_dir)["pipelines"], "id"))
    except ValueError as e:
        return _error(400, str(e))


def pipeline(req):
    pid = int(req.match.group(2))
    data = _data(req.data_dir)
    if pid in data["details"]:
        return _json(200, data["details"][pid], _rate_headers())
    for p in data["pipelines"]:
        if p["id"] == pid:
            detail = dict(p, before_sha="0" * 40, tag=False, yaml_errors=None, user=None,
                          started_at=None, finished_at=None, committed_at=None, duration=None,
                          queued_duration=None, coverage=None,
                          detailed_status={"group": p["status"], "label": p["status"]})
            return _json(200, detail, _rate_headers())
    return _error(404, "404 Not found")


def merge_request_part(part):
    def handler(req):
        return _paginate(req, _data(req.data_dir)[part].get(int(req.match.group(2)), []))
    return handler


def deployments(req):
    if req.arg("updated_after") and req.arg("order_by") != "updated_at":
        return _error(400, "`updated_at` filter requires `updated_at` sort")
    try:
        return _paginate(req, _filtered(req, _data(req.data_dir)["deployments"], "id"))
    except ValueError as e:
        return _error(400, str(e))


ROUTES = [
    ("GET", PROJECT + r"/merge_requests", merge_requests),
    ("GET", PROJECT + r"/merge_requests/(\d+)/commits", merge_request_part("mr_commits")),
    ("GET", PROJECT + r"/merge_requests/(\d+)/notes", merge_request_part("mr_notes")),
    ("GET", PROJECT + r"/pipelines", pipelines),
    ("GET", PROJECT + r"/pipelines/(\d+)", pipeline),
    ("GET", PROJECT + r"/deployments", deployments),
]
