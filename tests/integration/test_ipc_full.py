#!/usr/bin/python3
"""A request from the worker that finds its IPC socket full waits for room and is served once the
monitor reads again; the connection goes on. Regression test: the worker used to end the connection
(exit status 1) when sendmsg() said EAGAIN, and the socket's send buffer is shared with the worker's
log lines, which a monitor slow to read (a loaded machine, LogLevel DEBUG3) lets fill up; OpenSSH's
agent-restrict failed about one run in seven of it.

Made deterministic: the connection's monitor is stopped (SIGSTOP), lines echoed through a session
(`cat`, whose pipes the worker serves without the monitor) make libssh log at DEBUG3 until ss shows
the worker's end of the socketpair charged with its whole SO_SNDBUF; then, one round each, a -L
connection (the FORWARD_CONNECT request), a -R connection (FORWARD_ACCEPT, with a descriptor) and a
connection to the forwarded agent's socket (AGENT_ACCEPT, as in agent-restrict) arrive. /proc shows
the worker asleep in poll() for POLLOUT on the IPC socket alone, i.e. in the request's wait (its main
loop polls more descriptors); after SIGCONT each connection carries data both ways (the digest
service's answer, the client's real ssh-agent listing its key) and the session still echoes and
ends with its own exit status.

The control beside it: the monitor stopped the same way but the socket not filled (what an earlier
attempt did, and why it did not reproduce the failure): a -L connection's request and its log lines
take a few KiB of the 512 KiB, the worker never waits, and the connection is served after SIGCONT.

Reference differs: OpenSSH's sshd has no worker/monitor socket of this kind."""
import glob
import hashlib
import os
import re
import select
import signal
import socket
import struct
import subprocess
import time

import harness
from forward_data import expect, serve_digest, wait_listening
from harness import KEYS, Server, check

IPC_FD = 4              # WORKER_FD_IPC, common/fd-layout.h
POLLOUT = 0x4
# poll() and ppoll() (glibc may use either) per architecture; aarch64 has ppoll only.
POLL_SYSCALLS = {"x86_64": (7, 271), "aarch64": (73,)}
LOCAL_PORT = 9100
REMOTE_PORT = 9101
DIGEST_PORT = 8001
AGENT = "/tmp/client-agent.sock"        # the client's real ssh-agent, forwarded with -A


def ipc_charge(worker):
    """(bytes charged, SO_SNDBUF) of the worker's end of the IPC socketpair, from ss -xm: AF_UNIX
    charges a datagram to its sender until the receiver reads it. None when it is not found."""
    try:
        inode = re.search(r"socket:\[(\d+)\]", os.readlink(f"/proc/{worker}/fd/{IPC_FD}")).group(1)
    except (OSError, AttributeError):
        return None
    out = subprocess.run(["ss", "-xmH"], capture_output=True, text=True, timeout=10).stdout
    m = re.search(rf"^u_seq\s+\S+\s+\d+\s+\d+\s+\*\s+{inode}\s.*?skmem:\(r\d+,rb\d+,t(\d+),tb(\d+)",
                  out, re.M)
    return (int(m.group(1)), int(m.group(2))) if m else None


def full(worker):
    c = ipc_charge(worker)
    return c is not None and c[0] >= c[1]


def waiting_for_room(worker):
    """True when the worker sleeps in poll() on its IPC socket alone, for POLLOUT: a request waiting
    for room (monitor_client_send_fds). Its main loop polls the connection and the IPC socket
    together, and monitor_client_wait() polls for POLLIN."""
    f = harness.read_text(f"/proc/{worker}/syscall").split()
    if len(f) < 4 or not f[0].isdigit():
        return False            # "running", or gone
    nr, pfds, nfds = int(f[0]), int(f[1], 16), int(f[2], 16)
    if nr not in POLL_SYSCALLS.get(os.uname().machine, ()) or nfds != 1:
        return False
    try:
        with open(f"/proc/{worker}/mem", "rb") as m:
            m.seek(pfds)
            fd, events, _ = struct.unpack("ihh", m.read(8))
    except OSError:
        return False
    return fd == IPC_FD and bool(events & POLLOUT)


def never(pred, seconds):
    """pred() stays false for `seconds` (sampled)."""
    return not harness.wait_for(pred, seconds, 0.02)


def no_answer_yet(c, seconds=1.0):
    """Nothing comes back on c for `seconds`: the forward waits for the stopped monitor."""
    return not select.select([c], [], [], seconds)[0]


class Echo:
    """ssh with forwards and the agent running `cat; exit 3`, its bytes sent and echoed counted and
    hashed."""

    def __init__(self, opts):
        self.logfile = "/tmp/ssh-echo.log"
        self.argv = harness.ssh_argv(command="cat; exit 3", opts=opts, logfile=self.logfile, verbose=1)
        env = dict(harness.ssh_env(), SSH_AUTH_SOCK=AGENT)
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.sent, self.got = hashlib.sha256(), hashlib.sha256()
        self.n_sent = self.n_got = 0

    def round(self, data, timeout=10):
        """Send data, read until as much came back; False when it did not within timeout."""
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            return False        # the client is gone
        self.sent.update(data)
        self.n_sent += len(data)
        return self.read_until(lambda: self.n_got >= self.n_sent, timeout)

    def read_until(self, pred, timeout):
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while not pred():
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return False
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return pred()
            self.got.update(chunk)
            self.n_got += len(chunk)
        return True

    def drain(self, timeout):
        """Read to the end of stdout; False when it did not end within timeout."""
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while select.select([fd], [], [], max(0, deadline - time.monotonic()))[0]:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return True
            self.got.update(chunk)
            self.n_got += len(chunk)
        return False

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except BrokenPipeError:
                pass            # what was left in stdin's buffer has nowhere to go

    def describe(self):
        return (f"ssh: {' '.join(self.argv)}\n  exit {self.proc.poll()}; {self.n_sent} bytes sent, "
                f"{self.n_got} echoed\n  client log, last lines:\n"
                + "\n".join(harness.read_text(self.logfile).splitlines()[-30:]))


def fill(echo, worker, timeout=15):
    """Echo lines until the worker's IPC socket is charged with its whole SO_SNDBUF: each packet makes
    libssh log lines (LogLevel DEBUG3), which the worker sends to the stopped monitor."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if full(worker):
            return True
        if not echo.round(b"x" * 4095 + b"\n"):
            return False
    return False


def tcp_through(port, data):
    """A connection through a forward to the digest service: data sent, then our half-close."""
    def open_():
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        return c
    return open_, lambda c: harness.read_until_closed(c, 15), expect(data)


def agent_identities():
    """A connection to the forwarded agent's socket on the server asking for the identities
    (SSH2_AGENTC_REQUEST_IDENTITIES); the answer's type and key count (12, 1 from the client's agent)."""
    def open_():
        socks = glob.glob("/tmp/ssh-*/agent.*")
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(10)
        c.connect(socks[0])
        c.sendall(struct.pack(">IB", 1, 11))
        return c

    def answer(c):
        c.settimeout(15)
        try:
            head = c.recv(9, socket.MSG_WAITALL)
        except OSError as e:
            return repr(e)
        return struct.unpack(">IBI", head)[1:] if len(head) == 9 else head
    return open_, answer, (12, 1)


def round_full(what, conn, echo, monitor, worker, s):
    """Stop the monitor, fill the socket, open a connection that needs a request (conn: how to open it,
    read its answer, the answer wanted): the request must wait for room and be served after SIGCONT.
    False when the connection did not survive."""
    open_, answer, want = conn
    os.kill(monitor, signal.SIGSTOP)
    try:
        if not check(fill(echo, worker), f"{what}: with the monitor stopped, lines echoed through the "
                     f"session fill the worker's IPC socket with log lines ({ipc_charge(worker)}: bytes "
                     f"charged, SO_SNDBUF)", echo.describe(), s):
            return False
        try:
            c = open_()
        except OSError as e:    # the worker is gone already: nothing listens, or its end is closed
            return check(False, f"{what}: the new connection is made ({e!r})", s)
        check(harness.wait_for(lambda: waiting_for_room(worker), 10, 0.02),
              f"{what}: the request for the new connection finds it full and the worker waits for room "
              f"(poll for POLLOUT on its IPC socket alone)",
              harness.read_text(f"/proc/{worker}/syscall"), harness.processes(cmdline="privsshd"), s)
        check(no_answer_yet(c), f"{what}: nothing comes back while the monitor is stopped")
        check(full(worker), f"{what}: the socket is still full ({ipc_charge(worker)})")
    finally:
        os.kill(monitor, signal.SIGCONT)
    got = answer(c)
    c.close()
    check(got == want, f"{what}: once the monitor reads again, the request is served and the "
          f"connection carries data both ways ({got!r})", echo.describe(), s)
    return (check(harness.alive(worker) and harness.alive(monitor), f"{what}: worker and monitor live on")
            and check(echo.round(f"after {what}\n".encode()), f"{what}: the session still echoes",
                      echo.describe(), s))


def main():
    harness.ours_only("the worker/monitor socketpair is privsshd's own")
    serve_digest(DIGEST_PORT)
    s = Server("LogLevel DEBUG3").start()
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", AGENT], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    check(harness.wait_for(lambda: os.path.exists(AGENT), 10), "the client's ssh-agent runs")
    r = subprocess.run(["ssh-add", f"{KEYS}/carol"], env=dict(os.environ, SSH_AUTH_SOCK=AGENT),
                       capture_output=True, timeout=30)
    check(r.returncode == 0, "a key is in the client's agent (it answers the -A round)", r.stderr)
    e = Echo(["-o", "ExitOnForwardFailure=yes", "-A", "-L", f"{LOCAL_PORT}:127.0.0.1:{DIGEST_PORT}",
              "-R", f"{REMOTE_PORT}:127.0.0.1:{DIGEST_PORT}"])
    try:
        check(e.round(b"hello\n", 20), "the session echoes", e.describe(), s)
        check(wait_listening(LOCAL_PORT, e) and wait_listening(REMOTE_PORT, e)
              and len(glob.glob("/tmp/ssh-*/agent.*")) == 1,
              "-L and -R listen, the forwarded agent's socket is there", e.describe(), s)
        monitors = harness.processes(cmdline=r"^privsshd: alice \[monitor\]")
        workers = harness.processes(comm="privsshd-worker")
        if not check(len(monitors) == 1 and len(workers) == 1, f"one monitor and one worker ({monitors}, "
                     f"{workers})", harness.processes(cmdline="privsshd")):
            return
        monitor, worker = monitors[0].pid, workers[0].pid
        check(ipc_charge(worker) is not None and not full(worker),
              f"the worker's end of the IPC socketpair is found and has room ({ipc_charge(worker)})")

        # Control: the monitor stopped, the socket not filled (an idle session logs nothing).
        os.kill(monitor, signal.SIGSTOP)
        try:
            before = ipc_charge(worker)
            open_, answer, want = tcp_through(LOCAL_PORT, b"control")
            c = open_()
            # The channel open makes the worker send its log lines and the request while we look.
            grew = harness.wait_for(lambda: (ipc_charge(worker) or before)[0] > before[0], 10)
            check(grew and never(lambda: waiting_for_room(worker), 1.0),
                  "control: with the monitor stopped and the socket not full, a -L connection's request "
                  "is sent without waiting", harness.read_text(f"/proc/{worker}/syscall"))
            used, size = ipc_charge(worker)
            check(used < size // 4, f"control: it and its log lines take {used} of {size} bytes")
            check(no_answer_yet(c), "control: no answer while the monitor is stopped")
        finally:
            os.kill(monitor, signal.SIGCONT)
        got = answer(c)
        c.close()
        check(got == want, f"control: the request is served after SIGCONT ({got!r})", s)

        if not (round_full("-L", tcp_through(LOCAL_PORT, b"through -L"), e, monitor, worker, s)
                and round_full("-R", tcp_through(REMOTE_PORT, b"through -R"), e, monitor, worker, s)
                and round_full("-A", agent_identities(), e, monitor, worker, s)):
            return

        e.proc.stdin.close()
        check(e.drain(20) and e.proc.wait(20) == 3,
              f"the session ends with its exit status 3 ({e.proc.poll()})", e.describe(), s)
        check(e.n_got == e.n_sent and e.got.digest() == e.sent.digest(),
              f"every byte sent through the session came back in order ({e.n_sent} bytes)", e.describe())
        # The monitor logs a worker's nonzero exit status (at DEBUG1) and its death by a signal.
        check(harness.wait_for(lambda: not harness.alive(monitor), 10)
              and not re.search(r"^worker \(pid \d+\) (exited with status|for .* was killed)", s.text(),
                                re.M),
              "the connection ended, and its worker exited with status 0", s)
    finally:
        e.close()
        agent.kill()
        agent.wait(10)
        for line in re.findall(r"^worker \(pid.*", s.text(), re.M):
            harness.note(line)
    s.stop()


harness.run(main)
