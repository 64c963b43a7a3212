#!/usr/bin/python3
"""Remote forwarding (ssh -R, tcpip-forward) with the real OpenSSH client and real services: 64 MiB
checksummed each way, the half-close request/response case, port 0 (the allocated port reaches the
client, which prints it), GatewayPorts no/yes/clientspecified, privileged ports for root only, forwards
added and cancelled through a ControlMaster (ssh -O forward / -O cancel), and the listening socket
created as the user (ss -tlnpe)."""
import os
import re
import subprocess

import harness
from forward_data import (SIZE, WWW, ask, check_http_big, expect, forward, listeners, start_tcp_services,
                          wait_listening)
from harness import Server, SshProcess, check



def main():
    want, http = start_tcp_services()
    server = Server()
    server.start()

    p = forward(["-R", "9200:127.0.0.1:8000", "-R", "9201:127.0.0.1:8001"])
    check(wait_listening(9200, p) and wait_listening(9201, p), "the server listens for ssh -R", p)

    check_http_big(9200, want, "-R", server)

    with open(f"{WWW}/big", "rb") as f:
        data = f.read()
    a = ask(9201, data)
    check(a == f"{SIZE} {want}\n".encode(), f"64 MiB to the service through -R, then its answer after our "
          f"half-close ({a[:100]!r})", server.text()[-3000:])

    owners = listeners(9201, owners=True)
    check(owners and {uid for _, uid in owners} == {"2001"},
          f"the listening sockets belong to alice (uid 2001): {owners}")
    check(listeners(9201) == ["127.0.0.1", "[::1]"],
          f"GatewayPorts no: it listens on loopback only, both families as OpenSSH ({listeners(9201)})")
    p.close()
    check(harness.wait_for(lambda: not harness.listening(9200) and not harness.listening(9201), timeout=10),
          "the listeners close with the connection")

    # Port 0: the server picks a port and says which; the client prints it.
    p = forward(["-R", "0:127.0.0.1:8001"])
    harness.wait_for(lambda: "Allocated port" in p.log or p.proc.poll() is not None, timeout=15)
    m = re.search(r"Allocated port (\d+) for remote forward to 127.0.0.1:8001", p.log)
    check(m is not None, "port 0: the client prints the allocated port", p)
    if m:
        port = int(m.group(1))
        check(ask(port, b"zero") == expect(b"zero"), f"and the service answers through port {port}")
    p.close()

    # Privileged ports: root only.
    p = forward(["-R", "900:127.0.0.1:8001"])
    check(p.wait(15) not in (None, 0) and "remote port forwarding failed for listen port 900" in p.log,
          "alice may not listen on port 900", p)
    p.close()
    p = forward(["-R", "900:127.0.0.1:8001"], user="root")
    check(wait_listening(900, p) and ask(900, b"root") == expect(b"root"), "root may listen on port 900", p)
    p.close()

    # A ControlMaster: forwards added and cancelled on the running connection.
    sock = "/tmp/cm.sock"
    m = SshProcess(None, opts=["-N", "-M", "-S", sock])
    check(harness.wait_for(lambda: os.path.exists(sock), timeout=15), "the ControlMaster is up", m)
    ctl = harness.ssh_argv(opts=["-S", sock, "-O", "forward", "-R", "9204:127.0.0.1:8001"])
    r = subprocess.run(ctl, capture_output=True, env=harness.ssh_env(), timeout=30)
    check(r.returncode == 0 and wait_listening(9204, m), "ssh -O forward -R adds a remote forward", r.stderr)
    check(ask(9204, b"mux") == expect(b"mux"), "which carries a connection")
    ctl[ctl.index("forward")] = "cancel"
    r = subprocess.run(ctl, capture_output=True, env=harness.ssh_env(), timeout=30)
    check(r.returncode == 0 and harness.wait_for(lambda: not harness.listening(9204), timeout=10),
          "ssh -O cancel -R closes it", r.stderr)
    r = subprocess.run(ctl[:ctl.index("cancel")] + ["forward"] + ctl[ctl.index("cancel") + 1:],
                       capture_output=True, env=harness.ssh_env(), timeout=30)
    check(r.returncode == 0 and wait_listening(9204, m) and ask(9204, b"again") == expect(b"again"),
          "and the same port can be forwarded again", r.stderr)
    m.close()

    # GatewayPorts yes: the wildcard address whatever the client asks.
    Server.stop_all()
    Server("GatewayPorts yes").start()
    p = forward(["-R", "localhost:9205:127.0.0.1:8001"])
    check(wait_listening(9205, p) and listeners(9205) in (["*"], ["[::]"], ["0.0.0.0"]),
          f"GatewayPorts yes: -R localhost:... listens on the wildcard address ({listeners(9205)})", p)
    check(ask(9205, b"gw", host="127.0.0.3") == expect(b"gw"), "and is reached from another address")
    p.close()

    # GatewayPorts clientspecified: where the client asks.
    Server.stop_all()
    Server("GatewayPorts clientspecified").start()
    p = forward(["-R", "127.0.0.2:9206:127.0.0.1:8001", "-R", "localhost:9207:127.0.0.1:8001"])
    check(wait_listening(9206, p) and listeners(9206) == ["127.0.0.2"],
          f"GatewayPorts clientspecified: -R 127.0.0.2:... listens there ({listeners(9206)})", p)
    check(ask(9206, b"cs", host="127.0.0.2") == expect(b"cs"), "and carries a connection")
    check(wait_listening(9207, p) and listeners(9207) == ["127.0.0.1", "[::1]"],
          f"and -R localhost:... on loopback, both families ({listeners(9207)})", p)
    p.close()
    http.kill()
    http.wait()


harness.run(main)
