"""routes_jira.py - Jira Cloud and Data Center for the replay server.

Serves the issues of every search page in DATA/exports/jira/*.json (the
layout `catwalk demo` writes, or hand-written pages) through the endpoints
catwalk's live Jira connector calls (formats.md §0.2, §2):

  GET /rest/api/3/search/jql     Cloud: jql, fields, expand, maxResults,
                                 nextPageToken -> {issues, nextPageToken, isLast}.
                                 The token is opaque and MISSING (not null)
                                 on the last page.
  GET /rest/api/{2,3}/search     classic (Data Center): startAt, maxResults
                                 -> {expand, startAt, maxResults, total, issues}
  GET /rest/api/{2,3}/issue/{key or id}/changelog
                                 startAt, maxResults -> {self, maxResults,
                                 startAt, total, isLast, values}, oldest first
  GET /rest/api/{2,3}/field      field definitions (a fixed list: system fields
                                 and the story point and sprint custom fields)
  GET /rest/api/{2,3}/status     the status list: every status the issues carry,
                                 with its statusCategory (an id is made up,
                                 10000 + position by name, when the data has none)
  GET /rest/api/{2,3}/project/{key}/versions
                                 the project's versions, from the fixVersions
                                 its issues carry ([] for a project without)

As real Jira does, search returns an issue's changelog only with
expand=changelog and caps it: histories beyond CHANGELOG_CAP are left out and
`total` says how many there are, so the client must page the changelog
endpoint for the rest.  The cap comes from the environment of the server,
CW_REPLAY_JIRA_CHANGELOG_CAP (default 3, "0" = no cap), so no query can
change it.  CW_REPLAY_JIRA_NO_ISLAST=1 drops `isLast` from Cloud pages, so
only the missing nextPageToken can end the paging.

`fields` is honoured: an explicit list keeps only those fields, *all and
*navigable keep every field; without it Cloud returns id, key and self only
and Data Center returns every field.

JQL: a minimal parser for what catwalk sends -- `project in (...)`,
`project = X`, `updated >= "yyyy-MM-dd HH:mm"` (the server's user zone is
UTC), joined by AND, in parentheses or not, and `ORDER BY updated|created|key
[ASC|DESC]`.  Anything else is a 400 with Jira's error body, so a query the
server does not understand fails the test instead of returning everything.
Python 3 standard library only.
"""

import base64
import datetime
import glob
import json
import os
import re
import threading

MAX_RESULTS = 100          # Jira Cloud cuts maxResults above 100
DEFAULT_MAX_RESULTS = 50

_cache = {}
_cache_lock = threading.Lock()


# ------------------------------------------------------------------ data

def _signature(files):
    return tuple((f, os.stat(f).st_mtime_ns, os.stat(f).st_size) for f in files)


def _parse_time(text):
    """Jira's 2026-10-28T10:49:45.415+0530 (or Z / +05:30) as an aware datetime."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+0000"
    m = re.fullmatch(r"(.*[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)([+-]\d\d):?(\d\d)", text)
    if m:
        text = m.group(1) + m.group(2) + m.group(3)
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"):
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise ValueError("unreadable Jira time %r" % text)


class _Issue:
    """One issue with what the routes sort and filter on, parsed once."""

    def __init__(self, raw):
        fields = raw["fields"]
        self.raw = raw
        self.project = (fields.get("project") or {}).get("key") or raw["key"].rsplit("-", 1)[0]
        self.updated = _parse_time(fields["updated"])
        self.created = _parse_time(fields["created"])
        self.id = int(raw["id"])
        prefix, _, number = raw["key"].rpartition("-")
        self.key_order = (prefix, int(number) if number.isdigit() else 0)


class _Data:
    def __init__(self, issues):
        self.issues = issues
        self.by_ref = {}
        for issue in issues:
            self.by_ref[issue.raw["key"]] = issue
            self.by_ref[str(issue.raw["id"])] = issue


def _load(data_dir):
    """Every issue of DATA/exports/jira/*.json, in file order, cached until a file changes."""
    files = sorted(glob.glob(os.path.join(data_dir, "exports", "jira", "*.json")))
    sig = _signature(files)
    with _cache_lock:
        hit = _cache.get(data_dir)
        if hit and hit[0] == sig:
            return hit[1]
    issues = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        page = doc.get("issues") if isinstance(doc, dict) else doc
        for issue in page or []:
            if isinstance(issue, dict) and "key" in issue and "fields" in issue:
                issues.append(_Issue(issue))
    data = _Data(issues)
    with _cache_lock:
        _cache[data_dir] = (sig, data)
    return data


def _changelog_cap():
    try:
        return int(os.environ.get("CW_REPLAY_JIRA_CHANGELOG_CAP", "3"))
    except ValueError:
        return 3


def _histories_oldest_first(issue):
    histories = list(((issue.get("changelog") or {}).get("histories")) or [])
    return sorted(histories, key=lambda h: (_parse_time(h["created"]), str(h.get("id", ""))))


# ------------------------------------------------------------------ JQL

class JqlError(ValueError):
    pass


_ORDER = re.compile(r"\s+ORDER\s+BY\s+(\w+)(?:\s+(ASC|DESC))?\s*$", re.I)
_PROJECT_IN = re.compile(r"project\s+in\s*\(([^)]*)\)", re.I)
_PROJECT_EQ = re.compile(r"project\s*=\s*(\"[^\"]*\"|'[^']*'|\w+)", re.I)
_UPDATED = re.compile(r"updated\s*>=\s*\"([^\"]*)\"", re.I)


def _unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _jql_date(text):
    for fmt in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(text, fmt).replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            pass
    raise JqlError("Date value '%s' for field 'updated' is invalid." % text)


def parse_jql(jql):
    """(projects or None, updated_since or None, order field, descending)."""
    jql = " " + (jql or "")
    order, desc = None, False
    m = _ORDER.search(jql)
    if m:
        order, desc = m.group(1).lower(), (m.group(2) or "").upper() == "DESC"
        if order not in ("updated", "created", "key"):
            raise JqlError("Not able to sort using field '%s'." % m.group(1))
        jql = jql[:m.start()]
    projects, since = None, None
    for regex in (_PROJECT_IN, _PROJECT_EQ):
        for pm in regex.finditer(jql):
            names = [_unquote(v) for v in pm.group(1).split(",") if v.strip()]
            projects = set(names) if projects is None else projects & set(names)
    for um in _UPDATED.finditer(jql):
        when = _jql_date(um.group(1))
        since = when if since is None else max(since, when)
    rest = _UPDATED.sub(" ", _PROJECT_EQ.sub(" ", _PROJECT_IN.sub(" ", jql)))
    rest = re.sub(r"\bAND\b|[()]", " ", rest, flags=re.I).strip()
    if rest:
        raise JqlError("Error in the JQL Query: the replay server does not understand '%s'." % rest)
    return projects, since, order, desc


def _select(req):
    """The raw issues the request's JQL selects, in its order."""
    projects, since, order, desc = parse_jql(req.arg("jql", ""))
    chosen = [i for i in _load(req.data_dir).issues
              if (projects is None or i.project in projects) and (since is None or i.updated >= since)]
    if order == "updated":
        chosen.sort(key=lambda i: (i.updated, i.id), reverse=desc)
    elif order == "created":
        chosen.sort(key=lambda i: (i.created, i.id), reverse=desc)
    elif order == "key":
        chosen.sort(key=lambda i: i.key_order, reverse=desc)
    return [i.raw for i in chosen]


# ------------------------------------------------------------------ shaping

def _shape(issue, req, cloud):
    """The issue as the request's fields and expand ask for it."""
    fields_arg = req.arg("fields")
    wanted = None
    if fields_arg is None:
        wanted = set() if cloud else None
    else:
        names = [f.strip() for f in fields_arg.split(",") if f.strip()]
        if not any(n in ("*all", "*navigable") for n in names):
            wanted = set(names)
    out = {k: v for k, v in issue.items() if k not in ("fields", "changelog")}
    if wanted is None:
        out["fields"] = issue["fields"]
    elif wanted:
        out["fields"] = {k: v for k, v in issue["fields"].items() if k in wanted}
    expand = [e.strip() for e in (req.arg("expand") or "").split(",")]
    if "changelog" in expand:
        histories = (issue.get("changelog") or {}).get("histories") or []
        cap = _changelog_cap()
        shown = histories[:cap] if cap > 0 else histories
        out["changelog"] = {"startAt": 0, "maxResults": len(shown), "total": len(histories),
                            "histories": shown}
    return out


def _int_arg(req, name, default):
    try:
        return int(req.arg(name, default))
    except ValueError:
        raise JqlError("The value '%s' for '%s' is not a number." % (req.arg(name), name))


def _error(status, message):
    return status, [], {"errorMessages": [message], "errors": {}}


def _max_results(req):
    return max(0, min(MAX_RESULTS, _int_arg(req, "maxResults", DEFAULT_MAX_RESULTS)))


# ------------------------------------------------------------------ routes

def _encode_token(offset):
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _decode_token(token):
    try:
        padded = token + "=" * (-len(token) % 4)
        return int(json.loads(base64.urlsafe_b64decode(padded))["o"])
    except (ValueError, KeyError, TypeError):
        raise JqlError("The provided next page token is invalid or expired.")


def search_jql(req):
    """Cloud's /rest/api/3/search/jql: a token cursor, no total."""
    try:
        chosen = _select(req)
        size = _max_results(req)
        token = req.arg("nextPageToken")
        start = _decode_token(token) if token else 0
    except JqlError as e:
        return _error(400, str(e))
    page = chosen[start:start + size]
    body = {"issues": [_shape(i, req, True) for i in page]}
    last = start + len(page) >= len(chosen)
    if not last:
        body["nextPageToken"] = _encode_token(start + len(page))
    if os.environ.get("CW_REPLAY_JIRA_NO_ISLAST") != "1":
        body["isLast"] = last
    return 200, [], body


def search_classic(req):
    """Data Center's /rest/api/2/search: startAt/maxResults/total."""
    try:
        chosen = _select(req)
        size = _max_results(req)
        start = max(0, _int_arg(req, "startAt", "0"))
    except JqlError as e:
        return _error(400, str(e))
    page = chosen[start:start + size]
    return 200, [], {"expand": "schema,names", "startAt": start, "maxResults": size,
                     "total": len(chosen), "issues": [_shape(i, req, False) for i in page]}


def changelog(req):
    """/rest/api/{2,3}/issue/{key or id}/changelog, oldest first."""
    version, ref = req.match.group(1), req.match.group(2)
    found = _load(req.data_dir).by_ref.get(ref)
    if found is None:
        return _error(404, "Issue does not exist or you do not have permission to see it.")
    try:
        start = max(0, _int_arg(req, "startAt", "0"))
        size = _max_results(req)
    except JqlError as e:
        return _error(400, str(e))
    histories = _histories_oldest_first(found.raw)
    values = histories[start:start + size]
    path = "%s/rest/api/%s/issue/%s/changelog" % (req.base_url, version, ref)
    body = {"self": "%s?maxResults=%d&startAt=%d" % (path, size, start),
            "maxResults": size, "startAt": start, "total": len(histories),
            "isLast": start + len(values) >= len(histories), "values": values}
    if not body["isLast"]:
        body["nextPage"] = "%s?maxResults=%d&startAt=%d" % (path, size, start + len(values))
    return 200, [], body


# The system fields catwalk asks for, and the custom fields whose ids differ
# per instance (values as Jira Cloud sends them for a company-managed project).
FIELDS = [
    {"id": "summary", "key": "summary", "name": "Summary", "custom": False, "orderable": True,
     "navigable": True, "searchable": True, "clauseNames": ["summary"],
     "schema": {"type": "string", "system": "summary"}},
    {"id": "status", "key": "status", "name": "Status", "custom": False, "orderable": False,
     "navigable": True, "searchable": True, "clauseNames": ["status"],
     "schema": {"type": "status", "system": "status"}},
    {"id": "updated", "key": "updated", "name": "Updated", "custom": False, "orderable": False,
     "navigable": True, "searchable": True, "clauseNames": ["updated", "updatedDate"],
     "schema": {"type": "datetime", "system": "updated"}},
    {"id": "fixVersions", "key": "fixVersions", "name": "Fix versions", "custom": False,
     "orderable": True, "navigable": True, "searchable": True, "clauseNames": ["fixVersion"],
     "schema": {"type": "array", "items": "version", "system": "fixVersions"}},
    {"id": "customfield_10016", "key": "customfield_10016", "name": "Story point estimate",
     "untranslatedName": "Story point estimate", "custom": True, "orderable": True,
     "navigable": True, "searchable": True,
     "clauseNames": ["cf[10016]", "Story point estimate"],
     "schema": {"type": "number",
                "custom": "com.pyxis.greenhopper.jira:jsw-story-points", "customId": 10016}},
    {"id": "customfield_10020", "key": "customfield_10020", "name": "Sprint",
     "untranslatedName": "Sprint", "custom": True, "orderable": True, "navigable": True,
     "searchable": True, "clauseNames": ["cf[10020]", "Sprint"],
     "schema": {"type": "array", "items": "json",
                "custom": "com.pyxis.greenhopper.jira:gh-sprint", "customId": 10020}},
]


def fields(req):
    """/rest/api/{2,3}/field: every field definition, one unpaged array."""
    return 200, [], FIELDS


def statuses(req):
    """/rest/api/{2,3}/status: one unpaged array, like Jira's status list."""
    seen = {}
    for issue in _load(req.data_dir).issues:
        st = issue.raw["fields"].get("status")
        if isinstance(st, dict) and st.get("name") and st["name"] not in seen:
            seen[st["name"]] = st
    out = []
    for i, name in enumerate(sorted(seen)):
        st = seen[name]
        sid = str(st.get("id") or 10000 + i)
        out.append({"self": "%s/rest/api/%s/status/%s" % (req.base_url, req.match.group(1), sid),
                    "id": sid, "name": name, "untranslatedName": name,
                    "statusCategory": st.get("statusCategory") or {"key": "undefined"}})
    return 200, [], out


def versions(req):
    """/rest/api/{2,3}/project/{key}/versions, from the fixVersions the issues carry.

    A project without issues in the data has no versions ([]): the replay
    cannot tell it from a project that does not exist (Jira's 404)."""
    key = req.match.group(2)
    issues = [i for i in _load(req.data_dir).issues if i.project == key]
    seen = {}
    for issue in issues:
        project_id = (issue.raw["fields"].get("project") or {}).get("id")
        for v in issue.raw["fields"].get("fixVersions") or []:
            if isinstance(v, dict) and v.get("name") and v["name"] not in seen:
                out = {"self": "%s/rest/api/%s/version/%s" % (req.base_url, req.match.group(1),
                                                              v.get("id", "")),
                       "id": v.get("id"), "name": v["name"], "archived": False,
                       "released": bool(v.get("released", False))}
                if v.get("releaseDate"):
                    out["releaseDate"] = v["releaseDate"]
                if project_id:
                    out["projectId"] = int(project_id)
                seen[v["name"]] = out
    return 200, [], sorted(seen.values(), key=lambda v: (v.get("releaseDate", ""), v["name"]))


ROUTES = [
    ("GET", r"/rest/api/([23])/field", fields),
    ("GET", r"/rest/api/([23])/status", statuses),
    ("GET", r"/rest/api/([23])/project/([^/]+)/versions", versions),
    ("GET", r"/rest/api/3/search/jql", search_jql),
    ("GET", r"/rest/api/[23]/search", search_classic),
    ("GET", r"/rest/api/([23])/issue/([^/]+)/changelog", changelog),
]
