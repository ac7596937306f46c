"""routes_servicenow.py - the ServiceNow Table API over the demo's CSV export.

DATA/exports/servicenow/incident.csv is a list export of the audit history:
several rows per incident, local times of a user in Europe/London.  The
table holds one record per incident, so the latest row per number
(sys_mod_count, then sys_updated_at) becomes a Table API record: times in
UTC "yyyy-MM-dd HH:mm:ss" (sys_*_at renamed to the real sys_created_on /
sys_updated_on), every value a string, a sys_id derived from the number.

  GET /api/now/table/incident (any other table: 400 "Invalid table")
    sysparm_display_value  false: raw values (a choice is its number, a
                           reference its sys_id); true: labels (times in
                           London local form, as the user sees them); all:
                           {"display_value", "value"} for every field
    sysparm_exclude_reference_link  false adds "link" to references
    sysparm_query          encoded query: field=v, !=, >=, <=, >, <, ^ for
                           AND, ^OR, ORDERBY<f>, ORDERBYDESC<f>, and
                           javascript:gs.dateGenerate('d','t') values;
                           anything else is a 400 (ServiceNow would ignore
                           it and return every row, which hides bugs)
    sysparm_fields, sysparm_limit (default 10000), sysparm_offset
Headers: X-Total-Count and Link (first, prev, next, last), as ServiceNow.

ACLs: $CW_REPLAY_SN_HIDDEN (comma-separated numbers) are incidents the
caller may not read.  As ServiceNow does (KB0718678, KB3047115), they are
removed from each page after sysparm_limit/sysparm_offset have cut it, so a
page may hold fewer rows than the limit, or none, while X-Total-Count and
Link still count them and more pages follow.  $CW_REPLAY_SN_NO_LINK=1 drops
the Link header (a proxy that strips it), leaving X-Total-Count.
"""
import csv
import datetime
import hashlib
import json
import os
import re
import urllib.parse
import zoneinfo

LONDON = zoneinfo.ZoneInfo("Europe/London")
TIMES = ("opened_at", "resolved_at", "closed_at", "sys_created_on", "sys_updated_on")
RENAMED = {"sys_created_at": "sys_created_on", "sys_updated_at": "sys_updated_on"}
REFERENCES = ("caller_id", "opened_by", "assignment_group", "assigned_to", "resolved_by",
              "business_service", "cmdb_ci")
STATES = {"new": "1", "active": "2", "in progress": "2", "on hold": "3", "resolved": "6",
          "closed": "7", "canceled": "8"}
BOOLEANS = ("active", "made_sla")


def _json(status, obj, headers=()):
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", "application/json;charset=UTF-8")] + list(headers), body


def _error(status, message):
    return _json(status, {"error": {"message": message, "detail": None}, "status": "failure"})


def _sys_id(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _utc(local):
    t = datetime.datetime.strptime(local, "%Y-%m-%d %H:%M:%S").replace(tzinfo=LONDON)
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _field(name, text):
    """(value, display_value) of one CSV cell."""
    if text == "":
        return "", ""
    if name in TIMES:
        return _utc(text), text
    if name in ("incident_state", "state"):
        return STATES.get(text.lower(), text), text
    if name in REFERENCES:
        return _sys_id(name + ":" + text), text
    if name in BOOLEANS:
        return text.lower(), text.lower()
    m = re.match(r"^(\d+) - ", text)
    if m:                                   # a choice exported as "2 - High"
        return m.group(1), text
    return text, text


def _load(data_dir):
    latest = {}
    with open(os.path.join(data_dir, "exports", "servicenow", "incident.csv"),
              encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            key = (int(row["sys_mod_count"] or 0), row["sys_updated_at"])
            old = latest.get(row["number"])
            if old is None or key >= old[0]:
                latest[row["number"]] = (key, row)
    records = []
    for number, (_, row) in latest.items():
        rec = {"sys_id": (_sys_id(number), _sys_id(number))}
        for name, text in row.items():
            name = RENAMED.get(name, name)
            rec[name] = _field(name, text)
        rec["state"] = rec["incident_state"]
        records.append(rec)
    return records


# ------------------------------------------------------------------ sysparm_query

DATE_GENERATE = re.compile(r"^javascript:gs\.dateGenerate\('([\d-]+)','([\d:]+)'\)$")
CONDITION = re.compile(r"^([a-z_]+)(!=|>=|<=|=|>|<)(.*)$")
OPS = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, ">=": lambda a, b: a >= b,
       "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b}


def _parse_query(text):
    """-> ([[(field, op, value), ...OR-group], ...AND], [(field, descending)])"""
    groups, order = [], []
    for part in text.split("^") if text else []:
        if part.startswith("ORDERBYDESC"):
            order.append((part[11:], True))
            continue
        if part.startswith("ORDERBY"):
            order.append((part[7:], False))
            continue
        is_or = part.startswith("OR") and groups and CONDITION.match(part[2:])
        m = CONDITION.match(part[2:] if is_or else part)
        if not m:
            raise ValueError("unsupported condition '%s'" % part)
        field, op, value = m.groups()
        d = DATE_GENERATE.match(value)
        if d:
            value = d.group(1) + " " + d.group(2)
        if is_or:
            groups[-1].append((field, op, value))
        else:
            groups.append([(field, op, value)])
    return groups, order


def _matches(rec, groups):
    return all(any(OPS[op](rec.get(f, ("", ""))[0], v) for f, op, v in g) for g in groups)


def _render(rec, mode, links, base, fields):
    out = {}
    for name, (value, display) in rec.items():
        if fields and name not in fields:
            continue
        if mode == "true":
            out[name] = display
        elif mode == "all":
            out[name] = {"display_value": display, "value": value}
        else:
            out[name] = value
        if links and name in REFERENCES and value:
            link = "%s/api/now/table/%s/%s" % (base, name, value)
            out[name] = dict(out[name], link=link) if isinstance(out[name], dict) \
                else {"link": link, "value": value}
    return out


def _link_header(req, offset, limit, total):
    def at(off, rel):
        q = {k: v[0] for k, v in req.query.items()}
        q["sysparm_offset"] = str(off)
        return '<%s%s?%s>;rel="%s"' % (req.base_url, req.path, urllib.parse.urlencode(q), rel)
    links = [at(0, "first")]
    if offset > 0:
        links.append(at(max(offset - limit, 0), "prev"))
    if offset + limit < total:
        links.append(at(offset + limit, "next"))
    links.append(at(max((total - 1) // limit * limit, 0), "last"))
    return ",".join(links)


def table(req):
    name = req.path.rsplit("/", 1)[-1]
    if name != "incident":
        return _error(400, "Invalid table %s" % name)
    q = {k: v[0] for k, v in req.query.items()}
    try:
        groups, order = _parse_query(q.get("sysparm_query", ""))
        limit, offset = int(q.get("sysparm_limit", 10000)), int(q.get("sysparm_offset", 0))
    except ValueError as e:
        return _error(400, str(e))
    rows = [r for r in _load(req.data_dir) if _matches(r, groups)]
    for field, desc in reversed(order):
        rows.sort(key=lambda r: r.get(field, ("", ""))[0], reverse=desc)
    fields = set(q["sysparm_fields"].split(",")) if q.get("sysparm_fields") else None
    links = q.get("sysparm_exclude_reference_link", "false") != "true"
    mode = q.get("sysparm_display_value", "false")
    hidden = set(filter(None, os.environ.get("CW_REPLAY_SN_HIDDEN", "").split(",")))
    page = [_render(r, mode, links, req.base_url, fields) for r in rows[offset:offset + limit]
            if r["number"][0] not in hidden]
    headers = [("X-Total-Count", str(len(rows)))]
    if os.environ.get("CW_REPLAY_SN_NO_LINK") != "1":
        headers.append(("Link", _link_header(req, offset, max(limit, 1), len(rows))))
    return _json(200, {"result": page}, headers)


ROUTES = [
    ("GET", r"^/api/now/table/[a-z_0-9]+$", table),
]
