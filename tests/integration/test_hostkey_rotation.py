#!/usr/bin/python3
"""Host key rotation with the real OpenSSH client (OpenSSH's PROTOCOL 2.5): after authentication the
server tells the client every host key it has (hostkeys-00@openssh.com) and proves those the client
does not know (hostkeys-prove-00@openssh.com, signed by the monitor); a client with UpdateHostKeys=yes
rewrites known_hosts, having verified each proof (it refuses bad signatures and learns nothing then).
Controls: with UpdateHostKeys=no known_hosts is left alone; a key added to the server is learnt, a key
removed from it is dropped. RSA keys are proved with the RSA algorithm of the exchange when it used
one (the client verifies with that algorithm and nothing else)."""
import os

import harness
from harness import Server, check

D = "/run/test-hostkey-rotation"
KNOWN = "/tmp/rotation_known_hosts"


def keygen(name, kind, bits):
    path = f"{D}/{name}"
    harness.run_cmd(["ssh-keygen", "-q", "-t", kind, "-b", str(bits), "-N", "", "-C", name, "-f", path])
    return path


def blob(path):
    return harness.read_text(path + ".pub").split()[1]


def known_blobs():
    return sorted(l.split()[2] for l in harness.read_text(KNOWN).splitlines() if l.strip())


def write_known(*paths):
    with open(KNOWN, "w") as f:
        for p in paths:
            kind, b64 = harness.read_text(p + ".pub").split()[:2]
            f.write(f"[127.0.0.1]:{harness.PORT} {kind} {b64}\n")


def login(update, algorithms=None, extra=()):
    """ssh with KNOWN as the only known_hosts and strict checking (so the exchange's key is verified from
    it, the condition for UpdateHostKeys); the client prefers the key types it knows for the host, or
    `algorithms` in their order (it learns only keys of types in that list)."""
    opts = ("-o", f"UpdateHostKeys={update}") + (("-o", f"HostKeyAlgorithms={algorithms}") if algorithms else ())
    opts += tuple(extra)
    argv = harness.ssh_argv("alice", "echo in", verbose=3, logfile=harness._new_logfile(), opts=opts)
    # The harness's defaults come first and the client takes the first value: replace them.
    argv = [{"StrictHostKeyChecking=no": "StrictHostKeyChecking=yes",
             "UserKnownHostsFile=/dev/null": f"UserKnownHostsFile={KNOWN}"}.get(a, a) for a in argv]
    r = harness.subprocess.run(argv, capture_output=True, timeout=60, env=harness.ssh_env(),
                               stdin=harness.subprocess.DEVNULL)
    res = harness.SshResult(argv, r.returncode, r.stdout, r.stderr, argv[argv.index("-E") + 1])
    harness._last_ssh = res
    return res


def main():
    os.makedirs(D, exist_ok=True)
    ecdsa = keygen("ecdsa", "ecdsa", 256)
    rsa = keygen("rsa", "rsa", 3072)
    s = Server(config=f"HostKey {ecdsa}\nHostKey {rsa}", name="hostkey-rotation").start()
    ed = s.hostkey
    everything = sorted([blob(ed), blob(ecdsa), blob(rsa)])

    # Control: UpdateHostKeys=no leaves known_hosts as it was.
    write_known(ed)
    r = login("no")
    check(r.returncode == 0 and r.stdout == b"in\n" and known_blobs() == [blob(ed)],
          "UpdateHostKeys=no: the login works and known_hosts keeps its one key", r, s)

    # UpdateHostKeys=yes: the client learns the ECDSA and RSA keys, whose proofs it verified.
    r = login("yes")
    received = [l.split()[3] for l in r.log.splitlines() if l.startswith("debug3: client_input_hostkeys: received ")]
    check(r.returncode == 0 and sorted(received) == ["ECDSA", "ED25519", "RSA"],
          f"the server announces its three host keys after authentication ({received})", r, s)
    check("bad signature" not in r.log and "failed to confirm" not in r.log and known_blobs() == everything,
          "UpdateHostKeys=yes: known_hosts has all three keys, each proved by the server", r, s)

    # With a remote forward asked for first (ssh -R 0:...), the replies to the two global requests come
    # in request order (RFC 4254 4): the forward's bound port, then the proofs; the client would take
    # one for the other otherwise (the forward's reply waits for the monitor's listener).
    write_known(ed)
    r = login("yes", extra=("-R", "0:127.0.0.1:9"))
    check(r.returncode == 0 and "Allocated port" in r.log and "bad signature" not in r.log
          and known_blobs() == everything,
          "ssh -R 0:... with UpdateHostKeys: the forward gets its port and the keys are learnt", r, s)

    # Nothing new: the client asks no proof and changes nothing.
    r = login("yes")
    check(r.returncode == 0 and "client_input_hostkeys: no new or deprecated keys from server" in r.log
          and known_blobs() == everything, "a second login with every key known changes nothing", r, s)
    s.stop()

    # Rotation, step 1: a new ECDSA key after the old one is learnt (the old one still serves: the
    # first key of a type does, as in OpenSSH).
    ecdsa_new = keygen("ecdsa-new", "ecdsa", 256)
    s = Server(config=f"HostKey {ecdsa}\nHostKey {rsa}\nHostKey {ecdsa_new}", name="hostkey-rotation").start()
    r = login("yes")
    check(r.returncode == 0 and known_blobs() == sorted(everything + [blob(ecdsa_new)]),
          "a host key added to the server is learnt with its proof", r, s)
    s.stop()

    # Step 2: the old key leaves the server configuration, and the client drops it from known_hosts.
    s = Server(config=f"HostKey {rsa}\nHostKey {ecdsa_new}", name="hostkey-rotation").start()
    r = login("yes")
    check(r.returncode == 0 and known_blobs() == sorted([blob(ed), blob(rsa), blob(ecdsa_new)]),
          "a host key removed from the server is dropped from known_hosts", r, s)
    s.stop()

    # RSA: with the exchange on an RSA key (rsa-sha2-256), a second RSA key is proved with rsa-sha2-256,
    # the only algorithm the client accepts then (rsa-sha2-512, the default, would be a bad signature).
    rsa2 = keygen("rsa2", "rsa", 2048)
    s = Server(config=f"HostKey {rsa}\nHostKey {rsa2}", name="hostkey-rotation").start()
    write_known(rsa)
    r = login("yes", algorithms="rsa-sha2-256,ssh-ed25519")
    check(r.returncode == 0 and "bad signature" not in r.log
          and known_blobs() == sorted([blob(rsa), blob(rsa2), blob(ed)]),
          "an exchange on rsa-sha2-256: a second RSA key and the ed25519 key are proved and learnt", r, s)


harness.run(main)
