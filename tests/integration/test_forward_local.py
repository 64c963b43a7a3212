#!/usr/bin/python3
"""Local forwarding (ssh -L, direct-tcpip) with the real OpenSSH client and real services: 64 MiB
checksummed each way, the half-close request/response case (the client sends, shuts down its write
side, then reads the whole answer: nc -N against python's http.server, and an upload whose digest
comes back after the EOF), the socket to the target created as the user (ss -tnpe), and SOCKS
through ssh -D."""
import hashlib
import re
import socket
import subprocess
import time

import harness
from forward_data import SIZE, WWW, ask, check_http_big, forward, start_tcp_services, wait_listening
from harness import Server, check



def main():
    want, http = start_tcp_services()
    server = Server()
    server.start()

    p = forward(["-L", "9100:127.0.0.1:8000", "-L", "9101:127.0.0.1:8001"])
    check(wait_listening(9100, p) and wait_listening(9101, p), "ssh -L listens on its local ports", p)

    # Download, HTTP/1.0 through nc -N: the request, the client's EOF, then the whole answer.
    check_http_big(9100, want, "-L", server)

    # Upload, then the answer after our EOF: the EOF reaches the service as end of file, and the
    # other direction still carries the answer.
    with open(f"{WWW}/big", "rb") as f:
        answer = ask(9101, f.read())
    check(answer == f"{SIZE} {want}\n".encode(),
          f"64 MiB to the service through -L, then its answer after our half-close ({answer[:100]!r})")

    # Who owns the socket to the target: the user, not root, not the sandbox user.
    c = socket.create_connection(("127.0.0.1", 9101), timeout=10)
    c.sendall(b"x")
    time.sleep(0.5)
    ss = subprocess.run(["ss", "-tnpeH", "state", "established", "dst", "127.0.0.1:8001"],
                        capture_output=True, text=True).stdout
    uids = set(re.findall(r"\buid:(\d+)", ss))
    check(uids == {"2001"}, f"the connection to the target belongs to alice (uid 2001): {sorted(uids)}", ss)
    check("privsshd-worke" in ss or "privsshd" in ss, "and is held by the worker", ss)
    c.shutdown(socket.SHUT_WR)
    check(harness.read_until_closed(c, 10) == b"1 " + hashlib.sha256(b"x").hexdigest().encode() + b"\n",
          "a one-byte request is answered after the half-close")
    c.close()
    p.close()

    # SOCKS through ssh -D (the client resolves the SOCKS request into a direct-tcpip channel).
    p = forward(["-D", "9102"])
    check(wait_listening(9102, p), "ssh -D listens", p)
    r = subprocess.run(["nc", "-N", "-X", "5", "-x", "127.0.0.1:9102", "127.0.0.1", "8001"],
                       input=b"hello", capture_output=True, timeout=30)
    check(r.stdout == b"5 " + hashlib.sha256(b"hello").hexdigest().encode() + b"\n",
          f"SOCKS5 through ssh -D reaches the service and gets its answer ({r.stdout!r})", r.stderr)
    p.close()
    http.kill()
    http.wait()


harness.run(main)
