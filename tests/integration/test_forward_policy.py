#!/usr/bin/python3
"""Forwarding policy, decided by the monitor: AllowTcpForwarding (yes/no/local/remote), DisableForwarding,
PermitOpen, PermitListen and the authorized_keys options no-port-forwarding, restrict,
restrict,port-forwarding, permitopen= and permitlisten=, each allowing (positive control) and refusing,
with the refusals logged in OpenSSH's words. -L is driven with ssh -W (a direct-tcpip channel on the
client's stdio), -R with ssh -R and ExitOnForwardFailure."""
import socket

import harness
from forward_data import expect, serve_digest
from harness import KEYS, Server, SshProcess, check, ssh

AUTHKEYS = "/home/alice/.ssh/authorized_keys"


def local(port, expect_ok, what, server=None, log=None):
    """ssh -W 127.0.0.1:port: a direct-tcpip channel to the digest service."""
    before = server.count(log) if log else 0
    r = ssh(None, opts=["-W", f"127.0.0.1:{port}"], stdin=b"policy")
    if expect_ok:
        check(r.returncode == 0 and r.stdout == expect(b"policy"), f"{what}: -L to port {port} works", r)
    else:
        check(r.returncode != 0 and r.stdout == b"" and "administratively prohibited" in r.log,
              f"{what}: -L to port {port} is refused", r)
    if log:
        check(harness.wait_for(lambda: server.count(log) > before, 5), f"{what}: logged: {log}",
              server.text()[-2000:])


def remote(port, expect_ok, what, listen="", server=None, log=None):
    before = server.count(log) if log else 0
    spec = f"{listen}:{port}:127.0.0.1:8001" if listen else f"{port}:127.0.0.1:8001"
    p = SshProcess(None, opts=["-N", "-o", "ExitOnForwardFailure=yes", "-R", spec])
    if expect_ok:
        up = harness.wait_for(lambda: harness.listening(port) or p.proc.poll() is not None, 15)
        ok = up and p.proc.poll() is None
        if ok:
            c = socket.create_connection(("127.0.0.1", port), timeout=10)
            c.sendall(b"r")
            c.shutdown(socket.SHUT_WR)
            ok = harness.read_until_closed(c) == expect(b"r")
            c.close()
        check(ok, f"{what}: -R {spec} works", p)
    else:
        rc = p.wait(15)
        check(rc not in (None, 0) and f"remote port forwarding failed for listen port {port}" in p.log
              and not harness.listening(port), f"{what}: -R {spec} is refused", p)
    if log:
        check(harness.wait_for(lambda: server.count(log) > before, 5), f"{what}: logged: {log}",
              server.text()[-2000:])
    p.close()


def restart(config):
    Server.stop_all()
    return Server(config).start()


def set_key_options(pub, options):
    with open(AUTHKEYS, "w") as f:
        f.write(f"{options} {pub}" if options else pub)


def main():
    serve_digest(8001)
    serve_digest(8002)
    harness.wait_for(lambda: harness.listening(8001) and harness.listening(8002), 5)
    with open(f"{KEYS}/alice.pub") as f:
        pub = f.read()

    refused_local = r"refused local port forward: originator 127\.0\.0\.1 port \d+, target 127\.0\.0\.1 port 8001"
    s = restart("")
    local(8001, True, "defaults")
    remote(9300, True, "defaults")

    s = restart("AllowTcpForwarding no")
    local(8001, False, "AllowTcpForwarding no", s, refused_local)
    remote(9301, False, "AllowTcpForwarding no", server=s, log=r"refused remote port forward: listen localhost port 9301")

    s = restart("AllowTcpForwarding local")
    local(8001, True, "AllowTcpForwarding local")
    remote(9302, False, "AllowTcpForwarding local")

    s = restart("AllowTcpForwarding remote")
    local(8001, False, "AllowTcpForwarding remote", s, refused_local)
    remote(9303, True, "AllowTcpForwarding remote")

    s = restart("DisableForwarding yes\nAllowTcpForwarding yes")
    local(8001, False, "DisableForwarding yes", s, refused_local)
    remote(9304, False, "DisableForwarding yes")

    denied = (r"Received request from 127\.0\.0\.1 port \d+ to connect to host 127\.0\.0\.1 port 8002, "
              r"but the request was denied\.")
    s = restart("PermitOpen 127.0.0.1:8001 localhost:*")
    local(8001, True, "PermitOpen 127.0.0.1:8001")
    local(8002, False, "PermitOpen 127.0.0.1:8001", s, denied)
    s = restart("PermitOpen 127.0.0.1:*")
    local(8002, True, "PermitOpen 127.0.0.1:*")
    s = restart("PermitOpen none")
    local(8001, False, "PermitOpen none", s,
          r"Received request from 127\.0\.0\.1 port \d+ to connect to host 127\.0\.0\.1 port 8001, but the "
          r"request was denied\.")

    s = restart("PermitListen 9310 127.0.0.1:9312")
    remote(9310, True, "PermitListen 9310")
    remote(9311, False, "PermitListen 9310", server=s,
           log=r"Received request from 127\.0\.0\.1 port \d+ to remote forward to host localhost port 9311, but "
               r"the request was denied\.")
    remote(9312, True, "PermitListen 127.0.0.1:9312", listen="127.0.0.1")
    remote(9312, False, "PermitListen 127.0.0.1:9312 (host localhost)")
    s = restart("PermitListen none")
    remote(9313, False, "PermitListen none")

    # The key that logged in: no-port-forwarding, restrict, restrict,port-forwarding.
    s = restart("")
    set_key_options(pub, "no-port-forwarding")
    local(8001, False, "no-port-forwarding", s, refused_local)
    remote(9320, False, "no-port-forwarding")
    set_key_options(pub, "restrict")
    local(8001, False, "restrict", s, refused_local)
    remote(9321, False, "restrict")
    set_key_options(pub, "restrict,port-forwarding")
    local(8001, True, "restrict,port-forwarding")
    remote(9322, True, "restrict,port-forwarding")
    denied_8001 = denied.replace("8002", "8001")
    set_key_options(pub, 'permitopen="127.0.0.1:8001"')
    local(8001, True, 'permitopen="127.0.0.1:8001"')
    local(8002, False, 'permitopen="127.0.0.1:8001"', s, denied)
    set_key_options(pub, 'permitlisten="9330",permitlisten="127.0.0.1:9332"')
    remote(9330, True, 'permitlisten="9330"')
    remote(9331, False, 'permitlisten="9330"', server=s,
           log=r"Received request from 127\.0\.0\.1 port \d+ to remote forward to host localhost port 9331, but "
               r"the request was denied\.")
    remote(9332, True, 'permitlisten="127.0.0.1:9332"', listen="127.0.0.1")
    set_key_options(pub, "")
    local(8001, True, "no key options")

    # Both the server's list and the key's must allow: each refuses what the other allows.
    s = restart("PermitOpen 127.0.0.1:8002")
    set_key_options(pub, 'permitopen="127.0.0.1:8001"')
    local(8001, False, "PermitOpen 127.0.0.1:8002 with permitopen=127.0.0.1:8001", s, denied_8001)
    local(8002, False, "PermitOpen 127.0.0.1:8002 with permitopen=127.0.0.1:8001", s, denied)
    set_key_options(pub, "")
    local(8002, True, "PermitOpen 127.0.0.1:8002 without key options")


harness.run(main)
