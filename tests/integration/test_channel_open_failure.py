#!/usr/bin/python3
"""A refused channel open carries the reason OpenSSH's sshd gives (RFC 4254 5.1; OpenSSH's channels.c
and serverloop.c): a direct-tcpip whose connect fails is SSH2_OPEN_CONNECT_FAILED with strerror()
("channel N: open failed: connect failed: Connection refused" in the client), a name that does not
resolve the same with gai_strerror(), a refusal by policy SSH2_OPEN_ADMINISTRATIVELY_PROHIBITED with
"open failed", a channel type we do not serve SSH2_OPEN_UNKNOWN_CHANNEL_TYPE. The monitor logs the
failed connect in OpenSSH's words, from what it knows. Each refusal has a forwarding that works beside
it, through the same server, as its control."""
import asyncio
import os
import re
import socket
import threading

import harness
from harness import Server, SshProcess, check, ssh

OPEN = 9450             # an echo server listens here
CLOSED = 9451           # nothing listens here
ECHO_SOCK = "/tmp/echo.sock"
MISSING_SOCK = "/tmp/missing.sock"


def echo_server(sock):
    """Accept connections and send back what each sends, until its end of file."""
    def serve(c):
        with c:
            while data := c.recv(4096):
                c.sendall(data)

    def loop():
        while True:
            c, _ = sock.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()


def start_echo():
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("127.0.0.1", OPEN))
    t.listen(16)
    echo_server(t)
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.bind(ECHO_SOCK)
    os.chmod(ECHO_SOCK, 0o777)      # the user's opener connects to it
    u.listen(16)
    echo_server(u)


def through_local_forward(spec, local_port, data=b"ping"):
    """Run ssh -N -L spec, send data through local_port, and return (what came back, the client)."""
    p = SshProcess(None, opts=["-N", "-L", spec])
    got = None
    if harness.wait_for(lambda: harness.listening(local_port) or p.proc.poll() is not None, 15) and \
            p.proc.poll() is None:
        with socket.create_connection(("127.0.0.1", local_port), timeout=10) as c:
            try:
                c.sendall(data)
                c.shutdown(socket.SHUT_WR)
                got = harness.read_until_closed(c)
            except OSError:
                got = b""
    return got, p


def open_failed(p_or_r, text):
    return lambda: re.search(r"^channel \d+: open failed: " + text, p_or_r.log, re.M)


async def asyncssh_opens():
    """(code, reason) of asyncssh's direct-tcpip opens to OPEN and CLOSED and of a channel of an unknown
    type; (0, "") for one that opened."""
    import asyncssh
    out = []
    async with harness.asyncssh_connect() as conn:
        for port in (OPEN, CLOSED):
            try:
                chan, _ = await conn.create_connection(asyncssh.SSHTCPSession, "127.0.0.1", port)
                chan.close()
                out.append((0, ""))
            except asyncssh.ChannelOpenError as e:
                out.append((e.code, e.reason))
        chan = conn.create_tcp_channel()
        try:
            await chan._open_forward(asyncssh.SSHTCPSession, b"nonesuch@example.com")
            out.append((0, ""))
        except asyncssh.ChannelOpenError as e:
            out.append((e.code, e.reason))
    return out


def main():
    start_echo()
    s = Server().start()

    # ssh -W: the control, then a closed port.
    r = ssh(None, opts=["-W", f"127.0.0.1:{OPEN}"], stdin=b"hello")
    check(r.returncode == 0 and r.stdout == b"hello", f"ssh -W 127.0.0.1:{OPEN} reaches the echo server", r)
    r = ssh(None, opts=["-W", f"127.0.0.1:{CLOSED}"], stdin=b"hello")
    check(r.returncode == 255 and open_failed(r, "connect failed: Connection refused$")(),
          f"ssh -W 127.0.0.1:{CLOSED} (closed): \"channel 0: open failed: connect failed: Connection refused\"",
          r)
    check(s.wait_log(rf"^connect_to 127\.0\.0\.1 port {CLOSED}: failed\.$", 5),
          f"logged: connect_to 127.0.0.1 port {CLOSED}: failed.", s)

    # ssh -L: the control, then a closed port.
    got, p = through_local_forward(f"9460:127.0.0.1:{OPEN}", 9460)
    check(got == b"ping", f"ssh -L 9460:127.0.0.1:{OPEN} carries a connection to the echo server", p, got)
    p.close()
    got, p = through_local_forward(f"9461:127.0.0.1:{CLOSED}", 9461)
    check(got == b"" and harness.wait_for(open_failed(p, "connect failed: Connection refused$"), 5),
          f"ssh -L 9461:127.0.0.1:{CLOSED} (closed): the client prints \"channel N: open failed: connect "
          "failed: Connection refused\"", p, got)
    p.close()

    # A name that does not resolve: gai_strerror()'s text, not an errno's.
    r = ssh(None, opts=["-W", "no-such-host.invalid:80"])
    check(r.returncode == 255 and open_failed(r, "connect failed: (Name or service not known|Temporary "
                                                 "failure in name resolution|No address associated)")(),
          "ssh -W no-such-host.invalid:80: \"open failed: connect failed: <getaddrinfo's error>\"", r)
    check(s.wait_log(r"^connect_to no-such-host\.invalid: unknown host \(", 5),
          "logged: connect_to no-such-host.invalid: unknown host (...)", s)

    # A Unix socket: the control, then a path with nothing there.
    got, p = through_local_forward(f"9462:{ECHO_SOCK}", 9462)
    check(got == b"ping", f"ssh -L 9462:{ECHO_SOCK} carries a connection to the echo socket", p, got)
    p.close()
    got, p = through_local_forward(f"9463:{MISSING_SOCK}", 9463)
    check(got == b"" and harness.wait_for(open_failed(p, "connect failed: No such file or directory$"), 5),
          f"ssh -L 9463:{MISSING_SOCK} (no such socket): \"open failed: connect failed: No such file or "
          "directory\"", p, got,
          reference_differs="OpenSSH's sshd loses connect()'s errno for a socket path and says "
                            "\"connect failed: open failed\"")
    p.close()

    # The codes themselves, and a channel type no one serves.
    (ok_code, _), (closed_code, closed_reason), (unknown_code, _) = asyncio.run(asyncssh_opens())
    check(ok_code == 0, f"asyncssh: direct-tcpip to 127.0.0.1:{OPEN} opens", ok_code)
    check((closed_code, closed_reason) == (2, "Connection refused"),
          f"asyncssh: direct-tcpip to 127.0.0.1:{CLOSED} is refused with code 2 (SSH2_OPEN_CONNECT_FAILED), "
          "\"Connection refused\"", closed_code, closed_reason)
    check(unknown_code == 3, "asyncssh: a channel of type nonesuch@example.com is refused with code 3 "
          "(SSH2_OPEN_UNKNOWN_CHANNEL_TYPE)", unknown_code,
          reference_differs="OpenSSH's sshd answers every open it does not serve with "
                            "SSH2_OPEN_CONNECT_FAILED, \"open failed\"")
    s.stop()

    # Refused by policy: PermitOpen allows one port and not the other, on the same server.
    s = Server(f"PermitOpen 127.0.0.1:{OPEN}").start()
    r = ssh(None, opts=["-W", f"127.0.0.1:{OPEN}"], stdin=b"hello")
    check(r.returncode == 0 and r.stdout == b"hello", f"PermitOpen 127.0.0.1:{OPEN}: ssh -W to it works", r)
    r = ssh(None, opts=["-W", f"127.0.0.1:{CLOSED}"], stdin=b"hello")
    check(r.returncode == 255 and open_failed(r, "administratively prohibited: open failed$")(),
          f"PermitOpen 127.0.0.1:{OPEN}: ssh -W 127.0.0.1:{CLOSED} gets \"open failed: administratively "
          "prohibited: open failed\"", r)
    check(s.wait_log(rf"^Received request from 127\.0\.0\.1 port \d+ to connect to host 127\.0\.0\.1 port "
                     rf"{CLOSED}, but the request was denied\.$", 5),
          "logged: Received request from ... to connect to host 127.0.0.1 port N, but the request was denied.",
          s)
    check(s.count("connect_to ") == 0, "and no connect was tried", s)
    s.stop()

    # Refused by policy: AllowTcpForwarding no (the first server, which allows it, is the control).
    s = Server("AllowTcpForwarding no").start()
    r = ssh(None, opts=["-W", f"127.0.0.1:{OPEN}"], stdin=b"hello")
    check(r.returncode == 255 and r.stdout == b"" and
          open_failed(r, "administratively prohibited: open failed$")(),
          "AllowTcpForwarding no: ssh -W gets \"open failed: administratively prohibited: open failed\"", r)
    check(s.wait_log(rf"^refused local port forward: originator \S+ port \d+, target 127\.0\.0\.1 port {OPEN}$",
                     5),
          "logged: refused local port forward: originator ... target 127.0.0.1 port N", s)


harness.run(main)
