#!/usr/bin/python3
"""A client identification line of up to 255 characters including the CR LF is accepted, as RFC 4253
(4.2) allows and OpenSSH's sshd does: the server goes on with the key exchange (its KEXINIT follows its
version line) where libssh refused lines longer than 128 characters (patches/libssh/0014). Longer lines
are refused as before, with "Invalid SSH identification string." (the control, and the boundary: 255
characters pass, 256 do not)."""
import re
import socket
import struct

import harness
from harness import Server, check

INVALID = b"Invalid SSH identification string.\r\n"


def answer(line):
    """Send line (CR LF added) and return (our version line or None, what follows it: b"kexinit" for a
    KEXINIT packet, else the bytes up to the end of the connection)."""
    with socket.create_connection(("127.0.0.1", harness.PORT), timeout=10) as c:
        c.sendall(line + b"\r\n")
        c.settimeout(10)
        data = b""
        try:
            while True:
                m = re.match(rb"(SSH-2\.0-[\x20-\x7e]+\r\n)", data)
                if m and len(data) >= len(m.group(1)) + 6:
                    rest = data[len(m.group(1)):]
                    _, _, kind = struct.unpack(">IBB", rest[:6])
                    if kind == 20:
                        return m.group(1), b"kexinit"
                chunk = c.recv(4096)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        m = re.match(rb"(SSH-2\.0-[\x20-\x7e]+\r\n)", data)
        return (m.group(1), data[len(m.group(1)):]) if m else (None, data)


def ident(total):
    """An identification line of `total` characters with its CR LF."""
    head = b"SSH-2.0-LongClient_1.0 "
    return head + b"c" * (total - 2 - len(head))


def main():
    s = Server().start()
    for total in (252, 255):
        v, rest = answer(ident(total))
        check(v is not None and rest == b"kexinit",
              f"an identification line of {total} characters (with CR LF) gets our version and KEXINIT",
              v, rest, s)
    for total in (256, 302):
        v, rest = answer(ident(total))
        # OpenSSH's sshd reads up to its own, larger, limit (reference differs).
        check(v is not None and rest in (INVALID, INVALID[:-2]),
              f"an identification line of {total} characters is refused: \"Invalid SSH identification "
              "string.\"", v, rest, s,
              reference_differs="OpenSSH's sshd accepts lines longer than RFC 4253's 255 characters")
    # Still a login after them: the refusals ended their own connections only.
    r = harness.ssh("echo ok")
    check(r.returncode == 0 and r.stdout == b"ok\n", "a real client logs in after them", r, s)


harness.run(main)
