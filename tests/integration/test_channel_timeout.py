#!/usr/bin/python3
"""ChannelTimeout and UnusedConnectionTimeout with the real OpenSSH client. An idle session is closed
after its interval (ssh exits 255, the command's process group is hung up, OpenSSH's VERBOSE line
is logged) while a session that keeps writing outlives the same interval; an idle connection
through ssh -L is closed while one that keeps talking through the same forward stays; a connection
with no channel (ssh -N) is closed after UnusedConnectionTimeout, logged in OpenSSH's words, while
one with a session open the whole time is not; with "global", an idle session outlives its interval while
another channel of the connection writes, and is closed once nothing moved for it; malformed values are refused when the configuration
is loaded, next to good ones that load.

Reference differs: OpenSSH's sshd matches a running session only by its kind (session:command), so
the documented "session=3" never closes one there, and it leaves a timed-out session's processes
running."""
import os
import socket
import subprocess
import threading
import time

import harness
from harness import Server, SshProcess, check

INTERVAL = 3
ECHO_PORT = 8100
FWD_PORT = 9200


def echo_server(ready):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", ECHO_PORT))
    s.listen(16)
    ready.set()

    def serve(c):
        with c:
            try:
                while data := c.recv(4096):
                    c.sendall(data)
            except OSError:
                pass

    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def echo_once(c, data):
    c.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = c.recv(4096)
        if not chunk:
            break
        got += chunk
    return got


def closed_within(c, seconds):
    """True when the forwarded connection is closed by the other end within `seconds`."""
    c.settimeout(seconds)
    try:
        return c.recv(4096) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def channel_timeouts():
    s = Server(f"ChannelTimeout session={INTERVAL} direct-tcpip={INTERVAL}").start()

    # The session that writes every half second for twice the interval is the positive control of
    # the idle one beside it: the same server, the same interval, the same time.
    active = SshProcess(f"for i in $(seq 12); do echo tick $i; sleep 0.5; done; exit 7")
    idle = SshProcess("sleep 61; echo finished")
    check(harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 61$"), 10), "the idle command runs", idle, s)
    started = time.monotonic()
    rc = idle.wait(INTERVAL + 20)
    took = time.monotonic() - started
    out = idle.proc.stdout.read() if rc is not None else b""
    check(rc == 255 and b"finished" not in out,
          f"an idle session is closed after ChannelTimeout session={INTERVAL}: ssh exits 255 ({rc}, after "
          f"{took:.1f} s)", idle, s, reference_differs="OpenSSH applies session=... only before the command runs")
    check(rc is None or took >= INTERVAL - 0.5, f"and not before its interval ({took:.1f} s)", idle)
    check(s.wait_log(rf"channel \d+: closing after {INTERVAL} seconds of inactivity", 5),
          f"logged as OpenSSH does: 'channel N: closing after {INTERVAL} seconds of inactivity'", s,
          reference_differs="OpenSSH applies session=... only before the command runs")
    check(harness.wait_for(lambda: not harness.processes(cmdline=r"^sleep 61$"), 5),
          "the idle session's process group is hung up", harness.processes(cmdline="sleep"),
          reference_differs="OpenSSH leaves a timed-out session's processes running")
    idle.close()

    rc = active.wait(30)
    out = active.proc.stdout.read() if rc is not None else b""
    check(rc == 7 and out.count(b"tick") == 12,
          f"a session that keeps writing outlives the same interval: all 12 lines and exit 7 ({rc})", active, s)
    active.close()

    # ssh -L: an idle forwarded connection is closed, an active one beside it stays.
    fwd = SshProcess(None, opts=["-N", "-o", "ExitOnForwardFailure=yes", "-L",
                                 f"{FWD_PORT}:127.0.0.1:{ECHO_PORT}"])
    check(harness.wait_for(lambda: harness.listening(FWD_PORT) or fwd.proc.poll() is not None, 15)
          and fwd.proc.poll() is None, "ssh -L listens", fwd, s)
    quiet = socket.create_connection(("127.0.0.1", FWD_PORT), timeout=10)
    busy = socket.create_connection(("127.0.0.1", FWD_PORT), timeout=10)
    check(echo_once(quiet, b"hello") == b"hello" and echo_once(busy, b"hello") == b"hello",
          "two connections through -L reach the echo service", s)
    s_busy_ok = True
    started = time.monotonic()
    quiet_closed_at = None
    quiet.setblocking(False)
    while time.monotonic() - started < 2 * INTERVAL + 2:
        s_busy_ok = s_busy_ok and echo_once(busy, b"ping") == b"ping"
        if quiet_closed_at is None:
            try:
                if quiet.recv(4096) == b"":
                    quiet_closed_at = time.monotonic() - started
            except BlockingIOError:
                pass
            except ConnectionResetError:
                quiet_closed_at = time.monotonic() - started
        time.sleep(0.5)
    check(quiet_closed_at is not None and quiet_closed_at >= INTERVAL - 1,
          f"the idle connection through -L is closed after direct-tcpip={INTERVAL} "
          f"(after {quiet_closed_at} s)", s)
    check(s_busy_ok and echo_once(busy, b"still") == b"still",
          f"the one that talks every half second is still open after {2 * INTERVAL + 2} s", s)
    check(fwd.proc.poll() is None, "and so is the connection: ChannelTimeout closes channels, not connections",
          fwd, s)
    busy.close()
    quiet.close()
    fwd.close()
    s.stop()


def global_timeout():
    # "global": the idle session lives as long as another channel of the connection moves data (a
    # ControlMaster shares one connection), and is closed once nothing moved for the interval.
    s = Server(f"ChannelTimeout global={INTERVAL}").start()
    master = SshProcess(None, opts=["-N", "-o", "ControlMaster=yes", "-o", "ControlPath=/tmp/ct-mux"])
    check(harness.wait_for(lambda: os.path.exists("/tmp/ct-mux") or master.proc.poll() is not None, 15)
          and master.proc.poll() is None, "a ControlMaster connection is up", master, s)
    mux = ["-o", "ControlMaster=no", "-o", "ControlPath=/tmp/ct-mux"]
    idle = SshProcess("sleep 62; echo finished", opts=mux)
    check(harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 62$"), 10), "an idle command runs", idle, s)
    active = SshProcess("for i in $(seq 16); do echo tick $i; sleep 0.5; done", opts=mux)
    rc = active.wait(30)
    check(rc == 0 and idle.proc.poll() is None,
          f"while another channel writes, the idle one outlives global={INTERVAL} ({rc}, idle still open: "
          f"{idle.proc.poll() is None})", active, idle, s,
          reference_differs="OpenSSH 9.2, the reference here, has no global timeout")
    started = time.monotonic()
    rc = idle.wait(INTERVAL + 20)
    check(rc == 255, f"once nothing moved for {INTERVAL} s, it is closed too ({rc} after "
                     f"{time.monotonic() - started:.1f} s)", idle, s,
          reference_differs="OpenSSH 9.2, the reference here, has no global timeout")
    check(s.wait_log(rf"channel \d+: closing after {INTERVAL} seconds of inactivity", 5),
          "logged with the global interval", s, reference_differs="OpenSSH 9.2 has no global timeout")
    for p in (idle, active):
        p.close()
    check(master.proc.poll() is None, "the connection itself stays", master, s)
    master.close()
    s.stop()


def unused_connection_timeout():
    s = Server(f"UnusedConnectionTimeout {INTERVAL}").start()
    busy = SshProcess(f"sleep {2 * INTERVAL + 1}; echo survived")
    nochannel = SshProcess(None, opts=["-N"])
    started = time.monotonic()
    rc = nochannel.wait(INTERVAL + 20)
    took = time.monotonic() - started
    check(rc == 255, f"ssh -N (no channel) is disconnected after UnusedConnectionTimeout {INTERVAL} "
                     f"(exit {rc} after {took:.1f} s)", nochannel, s)
    check(rc is None or took >= INTERVAL - 0.5, f"and not before ({took:.1f} s)", nochannel)
    check(s.wait_log(r"^terminating inactive connection from user alice 127\.0\.0\.1 port \d+$", 5),
          "logged as OpenSSH does: 'terminating inactive connection from user alice 127.0.0.1 port N'", s)
    nochannel.close()
    rc = busy.wait(30)
    out = busy.proc.stdout.read() if rc is not None else b""
    check(rc == 0 and out == b"survived\n",
          f"a connection whose session stays open longer than the interval is not closed ({rc}, {out!r})", busy, s)
    busy.close()
    check(s.count(r"^terminating inactive connection") == 1, "only the connection without a channel was", s)
    s.stop()


def malformed_values():
    harness.ours_only("privsshd's own error messages (OpenSSH words them otherwise)")
    os.makedirs("/tmp/configs", exist_ok=True)
    cases = [
        ("ChannelTimeout session=5x", 'invalid time for ChannelTimeout: "session=5x"'),
        ("ChannelTimeout session", 'invalid value for ChannelTimeout: "session" (expected TYPE=INTERVAL'),
        ("ChannelTimeout session=5m none", 'ChannelTimeout: "none" must be the only entry'),
        ("UnusedConnectionTimeout soon", 'invalid value for UnusedConnectionTimeout: "soon"'),
    ]
    good = "ChannelTimeout session=5m direct-*=1h global=2h\nUnusedConnectionTimeout 90s"
    for i, (line, message) in enumerate(cases + [(good, None)]):
        path = f"/tmp/configs/timeouts-{i}.conf"
        with open(path, "w") as f:
            f.write(f"Port {harness.PORT}\nHostKey /run/none\n{line}\n")
        r = subprocess.run([harness.PRIVSSHD, "-T", "-f", path], capture_output=True, text=True, timeout=30)
        if message:
            check(r.returncode == 255 and f"{path}:3: {message}" in r.stderr,
                  f"'{line}' is refused at load: {message}...", r.stderr)
        else:
            lines = r.stdout.splitlines()
            check(r.returncode == 0 and "channeltimeout session=5m direct-*=1h global=2h" in lines
                  and "unusedconnectiontimeout 90" in lines,
                  "good values load, and -T prints them as OpenSSH does", r.stdout, r.stderr)


def main():
    ready = threading.Event()
    threading.Thread(target=echo_server, args=(ready,), daemon=True).start()
    ready.wait(5)
    channel_timeouts()
    global_timeout()
    unused_connection_timeout()
    malformed_values()


harness.run(main)
