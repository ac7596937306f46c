#!/usr/bin/python3
"""mail_sink.py - a local SMTP sink for `catwalk mail`: aiosmtpd on
127.0.0.1 offering STARTTLS (or TLS from the first byte) with a throwaway
certificate made by `openssl req`, AUTH for one user, and a 550 for any
recipient nobody@...  tests/e2e/test_mail.py uses it; by hand (the demo):

    /usr/bin/python3 tests/e2e/mail_sink.py DIR [PORT]

makes DIR/ca.pem, prints the [mail] section to add to a catwalk.ini (the
password in CATWALK_SMTP_PASSWORD), and writes every message it accepts to
DIR/received-N.eml until interrupted.
"""
import logging
import os
import socket
import ssl
import subprocess
import sys
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# the sink's own log (a refused TLS handshake is a traceback there) is noise
logging.getLogger("mail.log").setLevel(logging.CRITICAL)
warnings.filterwarnings("ignore", message="Session.login_data")

PASSWORD = "s3cret-Pa55-do-not-print"
USER = "catwalk"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """An aiosmtpd server keeping every accepted message's envelope and raw
    bytes; refuses RCPT of nobody@... with 550 and any AUTH but USER/PASSWORD."""

    def __init__(self, cert=None, key=None, implicit=False, port=None):
        self.messages = []
        self.logins = []
        kw = {}
        if cert:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(cert, key)
            kw = dict(authenticator=self.auth, auth_required=True, auth_require_tls=True)
            # smtps: TLS from the first byte; smtp: STARTTLS, required
            # (aiosmtpd only counts STARTTLS as TLS for auth_require_tls, and
            # warns when AUTH is required without it: offered, not required)
            kw.update(dict(ssl_context=ctx, auth_require_tls=False, auth_required=False)
                      if implicit
                      else dict(tls_context=ctx, require_starttls=True))
        self.port = port or free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **kw)
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def auth(self, server, session, envelope, mechanism, data):
        if isinstance(data, LoginPassword):
            self.logins.append((data.login.decode(), data.password.decode()))
            ok = data.login.decode() == USER and data.password.decode() == PASSWORD
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              bytes(envelope.original_content)))
        return "250 2.0.0 queued"


def make_cert(folder):
    cert, key = os.path.join(folder, "ca.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def main():
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    cert, key = make_cert(folder)
    sink = Sink(cert, key, port=int(sys.argv[2]) if len(sys.argv) > 2 else None)
    print("[mail]\nurl = smtp://127.0.0.1:%d\nfrom = Catwalk <catwalk@example.com>\n"
          "to = cio@example.com\nusername = %s\npassword_env = CATWALK_SMTP_PASSWORD\n"
          "ca_file = %s\n\n; export CATWALK_SMTP_PASSWORD=%s"
          % (sink.port, USER, os.path.abspath(cert), PASSWORD), flush=True)
    saved = 0
    try:
        while True:
            time.sleep(0.2)
            for _, _, raw in sink.messages[saved:]:
                saved += 1
                path = os.path.join(folder, "received-%d.eml" % saved)
                with open(path, "wb") as f:
                    f.write(raw)
                print(path, flush=True)
    except KeyboardInterrupt:
        sink.stop()


if __name__ == "__main__":
    main()
