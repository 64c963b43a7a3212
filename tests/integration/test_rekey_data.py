#!/usr/bin/python3
"""RekeyLimit's data part holds for a bulk transfer in both directions: no key protects much more than
the limit (one packet beyond it at most, as in OpenSSH), so a transfer of N bytes sees about N / limit
key re-exchanges, as against OpenSSH's sshd (PRIVSSHD_TEST_SERVER=openssh). libssh sent everything the
worker wrote during an exchange under the new keys without counting it (patches/libssh/0013). The
control: without a data limit the same transfers keep their keys. The upload is paced: what the
client sends before the server's KEXINIT reaches it goes under the old keys whatever the server."""
import re
import subprocess

import harness
from harness import Server, check, ssh

SIZE = 1000000


def reexchanges(r):
    """Key re-exchanges the client saw (the first exchange is not one)."""
    return len(re.findall(r"^debug1: SSH2_MSG_NEWKEYS received$", r.log, re.M)) - 1


def transfers():
    """(re-exchanges, ok) of a download and an upload of SIZE bytes."""
    down = ssh(f"head -c {SIZE} /dev/zero")
    down_ok = down.returncode == 0 and len(down.stdout) == SIZE
    # The upload is paced (16 KiB every 20 ms): data the client has sent before the server's KEXINIT
    # reaches it cannot be held back by the server, OpenSSH's sshd included, and a burst on loopback
    # would all be in flight at once.
    feeder = subprocess.Popen(["sh", "-c", f"for i in $(seq {SIZE // 16384}); do head -c 16384 /dev/zero; "
                               f"sleep 0.02; done; head -c {SIZE % 16384} /dev/zero"], stdout=subprocess.PIPE)
    up = ssh("wc -c", stdin=feeder.stdout)
    feeder.stdout.close()
    feeder.wait()
    up_ok = up.returncode == 0 and up.stdout.strip() == str(SIZE).encode()
    return (reexchanges(down), down_ok, down), (reexchanges(up), up_ok, up)


def main():
    for limit in (64, 128):
        s = Server(f"RekeyLimit {limit}K").start()
        # Each key may carry the limit plus the packet that crosses it (32 KiB of channel data at most).
        least = SIZE // (limit * 1024 + 33 * 1024)
        # Inbound, the server can only start the exchange once the limit is reached: what the client
        # sends until our KEXINIT reaches it still goes under the old keys. OpenSSH's sshd does 5-6
        # re-exchanges here, at either limit.
        least_up = SIZE // (limit * 1024 * 3)
        (nd, okd, rd), (nu, oku, ru) = transfers()
        check(okd and nd >= least,
              f"RekeyLimit {limit}K: a download of {SIZE} bytes sees >= {least} re-exchanges ({nd})", rd, s)
        check(oku and nu >= least_up,
              f"RekeyLimit {limit}K: an upload of {SIZE} bytes sees >= {least_up} re-exchanges ({nu})", ru, s)
        s.stop()

    s = Server().start()
    (nd, okd, rd), (nu, oku, ru) = transfers()
    check(okd and oku and nd == 0 and nu == 0,
          f"without a data limit the same transfers keep their keys ({nd}, {nu} re-exchanges)", rd, ru, s)


harness.run(main)
