"""replay_common.py - what the route modules of the replay server share.

Not a route module itself (the server loads routes_*.py only): helpers the
GitHub and GitLab routes both need to serve DevLake recordings as a REST
API.  Python 3 standard library only.
"""
import csv
import functools
import glob
import json
import os
import threading


def json_response(status, obj, content_type, headers=()):
    """(status, headers, body) for a JSON body, with this API's Content-Type."""
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", content_type)] + list(headers), body


def recording_dir(data_dir, api):
    """DATA/<api>/ when it holds DevLake CSVs (or no $CW_FIXTURES is set),
    else $CW_FIXTURES/<api>/, so a demo data dir serves the API too."""
    own = os.path.join(data_dir, api)
    if glob.glob(os.path.join(own, "*.csv")) or not os.environ.get("CW_FIXTURES"):
        return own
    return os.path.join(os.environ["CW_FIXTURES"], api)


def devlake_items(path):
    """The parsed `data` cells of one DevLake raw-table CSV, one API item a row."""
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8", newline="") as f:
        return [json.loads(row["data"]) for row in csv.DictReader(f)]


def devlake_items_by_input(path, key):
    """{input[key]: [items]} of one DevLake raw-table CSV whose rows name their
    parent in `input` ({"Number": 23} for a pull request's commits), each
    list in recorded order, a row recorded twice kept once (the last)."""
    csv.field_size_limit(1 << 30)
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            item = json.loads(row["data"])
            parent = json.loads(row["input"])[key]
            items = out.setdefault(parent, [])
            ident = item.get("sha") or item.get("id")
            items[:] = [i for i in items if (i.get("sha") or i.get("id")) != ident]
            items.append(item)
    return out


def per_data_dir(load):
    """Decorator: load(data_dir) runs once per data dir; every later call,
    from any of the server's threads, gets what it returned."""
    lock = threading.Lock()
    cache = {}

    @functools.wraps(load)
    def cached(data_dir):
        with lock:
            if data_dir in cache:
                return cache[data_dir]
        data = load(data_dir)
        with lock:
            return cache.setdefault(data_dir, data)
    return cached


class Counter:
    """A count shared by the server's threads (requests served so far)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._n = 0

    def next(self):
        with self._lock:
            self._n += 1
            return self._n


def page_of(req, items, default_per_page):
    """(per_page, page, last page, the page's items) of a list request:
    per_page 1..100, pages from 1, at least one page (maybe empty).
    Raises ValueError when per_page or page is not an integer."""
    per_page = min(100, max(1, int(req.arg("per_page", str(default_per_page)))))
    page = max(1, int(req.arg("page", "1")))
    last = max(1, (len(items) + per_page - 1) // per_page)
    return per_page, page, last, items[(page - 1) * per_page:page * per_page]
