#!/usr/bin/python3
"""Unix-socket forwarding (OpenSSH's streamlocal extensions) with the real OpenSSH client and real
services on Unix sockets: ssh -L port:/path and ssh -L /local:/remote (direct-streamlocal), and ssh -R /remote:... (streamlocal-forward, forwarded-streamlocal): 64 MiB checksummed each
way, the half-close request/response case in both directions, the connection to the target made as
the user (SO_PEERCRED at the service), the socket file of a -R forward owned by the user with the mode
StreamLocalBindMask gives, cancel through a ControlMaster (ssh -O cancel), and the socket files
removed when the connection ends, however it ends."""
import hashlib
import os
import stat
import subprocess

import harness
from forward_data import SIZE, ask, expect, forward, make_big, serve_digest, up
from harness import Server, SshProcess, check

BIG = "/tmp/big"
SVC = "/tmp/svc/svc.sock"          # the service on the server side (-L) and on the client side (-R)
RDIR = "/tmp/alice-r"               # where alice binds -R sockets
peers = []                          # (pid, uid, gid) of each connection to SVC


def is_socket(path):
    try:
        return stat.S_ISSOCK(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def both_ways(address, data, want, what):
    """64 MiB (data) to the service and its digest back; then 64 MiB from it after our EOF."""
    a = ask(address, data)
    check(a == f"{SIZE} {want}\n".encode(), f"{what}: 64 MiB to the service, then its answer after our "
          f"half-close ({a[:100]!r})")
    b = ask(address, b"GET big")
    check(len(b) == SIZE and hashlib.sha256(b).hexdigest() == want,
          f"{what}: 64 MiB from the service after our request and half-close, sha256 intact ({len(b)} bytes)")


def main():
    want = make_big(BIG)
    with open(BIG, "rb") as f:
        data = f.read()
    os.makedirs(os.path.dirname(SVC), exist_ok=True)
    os.chmod(os.path.dirname(SVC), 0o755)
    serve_digest(SVC, big=BIG, peers=peers)
    os.makedirs(RDIR, exist_ok=True)
    os.chown(RDIR, 2001, 2001)
    os.chmod(RDIR, 0o755)
    server = Server()
    server.start()

    # ---- ssh -L port:/path and -L /local:/remote (direct-streamlocal) ----
    local = "/tmp/client-l.sock"
    p = forward(["-L", f"9300:{SVC}", "-L", f"{local}:{SVC}"])
    check(up(lambda: harness.listening(9300) and is_socket(local), p), "ssh -L listens on a port and a path", p)
    peers.clear()
    both_ways(9300, data, want, "-L port:/path")
    check(peers and all(uid == 2001 for _, uid, _ in peers),
          f"the connections to the service are alice's (SO_PEERCRED uids {[u for _, u, _ in peers]})")
    check(ask(local, b"small") == expect(b"small"), "-L /local:/remote: a request, our EOF, the answer")
    b = ask(local, b"GET big")
    check(hashlib.sha256(b).hexdigest() == want, f"-L /local:/remote: 64 MiB back ({len(b)} bytes)")
    p.close()

    # ---- ssh -R /remote:/local (streamlocal-forward) ----
    rsock = f"{RDIR}/fwd.sock"
    p = forward(["-R", f"{rsock}:{SVC}"])
    check(up(lambda: is_socket(rsock), p), "ssh -R /path: the server binds the socket file", p)
    st = os.lstat(rsock)
    check((st.st_uid, st.st_gid) == (2001, 2001), f"the socket file is alice's ({st.st_uid}:{st.st_gid})")
    check(stat.S_IMODE(st.st_mode) == 0o600,
          f"with mode 0600 (StreamLocalBindMask 0177 by default): {oct(stat.S_IMODE(st.st_mode))}")
    both_ways(rsock, data, want, "-R /remote:/local")
    p.close()   # SIGKILL: the client vanishes without a word
    check(harness.wait_for(lambda: not os.path.lexists(rsock), timeout=10),
          "the socket file is removed when the client is killed")

    # A clean end: the session ends, the connection closes, the file goes.
    r = harness.ssh(f"for i in $(seq 50); do test -S {rsock} && exit 0; sleep 0.1; done; exit 1",
                    opts=["-o", "ExitOnForwardFailure=yes", "-R", f"{rsock}:{SVC}"])
    check(r.returncode == 0 and harness.wait_for(lambda: not os.path.lexists(rsock), timeout=10),
          "and when the connection ends normally (the session saw it there)", r.describe())

    # Through a ControlMaster: forward, cancel (the file goes at once), forward again.
    cm = "/tmp/cm-unix.sock"
    m = SshProcess(None, opts=["-N", "-M", "-S", cm])
    check(harness.wait_for(lambda: os.path.exists(cm), timeout=15), "the ControlMaster is up", m)
    ctl = harness.ssh_argv(opts=["-S", cm, "-O", "forward", "-R", f"{rsock}:{SVC}"])
    r = subprocess.run(ctl, capture_output=True, env=harness.ssh_env(), timeout=30)
    check(r.returncode == 0 and up(lambda: is_socket(rsock), m) and ask(rsock, b"mux") == expect(b"mux"),
          "ssh -O forward -R /path adds a forward that carries a connection", r.stderr)
    ctl[ctl.index("forward")] = "cancel"
    r = subprocess.run(ctl, capture_output=True, env=harness.ssh_env(), timeout=30)
    check(r.returncode == 0 and harness.wait_for(lambda: not os.path.lexists(rsock), timeout=10),
          "ssh -O cancel -R /path closes it and removes the socket file", r.stderr, server.text()[-2000:])
    ctl[ctl.index("cancel")] = "forward"
    r = subprocess.run(ctl, capture_output=True, env=harness.ssh_env(), timeout=30)
    check(r.returncode == 0 and up(lambda: is_socket(rsock), m) and ask(rsock, b"again") == expect(b"again"),
          "and the same path can be forwarded again", r.stderr)
    # The worker killed under a live forward: the monitor still removes the file.
    workers = harness.processes(comm="privsshd-worker")
    for w in workers:
        os.kill(w.pid, 9)
    check(workers and harness.wait_for(lambda: not os.path.lexists(rsock), timeout=10),
          f"the socket file is removed when the worker is killed ({len(workers)} worker)")
    m.close()

    # Another mask.
    Server.stop_all()
    server = Server("StreamLocalBindMask 0027")
    server.start()
    p = forward(["-R", f"{rsock}:{SVC}"])
    check(up(lambda: is_socket(rsock), p) and stat.S_IMODE(os.lstat(rsock).st_mode) == 0o750,
          "StreamLocalBindMask 0027: mode 0750", p)
    check(ask(rsock, b"m") == expect(b"m"), "and the forward works")
    p.close()
    check(harness.wait_for(lambda: not os.path.lexists(rsock), timeout=10), "and its file goes with the client")


harness.run(main)
