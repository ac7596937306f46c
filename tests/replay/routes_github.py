"""routes_github.py - the GitHub REST API over real recorded items.

DATA/github/ holds copies of the DevLake raw-table CSVs of
tests/fixtures/github/ (one API item per row, in the `data` cell)
and the REST deployments and statuses of tests/data/github/
(deployments.json, statuses-<id>.json).  When DATA/github/ has no CSV, they
are read from $CW_FIXTURES/github/, and deployments and statuses from
tests/data/github/, so a demo data dir serves GitHub too.  Rows recorded twice by DevLake are
served once, as last recorded.  Any owner/repo serves the same items.

  GET /repos/{o}/{r}/pulls            state=all|open|closed, sort=created|updated,
                                      direction=asc|desc
  GET /repos/{o}/{r}/pulls/{n}/commits   the PR's recorded commits (DevLake `input`
                                      Number), oldest first; [] for a PR with none
  GET /repos/{o}/{r}/pulls/{n}/reviews   the PR's recorded reviews; [] when none
  GET /repos/{o}/{r}/commits          since=ISO (committer date >= since), newest first
  GET /repos/{o}/{r}/deployments      newest first
  GET /repos/{o}/{r}/deployments/{id}/statuses   newest first; 404 for an unknown id
  GET /repos/{o}/{r}/actions/runs     {total_count, workflow_runs}; created=>=ISO
All lists take per_page (default 30, at most 100) and page (from 1), and
answer with the real headers: Link (first, prev, next, last, as in the
octokit recording), X-RateLimit-Limit/Remaining/Reset/Used/Resource,
X-GitHub-Api-Version-Selected.  An X-GitHub-Api-Version other than
2022-11-28 is a 400, as GitHub answers for an unsupported version.
"""
import glob
import json
import os
import re
import time
import urllib.parse

from replay_common import (Counter, devlake_items, devlake_items_by_input, json_response,
                           page_of, per_data_dir, recording_dir)

API_VERSION = "2022-11-28"
REPO = r"/repos/[^/]+/[^/]+"

_used = Counter()


def _json(status, obj, headers=()):
    return json_response(status, obj, "application/json; charset=utf-8", headers)


def _error(status, message):
    return _json(status, {"message": message,
                          "documentation_url": "https://docs.github.com/rest"})


HERE = os.path.dirname(os.path.abspath(__file__))


def _json_dir(data_dir):
    own = os.path.join(data_dir, "github")
    if os.path.exists(os.path.join(own, "deployments.json")):
        return own
    return os.path.join(HERE, "..", "data", "github")


def _devlake_items(data_dir, pattern):
    """The parsed `data` cells of the DevLake CSVs matching pattern."""
    items = []
    for path in sorted(glob.glob(os.path.join(recording_dir(data_dir, "github"), pattern))):
        items += devlake_items(path)
    return items


def _unique(items, key):
    """One item per key, the last recorded (as the warehouse keeps the last loaded)."""
    last = {}
    for item in items:
        last[item[key]] = item
    return list(last.values())


def _load_json(path, default):
    if not os.path.exists(path):
        return default
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@per_data_dir
def _data(data_dir):
    d = _json_dir(data_dir)
    statuses = {}
    for path in glob.glob(os.path.join(d, "statuses-*.json")):
        statuses[int(re.search(r"statuses-(\d+)\.json$", path).group(1))] = _load_json(path, [])
    data = {
        "pulls": _unique(_devlake_items(data_dir, "*pull_requests*.csv"), "number"),
        "commits": _unique(_devlake_items(data_dir, "*pull_request_commits*.csv"), "sha"),
        "runs": _unique(_devlake_items(data_dir, "*_runs*.csv"), "id"),
        "deployments": _load_json(os.path.join(d, "deployments.json"), []),
        "statuses": statuses,
        "pull_commits": _by_pull(data_dir, "*pull_request_commits*.csv"),
        "pull_reviews": _by_pull(data_dir, "*pull_request_reviews*.csv"),
    }
    return data


def _by_pull(data_dir, pattern):
    """{PR number: [items]} of the DevLake CSVs matching pattern."""
    out = {}
    for path in sorted(glob.glob(os.path.join(recording_dir(data_dir, "github"), pattern))):
        for number, items in devlake_items_by_input(path, "Number").items():
            out.setdefault(number, []).extend(items)
    return out


def _rate_headers():
    used = _used.next()
    reset = int(time.time()) // 3600 * 3600 + 3600
    return [("X-RateLimit-Limit", "5000"), ("X-RateLimit-Remaining", str(max(0, 5000 - used))),
            ("X-RateLimit-Reset", str(reset)), ("X-RateLimit-Used", str(used)),
            ("X-RateLimit-Resource", "core"), ("X-GitHub-Api-Version-Selected", API_VERSION)]


def _page_url(req, page):
    query = [(k, v) for k, vs in req.query.items() for v in vs if k != "page"]
    query.append(("page", str(page)))
    return "%s%s?%s" % (req.base_url, urllib.parse.quote(req.path),
                        urllib.parse.urlencode(query, safe=":,>=<"))


def _paginate(req, items, wrap=None):
    """One page of items with Link and rate-limit headers (400 on bad paging)."""
    version = req.headers.get("X-GitHub-Api-Version")
    if version and version != API_VERSION:
        return _error(400, "Unsupported API version %s" % version)
    try:
        _, page, last, chunk = page_of(req, items, 30)
    except ValueError:
        return _error(400, "per_page and page must be integers")
    links = []
    if page < last:
        links += ['<%s>; rel="next"' % _page_url(req, page + 1), '<%s>; rel="last"' % _page_url(req, last)]
    if page > 1:
        links += ['<%s>; rel="first"' % _page_url(req, 1), '<%s>; rel="prev"' % _page_url(req, page - 1)]
    headers = _rate_headers() + ([("Link", ", ".join(links))] if links else [])
    return _json(200, wrap(chunk, len(items)) if wrap else chunk, headers)


def _since(req, name):
    """A `since`-like ISO parameter as comparable text ('' when absent)."""
    value = req.arg(name, "")
    return value.replace("+00:00", "Z")


def pulls(req):
    items = list(_data(req.data_dir)["pulls"])
    state = req.arg("state", "open")
    if state in ("open", "closed"):
        items = [p for p in items if p["state"] == state]
    elif state != "all":
        return _error(422, "Validation Failed: state")
    field = "updated_at" if req.arg("sort", "created") == "updated" else "created_at"
    descending = req.arg("direction", "desc" if field == "updated_at" else "asc") == "desc"
    items.sort(key=lambda p: (p[field], p["number"]), reverse=descending)
    return _paginate(req, items)


def commits(req):
    since = _since(req, "since")
    items = [c for c in _data(req.data_dir)["commits"]
             if not since or c["commit"]["committer"]["date"] >= since]
    items.sort(key=lambda c: (c["commit"]["committer"]["date"], c["sha"]), reverse=True)
    return _paginate(req, items)


def pull_part(part):
    def handler(req):
        return _paginate(req, _data(req.data_dir)[part].get(int(req.match.group(1)), []))
    return handler


def deployments(req):
    items = sorted(_data(req.data_dir)["deployments"], key=lambda d: d["id"], reverse=True)
    return _paginate(req, items)


def statuses(req):
    found = _data(req.data_dir)["statuses"].get(int(req.match.group(1)))
    if found is None:
        return _error(404, "Not Found")
    return _paginate(req, found)


def runs(req):
    created = req.arg("created", "")
    since = created[2:] if created.startswith(">=") else ""
    if created and not since:
        return _error(422, "created: only >=ISO is emulated")
    items = [r for r in _data(req.data_dir)["runs"] if not since or r["created_at"] >= since]
    items.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
    return _paginate(req, items, lambda chunk, total: {"total_count": total, "workflow_runs": chunk})


ROUTES = [
    ("GET", REPO + r"/pulls", pulls),
    ("GET", REPO + r"/pulls/(\d+)/commits", pull_part("pull_commits")),
    ("GET", REPO + r"/pulls/(\d+)/reviews", pull_part("pull_reviews")),
    ("GET", REPO + r"/commits", commits),
    ("GET", REPO + r"/deployments", deployments),
    ("GET", REPO + r"/deployments/(\d+)/statuses", statuses),
    ("GET", REPO + r"/actions/runs", runs),
]
