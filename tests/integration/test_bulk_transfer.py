#!/usr/bin/python3
"""Bulk data arrives intact: 64 MiB of random bytes on the command's stdout and 64 MiB into its
stdin (sha256 compared), 1 MB on each of stdout and stderr at once, and stdin's EOF reaches the
command after 5 MB."""
import hashlib
import os

import harness
from harness import Server, check, ssh

SIZE = 64 * 1024 * 1024


def main():
    big = "/home/alice/big"
    with open(big, "wb") as f:
        for _ in range(SIZE // (1 << 20)):
            f.write(os.urandom(1 << 20))
    os.chown(big, 2001, 2001)
    want = harness.sha256_file(big)
    Server().start()

    r = ssh("cat ~/big", timeout=240)
    check(r.returncode == 0, f"'cat ~/big' exits 0 ({r.returncode})", r)
    check(len(r.stdout) == SIZE, f"64 MiB arrive on stdout ({len(r.stdout)} bytes)", r)
    check(hashlib.sha256(r.stdout).hexdigest() == want, "with the file's sha256", r)

    with open(big, "rb") as f:
        r = ssh("sha256sum", stdin=f, timeout=240)
    check(r.returncode == 0 and r.stdout.decode().split(" ")[0] == want,
          "64 MiB sent to the command's stdin arrive with the file's sha256", r)

    r = ssh("head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2; exit 7")
    check(len(r.stdout) == 1000000 and len(r.stderr) == 1000000 and r.returncode == 7,
          f"1 MB on stdout and 1 MB on stderr, then exit 7 (got {len(r.stdout)}, {len(r.stderr)}, "
          f"{r.returncode})", r)

    r = ssh("wc -c; echo done", stdin=b"x" * 5000000)
    check(r.stdout == b"5000000\ndone\n", "stdin's EOF reaches the command after 5 MB (wc ends)", r)


harness.run(main)
