#!/usr/bin/python3
"""Code injected into the real, sandboxed worker (issue 7, findings 3 and 8): with the worker's own
descriptors, credentials, chroot and seccomp filter, it cannot write to the daemon's stderr, holds
no descriptor but the documented ones, and cannot write a log line that fail2ban's stock sshd
filter takes for the monitor's, in any state and any mode of the filter.

How to write a hostile-worker scenario (test builds only, -Dtest_hooks=true):

  1. Add tests/hostile/inject/NAME.c defining any of
         int privsshd_inject_sandboxed(const WorkerInjectContext *ctx);      after sandbox_enter()
         int privsshd_inject_preauth(const WorkerInjectContext *ctx);        after READY
         int privsshd_inject_authenticated(const WorkerInjectContext *ctx);  after AUTH_RESULT success
     (worker/test-inject.h). The code runs inside the worker: its uid, chroot, seccomp filter, fds.
     ctx has the connection and IPC descriptors, the peer and user, ctx->log (the worker's own LOG
     path) and ctx->ipc_send (the worker's codec: send any row of common/ipc-messages.h). Return 0
     to let the worker carry on, a negative errno to end it. Report what you saw with ctx->log:
     the monitor writes it to its log, which the test reads.
  2. Add NAME to the list in tests/hostile/meson.build (a shared module per scenario).
  3. Here: Server(f"TestWorkerInject {module('NAME')}").start(), a real client (harness.ssh), then
     checks on s.text() (the daemon's stderr, which -e makes its log). Each negative check wants a
     positive control beside it.

Reference differs: OpenSSH has no such worker; the whole file is privsshd's."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402
from harness import SANDBOX_UID, Server, check, ssh  # noqa: E402

INJECT_DIR = os.environ.get("PRIVSSHD_INJECT_DIR", "")
# ASan and seccomp_debug builds pass one more descriptor, for sanitizer reports (common/fd-layout.h).
DIAGNOSTICS_FD = os.environ.get("PRIVSSHD_DIAGNOSTICS_FD") == "1"
F2B = os.path.join(harness.SRCDIR, ".cache", "fail2ban")
MARKER = "worker (untrusted): "


def module(name):
    return os.path.join(INJECT_DIR, name + ".so")


def torn_down(r, what="and"):
    """The client's connection ended as a torn-down one does: exit 255, nothing of the command."""
    check(r.returncode == 255 and r.stdout == b"", f"{what} the connection is torn down ({r.returncode})", r)


def fd_table():
    """Finding 3: the worker's descriptor table after sandbox_enter() and after authentication, and a
    forged line with terminal escapes written to fd 2."""
    s = Server(f"TestWorkerInject {module('fd-table')}").start()   # stderr: a stream, as under systemd
    r = ssh("echo hello")
    check(r.returncode == 0 and r.stdout == b"hello\n", "a key login through the injected worker works", r)
    check(s.wait_log(r"inject fd-table authenticated: "), "the scenario ran after authentication", s)
    s.stop()            # the copy of the stream is complete once every holder has closed it
    text = s.text()

    expected = {0: "null", 1: "null", 2: "null", 3: "tcp", 4: "unix"}
    if DIAGNOSTICS_FD:
        expected[5] = "unix"    # a copy of the daemon's stderr (our stream), for sanitizer reports
    for point in ("sandboxed", "authenticated"):
        m = re.search(rf"inject fd-table {point}: uid=(\d+) fds:((?: \d+=\w+)*)", text)
        check(m, f"{point}: the scenario reported the descriptor table", text)
        if not m:
            continue
        check(int(m.group(1)) == SANDBOX_UID, f"{point}: it ran as the SandboxUser ({m.group(1)})")
        table = {int(fd): kind for fd, kind in re.findall(r" (\d+)=(\w+)", m.group(2))}
        check(table == expected, f"{point}: exactly the documented descriptors: {expected} ({table})")
        check(re.search(rf"inject fd-table {point}: write to fd 2 returned \d+ \(ok\)", text),
              f"{point}: its write to fd 2 succeeded (to /dev/null: nothing stopped it but the layout)", text)
        check(f"(fd2 {point})" not in text,
              f"{point}: the forged 'Accepted password for root from 203.0.113.66' on fd 2 is not in the "
              "daemon's stderr", text)
        check(re.search(rf"^{re.escape(MARKER)}Accepted password for root from 203\.0\.113\.66 port 22 ssh2 "
                        rf"\(log {point}\)", text, re.M),
              f"{point}: control: the same words through the LOG path arrive, behind '{MARKER}'", text)
    check("\x1b" not in text and "\x07" not in text and "forged-title" not in text,
          "no terminal escape sequence reached the daemon's stderr", repr(text[-2000:]))


def fail2ban_matches(logfile, daemon, mode):
    """The lines of `logfile` that fail2ban's stock sshd filter matches (fail2ban-regex)."""
    env = dict(os.environ, PYTHONPATH=os.path.join(F2B, "usr", "lib", "python3", "dist-packages"))
    filt = os.path.join(F2B, "etc", "fail2ban", "filter.d", "sshd.conf") + f"[_daemon={daemon}, mode={mode}]"
    r = subprocess.run(["/usr/bin/python3", os.path.join(F2B, "usr", "bin", "fail2ban-regex"),
                        "--print-all-matched", logfile, filt], capture_output=True, text=True, env=env,
                       timeout=120)
    ok = r.returncode == 0 and "Failregex:" in r.stdout
    section = r.stdout.split("Matched line(s):", 1)[1].split("`-", 1)[0] if "Matched line(s):" in r.stdout else ""
    return ok, [l[3:] for l in section.splitlines() if l.startswith("|  ")], r.stdout + r.stderr


def forged_logs():
    """Finding 8: a worker forges the monitor's lines before and after authentication, through its
    own log path and as raw LOG messages; fail2ban finds none of the forged addresses, in every mode.
    Controls: the monitor's own lines for the real peer are found in the same log: a wrong password
    (normal), a client with no cipher in common (extra), a peer that does not speak SSH (ddos)."""
    if not os.path.exists(os.path.join(F2B, "usr", "bin", "fail2ban-regex")):
        # Only this part needs it: the scenarios after it still run (a skip here stopped them all).
        check(not harness.MUST_RUN, "fail2ban is unpacked in .cache/fail2ban (run tools/install-deps test); "
              "the forged-log scenarios are left out")
        return
    logfile = "/var/log/privsshd-forged.log"
    s = Server(f"TestWorkerInject {module('forge-logs')}", args=["-E", logfile]).start()
    r = ssh("true", password="wrong")
    check(r.returncode == 255, "a wrong password is refused", r)
    r = ssh("echo hello", password="alicepw")
    check(r.returncode == 0 and r.stdout == b"hello\n", "the right one logs in (through the injected worker)", r)
    r = ssh("true", opts=["-o", "Ciphers=aes128-cbc"])
    check(r.returncode == 255, "a client with no cipher in common is refused", r)
    harness.send_junk(b"GET / HTTP/1.0\r\n\r\n")
    check(harness.wait_for(lambda: "banner exchange: Connection from 127.0.0.1" in harness.read_text(logfile)),
          "the non-SSH connection is logged")
    s.stop()
    log = harness.read_text(logfile)
    for point in ("sandboxed", "preauth", "authenticated"):
        check(f"inject forge-logs {point}: 16 lines forged" in log, f"the scenario forged its lines ({point})", log)
    forged = [l for l in log.splitlines() if "198.51.100." in l]
    check(len(forged) >= 16 * (2 + 3 + 2 + 2) and all(MARKER in l for l in forged),
          f"every forged line reached the log behind '{MARKER}' ({len(forged)} lines)",
          "\n".join(l for l in forged if MARKER not in l) or log)
    check(not re.search(r"^\S+ +\d+ [\d:]+ \S+: Failed password for root from 198", log, re.M),
          "no forged line starts a line of its own (the one with a line break included)", log)

    for daemon in ("privsshd", "sshd", r"\S*"):
        for mode in ("normal", "ddos", "extra", "aggressive"):
            ok, matched, out = fail2ban_matches(logfile, daemon, mode)
            what = f"_daemon={daemon}, mode={mode}"
            check(ok, f"{what}: fail2ban-regex ran", out)
            bad = [l for l in matched if "198.51.100." in l or "203.0.113." in l]
            check(not bad, f"{what}: fail2ban finds none of the forged addresses", "\n".join(bad))
            if daemon == r"\S*":
                continue    # with any daemon name, the filter no longer reads -E's prefix: no control
            if mode in ("normal", "aggressive"):
                check(any(re.search(r"Failed password for alice from 127\.0\.0\.1 port \d+ ssh2", l) for l in matched),
                      f"{what}: control: the monitor's own 'Failed password for alice from 127.0.0.1' is found",
                      out)
            if mode in ("extra", "aggressive"):
                check(any("Unable to negotiate with 127.0.0.1 port" in l for l in matched),
                      f"{what}: control: the monitor's 'Unable to negotiate with 127.0.0.1' is found", out)
            if mode in ("ddos", "aggressive"):
                check(any("banner exchange: Connection from 127.0.0.1 port" in l for l in matched),
                      f"{what}: control: the monitor's 'banner exchange: Connection from 127.0.0.1' is found", out)


def forged_events():
    """Finding 8, the lines the monitor composes from an EVENT: with the peer address the monitor
    knows, whatever the worker's words say; and an event in the wrong state is a violation."""
    s = Server(f"TestWorkerInject {module('forge-events')}").start()
    r = ssh("true")
    check(r.returncode == 255, "the connection ends when the worker reports a handshake failure after "
          f"authentication ({r.returncode})", r)
    check(s.wait_log(r"refused EVENT from the worker for 127\.0\.0\.1 port \d+"),
          "log: the monitor refused the EVENT", s)
    check(s.wait_log(rf"^{re.escape(MARKER)}inject forge-events: a handshake event after authentication$"),
          "control: the scenario ran after authentication (its LOG line arrived first)", s)
    check(s.wait_log(r"^Unable to negotiate with 127\.0\.0\.1 port \d+: no matching cipher found\. Their offer: "
                     r"x\\012Failed password for root from 198\.51\.100\.200 port 22 ssh2 \[preauth\]$"),
          "the forged negotiation is logged with the real peer, the worker's words escaped behind it", s)
    check(not re.search(r"^Failed password for root from 198", s.text(), re.M),
          "its words do not start a line of their own", s)
    s.stop()


def forward_forbidden():
    """Issue 10: a worker that asks for forwards itself gets what policy allows and nothing else; a
    request no client could have made ends the connection."""
    import socket
    import threading
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 8001))
    srv.listen(8)
    threading.Thread(target=lambda: [srv.accept() for _ in range(8)], daemon=True).start()
    s = Server(f"PermitOpen 127.0.0.1:8001\nTestWorkerInject {module('forward-forbidden')}").start()
    r = ssh("echo in")
    say = re.escape(MARKER) + "inject forward-forbidden: "
    check(s.wait_log(rf"^{say}answer to 70001: FORWARD_FAILED$"),
          "a connection PermitOpen forbids is refused (FORWARD_FAILED)", s)
    check(s.wait_log(r"^Received request from 127\.0\.0\.1 port \d+ to connect to host 127\.0\.0\.1 port 8002, "
                     r"but the request was denied\.$"), "and logged in OpenSSH's words", s)
    check(s.wait_log(rf"^{say}answer to 70002: FORWARD_READY with a descriptor$"),
          "control: the connection PermitOpen allows is made and handed over", s)
    check(s.wait_log(rf"^{say}answer to 70003: FORWARD_FAILED$"),
          "listening on privileged port 900 as alice is refused", s)
    check(s.wait_log(r"refused FORWARD_CONNECT from the worker for 127\.0\.0\.1 port \d+"),
          "a FORWARD_CONNECT to port 70000 is refused as a protocol violation", s)
    torn_down(r)
    s.stop()
    srv.close()

    s = Server(f"TestWorkerInject {module('forward-accept-conn')}").start()
    r = ssh("echo in")
    check(s.wait_log(rf"^{re.escape(MARKER)}inject forward-accept-conn: handing over the client connection$"),
          "control: the scenario ran after authentication", s)
    check(s.wait_log(r"refused FORWARD_ACCEPT from the worker for 127\.0\.0\.1 port \d+"),
          "FORWARD_ACCEPT with the client connection instead of a listener is refused", s)
    torn_down(r)
    s.stop()


def agent_dirs():
    return sorted(d for d in os.listdir("/tmp") if re.fullmatch(r"ssh-[A-Za-z0-9]{10}", d))


def agent_forbidden():
    """Issue 10, agent forwarding: a worker that asks for the agent socket itself gets it only where
    policy allows it; asking twice, or handing over anything but the listener it was given, ends the
    connection."""
    say = re.escape(MARKER) + "inject agent-forbidden: "
    for config in ("AllowAgentForwarding no", "DisableForwarding yes", ""):
        what = config or "default configuration (control)"
        before = agent_dirs()
        s = Server(f"{config}\nLogLevel DEBUG\nTestWorkerInject {module('agent-forbidden')}").start()
        r = ssh("echo in")
        if config:
            check(s.wait_log(rf"^{say}answer: AGENT_REFUSED$"), f"{what}: AGENT_REQUEST is refused", s)
            check(s.wait_log(r"^session_auth_agent_req: agent forwarding disabled$"),
                  f"{what}: and logged in OpenSSH's words", s)
        else:
            check(s.wait_log(rf"^{say}answer: AGENT_LISTENING with a descriptor$"),
                  f"{what}: AGENT_REQUEST gets the listener", s)
        check(s.wait_log(r"exceeded the budget of 1 AGENT_REQUEST messages"),
              f"{what}: a second AGENT_REQUEST is a violation", s)
        torn_down(r, f"{what}: and")
        s.stop()
        check(agent_dirs() == before, f"{what}: no agent directory is left in /tmp ({agent_dirs()})")

    s = Server(f"TestWorkerInject {module('agent-accept-conn')}").start()
    r = ssh("echo in")
    say = re.escape(MARKER) + "inject agent-accept-conn: "
    check(s.wait_log(rf"^{say}the listener handed back: AGENT_ACCEPT_FAILED$"),
          "control: AGENT_ACCEPT with the listener is served (nothing waits on it: AGENT_ACCEPT_FAILED)", s)
    check(s.wait_log(r"refused AGENT_ACCEPT from the worker for 127\.0\.0\.1 port \d+"),
          "AGENT_ACCEPT with the client connection instead of the listener is refused", s)
    torn_down(r)
    s.stop()
    check(not agent_dirs(), f"and the agent directory is removed ({agent_dirs()})")


def forward_unix_forbidden():
    """A worker that asks for Unix-socket forwards itself gets what policy allows and nothing else; a
    request no client could have made ends the connection."""
    import socket
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind("/tmp/inject-svc.sock")
    os.chmod("/tmp/inject-svc.sock", 0o666)
    srv.listen(8)
    s = Server(f"AllowStreamLocalForwarding local\nTestWorkerInject {module('forward-unix-forbidden')}").start()
    r = ssh("echo in")
    say = re.escape(MARKER) + "inject forward-unix-forbidden: "
    check(s.wait_log(rf"^{say}answer to 71001: FORWARD_FAILED$"),
          "a unix-socket listener AllowStreamLocalForwarding local forbids is refused (FORWARD_FAILED)", s)
    check(s.wait_log(r"^refused streamlocal remote forward: listen path /tmp/inject-forbidden\.sock$"),
          "and logged", s)
    check(not os.path.lexists("/tmp/inject-forbidden.sock"), "and no socket file is made")
    check(s.wait_log(rf"^{say}answer to 71002: FORWARD_READY with a descriptor$"),
          "control: the connection to a socket that policy allows is made and handed over", s)
    check(s.wait_log(r"refused FORWARD_CONNECT_UNIX from the worker"),
          "a FORWARD_CONNECT_UNIX with an empty path is refused as a protocol violation", s)
    torn_down(r)
    s.stop()
    srv.close()


def hostkeys_prove():
    """Host key rotation: a worker that asks the monitor to prove host keys itself gets signatures of
    the connection's own statement for the monitor's keys, after authentication, a few times; before
    authentication, for a key that is not the monitor's, for a key twice, for more keys than it has,
    once too often or with a key list that runs past its end, the connection is torn down."""
    cases = {
        "preauth": r"worker sent HOSTKEYS_PROVE in state preauth: not allowed",
        "foreign": r"asked to prove a key that is not one of our host keys",
        "twice": r"asked to prove a host key twice",
        # More blobs than the monitor has keys can only repeat one: refused as a key twice.
        "toomany": r"asked to prove a host key twice",
        "often": r"exceeded the budget of 4 HOSTKEYS_PROVE messages",
        "truncated": r"sent a malformed hostkeys-prove request",
    }
    for case, refusal in cases.items():
        name = f"hostkeys-prove-{case}"
        say = re.escape(MARKER) + f"inject {name}: "
        s = Server(f"TestWorkerInject {module(name)}").start()
        r = ssh("echo in")
        if case == "preauth":
            check(s.wait_log(rf"^{say}asking before authentication( \[preauth\])?$"), f"{case}: the scenario ran", s)
        else:
            good = 4 if case == "often" else 1
            check(s.wait_log(rf"^{say}now the bad request$") and
                  s.count(rf"^{say}answer: HOSTKEYS_PROOF$") == good,
                  f"{case}: control: {good} well-formed request(s) for our host key answered HOSTKEYS_PROOF", s)
        check(s.wait_log(refusal), f"{case}: the bad request is refused as a protocol violation", s)
        check(s.count(rf"^{say}answer: HOSTKEYS_PROOF$") == (4 if case == "often" else 0 if case == "preauth" else 1),
              f"{case}: and not answered", s)
        torn_down(r, f"{case}:")
        s.stop()


def main():
    harness.ours_only("injects code into privsshd's own sandboxed worker")
    harness.need_test_hooks()
    if not os.path.exists(module("fd-table")):
        harness.skip(f"the injected scenarios are not built in {INJECT_DIR!r}")
    fd_table()
    forged_logs()
    forged_events()
    forward_forbidden()
    agent_forbidden()
    forward_unix_forbidden()
    hostkeys_prove()


harness.run(main)
