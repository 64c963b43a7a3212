"""What the forwarding tests send through a forward and how they check it arrived: a 64 MiB random
file and its sha256, a digest service (per connection: read until end of file, then answer
"<size> <sha256>\\n" of what came, or the 64 MiB file for the request b"GET big"; then close) on a
TCP port or a Unix socket, and the client side of the half-close request/response case (send,
shut down the write side, read the whole answer). test_forward_local, test_forward_remote,
test_forward_unix and test_forward_loopback share them, so the byte counts and digests every one of
them checks are computed one way."""
import hashlib
import os
import socket
import struct
import subprocess
import threading

import harness
from harness import SshProcess

SIZE = 64 * 1024 * 1024


def make_big(path):
    """Write SIZE random bytes to path; returns their sha256 (hex)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        for _ in range(SIZE // (1 << 20)):
            f.write(os.urandom(1 << 20))
    return harness.sha256_file(path)


def expect(data):
    """The digest service's answer to data."""
    return f"{len(data)} {hashlib.sha256(data).hexdigest()}\n".encode()


def digest_one(c, big=None):
    """One connection of the digest service (see the top of the file); big: the file for b"GET big"."""
    h = hashlib.sha256()
    n = 0
    head = b""
    while chunk := c.recv(1 << 16):
        if len(head) < 16:
            head += chunk[:16]
        h.update(chunk)
        n += len(chunk)
    if big and head == b"GET big":
        with open(big, "rb") as f:
            while chunk := f.read(1 << 20):
                c.sendall(chunk)
    else:
        c.sendall(f"{n} {h.hexdigest()}\n".encode())
    c.close()


def serve_digest(address, big=None, peers=None, host="127.0.0.1"):
    """Start the digest service in a thread on a TCP port (on host) or a Unix socket path (mode 0666)
    and return once it listens. peers: a list that gets (pid, uid, gid) of each Unix connection."""
    if isinstance(address, int):
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, address))
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(address)
        os.chmod(address, 0o666)
    s.listen(128)

    def loop():
        while True:
            c, _ = s.accept()
            if peers is not None and s.family == socket.AF_UNIX:
                peers.append(struct.unpack("3i", c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)))
            threading.Thread(target=digest_one, args=(c, big), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()


def ask(address, data, host="127.0.0.1", timeout=240):
    """Connect (a TCP port on host, or a Unix socket path), send data, half-close, read the whole answer."""
    if isinstance(address, int):
        c = socket.create_connection((host, address), timeout=timeout)
    else:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(timeout)
        c.connect(address)
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    a = bytearray()    # (harness.read_until_closed() is quadratic: fine for answers, not for 64 MiB)
    try:
        while chunk := c.recv(1 << 20):
            a += chunk
    except ConnectionResetError:
        pass
    c.close()
    return bytes(a)


WWW = "/tmp/www"
HTTP_PORT = 8000        # python's http.server, serving WWW (the 64 MiB file is /big)
DIGEST_PORT = 8001      # the digest service


def start_tcp_services():
    """The TCP targets of test_forward_local and test_forward_remote: the 64 MiB file (WWW/big) behind
    http.server on HTTP_PORT and the digest service on DIGEST_PORT, both on 127.0.0.1. Returns the
    file's sha256 and the http.server process (to kill at the end)."""
    want = make_big(f"{WWW}/big")
    http = subprocess.Popen(["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", WWW,
                             str(HTTP_PORT)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    serve_digest(DIGEST_PORT)
    harness.wait_for(lambda: harness.listening(HTTP_PORT), timeout=10)
    return want, http


def check_http_big(port, want, what, server):
    """GET /big over HTTP/1.0 with nc -N through port (the request, nc's half-close, then the whole
    answer) must bring the 64 MiB file, sha256 want, intact."""
    r = subprocess.run(f"printf 'GET /big HTTP/1.0\\r\\n\\r\\n' | nc -N 127.0.0.1 {port}", shell=True,
                       capture_output=True, timeout=240)
    body = r.stdout.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in r.stdout else b""
    harness.check(len(body) == SIZE and hashlib.sha256(body).hexdigest() == want,
                  f"64 MiB through {what} from http.server after nc -N's half-close, sha256 intact "
                  f"({len(body)} bytes)", r.stderr[-500:], server.text()[-3000:])


def forward(spec, user="alice", extra=()):
    """ssh -N with forwards (spec: ["-R", "..."]) that fails unless they are set up."""
    return SshProcess(None, user=user, opts=["-N", "-o", "ExitOnForwardFailure=yes"] + list(extra) + spec)


def up(pred, proc, timeout=15):
    """Wait until pred() holds or proc ended; True when it holds and proc still runs."""
    harness.wait_for(lambda: pred() or proc.proc.poll() is not None, timeout=timeout)
    return bool(pred()) and proc.proc.poll() is None


def wait_listening(port, proc):
    return up(lambda: harness.listening(port), proc)


def listeners(port, owners=False):
    """Local addresses listening on TCP port, from ss ("127.0.0.1", "[::1]", "*", ...), sorted; with
    owners, (address, uid) pairs."""
    out = subprocess.run(["ss", "-tlnpeH", f"sport = :{port}"], capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        f = line.split()
        if len(f) < 4:
            continue
        address = f[3].rsplit(":", 1)[0]
        uid = next((w[4:] for w in f if w.startswith("uid:")), None)
        rows.append((address, uid) if owners else address)
    return sorted(rows)
