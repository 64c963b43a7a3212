#!/usr/bin/python3
"""privsshd -i on two pipes, as `ssh -o ProxyCommand='privsshd -i -f CONF'` (and inetd's nowait
pipes, and OpenSSH's regression suite) gives it: logins with a key and with a password, exit
statuses, stdout and stderr apart, 16 MiB both ways, the answer after a half-close, and teardown
when the client goes. The relay that turns the pipes into the worker's socket (relay/relay.h) runs
as the sandbox user with no_new_privs and holds only its three descriptors; on a socket (inetd,
systemd Accept=yes) no relay runs at all.

Reference differs: the relay and the log file flags are privsshd's own; OpenSSH's sshd -i serves
pipes itself."""
import os
import re
import socket
import subprocess
import time

import harness
from harness import PORT, SANDBOX_UID, Server, check

LOG = "/run/test-pipes/log-file"
SIXTEEN_MIB = 16 * 1024 * 1024


def proxy(config_path, separate_e=False):
    """The ProxyCommand option: -E with its argument apart or glued on (OpenSSH's suite: -E$log)."""
    log = f"-E {LOG}" if separate_e else f"-E{LOG}"
    return ("-o", f"ProxyCommand={harness.PRIVSSHD} -i -f {config_path} {log}")


def relays():
    return harness.processes(cmdline=r"^privsshd: relay")


def ours():
    """Every process of the daemon (monitors, workers, relays)."""
    return harness.processes(cmdline=r"^(privsshd|/\S*privsshd)")


def fd_targets(pid):
    out = {}
    for name in os.listdir(f"/proc/{pid}/fd"):
        try:
            out[int(name)] = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            pass
    return out


def main():
    harness.ours_only("the relay and privsshd's -E handling are privsshd's own")
    s = Server("PasswordAuthentication yes", name="pipes")
    # No listener runs here to create it (systemd-tmpfiles would): the worker and the relay chroot into it.
    os.makedirs(harness.SANDBOX_DIRECTORY, mode=0o755, exist_ok=True)
    opts = proxy(s.config_path)
    stderrs = []

    def ssh(*args, **kw):
        r = harness.ssh(*args, **kw)
        stderrs.append(r.stderr.decode(errors="replace"))
        return r

    # Key login, exit statuses, stdout and stderr apart.
    r = ssh("echo out; echo err >&2; exit 3", opts=opts)
    check(r.returncode == 3 and r.stdout == b"out\n" and r.stderr == b"err\n",
          "a key login over ProxyCommand pipes runs the command: exit 3, stdout and stderr apart", r.describe())
    log = harness.read_text(LOG)
    check("Accepted publickey for alice from UNKNOWN port 65535 ssh2" in log,
          "log (-Efile): the peer of a pipe connection is UNKNOWN port 65535, as in OpenSSH", log)
    r = ssh("true", opts=proxy(s.config_path, separate_e=True))
    check(r.returncode == 0, "exit status 0 arrives (-E file, argument apart)", r.describe())
    check(harness.read_text(LOG).count("Accepted publickey for alice from UNKNOWN") == 2,
          "-E file appends to the same log as -Efile", harness.read_text(LOG))
    r = ssh("no-such-command-here", opts=opts)
    check(r.returncode == 127 and b"not found" in r.stderr, "exit status 127 for a missing command", r.describe())

    # Password login.
    r = ssh("echo pw", password="alicepw", opts=opts)
    check(r.returncode == 0 and r.stdout == b"pw\n", "a password login over pipes works", r.describe())
    check("Accepted password for alice from UNKNOWN port 65535 ssh2" in harness.read_text(LOG),
          "log: Accepted password for alice from UNKNOWN port 65535 ssh2", harness.read_text(LOG))

    # 16 MiB both ways at once through `cat`: backpressure in both directions, nothing lost.
    data = os.urandom(SIXTEEN_MIB)
    r = ssh("cat", stdin=data, opts=opts, verbose=0)
    check(r.returncode == 0 and len(r.stdout) == SIXTEEN_MIB and
          harness.hashlib.sha256(r.stdout).digest() == harness.hashlib.sha256(data).digest(),
          f"16 MiB up and 16 MiB down arrive intact (got {len(r.stdout)} bytes)", r.describe())
    with open("/tmp/pipes-blob", "wb") as f:
        f.write(data)
    os.chmod("/tmp/pipes-blob", 0o644)
    r = ssh("cat /tmp/pipes-blob", opts=opts, verbose=0)
    check(r.returncode == 0 and harness.hashlib.sha256(r.stdout).digest() == harness.hashlib.sha256(data).digest(),
          "16 MiB down alone arrive intact", r.describe())
    r = ssh("sha256sum", stdin=data, opts=opts, verbose=0)
    check(r.stdout.split()[:1] == [harness.hashlib.sha256(data).hexdigest().encode()],
          "16 MiB up alone arrive intact (sha256 on the server)", r.describe())

    # Half-close: the command reads to end of file, and only then answers (twice what it read).
    question = os.urandom(3 * 1024 * 1024)
    r = ssh("cat > /tmp/half-$$; sleep 0.3; cat /tmp/half-$$ /tmp/half-$$; rm -f /tmp/half-$$", stdin=question,
            opts=opts, verbose=0)
    check(r.returncode == 0 and r.stdout == question + question,
          f"after the client's EOF the whole answer arrives ({len(r.stdout)} of {2 * len(question)} bytes)",
          r.describe())

    # A live session: the relay's identity and descriptors, then the client goes away.
    harness.clear_pam_log()
    before = {p.pid for p in ours()}
    check(not before, "no process of ours is left over from the connections above", before)
    c = harness.SshProcess("echo started; exec sleep 1000", opts=opts)
    line = c.proc.stdout.readline()
    check(line == b"started\n", "a long command starts over pipes", c.describe())
    rel = relays()
    check(len(rel) == 1, f"exactly one relay runs for the pipe connection ({rel})", c.describe())
    if rel:
        p = rel[0]
        check(p.uids == [str(SANDBOX_UID)] * 4, f"the relay runs as the sandbox user ({p.uids})")
        check(p.field("NoNewPrivs") == "1", "the relay has no_new_privs")
        check(p.field("Seccomp") == "2", f"the relay runs under a seccomp filter ({p.field('Seccomp')})")
        check(p.field("Groups") == "", f"the relay has no supplementary groups ({p.field('Groups')!r})")
        fds = fd_targets(p.pid)
        check(sorted(fds) == [0, 1, 3] and fds[0].startswith("pipe:") and fds[1].startswith("pipe:")
              and fds[3].startswith("socket:"),
              f"the relay holds only stdin, stdout (pipes) and its socket at 3 ({fds})")
        check(os.readlink(f"/proc/{p.pid}/root") == harness.SANDBOX_DIRECTORY,
              f"the relay is chrooted into the sandbox directory ({os.readlink(f'/proc/{p.pid}/root')})")
        workers = harness.processes(comm="privsshd-worker")
        wfds = fd_targets(workers[0].pid) if workers else {}
        check(len(workers) == 1 and wfds.get(3, "").startswith("socket:"),
              f"the worker gets a socket at fd 3, as with TCP ({wfds})")
    check(harness.wait_for(lambda: ("open_session", "alice", "") in [e[:3] for e in harness.pam_events("alice")]
                           or any(e[0] == "open_session" for e in harness.pam_events("alice")), 10),
          "the PAM session is open", harness.pam_log())
    c.kill()
    check(harness.wait_for(lambda: any(e[0] == "close_session" for e in harness.pam_events("alice")), 15),
          "the client killed: the PAM session is closed", harness.pam_log())
    check(harness.wait_for(lambda: not ours() and not harness.processes(cmdline=r"^sleep 1000"), 15),
          "relay, worker, monitor and the command are gone, none a zombie",
          [p for p in harness.processes() if p.pid != os.getpid()])
    c.close()

    # A relay that dies ends the connection through the monitor's one teardown path, logged.
    harness.clear_pam_log()
    c = harness.SshProcess("echo started; exec sleep 1000", opts=opts)
    check(c.proc.stdout.readline() == b"started\n", "another long command starts over pipes", c.describe())
    rel = relays()
    check(len(rel) == 1, "its relay runs", rel)
    if rel:
        os.kill(rel[0].pid, 9)
    check(harness.wait_for(lambda: any(e[0] == "close_session" for e in harness.pam_events("alice")), 15),
          "the relay killed: the PAM session is closed", harness.pam_log())
    check(harness.wait_for(lambda: not ours() and not harness.processes(cmdline=r"^sleep 1000"), 15),
          "and relay, worker, monitor and the command are gone", harness.processes())
    check(c.wait(15) is not None, "the client sees the connection end", c.describe())
    check(harness.wait_for(lambda: re.search(r"relay \(pid \d+\) for UNKNOWN port 65535 was killed by signal SIGKILL",
                                             harness.read_text(LOG)), 5),
          "log: relay (pid N) for UNKNOWN port 65535 was killed by signal SIGKILL", harness.read_text(LOG))
    c.close()

    # Sanitizer builds: the -i monitor's stderr is the client's; no report may have reached it.
    text = "\n".join(stderrs + [harness.read_text(LOG)])
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
        i = text.find(marker)
        check(i < 0, f"no sanitizer report ({marker}) from the -i processes", text[max(0, i - 300):i + 4000])

    # Socket mode costs nothing: with a connected socket on stdin/stdout no relay runs (the pipe case
    # above is the positive control).
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.bind(("127.0.0.1", PORT + 1))
    lst.listen(1)
    argv = harness.ssh_argv(command="echo started; exec sleep 1000", port=PORT + 1)
    client = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=harness.ssh_env())
    lst.settimeout(30)
    conn, _ = lst.accept()
    with open("/run/test-pipes/socket.log", "wb") as f:
        daemon = subprocess.Popen([harness.PRIVSSHD, "-i", "-e", "-f", s.config_path], stdin=conn, stdout=conn,
                                  stderr=f)
    conn.close()
    lst.close()
    check(client.stdout.readline() == b"started\n", "-i on a socket serves the connection",
          harness.read_text("/run/test-pipes/socket.log"))
    workers = harness.processes(comm="privsshd-worker")
    check(len(workers) == 1 and not relays(), f"on a socket no relay runs ({relays()}, workers {workers})")
    check("Accepted publickey for alice from 127.0.0.1 port" in harness.read_text("/run/test-pipes/socket.log"),
          "on a socket the log names the TCP peer", harness.read_text("/run/test-pipes/socket.log"))
    client.kill()
    client.communicate(timeout=10)
    daemon.wait(30)
    check(harness.wait_for(lambda: not ours(), 15), "and everything is gone after the client", ours())


harness.run(main)
