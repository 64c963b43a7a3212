"""The integration harness: the real daemon, the real OpenSSH client and real PAM, and nothing of
the host changed.

Every test file ends with `harness.run(main)`. As root, that re-executes the file inside new mount,
PID, network, UTS and IPC namespaces (unshare). There, PID 1 is a small reaper and the test runs as
its child; when the test ends, PID 1 exits and the kernel kills whatever is left, so no process
outlives a run. Inside, before the test:

  - loopback is up (the network namespace has nothing else);
  - private tmpfs on /tmp, /run, /var/log, /home and /root: login records (utmp in /run, wtmp,
    btmp and lastlog in /var/log) and everything the test writes stay in the namespace. If the
    source or build tree lives under one of these, it is bound back to the same path;
  - /etc/passwd, /etc/shadow, /etc/group and /etc/gshadow are fixture files made per run from
    tests/fixtures/etc (real SHA-512 hashes from `openssl passwd -6`), bind-mounted over the host's;
  - /etc/pam.d is a private copy of the host's with the fixture stack tests/fixtures/pam.d/privsshd
    installed as "privsshd" (ours) and "sshd" (OpenSSH's); its pam_exec hook appends
    "open_session alice 127.0.0.1" lines to /var/log/pam-session.log;
  - homes for root, alice and carol with ~/.ssh/authorized_keys holding an ed25519 key made per run
    (private keys in /tmp/keys/<user>), and a key "stranger" that no one authorizes.

Without root the test is skipped (exit 77), or fails when PRIVSSHD_TESTS_MUST_RUN=1 (CI).

PRIVSSHD_TEST_SERVER=openssh runs the same checks against OpenSSH's sshd as a reference (/usr/sbin/sshd
if installed, else the copy `tools/install-deps test` unpacks into .cache/openssh-server/),
so that every check can be seen to pass against a known-good server. Where privsshd is stricter
than OpenSSH by design, the check says "reference differs" and why, and is not asserted there.

Output: one line per check, "ok - ..." or "not ok - ..."; a failed check prints its details, the
tail of the last ssh client's -v log and the tail of every running server's log. The file exits
nonzero when any check failed.
"""
import fcntl
import hashlib
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import struct
import sys
import termios
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.environ.get("PRIVSSHD_SRCDIR") or os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(SRCDIR, "tests", "fixtures")
PRIVSSHD = os.environ.get("PRIVSSHD", "")
PRIVSSHD_WORKER = os.environ.get("PRIVSSHD_WORKER", "")
TEST_HOOKS = os.environ.get("PRIVSSHD_TEST_HOOKS") == "1"
SERVER_KIND = os.environ.get("PRIVSSHD_TEST_SERVER", "privsshd")
MUST_RUN = os.environ.get("PRIVSSHD_TESTS_MUST_RUN") == "1"

# OpenSSH's sshd, the reference: installed, or unpacked (not installed) by `tools/install-deps test`.
OPENSSH_SSHD = next((p for p in ("/usr/sbin/sshd", os.path.join(SRCDIR, ".cache/openssh-server/usr/sbin/sshd"))
                     if os.path.exists(p)), "/usr/sbin/sshd")
SSH = "/usr/bin/ssh"
OPENSSL = "/usr/bin/openssl"
PORT = 2222
SANDBOX_UID = 2100
SANDBOX_DIRECTORY = "/run/privsshd/empty"
PAM_SESSION_LOG = "/var/log/pam-session.log"
CLIENT_HOME = "/tmp/client-home"
KEYS = "/tmp/keys"

# name: (uid, gid, home, shell, password); must agree with tests/fixtures/etc.
USERS = {
    "root": (0, 0, "/root", "/bin/bash", "rootpw"),
    "alice": (2001, 2001, "/home/alice", "/bin/bash", "alicepw"),
    "carol": (2002, 2002, "/home/carol", "/bin/sh", "carolpw"),
}

PRIVATE_DIRS = ("/tmp", "/run", "/var/log", "/home", "/root")

# Our own keywords, which OpenSSH's sshd does not know: dropped from the reference's config.
OWN_KEYWORDS = ("sandboxuser", "sandboxdirectory", "pamservicename")


def is_openssh():
    return SERVER_KIND == "openssh"


# ---------------------------------------------------------------------------------------------
# Checks and outcomes

class Skip(Exception):
    """The test cannot run here (a build without test hooks, a missing tool): exit 77, or a
    failure when PRIVSSHD_TESTS_MUST_RUN=1."""


class ReferenceDiffers(Exception):
    """The whole file checks something OpenSSH does differently or does not have: exit 77 in the
    reference run, always (it is by design, not a gap in the environment)."""


_checks = 0
_failures = 0
_last_ssh = None          # the last SshResult or SshProcess, for failure reports


def _tail(text, lines=40):
    return "\n".join(text.splitlines()[-lines:])


def _indent(text):
    return "    " + text.replace("\n", "\n    ")


def _report(details):
    out = []
    for d in details:
        if d is None:
            continue
        if isinstance(d, (SshResult, SshProcess)):
            out.append(d.describe())
        elif isinstance(d, Server):
            out.append(f"server log ({d.name}), last lines:\n" + _indent(_tail(d.text())))
        elif isinstance(d, bytes):
            out.append(repr(d[:2000]))
        else:
            out.append(str(d)[-6000:])
    if _last_ssh is not None and not any(d is _last_ssh for d in details):
        out.append("last ssh client:\n" + _last_ssh.describe())
    for s in Server.running:
        if not any(d is s for d in details):
            out.append(f"server log ({s.name}), last lines:\n" + _indent(_tail(s.text())))
    print(_indent("\n".join(out)), flush=True)


def check(cond, what, *details, reference_differs=None):
    """Record one check. `details` (strings, bytes, SshResult, Server) are printed on failure.

    reference_differs="why": the check is ours only, because OpenSSH's sshd behaves otherwise by
    design; against the reference it is reported as skipped with the reason (and a note if the
    reference happens to satisfy it after all)."""
    global _checks, _failures
    if reference_differs and is_openssh():
        note = " (the reference satisfies it anyway)" if cond else ""
        print(f"ok - {what} # SKIP reference differs: {reference_differs}{note}", flush=True)
        return True
    _checks += 1
    if cond:
        print(f"ok - {what}", flush=True)
        return True
    _failures += 1
    print(f"not ok - {what}", flush=True)
    _report(details)
    return False


def note(text):
    print(f"# {text}", flush=True)


def skip(reason):
    raise Skip(reason)


def ours_only(why):
    """The whole file is about privsshd itself: against the reference, stop here."""
    if is_openssh():
        raise ReferenceDiffers(why)


def need_test_hooks():
    if is_openssh():
        raise ReferenceDiffers("test hooks exist only in privsshd")
    if not TEST_HOOKS:
        raise Skip("needs a build with -Dtest_hooks=true (PRIVSSHD_TEST_HOOKS=1)")


# ---------------------------------------------------------------------------------------------
# Small helpers

def run_cmd(argv, **kw):
    """subprocess.run with a timeout always, failing loudly."""
    kw.setdefault("timeout", 60)
    kw.setdefault("check", True)
    return subprocess.run(argv, **kw)


def wait_for(pred, timeout=10.0, interval=0.05):
    """Poll pred() until it returns something true or the time is up; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def pam_log():
    """The fixture PAM hook's log: lines like "open_session alice 127.0.0.1"."""
    return read_text(PAM_SESSION_LOG)


def pam_events(user=None):
    """[(type, user, rhost)] from the PAM hook's log, in order, optionally for one user."""
    out = []
    for line in pam_log().splitlines():
        f = line.split(" ")
        f += [""] * (3 - len(f))
        if user is None or f[1] == user:
            out.append(tuple(f[:3]))
    return out


def clear_pam_log():
    with open(PAM_SESSION_LOG, "w"):
        pass


def set_motd(text):
    """What /etc/motd says in this test's namespace."""
    with open("/run/fixture-etc/motd", "w") as f:
        f.write(text)


def fingerprint(pubkey_path):
    """SHA256:... of a public key, as `ssh-keygen -lf` prints it."""
    out = run_cmd(["ssh-keygen", "-l", "-E", "sha256", "-f", pubkey_path], capture_output=True,
                  text=True).stdout
    return out.split()[1]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Proc:
    """A process of this PID namespace, as /proc shows it."""

    def __init__(self, pid):
        self.pid = pid
        self.cmdline = read_text(f"/proc/{pid}/cmdline").replace("\0", " ").strip()
        self.comm = read_text(f"/proc/{pid}/comm").strip()
        self.status = read_text(f"/proc/{pid}/status")

    def field(self, name):
        m = re.search(rf"^{name}:[ \t]*(.*)$", self.status, re.M)
        return m.group(1).strip() if m else None

    @property
    def uids(self):
        return (self.field("Uid") or "").split()

    @property
    def zombie(self):
        return (self.field("State") or "Z").startswith(("Z", "X"))

    def __repr__(self):
        return f"<{self.pid} {self.comm} {self.cmdline!r}>"


def processes(cmdline=None, comm=None):
    """Live (non-zombie) processes whose command line matches the regex `cmdline` (re.search)
    and/or whose comm equals `comm`."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        p = Proc(int(name))
        if not p.status or p.zombie:
            continue
        if cmdline is not None and not re.search(cmdline, p.cmdline):
            continue
        if comm is not None and p.comm != comm:
            continue
        out.append(p)
    return out


def alive(pid):
    st = read_text(f"/proc/{pid}/status")
    m = re.search(r"^State:\s*(\S)", st, re.M)
    return bool(m) and m.group(1) not in "ZX"


# ---------------------------------------------------------------------------------------------
# The server: ours or the reference

class Server:
    """One server with a config file of its own. `config`: keywords of the test, written before
    the common ones, so they win (sshd_config: the first value of a keyword counts)."""

    running = []
    _count = 0

    def __init__(self, config="", name=None, args=(), kind=None):
        Server._count += 1
        self.kind = kind or SERVER_KIND
        self.name = name or f"server{Server._count}"
        self.dir = f"/run/test-{self.name}"
        os.makedirs(self.dir, exist_ok=True)
        self.hostkey = os.path.join(self.dir, "ssh_host_ed25519_key")
        if not os.path.exists(self.hostkey):
            run_cmd(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hostkey", "-f", self.hostkey])
        os.chmod(self.hostkey, 0o600)
        self.logpath = os.path.join(self.dir, "log")
        self.config_path = os.path.join(self.dir, "sshd_config")
        common = [
            f"Port {PORT}",
            "ListenAddress 127.0.0.1",
            f"HostKey {self.hostkey}",
            "PidFile none",
            "LogLevel VERBOSE",
            "SandboxUser privsshd",
            f"SandboxDirectory {SANDBOX_DIRECTORY}",
            "PAMServiceName privsshd",
            "PermitRootLogin prohibit-password",
            "MaxAuthTries 6",
        ]
        # Every test connects from 127.0.0.1, and many fail logins or drop connections on purpose:
        # exempt it from PerSourcePenalties (on by default), or one test's failures would lock the
        # next check out. Tests of the penalties use other sources (127.0.0.2, ...) or their own list.
        if self.kind != "openssh":
            common.append("PerSourcePenaltyExemptList 127.0.0.1")
        lines = [l.strip() for l in config.strip().splitlines() if l.strip()] + common
        if self.kind == "openssh":
            lines = [l for l in lines if not self._own_keyword(l)]
            lines += ["UsePAM yes", "KbdInteractiveAuthentication no"]
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
            self.argv = [OPENSSH_SSHD, "-D", "-e", "-f", self.config_path] + list(args)
        else:
            self.argv = [PRIVSSHD, "-D", "-e", "-f", self.config_path] + list(args)
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None

    @staticmethod
    def _own_keyword(line):
        kw = re.split(r"[\s=]", line, 1)[0].lower()
        return kw in OWN_KEYWORDS or kw.startswith("test")

    def start(self, timeout=10):
        # stdout and stderr are a stream socket, as under systemd (StandardError=journal), copied
        # to the log file by a thread. Not the file itself: the worker's RLIMIT_FSIZE 0 would
        # silently stop its writes to a file, so a sanitizer report from the worker (sanitizer
        # builds keep a copy of stderr for it) or a worker writing where it must not would go unseen.
        self.log = open(self.logpath, "ab", buffering=0)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=theirs, stderr=theirs)
        finally:
            theirs.close()
        self._log_fd = ours.detach()
        self._log_lock = threading.Lock()
        self._pump = threading.Thread(target=self._copy_log, args=(self._log_fd, self.log, self._log_lock),
                                      daemon=True)
        self._pump.start()
        Server.running.append(self)
        # Ready when the socket listens. Read from /proc/net/tcp rather than probed with a
        # connect(), which the server would log as a connection ("Connection closed by ...").
        ok = wait_for(lambda: self.proc.poll() is not None or listening(PORT), timeout)
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.proc.returncode} at start:\n"
                                 + _indent(_tail(self.text())))
        if not ok:
            raise AssertionError(f"{self.name} is not listening on 127.0.0.1:{PORT} after "
                                 f"{timeout} s:\n" + _indent(_tail(self.text())))
        return self

    @staticmethod
    def _copy_log(fd, out, lock):
        try:
            while True:
                select.select([fd], [], [])
                with lock:
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        break
                    out.write(chunk)
        except (OSError, ValueError):
            pass
        finally:
            with lock:
                os.close(fd)

    def _log_drained(self):
        """Everything the daemon has written so far is in the file: nothing waits in the socket and
        the copying thread is not between its read and its write. (A line the daemon wrote before
        the client saw its effect must be in text() when the test looks.)"""
        pump = getattr(self, "_pump", None)
        if pump is None or not pump.is_alive():
            return
        for _ in range(200):
            with self._log_lock:
                try:
                    pending = struct.unpack("i", fcntl.ioctl(self._log_fd, termios.FIONREAD, b"\0" * 4))[0]
                except OSError:
                    return
                if pending == 0:
                    return
            time.sleep(0.005)

    def text(self):
        self._log_drained()
        return read_text(self.logpath)

    def lines(self):
        return self.text().splitlines()

    def wait_log(self, pattern, timeout=10.0):
        """The first match of the regex (re.M) in the server log, waiting up to `timeout` s."""
        return wait_for(lambda: re.search(pattern, self.text(), re.M), timeout)

    def count(self, pattern):
        return len(re.findall(pattern, self.text(), re.M))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self in Server.running:
            Server.running.remove(self)
            # Until every process that holds the daemon's stderr is gone (a monitor still tearing
            # down), or 5 s at most.
            self._pump.join(5)
            if not self._pump.is_alive():
                self.log.close()
            # Sanitizer builds: a report from any of the daemon's processes fails the test.
            text = self.text()
            for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
                if marker in text:
                    i = text.find(marker)
                    check(False, f"no sanitizer report ({marker}) in the log of {self.name}",
                          text[max(0, i - 300):i + 4000])
        wait_for(lambda: not listening(PORT), 5)

    @staticmethod
    def stop_all():
        for s in list(Server.running):
            s.stop()


def listening(port):
    """True when something in this network namespace listens on TCP `port`."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in read_text(table).splitlines()[1:]:
            f = line.split()
            if len(f) > 3 and f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


# ---------------------------------------------------------------------------------------------
# The client: /usr/bin/ssh

_ssh_count = 0


def ssh_argv(user="alice", command=None, key=None, password=None, opts=(), *, prompts=1, verbose=0,
             logfile=None, host="127.0.0.1", port=PORT):
    """The ssh command line: a key login by default (the user's fixture key), a password login
    (askpass, no keys) when `password` is given. With `logfile`, the client's messages go there
    (-E), so stderr is the remote command's alone. (bench/bench.py uses this too.)"""
    argv = [SSH, "-F", "/dev/null", "-p", str(port), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "ConnectTimeout=10"]
    if verbose:
        argv.append("-" + "v" * verbose)
    if logfile:
        argv += ["-E", logfile]
    if password is None:
        argv += ["-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "PasswordAuthentication=no",
                 "-o", "KbdInteractiveAuthentication=no", "-i", key or f"{KEYS}/{user}"]
    else:
        argv += ["-o", "BatchMode=no", "-o", "PreferredAuthentications=password",
                 "-o", "PubkeyAuthentication=no", "-o", f"NumberOfPasswordPrompts={prompts}"]
    argv += list(opts)
    argv.append(f"{user}@{host}")
    if command is not None:
        argv.append(command)
    return argv


def ssh_env(password=None):
    env = dict(os.environ, HOME=CLIENT_HOME)
    env.pop("SSH_AUTH_SOCK", None)
    env.pop("DISPLAY", None)
    if password is not None:
        env.update(SSH_ASKPASS=f"{CLIENT_HOME}/askpass", SSH_ASKPASS_REQUIRE="force",
                   PRIVSSHD_TEST_PASSWORD=password)
    return env


def _new_logfile():
    global _ssh_count
    _ssh_count += 1
    os.makedirs("/tmp/ssh-logs", exist_ok=True)
    return f"/tmp/ssh-logs/{_ssh_count:03d}.log"


class SshResult:
    def __init__(self, argv, returncode, stdout, stderr, logfile):
        self.argv = argv
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.logfile = logfile

    @property
    def log(self):
        """The client's own messages (-v debug lines, errors, the server's disconnect reason)."""
        return read_text(self.logfile)

    def describe(self):
        return (f"ssh: {' '.join(self.argv)}\n  exit {self.returncode}; stdout {self.stdout[:300]!r}"
                f"{'...' if len(self.stdout) > 300 else ''}; stderr {self.stderr[-500:]!r}\n"
                f"  client log {self.logfile}, last lines:\n" + _indent(_tail(self.log, 30)))


def ssh(command=None, user="alice", key=None, password=None, prompts=1, opts=(), stdin=None,
        timeout=120, verbose=1, env=None):
    """Run the OpenSSH client to the end. stdin: bytes, str, an open file, or None (/dev/null).
    env: variables added to the client's environment (for SendEnv).
    Returns an SshResult (stdout and stderr as bytes, .log the client's debug log)."""
    global _last_ssh
    logfile = _new_logfile()
    argv = ssh_argv(user, command, key, password, opts, prompts=prompts, verbose=verbose, logfile=logfile)
    kw = dict(capture_output=True, timeout=timeout, env=dict(ssh_env(password), **(env or {})))
    if isinstance(stdin, (str, bytes)):
        kw["input"] = stdin.encode() if isinstance(stdin, str) else stdin
    else:
        kw["stdin"] = stdin if stdin is not None else subprocess.DEVNULL
    try:
        r = subprocess.run(argv, **kw)
        res = SshResult(argv, r.returncode, r.stdout, r.stderr, logfile)
    except subprocess.TimeoutExpired as e:
        res = SshResult(argv, f"timeout after {timeout} s", e.stdout or b"", e.stderr or b"", logfile)
    _last_ssh = res
    return res


# sftp and scp as alice with her key, in batch mode (the file transfer tests).
SFTP_OPTS = ["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
             "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", f"{KEYS}/alice"]


def run_client(argv, stdin=None):
    """A client (sftp, scp, ssh -s) run to its end with the client's environment; stdin: bytes or None.
    Returns the CompletedProcess (output as bytes)."""
    return subprocess.run(argv, input=stdin, capture_output=True, timeout=120, env=ssh_env())


def sftp(batch, opts=()):
    """`sftp -b -` as alice with the commands in `batch`; `opts` come first (-vv)."""
    return run_client(["/usr/bin/sftp"] + list(opts) + ["-b", "-", "-P", str(PORT)] + SFTP_OPTS +
                      ["alice@127.0.0.1"], batch.encode())


def scp(*args):
    """scp as alice; args name the files (alice@127.0.0.1:path for the remote ones)."""
    return run_client(["/usr/bin/scp", "-P", str(PORT)] + SFTP_OPTS + list(args))


def read_until_closed(sock, timeout=10):
    """Read what the server sends until it closes (a reset, when it closed with our bytes unread,
    counts as closed). Returns what was read."""
    sock.settimeout(timeout)
    # A bytearray grows in place: linear in what is read (bytes += bytes copies it all every time).
    data = bytearray()
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return bytes(data)


def connect_from(source, timeout=10):
    """A TCP connection to the server from `source` (127.0.0.2, ...: all of 127/8 is on loopback in
    the test's namespace, so each is a different source address for the server)."""
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.settimeout(timeout)
    c.bind((source, 0))
    c.connect(("127.0.0.1", PORT))
    return c


def first_line(sock, timeout=10):
    """The first line the server sends (b"SSH-2.0-..." or OpenSSH's b"Not allowed at this time"),
    b"" when it closes first."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\n" not in data and (chunk := sock.recv(256)):
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return data.split(b"\n")[0].rstrip(b"\r")


def ipc_message_numbers():
    """The IPC message numbers, read from THE table (common/ipc-messages.h): the order of its rows."""
    text = read_text(os.path.join(SRCDIR, "common", "ipc-messages.h"))
    table = text[text.index("#define IPC_MESSAGES(X)"):]
    table = table[:table.index("\n\n")]
    names = re.findall(r"X\((\w+),", table)
    if "SETUP" not in names or "SESSION_START" not in names:
        raise SystemExit("cannot read the message table from common/ipc-messages.h")
    return {name: i for i, name in enumerate(names)}


# The start of a fake worker's source (FAKE_WORKER_PRELUDE + its own): the IPC by hand on fd 4 (s(),
# u32(), msg()), note() for its results, recv() (type, payload; fds closed) and recv_fds() (type, payload,
# fds), both of which skip the user's configuration (USER_CONFIG, Match) and end the worker when the
# monitor closes, and password_login(): SETUP, READY, alice's real password, the monitor's answer.
FAKE_WORKER_PRELUDE = r'''
import os, socket, struct, sys, time
def s(b):
    b = b.encode() if isinstance(b, str) else b
    return struct.pack(">I", len(b)) + b
def u32(v):
    return struct.pack(">I", v)
def msg(name, payload=b""):
    return u32(T[name]) + payload
ipc = socket.socket(fileno=4)
out = open(RESULTS, "a")
def note(x):
    out.write(x + "\n"); out.flush()
def recv_fds():
    while True:
        data, fds, _, _ = socket.recv_fds(ipc, 70000, 8)
        if not data:
            note("monitor closed"); sys.exit(0)
        if struct.unpack(">I", data[:4])[0] != T["USER_CONFIG"]:   # the user's configuration (Match)
            return struct.unpack(">I", data[:4])[0], data[4:], fds
        for fd in fds:
            os.close(fd)
def recv():
    t, p, fds = recv_fds()
    for fd in fds:
        os.close(fd)
    return t, p
def password_login():
    recv()                                      # SETUP
    ipc.send(msg("READY", b"\x01"))
    ipc.send(msg("AUTH_PASSWORD", s("alice") + s("alicepw")))
    return recv()
'''


def write_fake_worker(name, variables, source):
    """The launcher /run/NAME.py of a fake worker (test builds: PRIVSSHD_TEST_WORKER): a Python program
    made of `variables` (NAME = value lines, plus RESULTS, the file /tmp/NAME.results it writes its
    notes to, and T, the message numbers) and `source`. Returns (launcher, results)."""
    results = f"/tmp/{name}.results"
    launcher = f"/run/{name}.py"
    with open(launcher, "w") as f:
        f.write("#!/usr/bin/python3\n" + "".join(f"{k} = {v!r}\n" for k, v in variables.items()) +
                f"RESULTS = {results!r}\nT = {ipc_message_numbers()!r}\n" + source)
    os.chmod(launcher, 0o755)
    return launcher, results


def run_monitor(config_path, launcher, timeout=30):
    """`privsshd -i` with the configuration file config_path for one connection on a socketpair, its
    worker the program `launcher` (test builds: PRIVSSHD_TEST_WORKER), killed after `timeout` s.
    Returns (exit status, the daemon's stderr). (tests/hostile/ uses this too.)"""
    client, conn = socket.socketpair()
    env = dict(os.environ, PRIVSSHD_TEST_WORKER=launcher)
    p = subprocess.Popen([PRIVSSHD, "-i", "-e", "-f", config_path], stdin=conn, stdout=conn,
                         stderr=subprocess.PIPE, env=env)
    conn.close()
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    client.close()
    return p.returncode, err.decode(errors="replace")


def run_fake_worker(name, variables, source, server, timeout=30):
    """One connection served by `privsshd -i` with a fake worker (write_fake_worker()). Returns (exit
    status, the daemon's stderr, the notes)."""
    launcher, results = write_fake_worker(name, variables, source)
    rc, err = run_monitor(server.config_path, launcher, timeout)
    return rc, err, read_text(results)


def send_junk(data, timeout=10):
    """Connect, send bytes that are not SSH, and read until the server closes. Returns what it sent."""
    with socket.create_connection(("127.0.0.1", PORT), timeout=timeout) as c:
        c.sendall(data)
        return read_until_closed(c, timeout)


def asyncssh_connect(user="alice"):
    """A python3-asyncssh connection with the user's fixture key (for what OpenSSH's client cannot
    send: signal requests, several sessions on one connection under the test's control)."""
    import warnings
    warnings.filterwarnings("ignore")   # Debian's asyncssh warns about old ciphers
    import asyncssh
    return asyncssh.connect("127.0.0.1", port=PORT, username=user, client_keys=[f"{KEYS}/{user}"],
                            known_hosts=None)


class SshProcess:
    """A client left running (to kill it, or to look at the server while it is connected)."""

    def __init__(self, command, **kw):
        global _last_ssh
        self.logfile = _new_logfile()
        password = kw.get("password")
        kw.setdefault("verbose", 1)
        self.argv = ssh_argv(command=command, logfile=self.logfile, **kw)
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=ssh_env(password))
        _last_ssh = self

    @property
    def log(self):
        return read_text(self.logfile)

    def kill(self, sig=signal.SIGKILL):
        self.proc.send_signal(sig)
        self.proc.wait(10)

    def wait(self, timeout):
        """The exit status, or None when it is still running after `timeout` s."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate(timeout=10)

    def describe(self):
        return (f"ssh (background): {' '.join(self.argv)}\n  exit {self.proc.poll()}\n"
                f"  client log {self.logfile}, last lines:\n" + _indent(_tail(self.log, 30)))


# ---------------------------------------------------------------------------------------------
# The namespace

def _mount(*args):
    run_cmd(["mount"] + list(args))


def _fixture(path):
    with open(os.path.join(FIXTURES, path)) as f:
        return f.read()


def _hash(password):
    salt = secrets.token_hex(8)
    out = run_cmd([OPENSSL, "passwd", "-6", "-salt", salt, "-stdin"], input=password + "\n",
                  capture_output=True, text=True).stdout.strip()
    if not out.startswith(f"$6${salt}$"):
        raise AssertionError(f"openssl passwd -6 gave {out!r}")
    return out


def _kept_trees():
    """Directories we need (source tree, build tree) that live under a directory about to be
    covered by a private tmpfs (a CI checkout in /tmp, a developer's in /home or /root). Opened now
    (O_PATH) and bound back to the same path afterwards."""
    paths = {os.path.realpath(SRCDIR)}
    for p in (PRIVSSHD, PRIVSSHD_WORKER):
        if p:
            # the build root: <build>/monitor/privsshd, <build>/worker/privsshd-worker
            paths.add(os.path.dirname(os.path.dirname(os.path.realpath(p))))
    paths = sorted(p for p in paths
                   if any(p == d or p.startswith(d + "/") for d in PRIVATE_DIRS) and os.path.isdir(p))
    paths = [p for p in paths if not any(p != q and p.startswith(q + "/") for q in paths)]
    return [(p, os.open(p, os.O_PATH | os.O_DIRECTORY)) for p in paths]


def _setup_namespace():
    if not os.access(OPENSSL, os.X_OK):
        raise Skip(f"{OPENSSL} is needed to hash the fixture passwords")
    run_cmd(["ip", "link", "set", "lo", "up"])
    _mount("--make-rprivate", "/")

    # Read what we need from the fixtures before any tmpfs may cover them.
    templates = {n: _fixture(f"etc/{n}") for n in ("passwd", "group")}
    templates.update({n: _fixture(f"etc/{n}.in") for n in ("shadow", "gshadow")})
    pam_stack = _fixture("pam.d/privsshd")
    session_hook = _fixture("pam-session-log.sh")

    kept = _kept_trees()
    for d in PRIVATE_DIRS:
        _mount("-t", "tmpfs", "-o", "mode=0700" if d == "/root" else "mode=0755", "tmpfs", d)
    for path, fd in kept:
        os.makedirs(path, exist_ok=True)
        _mount("--no-canonicalize", "--bind", f"/proc/{os.getpid()}/fd/{fd}", path)
        os.close(fd)
    os.chmod("/tmp", 0o1777)

    # Accounts.
    etc = "/run/fixture-etc"
    os.makedirs(etc)
    for name, text in templates.items():
        text = re.sub(r"@HASH:([^@]*)@", lambda m: _hash(m.group(1)), text)
        path = os.path.join(etc, name)
        with open(path, "w") as f:
            f.write(text)
        secret = name in ("shadow", "gshadow")
        os.chmod(path, 0o640 if secret else 0o644)
        if secret:
            os.chown(path, 0, 42)       # group shadow, as Debian has it
        if not os.path.exists(f"/etc/{name}"):
            raise Skip(f"/etc/{name} does not exist to bind the fixture over")
        _mount("--bind", path, f"/etc/{name}")

    # PAM: a private /etc/pam.d with the fixture stack as "privsshd" and "sshd".
    os.makedirs("/run/fixtures", mode=0o755)
    hook = "/run/fixtures/pam-session-log.sh"
    with open(hook, "w") as f:
        f.write(session_hook)
    os.chmod(hook, 0o755)
    pamd = "/run/fixture-pam.d"
    shutil.copytree("/etc/pam.d", pamd, symlinks=True)
    for service in ("privsshd", "sshd"):
        with open(os.path.join(pamd, service), "w") as f:
            f.write(pam_stack.replace("@SESSION_LOG_HOOK@", hook))
    _mount("--bind", pamd, "/etc/pam.d")
    open(PAM_SESSION_LOG, "w").close()

    # Login records, as a Debian host has them (the daemon appends; it creates none of them).
    for path, mode in (("/run/utmp", 0o664), ("/var/log/wtmp", 0o664), ("/var/log/btmp", 0o660),
                       ("/var/log/lastlog", 0o664)):
        open(path, "w").close()
        os.chmod(path, mode)

    # /etc/motd: a private one, so tests know what it says (set_motd() changes it).
    with open("/run/fixture-etc/motd", "w") as f:
        f.write("Welcome to the privsshd test host.\n")
    if os.path.exists("/etc/motd"):
        _mount("--bind", "/run/fixture-etc/motd", "/etc/motd")

    # Homes and keys.
    os.makedirs(KEYS, mode=0o700)
    for user, (uid, gid, home, shell, password) in USERS.items():
        os.makedirs(home, exist_ok=True)
        os.chmod(home, 0o700 if user == "root" else 0o755)
        os.chown(home, uid, gid)
        sshdir = os.path.join(home, ".ssh")
        os.makedirs(sshdir, mode=0o700)
        key = f"{KEYS}/{user}"
        run_cmd(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{user}@fixture", "-f", key])
        shutil.copy(key + ".pub", os.path.join(sshdir, "authorized_keys"))
        os.chmod(os.path.join(sshdir, "authorized_keys"), 0o600)
        for p in (sshdir, os.path.join(sshdir, "authorized_keys")):
            os.chown(p, uid, gid)
    run_cmd(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "stranger", "-f", f"{KEYS}/stranger"])

    # The client's side: a HOME of its own and the askpass helper for password logins.
    os.makedirs(CLIENT_HOME, mode=0o700)
    with open(f"{CLIENT_HOME}/askpass", "w") as f:
        f.write('#!/bin/sh\nprintf \'%s\\n\' "$PRIVSSHD_TEST_PASSWORD"\n')
    os.chmod(f"{CLIENT_HOME}/askpass", 0o755)
    os.environ["HOME"] = CLIENT_HOME


def _compiled_worker_path():
    """The worker path compiled into privsshd (meson -Dworker_path, default libexecdir): the one
    NUL-terminated absolute path in the binary that ends in /privsshd-worker, or None."""
    try:
        with open(PRIVSSHD, "rb") as f:
            data = f.read()
    except OSError:
        return None
    found = set(re.findall(rb"(?<=\0)(/[\x21-\x7e]*/privsshd-worker)\0", data))
    return found.pop().decode() if len(found) == 1 else None


def _reap_as_init(child):
    """PID 1 of the namespace: reap every orphan until the test (our child) ends; return its
    status as an exit code."""
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda s, f: os.kill(child, s))
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 1
        if pid == child:
            return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1


def run(main, timeout=600):
    """Entry point of every test file. timeout: seconds for all of it, in its namespace."""
    if os.environ.get("PRIVSSHD_IN_NAMESPACE") != "1":
        if os.geteuid() != 0:
            print("skip: the integration tests need root (they run the daemon in private namespaces)")
            sys.exit(1 if MUST_RUN else 77)
        if not is_openssh() and not (PRIVSSHD and os.access(PRIVSSHD, os.X_OK)):
            print(f"skip: PRIVSSHD is not set to a built privsshd ({PRIVSSHD!r})")
            sys.exit(1 if MUST_RUN else 77)
        worker = None if is_openssh() else _compiled_worker_path()
        if worker and not os.access(worker, os.X_OK):
            print(f"not ok - {PRIVSSHD} runs its worker from {worker}, which is not there: configure the "
                  f"build with -Dworker_path={PRIVSSHD_WORKER or '<builddir>/worker/privsshd-worker'} "
                  "(as tools/test does) or install it")
            sys.exit(1)
        if is_openssh() and not os.access(OPENSSH_SSHD, os.X_OK):
            print(f"skip: the reference run needs {OPENSSH_SSHD} (openssh-server)")
            sys.exit(77)
        env = dict(os.environ, PRIVSSHD_IN_NAMESPACE="1")
        try:
            r = subprocess.run(["unshare", "--mount", "--pid", "--net", "--uts", "--ipc", "--fork",
                                "--kill-child", "--mount-proc", "--propagation", "private",
                                sys.executable, os.path.abspath(sys.argv[0])] + sys.argv[1:],
                               env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            print(f"not ok - the test finished within {timeout} s")
            sys.exit(1)
        sys.exit(r.returncode)

    if os.getpid() == 1:
        child = os.fork()
        if child != 0:
            sys.stdout.flush()
            os._exit(_reap_as_init(child))

    print(f"# server: {SERVER_KIND}", flush=True)
    code = 0
    try:
        _setup_namespace()
        main()
    except Skip as e:
        print(f"skip: {e}", flush=True)
        code = 1 if MUST_RUN else 77
    except ReferenceDiffers as e:
        print(f"skip: reference differs: {e}", flush=True)
        code = 77
    except Exception:
        import traceback
        traceback.print_exc()
        check(False, "the test ran to its end without an exception")
    finally:
        Server.stop_all()
    if _failures:
        code = 1
    print(f"# {_checks - _failures} passed, {_failures} failed", flush=True)
    sys.stdout.flush()
    os._exit(code)
