#!/usr/bin/python3
"""The algorithm keywords reach the wire: Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms,
PubkeyAcceptedAlgorithms and RekeyLimit, each against the real OpenSSH client's choices. Every
refusal has its control: the same client against the default server (or with the algorithm the
server keeps) gets in, so a refusal cannot come from something else."""
import re
import subprocess

import harness
from harness import Server, check, ssh


def server_offer(r, what):
    """The server's list from the client's -vv log ("debug2: ciphers ctos: ..." under "peer server
    KEXINIT proposal")."""
    log = r.log
    i = log.find("peer server KEXINIT proposal")
    m = re.search(rf"^debug2: {what}: (\S*)", log[i:], re.M) if i >= 0 else None
    return m.group(1).split(",") if m else []


def main():
    # Controls against the defaults.
    s = Server(name="default").start()
    r = ssh("true", opts=["-o", "Ciphers=aes128-ctr"])
    check(r.returncode == 0, "control: by default a client offering only aes128-ctr logs in", r)
    r = ssh("true", opts=["-o", "Ciphers=aes128-cbc"])
    check(r.returncode == 255 and b"no matching cipher found" in r.stderr + r.log.encode(),
          "control: by default aes128-cbc alone is refused (no matching cipher found)", r)
    r = ssh("true", opts=["-o", "MACs=hmac-sha2-256", "-o", "Ciphers=aes128-ctr"])
    check(r.returncode == 0, "control: by default hmac-sha2-256 with aes128-ctr logs in", r)
    r = ssh("head -c 8388608 /dev/zero", verbose=2)
    check(r.returncode == 0 and len(r.stdout) == 8388608 and r.log.count("SSH2_MSG_KEXINIT received") == 1,
          "control: by default 8 MiB pass with one key exchange", r)
    s.stop()

    s = Server("Ciphers -aes128-ctr\nMACs hmac-sha2-512", name="minus").start()
    r = ssh("true", opts=["-o", "Ciphers=aes128-ctr"])
    check(r.returncode == 255 and "no matching cipher found" in r.log,
          "Ciphers -aes128-ctr: a client offering only aes128-ctr fails: no matching cipher found", r)
    r = ssh("true", opts=["-o", "Ciphers=aes256-ctr,aes128-ctr", "-o", "MACs=hmac-sha2-512"], verbose=2)
    check(r.returncode == 0 and "aes128-ctr" not in server_offer(r, "ciphers ctos")
          and "aes256-ctr" in server_offer(r, "ciphers ctos"),
          "Ciphers -aes128-ctr: the server offers aes256-ctr but not aes128-ctr", r)
    r = ssh("true", opts=["-o", "MACs=hmac-sha2-256", "-o", "Ciphers=aes128-gcm@openssh.com"])
    check(r.returncode == 0, "MACs hmac-sha2-512: an AEAD cipher needs no MAC, logs in", r)
    r = ssh("true", opts=["-o", "MACs=hmac-sha2-256", "-o", "Ciphers=aes256-ctr"])
    check(r.returncode == 255 and "no matching MAC found" in r.log,
          "MACs hmac-sha2-512: a client offering only hmac-sha2-256 fails: no matching MAC found", r)
    s.stop()

    s = Server("Ciphers +aes128-cbc\nKexAlgorithms ^diffie-hellman-group14-sha256", name="plus").start()
    r = ssh("true", opts=["-o", "Ciphers=aes128-cbc"], verbose=2)
    check(r.returncode == 0 and "debug1: kex: server->client cipher: aes128-cbc" in r.log,
          "Ciphers +aes128-cbc: a client offering only aes128-cbc logs in with it", r)
    offer = server_offer(r, "ciphers ctos")
    check(offer[:1] == ["chacha20-poly1305@openssh.com"] and offer[-1:] == ["aes128-cbc"],
          "Ciphers +aes128-cbc: appended to the default list", offer)
    kex = server_offer(r, "KEX algorithms")
    check(kex[:2] == ["diffie-hellman-group14-sha256", "mlkem768x25519-sha256"],
          "KexAlgorithms ^diffie-hellman-group14-sha256: first, then the default (post-quantum first)", kex)
    s.stop()

    s = Server("KexAlgorithms -sntrup*,mlkem*", name="nopq").start()
    r = ssh("true")
    m = re.search(r"^debug1: kex: algorithm: (\S+)", r.log, re.M)
    check(r.returncode == 0 and m and m.group(1) == "curve25519-sha256",
          "KexAlgorithms -sntrup*,mlkem*: the default client falls back to curve25519-sha256", r)
    s.stop()

    # The control is the default server above, which logs in with the same ed25519 host key. (OpenSSH
    # would say "no matching host key type found"; our worker gives up before the key exchange, so
    # the client sees the connection reset: known difference, see the report of issue 9.)
    s = Server("HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256", name="hostkey").start()
    r = ssh("true")
    check(r.returncode == 255 and r.stdout == b"",
          "HostKeyAlgorithms without ssh-ed25519 (the only host key): the client cannot connect", r)
    s.stop()
    s = Server("HostKeyAlgorithms ssh-ed25519", name="hostkey-ok").start()
    r = ssh("true", verbose=2)
    check(r.returncode == 0 and server_offer(r, "host key algorithms") == ["ssh-ed25519"],
          "HostKeyAlgorithms ssh-ed25519: the server offers exactly ssh-ed25519 and the client gets in", r)
    s.stop()

    s = Server("PubkeyAcceptedAlgorithms rsa-sha2-512,rsa-sha2-256", name="pubkey").start()
    r = ssh("true")
    check(r.returncode == 255 and r.stdout == b"",
          "PubkeyAcceptedAlgorithms without ssh-ed25519: alice's ed25519 key is refused", r)
    r = ssh("true", password="alicepw")
    check(r.returncode == 0, "control: the same server lets alice in with her password", r)
    check(s.count(r"^Accepted publickey") == 0, "no publickey login was accepted", s)
    s.stop()

    s = Server("PubkeyAcceptedKeyTypes +ssh-rsa\nRekeyLimit 1M", name="rekey").start()
    r = ssh("head -c 8388608 /dev/zero", verbose=2)
    n = r.log.count("SSH2_MSG_KEXINIT received")
    check(r.returncode == 0 and len(r.stdout) == 8388608 and n > 2,
          f"RekeyLimit 1M: 8 MiB arrive intact over several key exchanges ({n})", r)
    s.stop()

    t = subprocess.run([harness.PRIVSSHD, "-T", "-f", s.config_path, "-o", "Ciphers=^aes256-ctr"],
                       capture_output=True, text=True, timeout=30)
    check(t.returncode == 0 and re.search(r"^ciphers aes256-ctr,chacha20-poly1305@openssh\.com,", t.stdout, re.M)
          and re.search(r"^rekeylimit 1048576 0$", t.stdout, re.M)
          and re.search(r"^pubkeyacceptedalgorithms ssh-ed25519-cert-v01@openssh\.com,.*,rsa-sha2-256,ssh-rsa$",
                        t.stdout, re.M),
          "-T prints the final lists and rekeylimit in bytes and seconds", t.stdout + t.stderr)


harness.run(main)
