#!/usr/bin/python3
"""Unix-socket forwarding policy, decided by the monitor, and StreamLocalBindUnlink.

Policy as OpenSSH applies it to streamlocal: AllowStreamLocalForwarding yes|all|no|local|remote,
DisableForwarding, and the key options no-port-forwarding, restrict and restrict,port-forwarding;
AllowTcpForwarding, PermitOpen and PermitListen do not apply to socket paths (nor in OpenSSH). Each
refusal has a positive control, and the refusals are logged (-L in OpenSSH's words).

StreamLocalBindUnlink yes removes a stale socket (a socket file nobody listens on) before binding,
and nothing else: a regular file, a directory, a symlink and a socket that still accepts connections
are kept, the forward is refused and the log says why. Without it, a stale socket makes the bind fail
(the control that shows the removal is the keyword's doing)."""
import os
import socket
import stat
import time

import harness
from forward_data import expect, serve_digest
from harness import KEYS, Server, SshProcess, check

AUTHKEYS = "/home/alice/.ssh/authorized_keys"
SVC = "/tmp/svc/svc.sock"
RDIR = "/tmp/alice-r"
RSOCK = f"{RDIR}/fwd.sock"
REFUSED_LOCAL = r"refused streamlocal port forward: originator \S* port \d+, target /tmp/svc/svc\.sock"
REFUSED_REMOTE = r"refused streamlocal remote forward: listen path /tmp/alice-r/fwd\.sock"


def ask_path(path, data):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(10)
    c.connect(path)
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    a = harness.read_until_closed(c)
    c.close()
    return a


def logged(server, log, before, what):
    check(harness.wait_for(lambda: server.count(log) > before, 5), f"{what}: logged: {log}",
          server.text()[-2000:])


def local(expect_ok, what, server=None, log=None):
    """ssh -L 9400:/path: a direct-streamlocal channel per connection to port 9400."""
    before = server.count(log) if log else 0
    p = SshProcess(None, opts=["-N", "-o", "ExitOnForwardFailure=yes", "-L", f"9400:{SVC}"])
    up = harness.wait_for(lambda: harness.listening(9400) or p.proc.poll() is not None, 15)
    got = b""
    if up and p.proc.poll() is None:
        c = socket.create_connection(("127.0.0.1", 9400), timeout=10)
        try:
            c.sendall(b"policy")
            c.shutdown(socket.SHUT_WR)
            got = harness.read_until_closed(c)
        except OSError:
            pass        # refused: the client closed the connection already
        c.close()
    if expect_ok:
        check(got == expect(b"policy"), f"{what}: -L 9400:{SVC} works", p)
    else:
        check(got == b"" and harness.wait_for(lambda: "administratively prohibited" in p.log, 5),
              f"{what}: -L 9400:{SVC} is refused", p)
    if log:
        logged(server, log, before, what)
    p.close()
    harness.wait_for(lambda: not harness.listening(9400), 5)


def remote(expect_ok, what, server=None, log=None, path=RSOCK, key=None):
    before = server.count(log) if log else 0
    p = SshProcess(None, opts=["-N", "-o", "ExitOnForwardFailure=yes", "-R", f"{path}:{SVC}"])
    if expect_ok:
        up = harness.wait_for(lambda: is_ours(path) or p.proc.poll() is not None, 15)
        check(up and p.proc.poll() is None and ask_path(path, b"r") == expect(b"r"),
              f"{what}: -R {path} works", p)
    else:
        rc = p.wait(15)
        check(rc not in (None, 0) and f"remote port forwarding failed for listen path {path}" in p.log,
              f"{what}: -R {path} is refused", p)
    if log:
        logged(server, log, before, what)
    p.close()
    if expect_ok:
        harness.wait_for(lambda: not os.path.lexists(path), 10)


def is_ours(path):
    """A socket file of alice's at path (the one our forward bound)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    return stat.S_ISSOCK(st.st_mode) and st.st_uid == 2001


def restart(config):
    Server.stop_all()
    return Server(config).start()


def set_key_options(pub, options):
    with open(AUTHKEYS, "w") as f:
        f.write(f"{options} {pub}" if options else pub)


def stale_socket(path, owner=2001):
    """A socket file nobody listens on: bound, then closed without unlink (a crashed service's)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()
    os.lchown(path, owner, owner)
    os.chmod(path, 0o600)


def policy(pub):
    s = restart("")
    local(True, "defaults")
    remote(True, "defaults")

    s = restart("AllowStreamLocalForwarding no")
    local(False, "AllowStreamLocalForwarding no", s, REFUSED_LOCAL)
    remote(False, "AllowStreamLocalForwarding no", s, REFUSED_REMOTE)
    check(not os.path.lexists(RSOCK), "AllowStreamLocalForwarding no: no socket file is made")

    s = restart("AllowStreamLocalForwarding local")
    local(True, "AllowStreamLocalForwarding local")
    remote(False, "AllowStreamLocalForwarding local", s, REFUSED_REMOTE)

    s = restart("AllowStreamLocalForwarding remote")
    local(False, "AllowStreamLocalForwarding remote", s, REFUSED_LOCAL)
    remote(True, "AllowStreamLocalForwarding remote")

    s = restart("AllowStreamLocalForwarding all")
    local(True, "AllowStreamLocalForwarding all")
    remote(True, "AllowStreamLocalForwarding all")

    s = restart("DisableForwarding yes\nAllowStreamLocalForwarding yes")
    local(False, "DisableForwarding yes", s, REFUSED_LOCAL)
    remote(False, "DisableForwarding yes", s, REFUSED_REMOTE)

    # TCP's keywords are TCP's (OpenSSH: the same).
    s = restart("AllowTcpForwarding no\nPermitOpen none\nPermitListen none")
    local(True, "AllowTcpForwarding no, PermitOpen none, PermitListen none")
    remote(True, "AllowTcpForwarding no, PermitOpen none, PermitListen none")

    s = restart("")
    set_key_options(pub, "no-port-forwarding")
    local(False, "no-port-forwarding", s, REFUSED_LOCAL)
    remote(False, "no-port-forwarding", s, REFUSED_REMOTE)
    set_key_options(pub, "restrict")
    local(False, "restrict", s, REFUSED_LOCAL)
    remote(False, "restrict", s, REFUSED_REMOTE)
    set_key_options(pub, "restrict,port-forwarding")
    local(True, "restrict,port-forwarding")
    remote(True, "restrict,port-forwarding")
    set_key_options(pub, "")


def bind_unlink():
    # Without StreamLocalBindUnlink: a stale socket is in the way.
    s = restart("")
    stale_socket(RSOCK)
    remote(False, "StreamLocalBindUnlink no, a stale socket", s,
           r"unix_listener: cannot bind to path /tmp/alice-r/fwd\.sock: Address already in use")
    check(os.path.lexists(RSOCK), "StreamLocalBindUnlink no: the stale socket stays")

    s = restart("StreamLocalBindUnlink yes")
    ino = os.lstat(RSOCK).st_ino
    p = SshProcess(None, opts=["-N", "-o", "ExitOnForwardFailure=yes", "-R", f"{RSOCK}:{SVC}"])
    ok = harness.wait_for(lambda: os.path.lexists(RSOCK) and os.lstat(RSOCK).st_ino != ino
                          or p.proc.poll() is not None, 15)
    check(ok and p.proc.poll() is None and is_ours(RSOCK) and ask_path(RSOCK, b"u") == expect(b"u"),
          "StreamLocalBindUnlink yes: the stale socket is replaced by the forward's", p)
    p.close()
    check(harness.wait_for(lambda: not os.path.lexists(RSOCK), 10), "whose file goes with the client")

    # A regular file: kept, byte for byte.
    with open(RSOCK, "w") as f:
        f.write("precious\n")
    os.chown(RSOCK, 2001, 2001)
    remote(False, "StreamLocalBindUnlink yes, a regular file", s,
           r"cannot bind to path /tmp/alice-r/fwd\.sock: it exists and is not a socket")
    with open(RSOCK) as f:
        check(f.read() == "precious\n", "the regular file is kept intact")
    os.unlink(RSOCK)

    # A directory and a symlink (to a stale socket): kept.
    os.mkdir(RSOCK)
    os.chown(RSOCK, 2001, 2001)
    remote(False, "StreamLocalBindUnlink yes, a directory", s, r"fwd\.sock: it exists and is not a socket")
    check(os.path.isdir(RSOCK), "the directory is kept")
    os.rmdir(RSOCK)
    target = f"{RDIR}/stale-target.sock"
    stale_socket(target)
    os.symlink(target, RSOCK)
    os.lchown(RSOCK, 2001, 2001)
    remote(False, "StreamLocalBindUnlink yes, a symlink to a stale socket", s,
           r"fwd\.sock: it exists and is not a socket")
    check(os.path.islink(RSOCK) and os.path.lexists(target), "the symlink and its target are kept")
    os.unlink(RSOCK)

    # A live socket (someone listens and alice may connect): kept, and still serving.
    live = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    live.bind(RSOCK)
    os.chmod(RSOCK, 0o666)
    live.listen(4)
    remote(False, "StreamLocalBindUnlink yes, a live socket", s,
           r"fwd\.sock: a socket there accepts connections")
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(5)
    c.connect(RSOCK)
    check(live.accept()[0] is not None, "the live socket is kept and still accepts connections")
    c.close()
    live.close()
    os.unlink(RSOCK)

    # A live socket whose backlog is full (its service is slow to accept): alive all the same, and
    # the check must not wait for it (a blocking probe hung until the opener's 30 s deadline).
    busy = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    busy.bind(RSOCK)
    os.chmod(RSOCK, 0o666)
    busy.listen(0)
    queued = []
    while True:
        q = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        q.setblocking(False)
        try:
            q.connect(RSOCK)
        except BlockingIOError:
            q.close()
            break
        queued.append(q)
    started = time.monotonic()
    remote(False, "StreamLocalBindUnlink yes, a live socket with a full backlog", s,
           r"fwd\.sock: a socket there accepts connections")
    check(time.monotonic() - started < 20, f"and the refusal does not wait ({time.monotonic() - started:.1f} s)")
    check(os.path.lexists(RSOCK), "the busy socket is kept")
    for q in queued:
        q.close()
    busy.close()
    os.unlink(RSOCK)


def main():
    os.makedirs(os.path.dirname(SVC), exist_ok=True)
    os.chmod(os.path.dirname(SVC), 0o755)
    serve_digest(SVC)
    harness.wait_for(lambda: os.path.exists(SVC), 5)
    os.makedirs(RDIR, exist_ok=True)
    os.chown(RDIR, 2001, 2001)
    os.chmod(RDIR, 0o755)
    with open(f"{KEYS}/alice.pub") as f:
        pub = f.read()
    policy(pub)
    bind_unlink()


harness.run(main)
