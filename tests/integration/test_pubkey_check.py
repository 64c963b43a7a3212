#!/usr/bin/python3
"""The authorized_keys check (a child of the monitor that becomes the user) when it fails, for a
name that is no user, and what it holds.

  - When the check cannot run (here: the monitor's fork fails, because the listener and its
    children are in a pids cgroup with no room left), the monitor logs why and refuses the key,
    for a known user and for an unknown one. The review found a NULL dereference (SIGSEGV in a root
    process) on this path for an unknown user; the client then saw the connection drop instead of
    "Permission denied". Control: with the limit lifted, the same key logs alice in.
  - For a name that is not a user, %u in AuthorizedKeysFile is never expanded with the client's
    name: "../probe" must not make the child open a file outside the keys directory (watched with
    inotify). Control: alice's own file in that directory is seen being opened.
  - The child holds nothing of the monitor's: at DEBUG3 it lists its descriptors, which must be
    /dev/null on 0-2 and its answer pipe, even when the daemon logs to an -E file.
  - The child runs as the user, who can stop it. The monitor waits for its answer, so that wait
    ends at LoginGraceTime at the latest (it used to allow 10 s per read, again for every key the
    client offers): with TestKeyCheckStops (test builds) the child stops itself, and a connection
    with LoginGraceTime 3 still ends at its grace time, the child killed and reaped.
"""
import time
import ctypes
import os
import re
import select
import struct

import harness
from harness import KEYS, Server, check, ssh

PROBE_DIR = "/run/akprobe"
KEYS_DIR = f"{PROBE_DIR}/keys"


# ---- a pids cgroup (v1 "pids" hierarchy or v2) -------------------------------------------------

def _pids_cgroup_root():
    """(directory under which to make a pids cgroup, the directory to move processes back to)."""
    own = {}
    for line in harness.read_text("/proc/self/cgroup").splitlines():
        hid, controllers, path = line.split(":", 2)
        own[controllers] = path
    if os.path.exists("/sys/fs/cgroup/pids/cgroup.procs") and "pids" in own:
        base = "/sys/fs/cgroup/pids" + own["pids"].rstrip("/")
        return base, base
    if "pids" in harness.read_text("/sys/fs/cgroup/cgroup.controllers").split() and "" in own:
        base = "/sys/fs/cgroup" + own[""].rstrip("/")
        return base, base
    raise harness.Skip("no writable pids cgroup controller")


class PidsLimit:
    def __init__(self, pid, limit):
        base, self.home = _pids_cgroup_root()
        self.path = f"{base}/privsshd-test-{os.getpid()}"
        os.makedirs(self.path, exist_ok=True)
        self.set(limit)
        with open(f"{self.path}/cgroup.procs", "w") as f:
            f.write(str(pid))
        self.pid = pid

    def settle(self):
        """Wait until only the listener is left in the group: a finished connection's processes
        (a sanitizer build's exit-time leak check among them) count until they are reaped."""
        return harness.wait_for(lambda: len(harness.read_text(f"{self.path}/tasks" if os.path.exists(
            f"{self.path}/tasks") else f"{self.path}/cgroup.procs").split()) <= 1, 15)

    def set(self, limit):
        with open(f"{self.path}/pids.max", "w") as f:
            f.write(str(limit))

    def remove(self):
        for pid in harness.read_text(f"{self.path}/cgroup.procs").split():
            try:
                with open(f"{self.home}/cgroup.procs", "w") as f:
                    f.write(pid)
            except OSError:
                pass
        try:
            os.rmdir(self.path)
        except OSError:
            pass


# ---- inotify, for "was this file opened" --------------------------------------------------------

IN_OPEN = 0x20
_libc = ctypes.CDLL(None, use_errno=True)


class OpenWatch:
    def __init__(self, *dirs):
        self.fd = _libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise harness.Skip("inotify_init1 failed")
        self.wds = {}
        for d in dirs:
            wd = _libc.inotify_add_watch(self.fd, d.encode(), IN_OPEN)
            self.wds[wd] = d

    def opened(self):
        """Paths opened since the last call."""
        out = []
        while select.select([self.fd], [], [], 0.2)[0]:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            i = 0
            while i + 16 <= len(data):
                wd, mask, _, n = struct.unpack_from("iIII", data, i)
                name = data[i + 16:i + 16 + n].rstrip(b"\0").decode(errors="replace")
                out.append(os.path.join(self.wds.get(wd, "?"), name))
                i += 16 + n
        return out


def stopped_check(previous):
    previous.stop()
    s = Server("TestKeyCheckStops yes\nLoginGraceTime 3", name="stopped-check").start()
    t0 = time.monotonic()
    r = ssh("id -un", opts=["-o", "ConnectTimeout=30"])
    took = time.monotonic() - t0
    check(r.returncode == 255, "a login whose key check is stopped does not succeed", r)
    check(s.wait_log(r"^publickey: checking the authorized keys of alice failed: Connection timed out"),
          "log: the check is given up", s)
    check(s.wait_log(r"^Timeout before authentication for 127\.0\.0\.1 port \d+"),
          "log: and the connection ends at its grace time", s)
    check(took < 9, f"at LoginGraceTime (3 s), not after 10 s per read ({took:.1f} s)", s)
    check(harness.wait_for(lambda: not [p for p in harness.processes() if p.uids[:1] == ["2001"]], 10),
          "the stopped child is killed and reaped", harness.processes())
    s.stop()


def main():
    if harness.is_openssh():
        raise harness.ReferenceDiffers("checks privsshd's authorized_keys child and its log lines")

    # Part 1: the check cannot run.
    s = Server("LogLevel DEBUG1").start()
    limit = PidsLimit(s.proc.pid, 3)       # the listener, one monitor, one worker: no fork more
    try:
        r = ssh("id -un", user="nosuchuser", key=f"{KEYS}/alice")
        check(r.returncode == 255 and "Permission denied" in r.log,
              "an unknown user's key check that cannot run: refused (Permission denied), "
              "the monitor does not crash", r)
        check(s.wait_log(r"^publickey: checking the authorized keys of invalid user nosuchuser failed: "),
              "log: the check failed, for invalid user nosuchuser", s)
        limit.settle()
        r = ssh("id -un")
        check(r.returncode == 255 and "Permission denied" in r.log,
              "alice's key is refused too while the check cannot run", r)
        check(s.wait_log(r"^publickey: checking the authorized keys of alice failed: "),
              "log: the check failed, for alice", s)
        limit.settle()
        limit.set("max")
        r = ssh("id -un")
        check(r.returncode == 0 and r.stdout == b"alice\n", "control: with room to fork, the key works", r)
    finally:
        limit.remove()
    check(s.count(r"killed by signal|AddressSanitizer|runtime error") == 0, "no sanitizer report, no worker killed by a signal", s)
    s.stop()

    # Part 2: %u for a name that is no user; the child's descriptors.
    os.makedirs(KEYS_DIR, mode=0o755, exist_ok=True)
    os.chmod(PROBE_DIR, 0o755)
    with open(f"{KEYS}/alice.pub") as f:
        pub = f.read()
    for path in (f"{KEYS_DIR}/alice", f"{PROBE_DIR}/probe"):
        with open(path, "w") as f:
            f.write(pub)
        os.chmod(path, 0o644)
    elog = "/run/test-ak-elog"
    s = Server(f"AuthorizedKeysFile {KEYS_DIR}/%u\nLogLevel DEBUG3", name="ak", args=("-E", elog)).start()
    watch = OpenWatch(PROBE_DIR, KEYS_DIR)
    r = ssh("id -un", user="../probe", key=f"{KEYS}/alice")
    check(r.returncode == 255, "the name ../probe does not log in", r)
    opened = watch.opened()
    check(f"{PROBE_DIR}/probe" not in opened,
          "the child did not open ../probe relative to the keys directory (%u is not expanded "
          "with a name that is no user)", opened)
    r = ssh("id -un")
    check(r.returncode == 0 and r.stdout == b"alice\n", "alice logs in with the key in her file", r)
    opened = watch.opened()
    check(f"{KEYS_DIR}/alice" in opened, "control: the watch sees the child open alice's file", opened)

    text = harness.read_text(elog)
    if harness.TEST_HOOKS:
        stopped_check(s)
    else:
        harness.note("not a test-hooks build: the stopped-check case is not run")
    lists = re.findall(r"authorized_keys reader: open descriptors:([ \d]*)", text)
    check(len(lists) >= 2 and all(l.split() == ["0", "1", "2", "3"] for l in lists),
          "the child holds only 0, 1, 2 and its answer pipe (3), not the -E log file", lists or text[-3000:])


harness.run(main)
