#!/usr/bin/python3
"""privsshd -i answers a client that sends its version and shuts down at once, as OpenSSH's sshd -i
does (its regression scripts proto-version.sh and proto-mismatch.sh: `printf VERSION | sshd -i`).

  - The server's version string reaches the client even though the client's end of file arrived
    before it was written (libssh dropped it: our patch 0004 flushes queued output on the peer's
    EOF), over pipes and over a socket, for a client that sent a version, a partial one, or nothing.
  - A connection that never authenticated ends with exit status 255, as OpenSSH's (proto-mismatch
    checks it for SSH-1.5); control: a real login over the same -i path ends with 0.
"""
import socket
import subprocess

import harness
from harness import Server, check


def serve_pipes(config, data):
    p = subprocess.run([harness.PRIVSSHD, "-i", "-f", config, "-E", "/run/test-inetd-version.log"],
                       input=data, capture_output=True, timeout=30)
    return p.returncode, p.stdout


def serve_socket(config, data):
    ours, theirs = socket.socketpair()
    p = subprocess.Popen([harness.PRIVSSHD, "-i", "-f", config, "-E", "/run/test-inetd-version.log"],
                         stdin=theirs, stdout=theirs)
    theirs.close()
    ours.sendall(data)
    ours.shutdown(socket.SHUT_WR)
    got = harness.read_until_closed(ours, 30)
    ours.close()
    return p.wait(30), got


def main():
    if harness.is_openssh():
        raise harness.ReferenceDiffers("runs privsshd -i by path")
    s = Server(name="inetd-version").start()     # (makes the sandbox directory)
    # What proto-version.sh sends (printf, no newline), a full line, a partial one, nothing.
    for data in (b"SSH-2.0-HALLO", b"SSH-1.5-HALLO", b"SSH-2.0-OpenSSH_9.2\r\n", b"SSH-2.0", b""):
        for how, serve in (("pipes", serve_pipes), ("a socket", serve_socket)):
            rc, out = serve(s.config_path, data)
            check(out.startswith(b"SSH-2.0-"),
                  f"over {how}, a client that sends {data!r} and shuts down gets the server's version", out,
                  harness.read_text("/run/test-inetd-version.log")[-2000:])
            check(rc == 255, f"and the connection, never authenticated, ends with 255 ({rc})")
    # proto-mismatch.sh: a whole SSH-1.5 line. OpenSSH answers with its version first; libssh reads
    # and refuses the line before it writes its own, so only the exit status is as OpenSSH's here.
    for how, serve in (("pipes", serve_pipes), ("a socket", serve_socket)):
        rc, out = serve(s.config_path, b"SSH-1.5-HALLO\n")
        check(rc == 255, f"over {how}, a whole SSH-1.5 line is refused: exit 255 ({rc})")

    ok = harness.ssh("true", opts=("-o", f"ProxyCommand={harness.PRIVSSHD} -i -f {s.config_path}"))
    check(ok.returncode == 0, "control: a login through the same -i path works and ends with 0", ok)


harness.run(main)
