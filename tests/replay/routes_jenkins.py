"""routes_jenkins.py - a Jenkins JSON API over the demo's job files.

Serves DATA/exports/jenkins/*.json (one job object each, `allBuilds` or
`builds`) the way Jenkins does:

  GET /api/json, GET /job/A/job/B/api/json   the root, a folder or a job
    ?tree=...   Jenkins's tree filter: `a,b[c,d]{M,N},e[*]`; `_class` is
                always kept, `{M,N}` slices an array (M inclusive, N
                exclusive; `{M,}`, `{,N}`, `{N}` too).  Without tree the
                whole object is returned.

A job's place in the folder tree comes from its fullName ("team/app/main").
Folders are `com.cloudbees.hudson.plugins.folder.Folder` unless
DATA/replay/jenkins-folders.json maps a folder path to another class
(e.g. "payments/api": the multibranch project class).  Builds are served
newest first, as Jenkins lists them.
"""
import glob
import json
import os
import urllib.parse

FOLDER = "com.cloudbees.hudson.plugins.folder.Folder"


def _json(status, obj):
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", "application/json;charset=utf-8")], body


# ------------------------------------------------------------------ tree filter

def _parse_tree(text):
    """'a,b[c]{0,2}' -> [(name, subspec|None, (lo, hi)|None), ...]"""
    pos = 0

    def spec():
        nonlocal pos
        items = []
        while pos < len(text) and text[pos] != "]":
            start = pos
            while pos < len(text) and text[pos] not in ",[]{":
                pos += 1
            name, sub, rng = text[start:pos], None, None
            if pos < len(text) and text[pos] == "[":
                pos += 1
                sub = spec()
                if pos >= len(text) or text[pos] != "]":
                    raise ValueError("unbalanced [")
                pos += 1
            if pos < len(text) and text[pos] == "{":
                end = text.index("}", pos)
                rng = _parse_range(text[pos + 1:end])
                pos = end + 1
            items.append((name, sub, rng))
            if pos < len(text) and text[pos] == ",":
                pos += 1
        return items

    result = spec()
    if pos != len(text):
        raise ValueError("unexpected ] at %d" % pos)
    return result


def _parse_range(text):
    if "," not in text:
        n = int(text)
        return n, n + 1
    lo, hi = text.split(",", 1)
    return (int(lo) if lo else 0), (int(hi) if hi else None)


def _apply(value, spec):
    if isinstance(value, list):
        return [_apply(v, spec) for v in value]
    if not isinstance(value, dict):
        return value
    out = {"_class": value["_class"]} if "_class" in value else {}
    for name, sub, rng in spec:
        if name == "*":
            out.update(value)
            continue
        if name not in value:
            continue
        v = value[name]
        if rng is not None and isinstance(v, list):
            v = v[rng[0]:rng[1]]
        out[name] = _apply(v, sub) if sub is not None else v
    return out


# ------------------------------------------------------------------ the job tree

def _load(data_dir):
    """{path: job object} and {folder path: class}."""
    jobs, folders = {}, {}
    for path in sorted(glob.glob(os.path.join(data_dir, "exports", "jenkins", "*.json"))):
        with open(path, encoding="utf-8") as f:
            job = json.load(f)
        if not isinstance(job, dict):
            continue
        builds = job.pop("allBuilds", None)
        if builds is None:
            builds = job.pop("builds", [])
        if not isinstance(builds, list) or "jobs" in job:
            continue
        job["allBuilds"] = sorted(builds, key=lambda b: b.get("number", 0), reverse=True)
        name = job.get("fullName") or job.get("name") or os.path.basename(path)[:-5]
        jobs[name] = job
        parts = name.split("/")
        for i in range(1, len(parts)):
            folders.setdefault("/".join(parts[:i]), FOLDER)
    classes = os.path.join(data_dir, "replay", "jenkins-folders.json")
    if os.path.exists(classes):
        with open(classes, encoding="utf-8") as f:
            folders.update(json.load(f))
    return jobs, folders


def _children(path, jobs, folders, base):
    prefix = path + "/" if path else ""
    out = []
    for name in sorted(set(list(jobs) + list(folders))):
        if not name.startswith(prefix) or "/" in name[len(prefix):]:
            continue
        short = name[len(prefix):]
        url = base + "".join("/job/" + urllib.parse.quote(p, safe="") for p in name.split("/")) + "/"
        entry = {"_class": folders.get(name) or jobs[name].get("_class", "hudson.model.FreeStyleProject"),
                 "name": short, "url": url}
        if name in folders:
            entry["jobs"] = _children(name, jobs, folders, base)
        out.append(entry)
    return out


def api_json(req):
    segments = [s for s in req.path.split("/")[:-2] if s]
    if len(segments) % 2 or any(s != "job" for s in segments[0::2]):
        return _json(404, {"message": "no such path %s" % req.path})
    path = "/".join(segments[1::2])     # the core has unquoted the path once
    jobs, folders = _load(req.data_dir)
    if path in jobs:
        obj = jobs[path]
    elif path == "" or path in folders:
        obj = {"_class": folders.get(path, "hudson.model.Hudson"),
               "jobs": _children(path, jobs, folders, req.base_url)}
        if path:
            obj.update(name=path.split("/")[-1], fullName=path)
    else:
        return _json(404, {"message": "no job %s" % path})
    tree = req.query.get("tree", [None])[0]
    if tree:
        try:
            obj = _apply(obj, _parse_tree(tree))
        except (ValueError, IndexError) as e:
            return _json(400, {"message": "bad tree: %s" % e})
    return _json(200, obj)


ROUTES = [
    ("GET", r"^(/job/[^/]+)*/api/json$", api_json),
]
