#!/usr/bin/python3
"""A byte corrupted on the wire from the client ends the connection at once, for each kind of
integrity protection (encrypt-and-MAC, encrypt-then-MAC, chacha20-poly1305, AES-GCM): the client
is disconnected within seconds, its command never gets the data, and the connection's processes
are gone. The server-side mirror of OpenSSH's integrity.sh, which flips bytes from the server and
counts the client's errors. Control: the same relay without the flip carries the data intact.

Regression: when libssh met the bad packet while the worker collected queued messages (at the top
of its loop, with a session open), the worker went back to poll() on a socket with nothing more to
read and the connection hung until the client gave up."""
import hashlib
import os
import time

import harness
from harness import Server, check, ssh

# A ProxyCommand that relays to the server and XORs 0x01 into byte OFFSET of the client's stream.
RELAY = r'''#!/usr/bin/python3
import os, select, socket, sys
port, offset = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
sent, fds = 0, [0, s.fileno()]
while fds:
    r, _, _ = select.select(fds, [], [])
    if 0 in r:
        b = os.read(0, 65536)
        if not b:
            s.shutdown(socket.SHUT_WR)
            fds.remove(0)
        else:
            if sent <= offset < sent + len(b):
                i = offset - sent
                b = b[:i] + bytes([b[i] ^ 1]) + b[i + 1:]
            sent += len(b)
            try:
                s.sendall(b)
            except OSError:
                break
    if s.fileno() in r:
        try:
            b = s.recv(65536)
        except OSError:
            break
        if not b:
            break
        os.write(1, b)
'''

KINDS = [
    ("aes128-ctr", "hmac-sha2-256"),
    ("aes128-ctr", "hmac-sha2-256-etm@openssh.com"),
    ("chacha20-poly1305@openssh.com", None),
    ("aes128-gcm@openssh.com", None),
]
ROUNDS = 3      # the hang depended on where the worker met the packet: try each kind more than once


def run(cipher, mac, offset, data):
    opts = ["-c", cipher] + (["-m", mac] if mac else [])
    opts += ["-o", f"ProxyCommand=/tmp/flip-relay {harness.PORT} {offset}"]
    t0 = time.monotonic()
    r = ssh("sha256sum", opts=opts, stdin=data, timeout=20)
    return r, time.monotonic() - t0


def main():
    with open("/tmp/flip-relay", "w") as f:
        f.write(RELAY)
    os.chmod("/tmp/flip-relay", 0o755)
    data = os.urandom(65536)
    digest = hashlib.sha256(data).hexdigest().encode()

    s = Server(name="integrity").start()
    r, _ = run("aes128-ctr", "hmac-sha2-256", 1 << 40, data)
    check(r.returncode == 0 and r.stdout.split()[:1] == [digest],
          "control: through the relay without a flip, 64 KiB reach sha256sum intact", r, s)

    # Byte 20000 of the client's stream: inside the first channel data packet (the key exchange and
    # the login take about 3.5 KB, the client sends data in packets of up to 32 KiB).
    for cipher, mac in KINDS:
        what = f"{cipher}{' + ' + mac if mac else ''}"
        for i in range(ROUNDS):
            r, took = run(cipher, mac, 20000, data)
            check(r.returncode == 255 and digest not in r.stdout and took < 15,
                  f"{what} (round {i + 1}): a flipped byte ends the connection in {took:.1f} s "
                  f"(exit {r.returncode})", r, s)
            gone = harness.wait_for(lambda: not harness.processes(cmdline=r"^sha256sum$")
                                    and not harness.processes(comm="privsshd-worker"), timeout=10)
            check(gone, f"{what} (round {i + 1}): the command and the worker are gone",
                  harness.processes(cmdline=r"^sha256sum$") + harness.processes(comm="privsshd-worker"), s)


harness.run(main)
