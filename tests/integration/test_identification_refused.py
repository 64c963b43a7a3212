#!/usr/bin/python3
"""A client line that is not an SSH identification string is answered as OpenSSH's sshd answers it
(kex.c, kex_exchange_identification()): our version line, then "Invalid SSH identification
string.\\r\\n", then the connection closes; an SSH-1.5 line gets "Protocol major versions differ.".
Both whether the peer sends at once, before our version line can have gone out (the read and the
refusal then come in the same poll round as the first write), and after reading it. Logged in
OpenSSH's words. A real client on the same server logs in (the control)."""
import re
import socket

import harness
from harness import Server, check, ssh

JUNK = b"GET / HTTP/1.0\r\n\r\n"
INVALID = b"Invalid SSH identification string.\r\n"


def read_to_end(c, timeout=10):
    """Everything the server sends, and how it ended: "eof", "reset" or "timeout"."""
    c.settimeout(timeout)
    data = b""
    try:
        while chunk := c.recv(4096):
            data += chunk
        return data, "eof"
    except ConnectionResetError:
        return data, "reset"
    except socket.timeout:
        return data, "timeout"


def version_line(data):
    """Our version line (with its CR LF) at the start of data, or None."""
    m = re.match(rb"SSH-2\.0-[\x21-\x7e]+( [\x20-\x7e]*)?\r\n", data)
    return m.group(0) if m else None


def refused(rest, how):
    """rest is the refusal line, and the connection ended with end of file."""
    if rest == INVALID and how == "eof":
        return True
    # OpenSSH's sshd reads the line one byte at a time and closes with the second CR LF unread,
    # which makes the kernel send a reset (which may overtake its last write, the CR LF);
    # privsshd reads everything that came.
    return harness.is_openssh() and how == "reset" and rest in (INVALID, INVALID[:-2])


def logged(s, before, line):
    check(harness.wait_for(lambda: s.count(re.escape(
        f'kex_exchange_identification: client sent invalid protocol identifier "{line}"')) > before, 5),
          f'logged: kex_exchange_identification: client sent invalid protocol identifier "{line}"', s)


def main():
    s = Server().start()
    banner_lines = r"^banner exchange: Connection from 127\.0\.0\.1 port \d+: invalid format"

    # Sent at once, before reading anything.
    before, before_fmt = s.count("client sent invalid protocol identifier"), s.count(banner_lines)
    with socket.create_connection(("127.0.0.1", harness.PORT), timeout=10) as c:
        c.sendall(JUNK)
        data, how = read_to_end(c)
    v = version_line(data)
    check(v is not None and refused(data[len(v):], how),
          "an HTTP request sent at once gets our version line, then \"Invalid SSH identification "
          "string.\", then end of file", data, how, s)
    logged(s, before, "GET / HTTP/1.0")
    check(harness.wait_for(lambda: s.count(banner_lines) > before_fmt, 5),
          "and: banner exchange: Connection from 127.0.0.1 port N: invalid format", s)

    # Sent after reading our version line.
    before = s.count("client sent invalid protocol identifier")
    with socket.create_connection(("127.0.0.1", harness.PORT), timeout=10) as c:
        c.settimeout(10)
        got = b""
        while b"\n" not in got and (chunk := c.recv(1)):
            got += chunk
        v = version_line(got)
        c.sendall(JUNK)
        data, how = read_to_end(c)
    check(v is not None and got == v and refused(data, how),
          "an HTTP request sent after reading our version line gets \"Invalid SSH identification "
          "string.\", then end of file", got, data, how, s)
    logged(s, before, "GET / HTTP/1.0")

    # What OpenSSH's multiplex.sh sends through its forwardings: an empty line.
    with socket.create_connection(("127.0.0.1", harness.PORT), timeout=10) as c:
        c.sendall(b"\n")
        data, how = read_to_end(c)
    v = version_line(data)
    check(v is not None and data[len(v):] == INVALID and how == "eof",
          "an empty line gets our version line, then \"Invalid SSH identification string.\"", data, how, s)

    # A line longer than any identification (OpenSSH's sshd reads 8192 bytes, libssh 127): refused
    # once too long, without waiting for its end.
    before = s.count("banner line too long")
    with socket.create_connection(("127.0.0.1", harness.PORT), timeout=10) as c:
        c.sendall(b"A" * 8193)
        data, how = read_to_end(c)
    v = version_line(data)
    check(v is not None and refused(data[len(v):], how),
          "a line of 8193 bytes gets our version line, then \"Invalid SSH identification string.\"",
          data[:200], how, s)
    check(harness.wait_for(lambda: s.count(r"^kex_exchange_identification: banner line too long") > before, 5),
          "logged: kex_exchange_identification: banner line too long", s)

    # Another protocol version: a different line.
    with socket.create_connection(("127.0.0.1", harness.PORT), timeout=10) as c:
        c.sendall(b"SSH-1.5-OldClient\r\n")
        data, how = read_to_end(c)
    v = version_line(data)
    check(v is not None and data[len(v):] == b"Protocol major versions differ.\r\n" and how == "eof",
          "an SSH-1.5 identification gets our version line, then \"Protocol major versions differ.\"",
          data, how, s)
    check(s.wait_log(r"^Protocol major versions differ: 2 vs\. 1", 5) and
          s.wait_log(r"^banner exchange: Connection from 127\.0\.0\.1 port \d+: could not read protocol version", 5),
          "logged: Protocol major versions differ: 2 vs. 1, and banner exchange: Connection from 127.0.0.1 "
          "port N: could not read protocol version", s)

    # "SSH-02.0-": a major version that reads as 2 but is not libssh's "SSH-2": refused as not an
    # identification string, and the worker's report of it is not taken by the monitor for a lie (a
    # client's line must not make the monitor log a protocol violation by the worker).
    if harness.is_openssh():
        check(True, "SSH-02.0- is refused as an invalid identification",
              reference_differs="sshd's sscanf() takes SSH-02.0- for protocol 2.0 and goes on")
    else:
        before = s.count(re.escape('client sent invalid protocol identifier "SSH-02.0-x"'))
        with socket.create_connection(("127.0.0.1", harness.PORT), timeout=10) as c:
            c.sendall(b"SSH-02.0-x\r\n")
            data, how = read_to_end(c)
        v = version_line(data)
        check(v is not None and data[len(v):] == INVALID and how == "eof",
              "an SSH-02.0 line gets our version line, then \"Invalid SSH identification string.\"", data, how, s)
        logged(s, before, "SSH-02.0-x")
        check(s.count(r"refused EVENT from the worker|protocol violation by the worker") == 0,
              "and the monitor does not take the worker's report of it for a protocol violation", s)

    # The control: a real client is not refused, and nothing of the kind is logged for it (counted
    # once the five refusals above are all logged).
    harness.wait_for(lambda: s.count("^banner exchange: ") >= 5, 5)
    before = s.count("kex_exchange_identification")
    r = ssh("echo logged-in")
    check(r.returncode == 0 and r.stdout == b"logged-in\n", "a real SSH client logs in on the same server", r)
    check(s.count("kex_exchange_identification") == before,
          "and its connection logs no kex_exchange_identification line", s)


harness.run(main)
