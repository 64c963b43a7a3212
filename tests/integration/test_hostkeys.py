#!/usr/bin/python3
"""The host private keys stay in the monitor: every host key type signs the key exchange for the real
OpenSSH client (ed25519; ecdsa nistp256/384/521; rsa with rsa-sha2-256 and rsa-sha2-512; keys in
OpenSSH's format and in PEM), the client sees the very key of the file, and a live worker's memory
holds none of the private key's bytes while the monitor's does (the positive control of the search:
the same search finds them there, and finds the public key in the worker).

Reference differs for the memory checks: OpenSSH's privsep child has no [net] worker of ours."""
import base64
import re
import struct

import harness
from harness import Server, SshProcess, check, ssh


def keygen(path, kind, bits=None, pem=False):
    argv = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "hostkey", "-f", path]
    if bits:
        argv += ["-b", str(bits)]
    if pem:
        argv += ["-m", "PEM"]
    harness.run_cmd(argv)


def host_key_line(log):
    m = re.search(r"^debug1: Server host key: (\S+) (SHA256:\S+)$", log, re.M)
    return m.groups() if m else (None, None)


def openssh_private_fields(path):
    """The secret fields of an unencrypted OpenSSH-format private key: [bytes] (PROTOCOL.key)."""
    text = open(path).read()
    body = "".join(l for l in text.splitlines() if not l.startswith("-----"))
    raw = base64.b64decode(body)
    pos = len(b"openssh-key-v1\0")

    def string():
        nonlocal pos, raw
        (n,) = struct.unpack(">I", raw[pos:pos + 4])
        v = raw[pos + 4:pos + 4 + n]
        pos += 4 + n
        return v

    string(), string(), string()        # cipher, kdf, kdf options
    pos += 4                            # number of keys
    string()                            # public key
    raw, pos = string(), 8              # private section, after the two check words
    kind = string()
    if kind == b"ssh-ed25519":
        string()
        return [string()[:32]]          # the seed
    if kind == b"ssh-rsa":
        f = [string() for _ in range(6)]  # n, e, d, iqmp, p, q
        return [f[2], f[4], f[5]]
    raise ValueError(kind)


def memory_of(pid):
    """The readable memory of a process (as root), region by region."""
    out = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            f = line.split()
            if "r" not in f[1] or (len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]")):
                continue
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            if hi - lo > 1 << 30:
                continue        # a sanitizer's shadow memory (terabytes, mapped on demand): no heap in it
            try:
                mem.seek(lo)
                out.append(mem.read(hi - lo))
            except (OSError, ValueError, OverflowError):
                pass
    return b"".join(out)


def holds(memory, secret):
    """The secret's bytes (a big-endian number: also reversed, as OpenSSL's BIGNUM words hold it on
    little-endian machines), its leading zero dropped; the first 24 bytes are enough to tell."""
    s = secret.lstrip(b"\0")[:24]
    rev = secret.lstrip(b"\0")[::-1][:24]
    return s in memory or rev in memory


def main():
    d = "/run/test-hostkeys"
    harness.run_cmd(["mkdir", "-p", d])

    cases = [
        ("ecdsa", 256, False, "ecdsa-sha2-nistp256"),
        ("ecdsa", 384, False, "ecdsa-sha2-nistp384"),
        ("ecdsa", 521, True, "ecdsa-sha2-nistp521"),
        ("rsa", 3072, False, "rsa-sha2-256"),
        ("rsa", 2048, True, "rsa-sha2-512"),
    ]
    # ed25519 first: every server below has the harness's ed25519 key too.
    s = Server(name="hk-ed25519").start()
    r = ssh("echo ed25519", opts=("-v", "-o", "HostKeyAlgorithms=ssh-ed25519"))
    alg, fp = host_key_line(r.log)
    check(r.stdout == b"ed25519\n" and alg == "ssh-ed25519"
          and fp == harness.fingerprint(s.hostkey + ".pub"),
          f"ssh-ed25519: the client logs in and sees the file's key ({alg} {fp})", r)
    s.stop()

    for kind, bits, pem, alg_want in cases:
        key = f"{d}/{alg_want}{'-pem' if pem else ''}"
        keygen(key, kind, bits, pem)
        s = Server(config=f"HostKey {key}", name=f"hk-{alg_want}").start()
        r = ssh(f"echo {alg_want}", opts=("-v", "-o", f"HostKeyAlgorithms={alg_want}"))
        alg, fp = host_key_line(r.log)
        want_type = "ssh-rsa" if kind == "rsa" else alg_want
        check(r.stdout == f"{alg_want}\n".encode() and r.returncode == 0 and alg == want_type
              and fp == harness.fingerprint(key + ".pub"),
              f"{alg_want}{' (PEM key file)' if pem else ''}: the client logs in and sees the file's key "
              f"({alg} {fp})", r, s)
        if kind == "rsa":
            check(re.search(rf"^debug1: kex: host key algorithm: {alg_want}$", r.log, re.M),
                  f"{alg_want}: negotiated as the signature algorithm", r)
        s.stop()

    # The memory of a live worker, with an ed25519 and an RSA host key loaded.
    rsa = f"{d}/mem-rsa"
    keygen(rsa, "rsa", 3072)
    s = Server(config=f"HostKey {rsa}", name="hk-memory").start()
    secrets = {"ed25519": openssh_private_fields(s.hostkey), "rsa": openssh_private_fields(rsa)}
    pub_b64 = open(s.hostkey + ".pub").read().split()[1].encode()
    p = SshProcess("sleep 20")
    try:
        ok = harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 20$"), timeout=10)
        check(ok, "a session runs (sleep 20)", p)
        workers = harness.processes(comm="privsshd-worker")
        monitors = [q for q in harness.processes(cmdline=r"^privsshd: .*\[monitor\]")
                    if q.comm != "privsshd-worker"]
        check(len(workers) == 1, f"one live worker ({workers})")
        if harness.is_openssh():
            harness.ours_only("reads privsshd's own worker's memory")
        if not workers:
            return
        wmem = memory_of(workers[0].pid)
        check(len(wmem) > 1 << 20 and pub_b64 in wmem,
              f"control: the worker's memory ({len(wmem)} bytes) is read, and holds the host public key")
        for name, fields in secrets.items():
            check(not any(holds(wmem, f) for f in fields),
                  f"the worker's memory holds no byte string of the {name} host private key")
        mons = [memory_of(q.pid) for q in monitors]
        for name, fields in secrets.items():
            check(any(all(holds(m, f) for f in fields) for m in mons),
                  f"control: the same search finds the {name} host private key in the monitor's memory "
                  f"({[q.cmdline for q in monitors]})")
    finally:
        p.close()


harness.run(main)
