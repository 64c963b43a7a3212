#!/usr/bin/python3
"""One server with several host keys, three of them ECDSA keys of different curves (as OpenSSH's
regression suite runs sshd, and as a host with ssh-keygen -A's keys plus extra curves does): the
server offers every one of their algorithms, and the OpenSSH client gets in with each one chosen by
-o HostKeyAlgorithms= alone and verifies the very key of that file (the client checks the server's
signature with the key it logs). Regression: libssh kept one ECDSA host key, so only the curve of
the last HostKey line was offered and the others failed ("no matching host key type found"). Two keys of one type: the first is served,
as in OpenSSH (libssh kept the last)."""
import re

import harness
from harness import Server, check, ssh


def keygen(path, kind, bits):
    harness.run_cmd(["ssh-keygen", "-q", "-t", kind, "-b", str(bits), "-N", "", "-C", "hostkey", "-f", path])


def host_key_line(log):
    m = re.search(r"^debug1: Server host key: (\S+) (SHA256:\S+)$", log, re.M)
    return m.groups() if m else (None, None)


def server_hostkey_offer(log):
    i = log.find("peer server KEXINIT proposal")
    m = re.search(r"^debug2: host key algorithms: (\S*)", log[i:], re.M) if i >= 0 else None
    return m.group(1).split(",") if m else []


def main():
    d = "/run/test-hostkeys-several"
    harness.run_cmd(["mkdir", "-p", d])
    # The harness adds its ed25519 key after these lines. nistp521 before nistp256: the order of the
    # files must not decide which curve is served.
    keys = {
        "ecdsa-sha2-nistp384": ("ecdsa", 384),
        "ecdsa-sha2-nistp521": ("ecdsa", 521),
        "ecdsa-sha2-nistp256": ("ecdsa", 256),
        "rsa-sha2-512": ("rsa", 3072),
    }
    paths = {}
    for alg, (kind, bits) in keys.items():
        paths[alg] = f"{d}/{alg}"
        keygen(paths[alg], kind, bits)
    s = Server(config="\n".join(f"HostKey {p}" for p in paths.values()), name="hostkeys-several").start()
    paths["rsa-sha2-256"] = paths["rsa-sha2-512"]
    paths["ssh-ed25519"] = s.hostkey

    r = ssh("true", verbose=2)
    offer = server_hostkey_offer(r.log)
    check(r.returncode == 0 and all(a in offer for a in paths),
          f"the server offers every host key's algorithm ({offer})", r, s)

    for alg, path in paths.items():
        r = ssh(f"echo {alg}", opts=("-o", f"HostKeyAlgorithms={alg}"))
        key_type, fp = host_key_line(r.log)
        want_type = "ssh-rsa" if alg.startswith("rsa-") else alg
        check(r.returncode == 0 and r.stdout == f"{alg}\n".encode() and key_type == want_type
              and fp == harness.fingerprint(path + ".pub"),
              f"HostKeyAlgorithms={alg}: the client logs in and verifies the key of {path} ({key_type} {fp})",
              r, s)
    s.stop()

    # Two keys of one type (and of one curve): as in OpenSSH, the first HostKey line's is served.
    # The harness's ed25519 key comes after the test's lines, so it is the second one.
    first = {"ssh-ed25519": f"{d}/first-ed25519", "ecdsa-sha2-nistp384": f"{d}/first-nistp384"}
    keygen(first["ssh-ed25519"], "ed25519", 256)
    keygen(first["ecdsa-sha2-nistp384"], "ecdsa", 384)
    s = Server(config="\n".join(f"HostKey {p}" for p in (first["ssh-ed25519"], first["ecdsa-sha2-nistp384"],
                                                            paths["ecdsa-sha2-nistp384"])),
               name="hostkeys-twice").start()
    for alg, path in first.items():
        r = ssh(f"echo {alg}", opts=("-o", f"HostKeyAlgorithms={alg}"))
        key_type, fp = host_key_line(r.log)
        check(r.returncode == 0 and key_type == alg and fp == harness.fingerprint(path + ".pub"),
              f"two {alg} host keys: the first HostKey line's is served ({fp})", r, s)


harness.run(main)
