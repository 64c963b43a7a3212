#!/usr/bin/python3
"""Commands: exit codes, stdout/stderr kept apart, 64 MiB each way with matching hashes, and the
end of a session on the wire in this order: data, exit-status, EOF, CLOSE."""
import hashlib
import os
import re

import harness
from harness import Server, check, ssh


def main():
    s = Server().start()
    for code in (0, 1, 3):
        r = ssh(f"exit {code}")
        check(r.returncode == code, f"exit {code} reaches the client", r.stderr.decode())
    r = ssh("printf 'echo x' > ~/noexec; chmod 644 ~/noexec; ~/noexec")
    check(r.returncode == 126, f"a command that is not executable exits 126 ({r.returncode})")
    r = ssh("nonexistent-command-xyz")
    check(r.returncode == 127, f"a command that is not found exits 127 ({r.returncode})")

    r = ssh("echo out; echo err >&2")
    check(r.stdout == b"out\n" and r.stderr == b"err\n", "stdout and stderr are kept apart",
          (r.stdout, r.stderr))

    big = os.urandom(64 * 1024 * 1024)
    with open("/home/alice/big", "wb") as f:
        f.write(big)
    os.chown("/home/alice/big", 2001, 2001)
    want = hashlib.sha256(big).hexdigest()
    r = ssh("cat ~/big")
    check(hashlib.sha256(r.stdout).hexdigest() == want and r.returncode == 0,
          "64 MiB of random stdout arrive intact (sha256)", r.stderr.decode()[-500:])
    with open("/home/alice/big", "rb") as f:
        r = ssh("sha256sum", stdin=f)
    check(r.stdout.decode().split(" ")[0] == want, "64 MiB of stdin arrive intact (sha256)", r.stdout[:200])
    r = ssh("head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2; exit 7")
    check(len(r.stdout) == 1000000 and len(r.stderr) == 1000000 and r.returncode == 7,
          "1 MB on each of stdout and stderr, then exit 7: nothing lost")
    r = ssh("cat > /dev/null; echo done", stdin=b"x" * 5000000)
    check(r.stdout == b"done\n", "stdin EOF reaches the command after 5 MB (cat ends)")

    # Wire order, read from the client's debug log.
    r = ssh("printf data", opts=["-vvv"])
    log = r.stderr.decode(errors="replace").splitlines()

    def idx(pattern):
        for i, l in enumerate(log):
            if re.search(pattern, l):
                return i
        return -1
    data = max([i for i, l in enumerate(log) if re.search(r"channel 0: rcvd .*data|client_input_channel_data|channel 0: read", l)] + [-1])
    status = idx(r"channel 0 rtype exit-status")
    eof = idx(r"channel 0: rcvd eof")
    close = idx(r"channel 0: rcvd close")
    check(r.stdout == b"data" and status >= 0 and eof >= 0 and close >= 0,
          "client saw data, exit-status, eof and close", "\n".join(log[-40:]))
    if harness.is_openssh():
        print("# reference differs: OpenSSH's sshd sends EOF before exit-status; privsshd sends exit-status first")
    else:
        check(status < eof < close, f"order on the wire: exit-status ({status}) < eof ({eof}) < close ({close})")
    s.stop()


harness.run(main)
