#!/usr/bin/python3
"""Local forwarding (ssh -L, direct-tcpip) with the real OpenSSH client and real services: 64 MiB
checksummed each way, the half-close request/response case (the client sends, shuts down its write
side, then reads the whole answer: nc -N against python's http.server, and an upload whose digest
comes back after the EOF), the socket to the target created as the user (ss -tnpe), and SOCKS
through ssh -D."""
import hashlib
import os
import re
import socket
import subprocess
import threading
import time

import harness
from harness import Server, SshProcess, check

SIZE = 64 * 1024 * 1024
BIG = "/tmp/www/big"


def digest_server(port, ready):
    """Reads everything until EOF, then answers with the sha256 of what it read and closes."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    ready.set()
    while True:
        c, _ = s.accept()
        h = hashlib.sha256()
        n = 0
        while chunk := c.recv(1 << 16):
            h.update(chunk)
            n += len(chunk)
        c.sendall(f"{n} {h.hexdigest()}\n".encode())
        c.close()


def forward(spec, *extra):
    p = SshProcess(None, opts=["-N", "-o", "ExitOnForwardFailure=yes"] + list(extra) + spec)
    return p


def wait_listening(port, proc):
    ok = harness.wait_for(lambda: harness.listening(port) or proc.proc.poll() is not None, timeout=15)
    return ok and proc.proc.poll() is None


def main():
    os.makedirs("/tmp/www", exist_ok=True)
    with open(BIG, "wb") as f:
        for _ in range(SIZE // (1 << 20)):
            f.write(os.urandom(1 << 20))
    want = harness.sha256_file(BIG)
    http = subprocess.Popen(["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", "/tmp/www",
                             "8000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready = threading.Event()
    threading.Thread(target=digest_server, args=(8001, ready), daemon=True).start()
    ready.wait(5)
    harness.wait_for(lambda: harness.listening(8000), timeout=10)
    server = Server()
    server.start()

    p = forward(["-L", "9100:127.0.0.1:8000", "-L", "9101:127.0.0.1:8001"])
    check(wait_listening(9100, p) and wait_listening(9101, p), "ssh -L listens on its local ports", p)

    # Download, HTTP/1.0 through nc -N: the request, the client's EOF, then the whole answer.
    r = subprocess.run("printf 'GET /big HTTP/1.0\\r\\n\\r\\n' | nc -N 127.0.0.1 9100", shell=True,
                       capture_output=True, timeout=240)
    body = r.stdout.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in r.stdout else b""
    check(len(body) == SIZE and hashlib.sha256(body).hexdigest() == want,
          f"64 MiB through -L from http.server after nc -N's half-close, sha256 intact ({len(body)} bytes)",
          r.stderr[-500:], server.text()[-3000:])

    # Upload, then the answer after our EOF: the EOF reaches the service as end of file, and the
    # other direction still carries the answer.
    c = socket.create_connection(("127.0.0.1", 9101), timeout=120)
    with open(BIG, "rb") as f:
        while chunk := f.read(1 << 20):
            c.sendall(chunk)
    c.shutdown(socket.SHUT_WR)
    answer = harness.read_until_closed(c, timeout=120)
    c.close()
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
