"""routes_opsgenie.py - Opsgenie GET /v1/incidents over DATA/exports/opsgenie.

Serves every incident of DATA/exports/opsgenie/*.json (a /v1/incidents page
{data:[...]}, or a plain array; one copy per id) as Opsgenie does
(docs.opsgenie.com, formats.md 0.2 and 7.3):
  limit, offset       limit 1..100 (default 20), offset >= 0
  sort, order         createdAt only; asc or desc (the default)
  query               impactedServices:ID only (what DevLake sends), or none
The body is {data, paging:{first, next}, took, requestId}: there is no
total, and `next` is left out on the last page.
"""
import glob
import json
import os
import urllib.parse


def _json(status, obj):
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", "application/json; charset=utf-8")], body


def _error(status, message):
    return _json(status, {"message": message, "took": 0.001, "requestId": "replay"})


def _load(data_dir):
    seen = {}
    for path in sorted(glob.glob(os.path.join(data_dir, "exports", "opsgenie", "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for inc in (doc.get("data") if isinstance(doc, dict) else doc):
            seen[inc["id"]] = inc
    return list(seen.values())


def incidents(req):
    try:
        limit = int(req.query.get("limit", ["20"])[0])
        offset = int(req.query.get("offset", ["0"])[0])
    except ValueError:
        return _error(422, "limit and offset must be numbers")
    if limit < 1 or limit > 100 or offset < 0:
        return _error(422, "limit must be 1..100, offset >= 0")
    if req.query.get("sort", ["createdAt"])[0] != "createdAt":
        return _error(422, "this replay sorts by createdAt only")
    query = req.query.get("query", [""])[0]
    if query and not query.startswith("impactedServices:"):
        return _error(422, "this replay understands impactedServices:ID only")
    service = query.partition(":")[2]
    rows = [i for i in _load(req.data_dir)
            if not service or service in (i.get("impactedServices") or [])]
    rows.sort(key=lambda i: (i["createdAt"], i["id"]),
              reverse=req.query.get("order", ["desc"])[0] != "asc")
    page = rows[offset:offset + limit]
    base = "/v1/incidents?" + urllib.parse.urlencode(
        {k: v[0] for k, v in req.query.items() if k != "offset"})
    paging = {"first": base + "&offset=0"}
    if offset + limit < len(rows):
        paging["next"] = base + "&offset=%d" % (offset + limit)
    return _json(200, {"data": page, "paging": paging, "took": 0.01, "requestId": "replay"})


ROUTES = [
    ("GET", r"^/v1/incidents$", incidents),
]
