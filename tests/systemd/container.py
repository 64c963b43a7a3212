"""A Debian 12 tree booted under a real systemd with systemd-nspawn, and commands run inside it.

The tree: `debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libpam-systemd,
openssh-client bookworm`, made on first use from this machine's own apt sources (as
tools/fresh-machine-check does) and cached as a tarball in .cache/systemd/; every run unpacks a new
copy, so nothing one run does reaches the next.

The boot: `systemd-nspawn --register=no --keep-unit -D ROOT -b --private-network`. With
--register=no there is no machined registration, so `systemd-run -M` and `machinectl shell` cannot
reach it; commands run through nsenter(1) in the namespaces of the container's PID 1 (mount, UTS,
IPC, network, PID, cgroup, its root and working directory). They talk to the container's systemd,
journald and logind through their sockets under the container's /run, as a local root shell would.
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

SRCDIR = os.path.abspath(os.environ.get("PRIVSSHD_SRCDIR") or
                         os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CACHE = os.path.join(SRCDIR, ".cache", "systemd")
TARBALL = os.path.join(CACHE, "bookworm-systemd.tar")
INCLUDE = "systemd,systemd-sysv,dbus,libpam-systemd,openssh-client"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def host_mirror():
    for name in sorted(os.listdir("/etc/apt/sources.list.d")) if os.path.isdir("/etc/apt/sources.list.d") else []:
        if name.endswith(".sources"):
            with open(os.path.join("/etc/apt/sources.list.d", name)) as f:
                for line in f:
                    m = re.match(r"URIs:\s*(\S+)", line)
                    if m and "security" not in m.group(1):
                        return m.group(1)
    if os.path.exists("/etc/apt/sources.list"):
        with open("/etc/apt/sources.list") as f:
            for line in f:
                w = line.split()
                if len(w) >= 2 and w[0] == "deb":
                    return w[1] if "://" in w[1] else w[2]
    raise RuntimeError("no Debian mirror in this machine's apt sources")


def ensure_tarball():
    """The pristine tree, debootstrapped on first use (about a minute here, more under load)."""
    if os.path.exists(TARBALL):
        return TARBALL
    os.makedirs(CACHE, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="debootstrap.", dir=CACHE)
    log = os.path.join(CACHE, "debootstrap.log")
    try:
        with open(log, "w") as f:
            r = subprocess.run(["debootstrap", "--variant=minbase", "--include=" + INCLUDE, "bookworm", tmp,
                                host_mirror()], stdout=f, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise RuntimeError(f"debootstrap failed ({log})")
        subprocess.run(["tar", "-C", tmp, "-cf", TARBALL + ".part", "."], check=True)
        os.rename(TARBALL + ".part", TARBALL)
    finally:
        subprocess.run(["rm", "-rf", "--one-file-system", tmp])
    return TARBALL


class Container:
    def __init__(self):
        os.makedirs(CACHE, exist_ok=True)      # on first use the tree is not made yet either
        self.root = tempfile.mkdtemp(prefix="root.", dir=CACHE)
        subprocess.run(["tar", "-C", self.root, "-xf", ensure_tarball()], check=True)
        # mkdtemp made it 0700: users could not traverse / (every login's key check runs as the user).
        os.chmod(self.root, 0o755)
        # A machine-id of its own, so that journald keeps its journal where journalctl looks.
        with open(os.path.join(self.root, "etc", "machine-id"), "w") as f:
            f.write(os.urandom(16).hex() + "\n")
        self.proc = None
        self.pid1 = None
        self.log = os.path.join(self.root + ".console.log")

    def copy_in(self, src, dest):
        shutil.copy(src, os.path.join(self.root, dest.lstrip("/")))

    def chroot(self, cmd):
        """Before boot: a command in the tree (to prepare fixtures)."""
        return subprocess.run(["chroot", self.root, "/usr/bin/env", "-i", "PATH=" + PATH, "/bin/sh", "-c", cmd],
                              capture_output=True, text=True)

    def boot(self, timeout=180):
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                ["systemd-nspawn", "--register=no", "--keep-unit", "-q", "-D", self.root, "-b", "--private-network",
                 "--console=pipe"], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.pid1 is None:
            if self.proc.poll() is not None:
                raise RuntimeError(f"systemd-nspawn exited {self.proc.returncode}: {self.console_tail()}")
            self.pid1 = self._find_pid1()
            time.sleep(0.2)
        if self.pid1 is None:
            raise RuntimeError("the container's PID 1 did not appear")
        while time.monotonic() < deadline:
            r = self.run("systemctl is-system-running --wait", timeout=max(1, deadline - time.monotonic()))
            state = r.stdout.strip()
            if state in ("running", "degraded"):
                return state
            if self.proc.poll() is not None:
                raise RuntimeError(f"systemd-nspawn exited {self.proc.returncode}: {self.console_tail()}")
            time.sleep(0.5)
        raise RuntimeError(f"the container did not finish booting: {self.console_tail()}")

    def _find_pid1(self):
        """The host pid of the process that is pid 1 in a pid namespace under our nspawn."""
        todo = [self.proc.pid]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("NSpid:"):
                            ids = line.split()[1:]
                            if len(ids) > 1 and ids[-1] == "1":
                                with open(f"/proc/{pid}/comm") as c:
                                    if c.read().strip() == "systemd":
                                        return pid
                for t in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{t}/children") as f:
                        todo.extend(int(x) for x in f.read().split())
            except OSError:
                continue
        return None

    def nsenter(self, argv):
        return ["nsenter", "-t", str(self.pid1), "-m", "-u", "-i", "-n", "-p", "-C", "-r", "-w",
                "/usr/bin/env", "-i", "PATH=" + PATH, "LANG=C.UTF-8", "SYSTEMD_COLORS=0", "SYSTEMD_PAGER=",
                "HOME=/root"] + argv

    def run(self, cmd, timeout=60, input=None):
        """A shell command inside, as root; returns the CompletedProcess (text)."""
        try:
            return subprocess.run(self.nsenter(["/bin/sh", "-c", cmd]), capture_output=True, text=True,
                                  timeout=timeout, input=input)
        except subprocess.TimeoutExpired as e:
            return subprocess.CompletedProcess(e.cmd, 124, stdout=str(e.stdout), stderr=f"timed out: {e.stderr}")

    def popen(self, cmd):
        """A long-running shell command inside, with pipes."""
        return subprocess.Popen(self.nsenter(["/bin/sh", "-c", cmd]), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)

    def console_tail(self, n=30):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def poweroff(self, timeout=90):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            # nspawn turns SIGTERM into an orderly shutdown of the container (SIGRTMIN+3 to its init).
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
        self.pid1 = None

    def destroy(self, keep=False):
        self.poweroff()
        if keep:
            print(f"# the tree is left in {self.root}")
            return
        subprocess.run(["rm", "-rf", "--one-file-system", self.root])
        try:
            os.unlink(self.log)
        except OSError:
            pass
