#!/usr/bin/python3
"""The contract between the listener and a monitor it starts (privsshd -R -i), checked directly by
playing the listener: a minimal inetd hands one connection to privsshd -R -i with the write end of
a pipe at fd 3 and the configuration image at fd 4 (a sealed memfd, monitor/config-fd.h), and reads
the pipe and the exit status as the listener does.

  - a key login: 0x01, then the connection's number of open sessions each time it changes (the
    listener's STATUS= figure), the last one 0, then end of file when the monitor ends; exit 0;
    neither the worker nor the session holds the pipe;
  - a wrong password: end of file without the byte; exit 5 (authentication attempted);
  - a client that connects and leaves: no byte; exit 255 (never authenticated);
  - an idle client past LoginGraceTime: no byte; exit 3;
  - a worker killed by SIGSYS (a crash the monitor did not cause) before authentication: exit 4;
  - without a pipe at fd 3, -R logs that it cannot tell the listener and the login still works;
    without -R, fd 3 is never touched (plain -i is what inetd and systemd run);
  - the configuration comes from fd 4, not from the file -f names (a key login with -f naming a
    file that does not exist); without a sealed memfd at fd 4 (nothing, or an unsealed one), or with
    an image that is not one, -R refuses to run: exit 255 and says why.

Reference differs: OpenSSH's sshd-session has its own private protocol with its listener."""
import fcntl
import os
import select
import signal
import socket
import struct
import subprocess

import harness
from harness import PORT, SANDBOX_DIRECTORY, Server, check

INETD_PORT = PORT + 1


def image(path, text):
    """What the listener hands over (common/config-load.c, config_image_end): a magic string, then
    a FILE record and one LINE record per line that is not blank or a comment."""
    def string(b):
        return struct.pack(">I", len(b)) + b
    out = string(b"privsshd configuration image 2") + b"\x01" + string(path.encode())
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.strip().startswith("#"):
            out += b"\x02" + struct.pack(">I", n) + string(line.encode())
    return out


def memfd(data, seal=True):
    fd = os.memfd_create("config", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.write(fd, data)
    if seal:
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS,
                    fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE)
    return fd


def serve(config, client_argv=None, *, pipe=True, rexec=True, client=None, during=None, env=None,
          read_pipe=None, config_fd="image", config_arg=None):
    """One connection through a minimal inetd. client_argv: an ssh to run; or client(sock) makes the
    connection itself; during() runs next; read_pipe(fd), if given, reads the pipe while the client
    still runs. config_fd: "image" (the listener's: the image of the server's file, sealed),
    "unsealed" (the same, not sealed), "garbage" (sealed, not an image) or None (fd 4 closed).
    config_arg: what -f names (the server's file by default). Returns (exit status, bytes read from
    the pipe, the monitor's log)."""
    server = Server(config, name=f"inetd{serve.count}")
    serve.count += 1
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", INETD_PORT))
    lst.listen(1)
    ssh = None
    if client_argv:
        ssh = subprocess.Popen(client_argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env or harness.ssh_env())
    else:
        c = socket.create_connection(("127.0.0.1", INETD_PORT), timeout=30)
    lst.settimeout(30)
    conn, _ = lst.accept()
    lst.close()
    r, w = os.pipe()
    flags = ["-R"] if rexec else []
    m = None
    if config_fd is not None:
        data = image(server.config_path, harness.read_text(server.config_path))
        m = memfd(b"not an image" if config_fd == "garbage" else data, seal=config_fd != "unsealed")
    # The shell puts the pipe's write end at fd 3 and the configuration at fd 4 (or leaves them
    # closed) and execs privsshd.
    redirect = f"3>&{w} {w}>&-" if pipe else "3>&-"
    redirect += f" 4<&{m} {m}<&-" if m is not None else " 4<&-"
    logpath = os.path.join(server.dir, "i.log")
    with open(logpath, "wb") as log:
        daemon = subprocess.Popen(["/bin/sh", "-c", f'exec "$0" "$@" {redirect}', harness.PRIVSSHD] + flags +
                                  ["-i", "-e", "-f", config_arg or server.config_path], stdin=conn, stdout=conn,
                                  stderr=log, pass_fds=[w] + ([m] if m is not None else []))
    os.close(w)
    if m is not None:
        os.close(m)
    conn.close()
    early = read_pipe(r) if read_pipe else b""
    if client_argv:
        ssh.communicate(timeout=60)
    else:
        client(c)
    if during:
        during()
    data = early
    while chunk := os.read(r, 16):
        data += chunk
    os.close(r)
    try:
        daemon.wait(60)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait()
    if not client_argv:
        c.close()
    return daemon.returncode, data, harness.read_text(logpath)


serve.count = 0


def authenticated_then_sessions(data, most):
    """0x01, then figures of open sessions (each at most `most`), the last one 0."""
    return data[:1] == b"\x01" and len(data) >= 2 and data[-1] == 0 and all(b <= most for b in data[1:])


def fd_targets(pid):
    try:
        return [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return []


def main():
    if harness.is_openssh():
        raise harness.ReferenceDiffers("OpenSSH's listener protocol is its own")
    os.makedirs(SANDBOX_DIRECTORY, mode=0o755, exist_ok=True)     # the listener would have made it

    rc, data, log = serve("", harness.ssh_argv(command="true", port=INETD_PORT))
    check("Accepted publickey for alice" in log, "a key login", log)
    check(authenticated_then_sessions(data, 1),
          f"the pipe carries 0x01, then the session figures (1, then 0), then end of file ({data!r})", log)
    check(rc == 0, f"exit 0 ({rc})", log)

    # While the session runs: 0x01, then the figure 1 (the listener's STATUS= counts it); the monitor
    # alone holds its end (CLOEXEC: neither the worker nor the session has it), so end of file comes
    # when the monitor ends, after the session.
    def read_during_session(r):
        running = harness.wait_for(lambda: harness.processes(cmdline=r"^sleep 30$"), 20)
        check(running, "the session runs")
        got = b""
        while select.select([r], [], [], 3)[0]:
            chunk = os.read(r, 16)
            if not chunk:
                break
            got += chunk
            if len(got) >= 2 and got[-1] == 1:
                break
        check(got[:1] == b"\x01" and len(got) >= 2 and got[-1] == 1 and all(b <= 1 for b in got[1:]),
              f"during the session: 0x01 (authenticated), then figures, the latest 1 (one session) ({got!r})")
        holders = [p.pid for p in harness.processes(cmdline=r"^sleep 30$")]
        check(all(f"pipe:[{os.fstat(r).st_ino}]" not in fd_targets(pid) for pid in holders),
              "the session does not hold the pipe")
        for pid in holders:
            os.kill(pid, signal.SIGTERM)
        return got
    rc, data, log = serve("", harness.ssh_argv(command="sleep 30", port=INETD_PORT), read_pipe=read_during_session)
    check(authenticated_then_sessions(data, 1), f"then 0 when it ended, then end of file ({data!r})", log)

    rc, data, log = serve("", harness.ssh_argv(command="true", password="wrong", port=INETD_PORT),
                          env=harness.ssh_env("wrong"))
    check("Failed password for alice" in log, "a wrong password", log)
    check(data == b"", f"no byte on the pipe ({data!r})", log)
    check(rc == 5, f"exit 5: authentication attempted and failed ({rc})", log)

    def leave(c):
        harness.first_line(c)
        c.close()
    rc, data, log = serve("", client=leave)
    check(data == b"" and rc == 255, f"a client that leaves: no byte, exit 255 ({data!r}, {rc})", log)

    rc, data, log = serve("LoginGraceTime 2", client=lambda c: harness.read_until_closed(c, 30))
    check("Timeout before authentication" in log, "an idle client outlives LoginGraceTime 2", log)
    check(data == b"" and rc == 3, f"no byte, exit 3 ({data!r}, {rc})", log)

    def crash_worker():
        ok = harness.wait_for(lambda: harness.processes(comm="privsshd-worker"), 10)
        for p in harness.processes(comm="privsshd-worker"):
            os.kill(p.pid, signal.SIGSYS)
        check(ok, "the worker ran")
    rc, data, log = serve("", client=lambda c: harness.first_line(c), during=crash_worker)
    check("was killed by signal SIGSYS" in log, "the worker was killed by SIGSYS", log)
    check(data == b"" and rc == 4, f"no byte, exit 4: the worker crashed ({data!r}, {rc})", log)

    rc, data, log = serve("", harness.ssh_argv(command="true", port=INETD_PORT), pipe=False)
    check("-R: descriptor 3 is not the write end of a pipe" in log, "-R without a pipe at fd 3 says so", log)
    check(rc == 0 and "Accepted publickey for alice" in log, f"and the login still works ({rc})", log)

    rc, data, log = serve("", harness.ssh_argv(command="true", port=INETD_PORT), config_arg="/nonexistent")
    check(rc == 0 and authenticated_then_sessions(data, 1) and "Accepted publickey for alice" in log,
          f"-R parses the image at fd 4: a key login works with -f naming no file ({rc})", log)
    for how, want in (("garbage", "the configuration handed over by the listener is malformed"),
                      ("unsealed", "-R: descriptor 4 is not the listener's sealed configuration"),
                      (None, "-R: no configuration from the listener at descriptor 4")):
        rc, data, log = serve("", client=lambda c: harness.read_until_closed(c, 30), config_fd=how)
        check(rc == 255 and want in log,
              f"-R with {how or 'nothing'} at fd 4: refused, exit 255 ({rc}), says \"{want}\"", log)

    rc, data, log = serve("", harness.ssh_argv(command="true", password="wrong", port=INETD_PORT),
                          rexec=False, env=harness.ssh_env("wrong"))
    check(data == b"" and "descriptor 3" not in log, "without -R, a pipe at fd 3 is left alone", log)
    check(rc == 255, f"and the exit status is plain -i's: 255 for a connection that never authenticated, "
          f"as OpenSSH's sshd -i ({rc})", log)


harness.run(main)
