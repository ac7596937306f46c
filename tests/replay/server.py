#!/usr/bin/python3
"""replay server - a local stand-in for the REST APIs catwalk extracts from.

Usage:
    python3 tests/replay/server.py --data DIR [--token T] [--faults FILE.json]
                                   [--test-routes] [--max-seconds 900]

Binds 127.0.0.1 on an ephemeral port and prints "PORT <n>" as its first line
of stdout.  It speaks HTTP/1.1 with keep-alive, like the real APIs, and gzips
bodies of 1 KiB or more for a client that accepts gzip.

Data routes come from the route modules next to this file
(tests/replay/routes_*.py, one per API, owned by the connector tests).  Each
defines ROUTES = [(method, path_regex, handler)]; the regex must match the
whole path (re.fullmatch, query excluded) and handler(req) returns
(status, [(header, value), ...], body) with body as bytes (str, dict and list
are accepted and encoded).  `req` has .method, .path, .query (parse_qs dict,
blank values kept), .raw_query, .headers, .data_dir, .base_url
("http://127.0.0.1:PORT") and .match (the route's match object).

The core, not the routes, does what every API shares:
  - authentication: with --token T, a request must carry T as
    "Authorization: Bearer T", "Authorization: Token token=T" (PagerDuty),
    "Authorization: GenieKey T" (Opsgenie),
    "Authorization: Basic base64(any-user:T)" or "PRIVATE-TOKEN: T" (GitLab);
    otherwise 401 with a JSON error;
  - a log of every request (GET /__log);
  - fault injection, applied before the handler runs (see FAULTS below);
  - control endpoints, never authenticated nor logged:
        GET  /__log      JSON list of {method, path, query, status, fault, conn}
        POST /__faults   body = the fault list (replaces it, counters restart)
        POST /__reset    clears the log and the per-fault counters

FAULTS is a JSON list of objects:
    {"path": regex searched in "path?query",
     "nth": k  (the k-th matching request, 1-based) | "every": k,
     "times": n  (optional: also the n-1 matching requests after the nth),
     "kind": "429" | "403-ratelimit" | "503" | "slow" | "reset" | "truncate",
     "retry_after": seconds,  "retry_after_format": "seconds" | "date",
     "reset_in": seconds,     "reset_format": "epoch" | "iso",
     "seconds": how long "slow" stalls (default --slow-seconds)}
Every fault counts every request that matches its path; the first fault that
fires on a request decides it.
  429           status 429 with Retry-After (default 1 s) or, with reset_in
                only, X-RateLimit-Remaining: 0 + X-RateLimit-Reset
  403-ratelimit status 403 with X-RateLimit-Remaining: 0 and X-RateLimit-Reset
                reset_in seconds ahead (default 1); Retry-After when given
  503           status 503 (Retry-After when given)
  slow          stalls `seconds` before sending the real response
  reset         sends the headers and half the real body, then an RST
  truncate      a valid response whose JSON body is cut in half

The server is bounded so a crashed test never leaves it running: it exits
after --max-seconds, and, when stdin is a pipe, as soon as that pipe closes
(a stdin that is /dev/null or a terminal is not watched).  So a test should
give it a pipe of its own as stdin rather than let it inherit one.

With --test-routes it also serves /__test/... routes for the HTTP client's
own unit tests (tests/unit/test_http.c); the data routes stay in the modules.
Python 3 standard library only.
"""

import argparse
import base64
import email.utils
import glob
import gzip
import importlib.util
import json
import os
import re
import socket
import stat
import struct
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
GZIP_MIN = 1024


class Request:
    """What a route handler sees of one request."""

    def __init__(self, method, target, headers, data_dir, base_url):
        parts = urllib.parse.urlsplit(target)
        self.method = method
        self.target = target
        self.path = urllib.parse.unquote(parts.path)
        self.raw_query = parts.query
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        self.headers = headers
        self.data_dir = data_dir
        self.base_url = base_url
        self.match = None
        self.body = b""

    def arg(self, name, default=None):
        """First value of a query parameter, or default."""
        values = self.query.get(name)
        return values[0] if values else default


class State:
    """Everything the request threads share, behind one lock."""

    def __init__(self, args, routes):
        self.args = args
        self.routes = routes
        self.lock = threading.Lock()
        self.log = []
        self.faults = []
        self.counters = []
        self.next_conn = 0
        self.base_url = ""

    def set_faults(self, faults):
        if not isinstance(faults, list) or not all(isinstance(f, dict) for f in faults):
            raise ValueError("faults must be a JSON list of objects")
        for f in faults:
            re.compile(f.get("path", ""))
            if f.get("kind") not in ("429", "403-ratelimit", "503", "slow", "reset", "truncate"):
                raise ValueError("unknown fault kind %r" % f.get("kind"))
        with self.lock:
            self.faults = faults
            self.counters = [0] * len(faults)

    def reset(self):
        with self.lock:
            self.log = []
            self.counters = [0] * len(self.faults)

    def pick_fault(self, target):
        """Count the request against every matching fault; return the one that fires."""
        fired = None
        with self.lock:
            for i, f in enumerate(self.faults):
                if not re.search(f.get("path", ""), target):
                    continue
                self.counters[i] += 1
                if fired is None and fault_fires(f, self.counters[i]):
                    fired = f
        return fired

    def record(self, entry):
        with self.lock:
            self.log.append(entry)

    def new_conn_id(self):
        with self.lock:
            self.next_conn += 1
            return self.next_conn


def fault_fires(fault, count):
    times = int(fault.get("times", 1))
    if "every" in fault:
        every = int(fault["every"])
        return every > 0 and count % every == 0
    nth = int(fault.get("nth", 1))
    return nth <= count < nth + times


def load_routes(directory):
    """ROUTES of every routes_*.py module, as (method, compiled regex, handler)."""
    routes = []
    if directory not in sys.path:
        sys.path.insert(0, directory)           # for the modules' replay_common
    for path in sorted(glob.glob(os.path.join(directory, "routes_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for method, regex, handler in getattr(module, "ROUTES", []):
            routes.append((method.upper(), re.compile(regex), handler))
    return routes


def json_body(value):
    return json.dumps(value).encode()


def as_bytes(body):
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json_body(body)


def token_ok(headers, token):
    """Does the request carry the token in one of the forms real APIs use?"""
    if headers.get("PRIVATE-TOKEN") == token:
        return True
    auth = headers.get("Authorization", "")
    if auth in ("Bearer " + token, "Token token=" + token, "GenieKey " + token):
        return True
    if auth.startswith("Basic "):
        try:
            decoded = base64.b64decode(auth[6:], validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return False
        return decoded.partition(":")[2] == token
    return False


def http_date(epoch):
    return email.utils.formatdate(epoch, usegmt=True)


def iso_instant(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def rate_limit_headers(fault, default_reset):
    """Retry-After and/or X-RateLimit-* headers of a rate-limit fault."""
    headers = []
    if "retry_after" in fault:
        secs = fault["retry_after"]
        if fault.get("retry_after_format") == "date":
            headers.append(("Retry-After", http_date(time.time() + secs)))
        else:
            headers.append(("Retry-After", str(secs)))
    reset_in = fault.get("reset_in", default_reset)
    if reset_in is not None:
        # Round up so that the instant is never earlier than reset_in from now.
        reset_at = int(time.time() + reset_in + 0.999)
        value = iso_instant(reset_at) if fault.get("reset_format") == "iso" else str(reset_at)
        headers += [("X-RateLimit-Limit", "5000"), ("X-RateLimit-Remaining", "0"),
                    ("X-RateLimit-Reset", value)]
    return headers


def status_fault(fault):
    """The response of a fault that replaces the handler, or None."""
    kind = fault["kind"]
    if kind == "429":
        headers = rate_limit_headers(fault, None) or [("Retry-After", "1")]
        return 429, headers, json_body({"message": "API rate limit exceeded"})
    if kind == "403-ratelimit":
        headers = rate_limit_headers(fault, 1)
        return 403, headers, json_body({"message": "API rate limit exceeded"})
    if kind == "503":
        headers = []
        if "retry_after" in fault:
            headers.append(("Retry-After", str(fault["retry_after"])))
        return 503, headers, json_body({"message": "Service Unavailable"})
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "catwalk-replay/1"
    state = None            # set by main()

    def setup(self):
        super().setup()
        # headers and body go out in separate writes: without TCP_NODELAY,
        # Nagle plus the client's delayed ACK stalls every keep-alive reply ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn_id = self.state.new_conn_id()

    def log_message(self, fmt, *args):
        if self.state.args.verbose:
            sys.stderr.write("replay: %s\n" % (fmt % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    # ---------------------------------------------------------------- plumbing

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, headers, body, gzip_ok=True):
        body = as_bytes(body)
        names = {h.lower() for h, _ in headers}
        if (gzip_ok and len(body) >= GZIP_MIN and "content-encoding" not in names
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(body, mtime=0)
            headers = headers + [("Content-Encoding", "gzip")]
        self.send_head(status, headers, len(body))
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def send_head(self, status, headers, length):
        """The status line and headers: JSON unless a Content-Type is given,
        and a Content-Length of length: the length is ours to compute (after
        gzip or a truncate fault), so any given one is dropped."""
        headers = [(h, v) for h, v in headers if h.lower() != "content-length"]
        self.send_response(status)
        if "content-type" not in {h.lower() for h, _ in headers}:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in headers:
            self.send_header(name, str(value))
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def abort_connection(self):
        """Close with an RST, as a dropped connection looks to the client."""
        try:
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    # ---------------------------------------------------------------- dispatch

    def dispatch(self, method):
        st = self.state
        req = Request(method, self.path, self.headers, st.args.data, st.base_url)
        req.body = self.read_body()
        if req.path.startswith("/__") and not req.path.startswith("/__test/"):
            return self.control(req)
        status, headers, body = 0, [], b""
        fault = None
        try:
            if st.args.token and not req.path.startswith("/__test/open/") \
                    and not token_ok(self.headers, st.args.token):
                status, headers, body = 401, [], json_body({"message": "Bad credentials"})
            else:
                fault = st.pick_fault(self.path)
                replaced = status_fault(fault) if fault else None
                if replaced:
                    status, headers, body = replaced
                else:
                    status, headers, body = self.route(req)
        except Exception:  # a broken route module must not kill the server
            traceback.print_exc()
            status, headers, body = 500, [], json_body({"message": "replay handler failed"})
        st.record({"method": method, "path": req.path, "query": req.query,
                   "status": status, "fault": fault["kind"] if fault else None,
                   "conn": self.conn_id})
        kind = fault["kind"] if fault else None
        try:
            if kind == "slow":
                time.sleep(float(fault.get("seconds", st.args.slow_seconds)))
                self.send(status, headers, body)
            elif kind == "reset":
                self.send_partial(status, headers, as_bytes(body))
            elif kind == "truncate":
                body = as_bytes(body)
                self.send(status, headers, body[:len(body) // 2], gzip_ok=True)
            else:
                self.send(status, headers, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def send_partial(self, status, headers, body):
        """Announce the whole body, send half of it, then reset the connection."""
        self.send_head(status, headers, len(body))
        self.wfile.write(body[:len(body) // 2])
        self.abort_connection()

    def route(self, req):
        allowed = False
        for method, regex, handler in self.state.routes:
            m = regex.fullmatch(req.path)
            if not m:
                continue
            allowed = True
            if method != req.method:
                continue
            req.match = m
            status, headers, body = handler(req)
            return status, list(headers or []), as_bytes(body)
        if allowed:
            return 405, [], json_body({"message": "Method Not Allowed"})
        return 404, [], json_body({"message": "Not Found"})

    def control(self, req):
        st = self.state
        try:
            if req.method == "GET" and req.path == "/__log":
                with st.lock:
                    entries = list(st.log)
                return self.send(200, [], json_body(entries), gzip_ok=False)
            if req.method == "POST" and req.path == "/__faults":
                st.set_faults(json.loads(req.body or b"[]"))
                return self.send(200, [], json_body({"faults": len(st.faults)}))
            if req.method == "POST" and req.path == "/__reset":
                st.reset()
                return self.send(200, [], json_body({"reset": True}))
        except (ValueError, re.error) as e:
            return self.send(400, [], json_body({"message": str(e)}))
        return self.send(404, [], json_body({"message": "no such control endpoint"}))


# ------------------------------------------------------------ test-only routes
# Behind --test-routes: what tests/unit/test_http.c needs to exercise the
# client (pagination headers, error bodies, redirects, auth schemes).

def test_json(req):
    n = int(req.arg("n", "3"))
    return 200, [("X-Total", str(n))], json_body({"n": n, "items": list(range(n))})


def test_pages(req):
    """GitHub-style pagination: a JSON array and a Link header."""
    page = int(req.arg("page", "1"))
    per_page = int(req.arg("per_page", "30"))
    total = int(req.arg("total", "100"))
    last = max(1, (total + per_page - 1) // per_page)
    first_item = (page - 1) * per_page
    items = [{"id": i} for i in range(first_item, min(total, first_item + per_page))]

    def link(p, rel):
        query = dict(req.query)
        query["page"] = [str(p)]
        url = "%s%s?%s" % (req.base_url, req.path, urllib.parse.urlencode(query, doseq=True))
        return '<%s>; rel="%s"' % (url, rel)

    links = []
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links += [link(1, "first"), link(page - 1, "prev")]
    headers = [("Link", ", ".join(links))] if links else []
    return 200, headers, json_body(items)


ERROR_STYLES = {
    "jira": lambda m: {"errorMessages": [m], "errors": {}},
    "github": lambda m: {"message": m, "documentation_url": "https://docs.github.com/rest"},
    "pagerduty": lambda m: {"error": {"message": m, "code": 2100}},
    "servicenow": lambda m: {"error": {"message": m, "detail": "detail text"}, "status": "failure"},
    "gitlab": lambda m: {"error": m},
}


def test_status(req):
    """Any status with an error body in one of the real APIs' styles."""
    code = int(req.arg("code", "404"))
    message = req.arg("message", "Issue does not exist or you do not have permission to see it.")
    if req.arg("echo_auth"):
        message += " (sent: %s)" % req.headers.get("Authorization", "")
    style = req.arg("style", "jira")
    if style == "text":
        return code, [("Content-Type", "text/plain")], message.encode()
    return code, [], json_body(ERROR_STYLES[style](message))


def test_headers(req):
    """What arrived, without echoing a secret: the auth scheme and the user only."""
    auth = req.headers.get("Authorization")
    basic_user = None
    if auth and auth.startswith("Basic "):
        basic_user = base64.b64decode(auth[6:]).decode().partition(":")[0]
    return 200, [], json_body({
        "authorization": auth is not None,
        "scheme": auth.split(" ", 1)[0] if auth else None,
        "basic_user": basic_user,
        "private_token": "PRIVATE-TOKEN" in req.headers,
        "accept": req.headers.get("Accept"),
        "user_agent": req.headers.get("User-Agent"),
        "x_extra": req.headers.get("X-Extra"),
    })


def test_redirect(req):
    """A redirect to ?to=, or with ?loop=1 to itself."""
    target = req.target if req.arg("loop") else req.arg("to", "/__test/json")
    return int(req.arg("code", "302")), [("Location", target)], b""


TEST_ROUTES = [
    ("GET", r"/__test/json", test_json),
    ("GET", r"/__test/pages", test_pages),
    ("GET", r"/__test/status", test_status),
    ("GET", r"/__test/(open/)?headers", test_headers),
    ("GET", r"/__test/(open/)?redirect", test_redirect),
]


# ----------------------------------------------------------------------- main

def watch_stdin():
    """Exit when stdin is a pipe and it closes (the test that started us is gone)."""
    try:
        mode = os.fstat(0).st_mode
    except OSError:
        return
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return

    def run():
        while True:
            try:
                chunk = os.read(0, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                os._exit(0)

    threading.Thread(target=run, daemon=True).start()


def watch_clock(seconds):
    def run():
        time.sleep(seconds)
        sys.stderr.write("replay: --max-seconds %g reached, exiting\n" % seconds)
        os._exit(0)

    threading.Thread(target=run, daemon=True).start()


def parse_args(argv):
    p = argparse.ArgumentParser(description="catwalk replay server")
    p.add_argument("--data", default=".", help="data folder the routes serve from")
    p.add_argument("--token", default=None, help="required token (any auth scheme)")
    p.add_argument("--faults", default=None, help="JSON file with the initial fault list")
    p.add_argument("--test-routes", action="store_true", help="serve /__test/... routes")
    p.add_argument("--routes-dir", default=HERE, help="where routes_*.py live")
    p.add_argument("--max-seconds", type=float, default=900, help="exit after this long")
    p.add_argument("--slow-seconds", type=float, default=5, help="default stall of a slow fault")
    p.add_argument("--verbose", action="store_true", help="log each request to stderr")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    args.data = os.path.abspath(args.data)
    routes = load_routes(args.routes_dir)
    if args.test_routes:
        routes += [(m, re.compile(r), h) for m, r, h in TEST_ROUTES]
    state = State(args, routes)
    if args.faults:
        with open(args.faults, encoding="utf-8") as f:
            state.set_faults(json.load(f))
    Handler.state = state
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    state.base_url = "http://127.0.0.1:%d" % port
    watch_stdin()
    watch_clock(args.max_seconds)
    sys.stdout.write("PORT %d\n" % port)
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
