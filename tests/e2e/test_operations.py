#!/usr/bin/python3
"""End-to-end tests of running catwalk as a service (run by `make e2e`):

- `catwalk help CMD` is `catwalk CMD --help`; an unknown command is one
  error line in the common format, exit 2;
- -q leaves a successful run silent (stdout and stderr empty: cron mails
  nothing); -v prints the time of each phase;
- stderr lines carry syslog priorities when stderr is the journal
  (JOURNAL_STREAM names its device and inode), and only then;
- `make install` (PREFIX, DESTDIR) installs the binary, the two man pages
  (clean under groff -ww), the bash completion and the templates; every long
  option of every command's --help and every configuration section is in
  the man pages; the systemd units pass `systemd-analyze verify`;
- the bash completion offers the commands and a command's options, read
  from the binary.

Prints a closing "N passed, N failed" line.
"""
import os
import re
import shutil
import subprocess
import unittest

from suite import BIN, REPO, copy_dataset, run, run_suite, temp_dir


def commands():
    out = run("--help").stdout
    block = out.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines() if line.strip()]


def clean_make_env():
    """The environment for a nested make: without the outer make's flags
    (under `make asan` they carry BUILD=build-asan, which would turn
    ./catwalk into the sanitizer build)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return env


class Commands(unittest.TestCase):
    def test_help_command_is_command_help(self):
        names = commands()
        self.assertIn("run", names)
        for name in names:
            self.assertEqual(run("help", name).stdout, run(name, "--help").stdout, name)
        self.assertTrue(run("help").stdout.startswith("usage: catwalk"))

    def test_unknown_command_is_one_error_line(self):
        proc = run("frobnicate", check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr,
                         "catwalk: error: 'frobnicate' is not a command; see 'catwalk --help'\n")
        self.assertEqual(proc.stdout, "")

    def test_quiet_success_is_silent(self):
        d = copy_dataset("cw-ops-")
        config = os.path.join(d, "catwalk.ini")
        proc = run("run", "-c", config, "-q")
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, "", ""))
        out = os.path.join(d, "out")
        proc = run("report", "weekly", "-q", "-c", config, "--to", "2026-03-16", "--out", out)
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, "", ""))
        self.assertTrue(os.path.exists(os.path.join(out, "catwalk-weekly-2026-03-16.xlsx")))
        # without -q the same commands say what they did
        proc = run("report", "weekly", "-c", config, "--to", "2026-03-16", "--out", out)
        self.assertIn("catwalk-weekly-2026-03-16.html", proc.stdout)

    def test_verbose_times_each_phase(self):
        d = copy_dataset("cw-ops-")
        proc = run("run", "-c", os.path.join(d, "catwalk.ini"), "-v")
        for phase in ("fetch", "load", "derive", "commit", "report"):
            self.assertRegex(proc.stderr, r"(?m)^catwalk: debug: phase %s: \d+\.\d\d s$" % phase)


class Journal(unittest.TestCase):
    def run_to_file(self, env_stream):
        """A run whose stderr is a file; JOURNAL_STREAM is that file's
        device:inode when env_stream is True, another's otherwise."""
        d = copy_dataset("cw-ops-")
        err_path = os.path.join(d, "stderr")
        with open(err_path, "w") as err:
            st = os.fstat(err.fileno())
            env = dict(os.environ)
            env["JOURNAL_STREAM"] = ("%d:%d" % (st.st_dev, st.st_ino) if env_stream
                                     else "%d:%d" % (st.st_dev, st.st_ino + 1))
            # -v: debug lines; a missing warehouse: an error line
            subprocess.run([BIN, "run", "-c", os.path.join(d, "catwalk.ini"), "-v", "--no-report"],
                           stderr=err, stdout=subprocess.DEVNULL, env=env, check=True)
            os.remove(os.path.join(d, "catwalk.db"))
            subprocess.run([BIN, "metrics", "-c", os.path.join(d, "catwalk.ini")],
                           stderr=err, stdout=subprocess.DEVNULL, env=env)
        with open(err_path) as f:
            return f.read().splitlines()

    def test_priorities_when_stderr_is_the_journal(self):
        lines = self.run_to_file(True)
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[3467]>catwalk: (error|warning|info|debug): ")
            level = line[4:].split(":")[1].strip()
            self.assertEqual(line[1], {"error": "3", "warning": "4", "info": "6", "debug": "7"}[level],
                             line)
        self.assertTrue(any(line.startswith("<7>catwalk: debug: phase load:") for line in lines))
        self.assertTrue(any(line.startswith("<3>catwalk: error: no warehouse at") for line in lines))

    def test_no_priorities_on_another_stream(self):
        for line in self.run_to_file(False):
            self.assertTrue(line.startswith("catwalk: "), line)


def man_text(path):
    with open(path) as f:
        return f.read().replace("\\-", "-")


class Install(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stage = temp_dir("cw-install-")
        cls.prefix = os.path.join(cls.stage, "usr")
        subprocess.run(["make", "-s", "-C", REPO, "install", "install-systemd", "PREFIX=" + cls.prefix],
                       check=True, env=clean_make_env(), stdout=subprocess.DEVNULL)

    def test_files_and_modes(self):
        expect = {
            "bin/catwalk": 0o755,
            "share/man/man1/catwalk.1": 0o644,
            "share/man/man5/catwalk.ini.5": 0o644,
            "share/bash-completion/completions/catwalk": 0o644,
            "share/catwalk/templates/weekly.html": 0o644,
            "lib/systemd/system/catwalk.service": 0o644,
            "lib/systemd/system/catwalk.timer": 0o644,
            "lib/systemd/system/catwalk-mail.service": 0o644,
            "lib/systemd/system/catwalk-mail.timer": 0o644,
            "lib/systemd/system/catwalk-notify@.service": 0o644,
            "lib/sysusers.d/catwalk.conf": 0o644,
            "lib/tmpfiles.d/catwalk.conf": 0o644,
            "libexec/catwalk/catwalk-notify": 0o755,
        }
        for rel, mode in expect.items():
            path = os.path.join(self.prefix, rel)
            self.assertTrue(os.path.isfile(path), rel)
            self.assertEqual(os.stat(path).st_mode & 0o777, mode, rel)
        out = subprocess.run([os.path.join(self.prefix, "bin/catwalk"), "--version"],
                             capture_output=True, text=True, check=True).stdout
        self.assertRegex(out, r"^catwalk \d+\.\d+\.\d+\n$")
        with open(os.path.join(self.prefix, "lib/systemd/system/catwalk.service")) as f:
            unit = f.read()
        self.assertIn("ExecStart=%s/bin/catwalk run" % self.prefix, unit)
        self.assertNotIn("@BINDIR@", unit)

    def test_destdir_stages_under_it(self):
        dest = temp_dir("cw-destdir-")
        subprocess.run(["make", "-s", "-C", REPO, "install", "DESTDIR=" + dest, "PREFIX=/usr"],
                       check=True, env=clean_make_env(), stdout=subprocess.DEVNULL)
        self.assertTrue(os.path.isfile(os.path.join(dest, "usr/bin/catwalk")))
        self.assertTrue(os.path.isfile(os.path.join(dest, "usr/share/man/man5/catwalk.ini.5")))

    def test_man_pages_are_clean_roff(self):
        for page in ("man1/catwalk.1", "man5/catwalk.ini.5"):
            proc = subprocess.run(["groff", "-man", "-ww", "-z", os.path.join(self.prefix, "share/man", page)],
                                  capture_output=True, text=True)
            self.assertEqual((proc.returncode, proc.stderr), (0, ""), page)

    def test_every_option_is_in_the_command_page(self):
        page = man_text(os.path.join(REPO, "doc", "catwalk.1"))
        for name in commands():
            self.assertRegex(page, r"\.B(I)? %s\b|\\fBcatwalk %s\\fR" % (name, name), name)
            helps = [run(name, "--help").stdout]
            if name == "report":
                helps = [run("report", "--help").stdout]
            for text in helps:
                for option in sorted(set(re.findall(r"(?m)^\s+(?:-\w, )?(--[a-z][a-z-]*)", text))):
                    self.assertIn(option, page, "catwalk %s %s is not in catwalk.1" % (name, option))

    def test_every_section_is_in_the_config_page(self):
        page = man_text(os.path.join(REPO, "doc", "catwalk.ini.5"))
        with open(os.path.join(REPO, "core", "config.c")) as f:
            source = f.read()
        sections = re.findall(r'\{"([a-z_]+)", SEC_[A-Z_]+\}', source)
        self.assertIn("catwalk", sections)
        for section in sections:
            self.assertIn(".SS [%s]" % section, page, section)
        for named in ("source NAME", "application NAME"):
            self.assertIn(".SS [%s]" % named, page)

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
    def test_units_verify(self):
        units = os.path.join(self.prefix, "lib/systemd/system")
        names = ["catwalk.service", "catwalk.timer", "catwalk-mail.service", "catwalk-mail.timer"]
        # an instance of the template unit, as OnFailure= starts it
        instance = os.path.join(self.stage, "catwalk-notify@catwalk.service.service")
        shutil.copy(os.path.join(units, "catwalk-notify@.service"), instance)
        proc = subprocess.run(["systemd-analyze", "verify", "--man=no"] +
                              [os.path.join(units, n) for n in names] + [instance],
                              capture_output=True, text=True, cwd=units,
                              env=dict(os.environ, SYSTEMD_LOG_LEVEL="warning"))
        # verify complains about the referenced notify template when it is not
        # installed system-wide; nothing else may be reported
        problems = [line for line in proc.stderr.splitlines()
                    if "catwalk-notify@" not in line or "not executable" in line]
        self.assertEqual(problems, [], proc.stderr)

    def test_sysusers_and_tmpfiles(self):
        with open(os.path.join(self.prefix, "lib/sysusers.d/catwalk.conf")) as f:
            self.assertRegex(f.read(), r"(?m)^u catwalk - .* /var/lib/catwalk$")
        with open(os.path.join(self.prefix, "lib/tmpfiles.d/catwalk.conf")) as f:
            text = f.read()
        for folder in ("/var/lib/catwalk", "/var/lib/catwalk/landing", "/var/lib/catwalk/reports"):
            self.assertRegex(text, r"(?m)^d %s\s+0700 catwalk catwalk -$" % re.escape(folder))


COMPLETION_SHIM = r"""
_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]};
                     words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
_filedir() { :; }
compopt() { :; }
source "$1"
shift
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
_catwalk
printf '%s\n' "${COMPREPLY[@]}"
"""


class Completion(unittest.TestCase):
    def complete(self, *words):
        bindir = os.path.dirname(os.path.abspath(BIN))
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
        script = os.path.join(REPO, "contrib", "bash-completion", "catwalk")
        proc = subprocess.run(["bash", "-c", COMPLETION_SHIM, "shim", script,
                               os.path.basename(BIN)] + list(words),
                              capture_output=True, text=True, env=env, check=True)
        return proc.stdout.split()

    def test_commands(self):
        self.assertEqual(sorted(self.complete("")), sorted(commands() + ["help", "--help", "--version"]))
        self.assertEqual(self.complete("rep"), ["report"])

    def test_options_of_a_command(self):
        got = self.complete("run", "--no")
        self.assertEqual(got, ["--no-report"])
        self.assertIn("--in-flight", self.complete("flow", "--"))
        self.assertEqual(self.complete("report", "w"), ["weekly"])


if __name__ == "__main__":
    run_suite("operations")
