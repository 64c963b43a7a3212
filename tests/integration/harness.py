"""Integration test harness: the real daemon, the real OpenSSH client, real PAM, and nothing of the
host changed.

Every test file calls harness.run(main). As root, that re-executes the file inside new mount, PID,
network, UTS and IPC namespaces (unshare), where it mounts private tmpfs on /tmp, /run, /var/log and
/home, bind-mounts fixture /etc/passwd, /etc/shadow, /etc/group and a private /etc/pam.d over the
host's, and brings up loopback. When the test's PID 1 exits, the kernel kills whatever is left, so
nothing outlives a run, and no login record can reach the host's wtmp/btmp.

Without root: skip (exit 77), or fail when PRIVSSHD_TESTS_MUST_RUN=1 (CI).
PRIVSSHD_TEST_SERVER=openssh runs the same checks against OpenSSH's sshd as a reference; checks
where privsshd is stricter than OpenSSH by design say so and are skipped there.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

SRCDIR = os.environ.get("PRIVSSHD_SRCDIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
FIXTURES = os.path.join(SRCDIR, "tests", "fixtures")
PRIVSSHD = os.environ.get("PRIVSSHD", "")
SERVER_KIND = os.environ.get("PRIVSSHD_TEST_SERVER", "privsshd")
TEST_HOOKS = os.environ.get("PRIVSSHD_TEST_HOOKS") == "1"
PORT = 2222

USERS = [
    # name, uid, home, shell, password
    ("alice", 2001, "/home/alice", "/bin/bash", "alicepw"),
    ("carol", 2002, "/home/carol", "/bin/sh", "carolpw"),
]
SANDBOX_UID = 2100


class Skip(Exception):
    pass


_failures = 0
_checks = 0


def check(cond, what, detail=None):
    global _failures, _checks
    _checks += 1
    if cond:
        print("ok - " + what, flush=True)
    else:
        _failures += 1
        print("not ok - " + what, flush=True)
        if detail:
            print("  " + str(detail).replace("\n", "\n  ")[-6000:], flush=True)
    return cond


def is_openssh():
    return SERVER_KIND == "openssh"


def sh(*args, **kw):
    kw.setdefault("check", True)
    return subprocess.run(list(args), **kw)


def _hash(pw):
    return sh("openssl", "passwd", "-6", pw, capture_output=True, text=True).stdout.strip()


PRIVATE_DIRS = ("/tmp", "/run", "/var/log", "/home")


def _keep_visible():
    """The source and build trees may live under a directory we are about to cover with a private
    tmpfs (a CI checkout under /tmp, a developer's under /home): bind them to a staging tmpfs first,
    and back to the same paths afterwards."""
    paths = {os.path.realpath(SRCDIR)}
    for p in (PRIVSSHD, os.environ.get("PRIVSSHD_WORKER", "")):
        if p:
            paths.add(os.path.dirname(os.path.dirname(os.path.realpath(p))))
    paths = sorted(p for p in paths if any(p == d or p.startswith(d + "/") for d in PRIVATE_DIRS))
    # Drop paths inside other kept paths.
    paths = [p for p in paths if not any(p != q and p.startswith(q + "/") for q in paths)]
    if not paths:
        return []
    stage = next((d for d in ("/mnt", "/srv", "/media", "/opt") if os.path.isdir(d)), None)
    if stage is None:
        raise AssertionError("no directory to stage the source tree in")
    sh("mount", "-t", "tmpfs", "-o", "mode=0700", "tmpfs", stage)
    kept = []
    for i, p in enumerate(paths):
        st = os.path.join(stage, str(i))
        os.mkdir(st)
        sh("mount", "--bind", p, st)
        kept.append((st, p))
    return kept


def _setup_namespace():
    sh("ip", "link", "set", "lo", "up")
    kept = _keep_visible()
    for d in PRIVATE_DIRS:
        sh("mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", d)
    for st, p in kept:
        os.makedirs(p, exist_ok=True)
        sh("mount", "--bind", st, p)
    os.chmod("/tmp", 0o1777)
    fx = "/run/fixture-etc"
    os.makedirs(fx)
    passwd = [l for l in open("/etc/passwd") if not l.startswith(("alice:", "carol:", "privsshd:"))]
    group = [l for l in open("/etc/group") if not l.startswith(("alice:", "carol:", "privsshd:"))]
    shadow = []
    for l in open("/etc/shadow"):
        name = l.split(":", 1)[0]
        if name == "root":
            f = l.rstrip("\n").split(":")
            f[1] = _hash("rootpw")
            l = ":".join(f) + "\n"
        if name not in ("alice", "carol", "privsshd"):
            shadow.append(l)
    for name, uid, home, shell, pw in USERS:
        passwd.append(f"{name}:x:{uid}:{uid}::{home}:{shell}\n")
        group.append(f"{name}:x:{uid}:\n")
        shadow.append(f"{name}:{_hash(pw)}:19000:0:99999:7:::\n")
    passwd.append(f"privsshd:x:{SANDBOX_UID}:{SANDBOX_UID}:privsshd sandbox:/nonexistent:/usr/sbin/nologin\n")
    group.append(f"privsshd:x:{SANDBOX_UID}:\n")
    shadow.append("privsshd:!:19000::::::\n")
    if not any(l.startswith("sshd:") for l in passwd):
        passwd.append("sshd:x:2101:65534::/run/sshd:/usr/sbin/nologin\n")
    for name, lines in (("passwd", passwd), ("group", group), ("shadow", shadow)):
        p = os.path.join(fx, name)
        with open(p, "w") as f:
            f.writelines(lines)
        os.chmod(p, 0o640 if name == "shadow" else 0o644)
        sh("mount", "--bind", p, "/etc/" + name)

    pamd = "/run/fixture-pam.d"
    shutil.copytree("/etc/pam.d", pamd, symlinks=True)
    stack = open(os.path.join(FIXTURES, "pam-privsshd")).read().replace("@FIXTURES@", FIXTURES)
    for svc in ("privsshd", "sshd"):
        with open(os.path.join(pamd, svc), "w") as f:
            f.write(stack)
    sh("mount", "--bind", pamd, "/etc/pam.d")

    for name, uid, home, shell, pw in USERS + [("root", 0, "/root", "/bin/bash", "rootpw")]:
        if name != "root":
            os.makedirs(home, 0o755)
        sshdir = os.path.join(home, ".ssh")
        if name == "root":
            # /root is the host's: put a private tmpfs over its .ssh
            os.makedirs(sshdir, 0o700, exist_ok=True)
            sh("mount", "-t", "tmpfs", "-o", "mode=0700", "tmpfs", sshdir)
        else:
            os.makedirs(sshdir, 0o700)
        key = f"/tmp/keys/{name}"
        os.makedirs("/tmp/keys", exist_ok=True)
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key)
        shutil.copy(key + ".pub", os.path.join(sshdir, "authorized_keys"))
        os.chmod(os.path.join(sshdir, "authorized_keys"), 0o600)
        sh("chown", "-R", f"{uid}:{uid}", sshdir)
        if name != "root":
            sh("chown", f"{uid}:{uid}", home)
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "stranger", "-f", "/tmp/keys/stranger")
    os.makedirs("/tmp/client-home", 0o700)
    os.environ["HOME"] = "/tmp/client-home"


def run(main):
    """Entry point of every test file."""
    if os.environ.get("PRIVSSHD_IN_NAMESPACE") != "1":
        must = os.environ.get("PRIVSSHD_TESTS_MUST_RUN") == "1"
        if os.geteuid() != 0:
            print("skip: the integration tests need root (they run the daemon in private namespaces)")
            sys.exit(1 if must else 77)
        if not is_openssh() and not (PRIVSSHD and os.path.exists(PRIVSSHD)):
            print("skip: PRIVSSHD is not set to a built privsshd")
            sys.exit(1 if must else 77)
        env = dict(os.environ, PRIVSSHD_IN_NAMESPACE="1")
        r = subprocess.run(["unshare", "--mount", "--pid", "--net", "--uts", "--ipc", "--fork",
                            "--mount-proc", "--propagation", "private",
                            "/usr/bin/python3", os.path.abspath(sys.argv[0])] + sys.argv[1:], env=env)
        sys.exit(r.returncode)

    _setup_namespace()
    code = 0
    try:
        main()
    except Skip as e:
        print(f"skip: {e}")
        code = 1 if os.environ.get("PRIVSSHD_TESTS_MUST_RUN") == "1" else 77
    finally:
        Server.stop_all()
    if code == 0 and _failures:
        code = 1
    print(f"{_checks - _failures} passed, {_failures} failed", flush=True)
    sys.exit(code)


class Server:
    running = []

    def __init__(self, config="", name="server", kind=None, args=()):
        self.kind = kind or SERVER_KIND
        self.dir = f"/run/{name}"
        os.makedirs(self.dir, exist_ok=True)
        self.hostkey = os.path.join(self.dir, "ssh_host_ed25519_key")
        if not os.path.exists(self.hostkey):
            sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.hostkey)
        self.logpath = os.path.join(self.dir, "log")
        base = [f"Port {PORT}", "ListenAddress 127.0.0.1", f"HostKey {self.hostkey}", "PidFile none",
                "LogLevel VERBOSE", "PermitRootLogin prohibit-password", "MaxAuthTries 6",
                "Subsystem sftp /usr/lib/openssh/sftp-server"]
        if self.kind == "openssh":
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
            base += ["UsePAM yes", "KbdInteractiveAuthentication no"]
            ours = ("sandboxuser", "sandboxdirectory", "pamservicename", "test")
            config = "\n".join(l for l in config.splitlines() if not l.strip().lower().startswith(ours))
            self.argv = ["/usr/sbin/sshd", "-D", "-e"]
        else:
            base += ["SandboxUser privsshd", "SandboxDirectory /run/privsshd/empty", "PAMServiceName privsshd"]
            self.argv = [PRIVSSHD, "-D", "-e"] + list(args)
        # Keywords given by the test come first: for most keywords the first value wins.
        self.config = os.path.join(self.dir, "config")
        with open(self.config, "w") as f:
            f.write(config + "\n" + "\n".join(base) + "\n")
        self.proc = None

    def start(self):
        self.log = open(self.logpath, "ab")
        self.proc = subprocess.Popen(self.argv + ["-f", self.config], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        Server.running.append(self)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited at start:\n" + self.text())
            # Wait for the listening socket without connecting (a probe would log a failed handshake).
            out = subprocess.run(["ss", "-Hltn", f"sport = :{PORT}"], capture_output=True, text=True).stdout
            if out.strip():
                return self
            time.sleep(0.05)
        raise AssertionError("server did not start listening:\n" + self.text())

    def text(self):
        try:
            return open(self.logpath, errors="replace").read()
        except OSError:
            return ""

    def wait_log(self, pattern, timeout=10):
        deadline = time.time() + timeout
        while True:
            m = re.search(pattern, self.text(), re.M)
            if m or time.time() > deadline:
                return m
            time.sleep(0.05)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self in Server.running:
            Server.running.remove(self)
            # Sanitizer builds: any report from the daemon's processes fails the test.
            text = self.text()
            for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
                check(marker not in text, f"no sanitizer report ({marker}) in the server log",
                      text[text.find(marker) - 200:][:4000] if marker in text else None)

    @staticmethod
    def stop_all():
        for s in list(Server.running):
            s.stop()


SSH_BASE = ["/usr/bin/ssh", "-F", "/dev/null", "-p", str(PORT), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"]


def ssh_argv(user="alice", command=None, key=None, password=None, opts=()):
    argv = list(SSH_BASE)
    if password is None:
        argv += ["-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "PasswordAuthentication=no",
                 "-i", key or f"/tmp/keys/{user}"]
    else:
        argv += ["-o", "BatchMode=no", "-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no"]
    argv += list(opts) + [f"{user}@127.0.0.1"]
    if command is not None:
        argv.append(command)
    return argv


def ssh_env(password=None):
    env = dict(os.environ)
    if password is not None:
        askpass = "/tmp/askpass.sh"
        with open(askpass, "w") as f:
            f.write("#!/bin/sh\nprintf '%s\\n' \"$PRIVSSHD_TEST_PASSWORD\"\n")
        os.chmod(askpass, 0o755)
        env.update(SSH_ASKPASS=askpass, SSH_ASKPASS_REQUIRE="force", PRIVSSHD_TEST_PASSWORD=password,
                   DISPLAY=":0")
    return env


def ssh(command=None, user="alice", key=None, password=None, opts=(), stdin=None, timeout=120):
    """Run the OpenSSH client; returns a CompletedProcess with bytes stdout/stderr. stdin: bytes, str,
    a file object, or None (/dev/null)."""
    kw = dict(capture_output=True, timeout=timeout, env=ssh_env(password))
    if isinstance(stdin, str):
        kw["input"] = stdin.encode()
    elif isinstance(stdin, bytes):
        kw["input"] = stdin
    else:
        kw["stdin"] = stdin if stdin is not None else subprocess.DEVNULL
    return subprocess.run(ssh_argv(user, command, key, password, opts), **kw)


def fingerprint(pubkey_path):
    out = sh("ssh-keygen", "-l", "-E", "sha256", "-f", pubkey_path, capture_output=True, text=True).stdout
    return out.split()[1]


def pam_log():
    try:
        return open("/var/log/pam-session.log").read()
    except OSError:
        return ""


def wait_for(pred, timeout=10, interval=0.05):
    deadline = time.time() + timeout
    while True:
        v = pred()
        if v or time.time() > deadline:
            return v
        time.sleep(interval)


def alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def processes(pattern):
    """PIDs (in this PID namespace) whose command line matches the regex."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if re.search(pattern, cmd):
            out.append(int(pid))
    return out
