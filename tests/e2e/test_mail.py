#!/usr/bin/python3
"""End-to-end tests of `catwalk mail weekly` against a local SMTP sink
(tests/e2e/mail_sink.py: aiosmtpd on 127.0.0.1, a free port) that offers
STARTTLS with a certificate made by `openssl req` (trusted through [mail]
ca_file) and AUTH PLAIN/LOGIN over it.

On the hand-made e2e dataset (two teams: Core Banking, Claims), with the
reference instant pinned (CW_NOW = 2026-04-01T08:00:00Z, a Wednesday: the
window ends Monday 2026-03-30, its last week starts 2026-03-23):

  - `to` (two addresses, one with a non-ASCII name) gets one message and
    team.Claims another, each the exact bytes of its .eml in the reports
    folder, checked part by part with python's email package: Date (parses,
    the pinned instant), Message-ID (<32 hex digits@example.com>), the
    RFC 2047 subject decoding to the configured text, text and html
    alternatives, every cid image the html names present and inline, the
    workbook and the page attached byte-equal to the files on disk (the
    workbook opens in openpyxl);
  - smtps:// (TLS from the first byte) delivers as well, and a password from
    a 0600 password_file as from password_env;
  - --dry-run writes the same structure without a password and sends nothing;
  - a missing password or a team no application has is an error of
    `catwalk check` and `catwalk mail` naming file, line and key;
  - a wrong password, a sink refusing the recipient (550), a sink without
    STARTTLS and a certificate nobody trusts each exit 1 with the reason,
    keep the rendered files, and never print the password;
  - the received html, its <head> and <style> removed and cid: images made
    files, renders in headless chromium to a screenshot that is not blank.

Prints "mail: N passed, N failed".
"""
import email
import email.policy
import email.utils
import os
import re
import shutil
import struct
import subprocess
import sys
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite import copy_dataset, run, run_suite, temp_dir  # noqa: E402

from mail_sink import PASSWORD, USER, Sink, make_cert  # noqa: E402


NOW = "2026-04-01T08:00:00Z"
SUBJECT = "Rapport hebdomadaire \u2014 semaine du {week}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def png_pixels(path):
    """(width, height, rows of bytes) of an 8-bit RGB or RGBA PNG, unfiltered."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), "unexpected PNG format"
            bpp = 4 if ctype == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, rows, prev, stride = zlib.decompress(idat), [], bytearray(width * bpp), width * bpp
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


class Mail(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = copy_dataset("cw-mail-")
        cls.ini = os.path.join(cls.d, "catwalk.ini")
        run("run", "-c", cls.ini, "--no-report", "-q")
        with open(cls.ini) as f:
            cls.base_ini = f.read()
        cls.cert, cls.key = make_cert(cls.d)
        cls.sink = Sink(cls.cert, cls.key)
        with open(os.path.join(cls.d, "smtp.password"), "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(os.path.join(cls.d, "smtp.password"), 0o600)

    @classmethod
    def tearDownClass(cls):
        cls.sink.stop()

    def setUp(self):
        self.sink.messages.clear()
        self.sink.logins.clear()
        shutil.rmtree(os.path.join(self.d, "reports"), ignore_errors=True)

    def configure(self, port=None, to="cio@example.com, Release D\u00e9sk <rel@example.com>",
                  teams=("Claims = claims-lead@example.com",), ca=True, password="env",
                  scheme="smtp", subject=SUBJECT):
        mail = ["[mail]", "url = %s://127.0.0.1:%d" % (scheme, port or self.sink.port),
                "from = Catwalk Reports <catwalk@example.com>"]
        mail += ["subject = " + subject] if subject else []
        mail += ["username = " + USER, "timeout = 20"]
        mail += ["to = " + to] if to else []
        mail += ["team." + t for t in teams]
        mail += ["ca_file = ca.pem"] if ca else []
        mail += ["password_env = CW_TEST_SMTP_PASSWORD" if password == "env"
                 else "password_file = smtp.password"]
        with open(self.ini, "w") as f:
            f.write(self.base_ini + "\n" + "\n".join(mail) + "\n")

    def mail(self, *args, password=PASSWORD, check=False):
        env = dict(os.environ, CW_NOW=NOW)
        env.pop("CW_TEST_SMTP_PASSWORD", None)
        if password is not None:
            env["CW_TEST_SMTP_PASSWORD"] = password
        proc = run("mail", "weekly", "-c", self.ini, *args, check=check, env=env)
        self.assertNotIn(PASSWORD, proc.stdout + proc.stderr)
        return proc

    def reports(self, name):
        return os.path.join(self.d, "reports", name)

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    # ------------------------------------------------------------ checks

    def check_message(self, raw, subject):
        m = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(email.utils.parsedate_to_datetime(m["Date"]).isoformat(),
                         "2026-04-01T08:00:00+00:00")
        self.assertRegex(m["Message-ID"], r"^<[0-9a-f]{32}@example\.com>$")
        self.assertIn("=?UTF-8?B?", raw.split(b"\r\n\r\n", 1)[0].decode())   # encoded on the wire
        self.assertEqual(str(m["Subject"]), subject)
        self.assertEqual(m["MIME-Version"], "1.0")
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        related, *attachments = m.iter_parts()
        self.assertEqual(related.get_content_type(), "multipart/related")
        alt, *images = related.iter_parts()
        self.assertEqual(alt.get_content_type(), "multipart/alternative")
        self.assertEqual([p.get_content_type() for p in alt.iter_parts()],
                         ["text/plain", "text/html"])
        text, html = [p.get_content() for p in alt.iter_parts()]
        self.assertTrue(text.strip())
        cids = set(re.findall(r'src="cid:([^"]+)"', html))
        self.assertEqual({p["Content-ID"].strip("<>") for p in images}, cids)
        for p in images:
            self.assertEqual(p.get_content_type(), "image/png")
            self.assertEqual(p.get_content_disposition(), "inline")
            self.assertEqual(p.get_content()[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual([(p.get_content_type(), p.get_content_disposition(), p.get_filename())
                          for p in attachments],
                         [(XLSX, "attachment", "catwalk-weekly-2026-03-30.xlsx"),
                          ("text/html", "attachment", "catwalk-weekly-2026-03-30.html")])
        for p in attachments:
            self.assertEqual(p.get_payload(decode=True), self.read(self.reports(p.get_filename())))
        self.assertTrue(all(len(line) <= 78 for line in raw.split(b"\r\n")))
        self.assertNotIn(b"\n", raw.replace(b"\r\n", b""))
        return m, html, images

    # ------------------------------------------------------------ tests

    def test_sends_each_list_its_message(self):
        self.configure()
        proc = self.mail()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        org, team = self.reports("catwalk-weekly-2026-03-30.eml"), \
            self.reports("catwalk-weekly-2026-03-30-claims.eml")
        self.assertEqual(proc.stdout.split(), [org, team])
        self.assertEqual(self.sink.logins, [(USER, PASSWORD)] * 2)
        self.assertEqual([(f, r) for f, r, _ in self.sink.messages],
                         [("catwalk@example.com", ["cio@example.com", "rel@example.com"]),
                          ("catwalk@example.com", ["claims-lead@example.com"])])
        # the bytes received are the bytes of the .eml kept in the folder
        self.assertEqual(self.sink.messages[0][2], self.read(org))
        self.assertEqual(self.sink.messages[1][2], self.read(team))
        week = "Rapport hebdomadaire \u2014 semaine du 2026-03-23"
        m1, _, _ = self.check_message(self.sink.messages[0][2], week)
        m2, _, _ = self.check_message(self.sink.messages[1][2], week + " - Claims")
        self.assertEqual([a.display_name for a in m1["To"].addresses], ["", "Release D\u00e9sk"])
        self.assertEqual(m2["To"], "claims-lead@example.com")
        self.assertEqual(m1["From"].addresses[0].addr_spec, "catwalk@example.com")
        self.assertNotEqual(m1["Message-ID"], m2["Message-ID"])
        import openpyxl
        openpyxl.load_workbook(self.reports("catwalk-weekly-2026-03-30.xlsx"))

    def test_password_file(self):
        self.configure(teams=(), password="file")
        proc = self.mail(password=None)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.sink.logins, [(USER, PASSWORD)])
        self.assertEqual(len(self.sink.messages), 1)

    def test_smtps(self):
        tls = Sink(self.cert, self.key, implicit=True)
        try:
            self.configure(port=tls.port, teams=(), scheme="smtps")
            proc = self.mail()
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(tls.logins, [(USER, PASSWORD)])
            self.assertEqual(tls.messages[0][2],
                             self.read(self.reports("catwalk-weekly-2026-03-30.eml")))
        finally:
            tls.stop()

    def test_dry_run_sends_nothing(self):
        self.configure()
        out = os.path.join(temp_dir("cw-mail-out-"), "sent")
        proc = self.mail("--dry-run", "--out", out, password=None)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        paths = proc.stdout.split()
        self.assertEqual(paths, [os.path.join(out, "catwalk-weekly-2026-03-30.eml"),
                                 os.path.join(out, "catwalk-weekly-2026-03-30-claims.eml")])
        self.assertEqual(self.sink.messages, [])
        self.assertEqual(self.sink.logins, [])
        for path in paths:
            raw = self.read(path)
            m = email.message_from_bytes(raw, policy=email.policy.default)
            self.assertEqual(m.get_content_type(), "multipart/mixed")
            for p in list(m.iter_parts())[1:]:
                self.assertEqual(p.get_payload(decode=True),
                                 self.read(os.path.join(out, p.get_filename())))

    def test_as_of_and_usage(self):
        self.configure(teams=())
        env = dict(os.environ)
        env.pop("CW_NOW", None)
        # as of Wednesday 2026-04-08: the window ends Monday 04-06, and the
        # Date is the as-of instant (midnight), not the clock
        proc = run("mail", "weekly", "-c", self.ini, "--dry-run", "--as-of", "2026-04-08",
                   env=env)
        path = self.reports("catwalk-weekly-2026-04-06.eml")
        self.assertEqual(proc.stdout.split(), [path])
        m = email.message_from_bytes(self.read(path), policy=email.policy.default)
        self.assertEqual(email.utils.parsedate_to_datetime(m["Date"]).isoformat(),
                         "2026-04-08T00:00:00+00:00")
        self.assertEqual(str(m["Subject"]), "Rapport hebdomadaire \u2014 semaine du 2026-03-30")
        proc = run("mail", "weekly", "-c", self.ini, "--as-of", "2026-04-08", "--to",
                   "2026-03-30", check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--as-of: give --as-of or --from/--to, not both", proc.stderr)
        proc = run("mail", "weekly", "-c", self.ini, "--as-of", "soon", check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--as-of: expected a date YYYY-MM-DD: 'soon'", proc.stderr)
        proc = run("mail", "monthly", "-c", self.ini, check=False)
        self.assertEqual(proc.returncode, 2)
        with open(self.ini, "w") as f:
            f.write(self.base_ini)
        proc = run("mail", "weekly", "-c", self.ini, "--dry-run", check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("no [mail] section", proc.stderr)

    def test_team_file_names_stay_apart(self):
        # "R&D" and "R+D" make one slug: the second file gets "-2"
        self.configure(to=None, teams=("R&D = rd@example.com", "R+D = rplusd@example.com"),
                       subject=None)
        with open(self.ini, "a") as f:
            f.write("\n[application lab]\nteam = R&D\n[application lab2]\nteam = R+D\n")
        proc = self.mail("--dry-run")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.split(), [self.reports("catwalk-weekly-2026-03-30-r-d.eml"),
                                               self.reports("catwalk-weekly-2026-03-30-r-d-2.eml")])
        subjects = [str(email.message_from_bytes(self.read(p), policy=email.policy.default)
                        ["Subject"]) for p in proc.stdout.split()]
        # the default subject names the window's last week, then the team
        self.assertEqual(subjects, ["Catwalk weekly report, week of 2026-03-23 - R&D",
                                    "Catwalk weekly report, week of 2026-03-23 - R+D"])

    def test_no_warehouse_fails_cleanly(self):
        self.configure(teams=())
        with open(self.ini) as f:
            text = f.read()
        with open(self.ini, "w") as f:
            f.write(text.replace("warehouse = catwalk.db", "warehouse = missing.db"))
        proc = self.mail("--dry-run")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.d, "reports")))

    def check_failure(self, proc, *needles):
        self.assertEqual(proc.returncode, 1, proc.stderr)
        for needle in needles:
            self.assertIn(needle, proc.stderr)
        self.assertIn("kept", proc.stderr)
        for ext in ("eml", "xlsx", "html"):
            self.assertTrue(os.path.exists(self.reports("catwalk-weekly-2026-03-30." + ext)))

    def test_wrong_password_fails_with_the_reply(self):
        self.configure(teams=())
        proc = self.mail(password="not-the-password")
        self.check_failure(proc, "535")
        self.assertEqual(self.sink.messages, [])

    def test_refused_recipient_fails_with_the_reply(self):
        self.configure(to="cio@example.com, nobody@example.com", teams=())
        proc = self.mail()
        self.check_failure(proc, "550 5.1.1 <nobody@example.com>: Recipient address rejected")
        self.assertEqual(self.sink.messages, [])

    def test_no_starttls_no_send(self):
        plain = Sink()
        try:
            self.configure(port=plain.port, teams=())
            proc = self.mail()
            self.check_failure(proc, "STARTTLS")
            self.assertEqual(plain.messages, [])
        finally:
            plain.stop()

    def test_untrusted_certificate_no_send(self):
        self.configure(ca=False, teams=())
        proc = self.mail()
        self.check_failure(proc, "certificate")
        self.assertEqual(self.sink.messages, [])

    def test_missing_password_is_a_config_error(self):
        self.configure(teams=())
        line = "catwalk.ini:%d: password_env: environment variable CW_TEST_SMTP_PASSWORD is " \
               "not set" % (self.base_ini.count("\n") + 10)
        proc = self.mail(password=None)
        self.assertEqual(proc.returncode, 2)
        self.assertIn(line, proc.stderr)
        env = dict(os.environ)
        env.pop("CW_TEST_SMTP_PASSWORD", None)
        proc = run("check", "-c", self.ini, check=False, env=env)
        self.assertEqual(proc.returncode, 2)
        self.assertIn(line, proc.stderr)
        env["CW_TEST_SMTP_PASSWORD"] = PASSWORD
        run("check", "-c", self.ini, env=env)

    def test_check_names_file_line_and_key(self):
        with open(self.ini, "w") as f:
            f.write(self.base_ini + "\n[mail]\nurl = smtp://127.0.0.1:25\nfrom = c@example.com\n"
                    "to = cio@example.com\nteam.Nobody = x@example.com\n")
        proc = run("check", "-c", self.ini, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("catwalk.ini:%d: team.Nobody: no [application] has team = Nobody"
                      % (self.base_ini.count("\n") + 6), proc.stderr)

    def test_body_renders_without_head_styles(self):
        self.configure(teams=())
        proc = self.mail()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        _, html, images = self.check_message(self.sink.messages[0][2],
                                             "Rapport hebdomadaire \u2014 semaine du 2026-03-23")
        folder = temp_dir("cw-mail-render-")
        for p in images:
            cid = p["Content-ID"].strip("<>")
            with open(os.path.join(folder, cid + ".png"), "wb") as f:
                f.write(p.get_content())
            html = html.replace("cid:" + cid, cid + ".png")
        # what a mail client that strips styles keeps: no <head>, no <style>
        html = re.sub(r"(?is)<head\b.*?</head>", "", html)
        html = re.sub(r"(?is)<style\b.*?</style>", "", html)
        self.assertNotIn("cid:", html)
        page, shot = os.path.join(folder, "body.html"), os.path.join(folder, "body.png")
        with open(page, "w") as f:
            f.write(html)
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--user-data-dir=" + os.path.join(folder, "profile"),
                        "--screenshot=" + shot, "--window-size=1280,2000", "file://" + page],
                       capture_output=True, timeout=120)
        self.assertTrue(os.path.exists(shot), "chromium wrote no screenshot")
        width, height, rows = png_pixels(shot)
        self.assertEqual((width, height), (1280, 2000))
        self.assertGreater(len(set(rows)), 1, "the screenshot is blank")


if __name__ == "__main__":
    run_suite("mail")
