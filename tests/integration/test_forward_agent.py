#!/usr/bin/python3
"""Agent forwarding (ssh -A) with the real OpenSSH client and a real ssh-agent: `ssh-add -l` on the
server lists the client's key, a second ssh from the server logs in through the forwarded agent; the
socket is alice's, in a fresh directory of hers, mode 0700, held by the worker; SSH_AUTH_SOCK is in
every session the connection starts after the request, also those that did not ask; a request/response
client that half-closes gets its whole answer; AllowAgentForwarding, DisableForwarding and the key
options no-agent-forwarding and restrict refuse it (restrict,agent-forwarding allows it); the socket
and its directory are removed and no helper is left when the connection ends by the client's exit,
the client killed, the worker killed and ClientAliveInterval."""
import hashlib
import os
import re
import select
import signal
import socket
import struct
import subprocess
import threading
import time

import harness
from harness import KEYS, Server, check

AGENT = "/tmp/client-agent.sock"         # the client's real ssh-agent
FAKE_AGENT = "/tmp/client-echo.sock"     # a request/response "agent" for the half-close case
AUTHKEYS = "/home/alice/.ssh/authorized_keys"
SOCK_RE = r"^/tmp/ssh-[A-Za-z0-9]{10}/agent\.(\d+)$"
DISABLED = r"^(debug1: )?session_auth_agent_req: agent forwarding disabled$"

# On the server: SSH_AUTH_SOCK, the agent's keys, and what stat says of the socket and its directory.
SHOW = ('echo "sock=$SSH_AUTH_SOCK"; ssh-add -l; echo "rc=$?"; '
        '[ -n "$SSH_AUTH_SOCK" ] && stat -c "%F|%U|%G|%a" "$SSH_AUTH_SOCK" "$(dirname "$SSH_AUTH_SOCK")"')


def ssh(command, opts=(), agent=AGENT, **kw):
    return harness.ssh(command, opts=list(opts), env={"SSH_AUTH_SOCK": agent}, **kw)


def popen(command, opts=(), agent=AGENT):
    """A client left running, with the agent; stdout is a pipe."""
    argv = harness.ssh_argv(command=command, opts=list(opts), logfile=harness._new_logfile())
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(harness.ssh_env(), SSH_AUTH_SOCK=agent))


def field(out, name):
    m = re.search(rf"^{name}=(.*)$", out, re.M)
    return m.group(1) if m else None


def gone(path):
    return not os.path.exists(path) and not os.path.exists(os.path.dirname(path))


def helpers():
    """Processes of the daemon running as alice (agent helpers, forward openers)."""
    return [p for p in harness.processes(cmdline=r"privsshd") if p.uids[:1] == ["2001"]]


def set_key_options(pub, options):
    with open(AUTHKEYS, "w") as f:
        f.write(f"{options} {pub}" if options else pub)


RECORDED = {}            # what the request/response "agent" read, by the mode the client asked for


def recv_exact(c, n):
    data = b""
    while len(data) < n and (chunk := c.recv(n - len(data))):
        data += chunk
    return data


def recv_all(c):
    data = b""
    while chunk := c.recv(65536):
        data += chunk
    return data


def echo_agent():
    """A request/response "agent" on the client's side, for the half-close cases. It first answers
    OpenSSH's session-bind@openssh.com (an SSH_AGENTC_EXTENSION the client sends on every forwarded agent
    connection and waits for) with SSH_AGENT_SUCCESS; then the client's first message names a mode:
      A: read until end of file, record the digest (the server's client half-closed after its request);
      B: send a 1 MiB answer and half-close at once, then read until end of file and record the digest
         (the server's client reads the whole answer to its end of file, then sends more)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(FAKE_AGENT)
    s.listen(16)

    def one(c):
        while True:
            (n,) = struct.unpack(">I", recv_exact(c, 4) or b"\0\0\0\0")
            msg = recv_exact(c, n)
            if msg[:1] != b"\x1b":          # SSH_AGENTC_EXTENSION
                break
            c.sendall(b"\0\0\0\x01\x06")    # SSH_AGENT_SUCCESS
        if msg == b"B":
            c.sendall(ANSWER)
            c.shutdown(socket.SHUT_WR)
        RECORDED[msg] = hashlib.sha256(recv_all(c)).hexdigest()
        c.close()
    while True:
        c, _ = s.accept()
        threading.Thread(target=one, args=(c,), daemon=True).start()


ANSWER = bytes(range(256)) * 4096       # 1 MiB
HALF_CLOSE_CLIENT = r"""
import hashlib, os, socket, sys
mode = sys.argv[1].encode()
data = os.urandom(2 * 1024 * 1024)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(os.environ["SSH_AUTH_SOCK"])
s.sendall(len(mode).to_bytes(4, "big") + mode)
if mode == b"A":
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
answer = b""
while chunk := s.recv(65536):
    answer += chunk
if mode == b"B":
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
print("sent", hashlib.sha256(data).hexdigest())
print("answer", hashlib.sha256(answer).hexdigest())
"""


def agent_works(what, opts=("-A",), expect=True):
    """ssh -A ... ssh-add -l: the key listed (or, refused, no SSH_AUTH_SOCK at all)."""
    r = ssh(SHOW, opts=opts)
    out = r.stdout.decode(errors="replace")
    sock = field(out, "sock")
    if expect:
        check(r.returncode == 0 and sock and re.match(SOCK_RE, sock) and field(out, "rc") == "0" and
              CAROL_FP in out, f"{what}: ssh -A: ssh-add -l on the server lists the client's key ({sock})", r)
    else:
        check(r.returncode in (0, 1) and sock == "" and field(out, "rc") == "2",
              f"{what}: no SSH_AUTH_SOCK, ssh-add -l finds no agent", r)
    return r, out, sock


def main():
    global CAROL_FP
    with open(f"{KEYS}/alice.pub") as f:
        pub = f.read()
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", AGENT], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    check(harness.wait_for(lambda: os.path.exists(AGENT), 10), "the client's ssh-agent runs")
    r = subprocess.run(["ssh-add", f"{KEYS}/carol"], env=dict(os.environ, SSH_AUTH_SOCK=AGENT),
                       capture_output=True)
    check(r.returncode == 0, "carol's key is in the client's agent (alice's is not)", r.stderr)
    CAROL_FP = harness.fingerprint(f"{KEYS}/carol.pub")
    threading.Thread(target=echo_agent, daemon=True).start()
    harness.wait_for(lambda: os.path.exists(FAKE_AGENT), 5)

    s = Server("LogLevel DEBUG\nAcceptEnv SSH_AUTH_SOCK").start()

    # ---- it works, and the socket is alice's --------------------------------------------------------
    # (The client's own SSH_AUTH_SOCK, which AcceptEnv lets through, does not replace the server's.)
    r, out, sock = agent_works("defaults", opts=("-A", "-o", "SetEnv=SSH_AUTH_SOCK=/tmp/client-says"))
    if sock:
        stats = re.findall(r"^(socket|directory)\|(.*)$", out, re.M)
        check(("socket", "alice|alice|700") in stats, f"the socket belongs to alice, mode 0700 ({stats})", out)
        check(("directory", "alice|alice|700") in stats,
              f"its directory /tmp/ssh-XXXXXXXXXX is alice's, mode 0700 ({stats})", out)
        check(harness.wait_for(lambda: gone(sock), 10),
              "the client gone, the socket and its directory are removed",
              os.listdir("/tmp"))
    r = ssh('echo "sock=$SSH_AUTH_SOCK"', opts=["-o", "SetEnv=SSH_AUTH_SOCK=/tmp/client-says"])
    check(field(r.stdout.decode(), "sock") == "/tmp/client-says",
          "control: without -A, AcceptEnv lets the client's SSH_AUTH_SOCK through", r)
    agent_works("control: without -A", opts=(), expect=False)

    # A second ssh on the server logs in to the same server (as carol, whose key only the client's agent
    # holds) through the forwarded agent.
    hop = ("ssh -F /dev/null -p 2222 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
           "-o GlobalKnownHostsFile=/dev/null -o BatchMode=yes carol@127.0.0.1 'id -un'")
    r = ssh(hop, opts=["-A"])
    check(r.returncode == 0 and r.stdout == b"carol\n", "a second ssh from the server logs in as carol through "
          "the forwarded agent", r, s)
    check(s.wait_log(r"^Accepted publickey for carol from 127\.0\.0\.1 port \d+ ssh2: ED25519 "),
          "log: the hop's login", s)
    r = ssh(hop)
    check(r.returncode == 255, "control: without -A the same hop is refused", r)

    # Ten agent connections at once on one socket.
    r = ssh('for i in 1 2 3 4 5 6 7 8 9 10; do ssh-add -l > /tmp/agent-list.$i & done; wait; '
            'cat /tmp/agent-list.* | grep -c ED25519; rm -f /tmp/agent-list.*', opts=["-A"])
    check(r.returncode == 0 and r.stdout == b"10\n", f"ten ssh-add -l at once all get the list ({r.stdout!r})",
          r)

    # Half-close on the agent channel, each way. OpenSSH's client forwards an agent connection's end of
    # file only one way (channel EOF from the server makes it stop reading the agent: "FORCE input
    # drain"), so the answer to a request that ends with end of file cannot come back through it, from
    # any server. What the server does is checked each way: A, the server's client sends 2 MiB and
    # half-closes: the agent receives every byte, then end of file; B, the agent answers 1 MiB and
    # half-closes at once: the server's client reads all of it to end of file, then sends 2 MiB more,
    # which still reach the agent. (ForwardAgent=PATH: the client keeps its real agent for itself.)
    with open("/tmp/half-close.py", "w") as f:
        f.write(HALF_CLOSE_CLIENT)
    for mode, what in (("A", "the server's client half-closes: every byte of its request reaches the agent, "
                              "then end of file"),
                       ("B", "the agent answers and half-closes: the whole answer reaches the server's client, "
                              "whose 2 MiB sent after that still reach the agent")):
        r = ssh(f"python3 /tmp/half-close.py {mode}", opts=["-o", f"ForwardAgent={FAKE_AGENT}"])
        out = r.stdout.decode(errors="replace")
        sent = re.search(r"^sent (\w+)$", out, re.M)
        answer = re.search(r"^answer (\w+)$", out, re.M)
        harness.wait_for(lambda: mode.encode() in RECORDED, 10)
        ok = r.returncode == 0 and sent and answer and RECORDED.get(mode.encode()) == sent.group(1)
        if mode == "B":
            ok = ok and answer.group(1) == hashlib.sha256(ANSWER).hexdigest()
        check(ok, f"half-close {mode}: {what}", r, RECORDED)

    # ---- every session of the connection after the request ----------------------------------------------
    ctl = "/tmp/agent-ctl"
    master = popen(None, opts=["-M", "-S", ctl, "-N", "-A", "-o", "ControlPersist=no"])
    check(harness.wait_for(lambda: os.path.exists(ctl), 10), "a ControlMaster connects")
    mux = ["-S", ctl, "-o", "ControlMaster=no"]
    r = ssh('echo "sock=$SSH_AUTH_SOCK"', opts=mux)
    check(r.returncode == 0 and field(r.stdout.decode(), "sock") == "",
          "a session before any agent request has no SSH_AUTH_SOCK", r)
    r = ssh('echo "sock=$SSH_AUTH_SOCK"', opts=mux + ["-A"])
    first = field(r.stdout.decode(), "sock")
    check(r.returncode == 0 and first and re.match(SOCK_RE, first), f"a session with -A gets one ({first})", r)
    r = ssh(SHOW, opts=mux + ["-o", "ForwardAgent=no"])
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 0 and field(out, "sock") == first and CAROL_FP in out,
          "a later session of the connection without -A has the same SSH_AUTH_SOCK, and the agent", r)
    m = re.match(SOCK_RE, first or "")
    pid = int(m.group(1)) if m else 0
    if not harness.is_openssh():
        check(pid and "[monitor]" in harness.read_text(f"/proc/{pid}/cmdline"),
              f"the socket is named after the connection's monitor (pid {pid})")
        ss = subprocess.run(["ss", "-xlpH"], capture_output=True, text=True).stdout
        ss = "\n".join(l for l in ss.splitlines() if first and first in l)
        check("privsshd-worker" in ss and ss.count("pid=") == 1, "the listener is held by the worker alone", ss)
    check(not helpers(), f"no helper is running while the connection is idle ({helpers()})")
    r = ssh(None, opts=mux + ["-O", "exit"])
    master.wait(10)
    check(first and harness.wait_for(lambda: gone(first), 10), "the ControlMaster gone, the socket is removed")

    # ---- policy ----------------------------------------------------------------------------------------
    for config in ("AllowAgentForwarding no", "DisableForwarding yes"):
        Server.stop_all()
        s = Server(f"{config}\nLogLevel DEBUG").start()
        agent_works(config, expect=False)
        check(s.wait_log(DISABLED), f"{config}: logged in OpenSSH's words", s)
        r = ssh("echo in")
        check(r.returncode == 0 and r.stdout == b"in\n", f"{config}: control: logins still work", r)
    Server.stop_all()
    s = Server("LogLevel DEBUG").start()
    for options, allowed in (("no-agent-forwarding", False), ("restrict", False),
                             ("restrict,agent-forwarding", True)):
        set_key_options(pub, options)
        agent_works(f"key option {options}", expect=allowed)
    set_key_options(pub, "")
    agent_works("key without options again")
    check(len(re.findall(DISABLED, s.text(), re.M)) == 2, "each refusal is logged", s)

    # ---- teardown ----------------------------------------------------------------------------------------
    def started(p):
        line = p.stdout.readline().decode().strip() if select.select([p.stdout], [], [], 20)[0] else ""
        sock = line[5:] if line.startswith("sock=") else ""
        return sock if re.match(SOCK_RE, sock) and os.path.exists(sock) else None

    Server.stop_all()
    s = Server("LogLevel DEBUG\nClientAliveInterval 1\nClientAliveCountMax 2").start()
    p = popen('echo "sock=$SSH_AUTH_SOCK"; exec sleep 600', opts=["-A"])
    sock = started(p)
    check(sock, f"a connection with a forwarded agent ({sock})")
    p.kill()
    p.wait()
    check(sock and harness.wait_for(lambda: gone(sock), 10),
          "the client killed (SIGKILL): socket and directory removed")
    check(harness.wait_for(lambda: not helpers(), 5), f"and no helper is left ({helpers()})")

    if not harness.is_openssh():
        p = popen('echo "sock=$SSH_AUTH_SOCK"; exec sleep 600', opts=["-A"])
        sock = started(p)
        workers = [w for w in harness.processes(comm="privsshd-worker")
                   if w.uids[:1] == [str(harness.SANDBOX_UID)]]
        check(sock and len(workers) == 1, f"another one, its worker running ({workers})")
        for w in workers:
            os.kill(w.pid, signal.SIGKILL)
        check(sock and harness.wait_for(lambda: gone(sock), 10),
              "the worker killed: socket and directory removed")
        check(harness.wait_for(lambda: not helpers(), 5), f"and no helper is left ({helpers()})")
        p.kill()
        p.wait()

    p = popen('echo "sock=$SSH_AUTH_SOCK"; exec sleep 600', opts=["-A", "-o", "ServerAliveInterval=0"])
    sock = started(p)
    check(sock, f"a third one ({sock})")
    p.send_signal(signal.SIGSTOP)
    check(s.wait_log(r"Timeout, client not responding", 15),
          "a stopped client times out (ClientAliveInterval)", s)
    check(sock and harness.wait_for(lambda: gone(sock), 10), "then socket and directory are removed")
    check(harness.wait_for(lambda: not helpers(), 5), f"and no helper is left ({helpers()})")
    p.send_signal(signal.SIGCONT)
    p.kill()
    p.wait()
    left = [d for d in os.listdir("/tmp") if re.fullmatch(r"ssh-[A-Za-z0-9]{10}", d)]
    check(not left, f"no agent directory is left in /tmp ({left})")
    agent.kill()
    agent.wait()


harness.run(main)
