"""routes_pagerduty.py - PagerDuty REST v2 GET /incidents over the demo's pages.

Serves every incident of DATA/exports/pagerduty/*.json (pages, arrays or
single incidents; one copy per id) with PagerDuty's parameters:
  since, until        created_at in [since, until); a range longer than
                      6 calendar months (184 days) is a 400, as PagerDuty refuses it
  service_ids[]       only those services
  sort_by             created_at (default order), created_at:desc
  limit, offset       limit at most 100; offset + limit above the cap is a
                      400 "Offset must be less than ..." - the cap is 10000,
                      or $CW_REPLAY_PD_MAX_OFFSET for tests of the split
  total=true          `total` counted, else null; `more` as PagerDuty sends it
  time_zone           UTC only (times are served as stored, in Z)
The versioned Accept header is required (a 400 otherwise), so a client that
forgets it fails here rather than against PagerDuty.
"""
import datetime
import glob
import json
import os

ACCEPT = "application/vnd.pagerduty+json;version=2"
MAX_RANGE = datetime.timedelta(days=184)  # six calendar months can span 184 days (Jul-Dec)


def _json(status, obj):
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", "application/json; charset=utf-8")], body


def _error(status, message, errors=()):
    return _json(status, {"error": {"message": message, "code": 2001, "errors": list(errors)}})


def _time(text):
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


def _load(data_dir):
    seen = {}
    for path in sorted(glob.glob(os.path.join(data_dir, "exports", "pagerduty", "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if isinstance(doc, dict):
            doc = doc.get("incidents") or ([doc["incident"]] if "incident" in doc else [doc])
        for inc in doc:
            seen[inc["id"]] = inc
    return list(seen.values())


def _header(req, name):
    for k, v in req.headers.items():
        if k.lower() == name.lower():
            return v
    return None


def _int(req, name, default):
    return int(req.query.get(name, [default])[0])


def incidents(req):
    if (_header(req, "Accept") or "").replace(" ", "") != ACCEPT:
        return _error(400, "Invalid Input Provided", ["Accept must be " + ACCEPT])
    if req.query.get("time_zone", ["UTC"])[0] != "UTC":
        return _error(400, "Invalid Input Provided", ["this replay serves UTC only"])
    try:
        limit, offset = _int(req, "limit", 25), _int(req, "offset", 0)
        since = req.query.get("since", [None])[0]
        until = req.query.get("until", [None])[0]
        since, until = (_time(since) if since else None), (_time(until) if until else None)
    except ValueError as e:
        return _error(400, "Invalid Input Provided", [str(e)])
    cap = int(os.environ.get("CW_REPLAY_PD_MAX_OFFSET", "10000"))
    if limit < 1 or limit > 100 or offset < 0:
        return _error(400, "Invalid Input Provided", ["limit must be 1..100, offset >= 0"])
    if offset + limit > cap:
        return _error(400, "Invalid Input Provided", ["Offset must be less than %d." % (cap + 1)])
    if since and until and until - since > MAX_RANGE:
        return _error(400, "Invalid Input Provided", ["Date range must be at most 6 months"])
    services = set(req.query.get("service_ids[]", []))
    rows = [i for i in _load(req.data_dir)
            if (not since or _time(i["created_at"]) >= since)
            and (not until or _time(i["created_at"]) < until)
            and (not services or i.get("service", {}).get("id") in services)]
    rows.sort(key=lambda i: (_time(i["created_at"]), i["id"]),
              reverse=req.query.get("sort_by", [""])[0].endswith(":desc"))
    page = rows[offset:offset + limit]
    total = len(rows) if req.query.get("total", ["false"])[0] == "true" else None
    return _json(200, {"incidents": page, "limit": limit, "offset": offset,
                       "more": offset + len(page) < len(rows), "total": total})


ROUTES = [
    ("GET", r"^/incidents$", incidents),
]
