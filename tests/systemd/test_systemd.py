#!/usr/bin/python3
"""privsshd's Debian package under a real systemd: a Debian 12 container (container.py) booted with
systemd-nspawn, the package installed inside it as an operator would, then, from inside, with the
OpenSSH client and a fixture user "alice" who logs in with a key:

 1. install: the sandbox user (systemd-sysusers) and /run/privsshd/empty (systemd-tmpfiles) exist;
    the units are installed but neither enabled nor active and nothing listens on port 22 (the
    control: after `systemctl enable --now privsshd.socket` port 22 answers); no host key yet.
 2. socket activation, Accept=no: the first connection starts privsshd.service (inactive before),
    whose ExecStartPre made the host keys; a login; a second login on the same listener.
    With a session open: `systemctl status` shows our STATUS= line with its figures, `journalctl -o
    json` has the Accepted line with MESSAGE_ID and PRIVSSHD_* fields, `loginctl` lists alice's
    session (pam_systemd in the container's PAM stack) and the session's shell runs in its
    session-N.scope.
 3. `systemctl stop privsshd.socket privsshd.service` with that session open: the unit is inactive
    and port 22 refuses (so the stop happened), and the session still answers (KillMode=process).
 4. privsshd.service alone (binding Port itself), a session open: `systemctl reload` with a good file
    that adds Port 2222 (the control: 2222 refused before, a login on it after, same MainPID), then
    with a bad file: refused, its error in the journal, still active with the same MainPID, and the
    session open through both answers. Then `systemctl kill privsshd.service`: the listener ends and
    so does that session (its connection's worker was in the unit's cgroup), and logind drops it.
 5. socket activation, Accept=yes (the shipped example drop-in): a login runs in a privsshd@ instance
    and privsshd.service stays inactive.
 6. a reboot with the package installed and the host keys removed (as an image would be): systemd-
    tmpfiles makes /run/privsshd/empty at boot, the enabled socket listens, the service is started
    by the first connection, which logs in, and the keys are made on that first start.
 7. purge: host keys, /etc/privsshd, the units and the sandbox user are gone (each existed before).

PRIVSSHD_DEB=path uses that package; otherwise tools/build-deb builds one from the checkout.
PRIVSSHD_SYSTEMD_KEEP=1 leaves the container's tree for a look.
"""
import json
import os
import re
import selectors
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import container  # noqa: E402

MUST_RUN = os.environ.get("PRIVSSHD_TESTS_MUST_RUN") == "1"
failures = 0
checks = 0
SSH_OPTS = ("-i /root/alice_key -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
            "-o LogLevel=ERROR -o ConnectTimeout=20")


def check(cond, what, *details):
    global failures, checks
    checks += 1
    print(("ok - " if cond else "not ok - ") + what, flush=True)
    if not cond:
        failures += 1
        for d in details:
            if isinstance(d, subprocess.CompletedProcess):
                d = f"exit {d.returncode}\nstdout: {d.stdout}\nstderr: {d.stderr}"
            print("    " + str(d).replace("\n", "\n    "), flush=True)
    return cond


def todo(cond, what, why):
    """A known failure, reported as TAP TODO (a test point that does not fail the run): it says when
    it starts passing."""
    global checks
    checks += 1
    print(("ok - " if cond else "not ok - ") + what + " # TODO " + why, flush=True)


def wait_for(pred, timeout=30.0, interval=0.3):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


def package():
    deb = os.environ.get("PRIVSSHD_DEB")
    if deb:
        return deb
    r = subprocess.run([os.path.join(container.SRCDIR, "tools", "build-deb")], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"tools/build-deb failed:\n{r.stderr}")
    return r.stdout.split()[-1]


class Session:
    """An ssh login kept open: its remote shell echoes each line it reads, so it can be asked,
    later, whether it is still there."""

    def __init__(self, c, port=22):
        self.p = c.popen(f"exec ssh {SSH_OPTS} -p {port} alice@127.0.0.1 "
                         "'echo started $$; while read x; do echo got $x; done'")
        self.pid = None
        line = self._readline(30)
        if line and line.startswith("started "):
            self.pid = int(line.split()[1])

    def _readline(self, timeout):
        sel = selectors.DefaultSelector()
        sel.register(self.p.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return None
        return self.p.stdout.readline().strip()

    def alive(self, word):
        try:
            self.p.stdin.write(word + "\n")
            self.p.stdin.flush()
        except OSError:
            return False
        return self._readline(20) == "got " + word

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def answers(c, port):
    """Does something accept on 127.0.0.1:port inside and send an SSH version line?"""
    r = c.run(f"timeout 20 bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port} && head -c 8 <&3' 2>/dev/null")
    return r.stdout == "SSH-2.0-"


def accepts(c, port):
    """Does something accept TCP connections on 127.0.0.1:port inside?"""
    return c.run(f"timeout 20 bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}' 2>/dev/null").returncode == 0


def login(c, port=22, cmd="id -un"):
    return c.run(f"ssh {SSH_OPTS} -p {port} alice@127.0.0.1 '{cmd}'", timeout=60)


def prop(c, unit, name):
    return c.run(f"systemctl show -P {name} {unit}").stdout.strip()


def journal(c, *args):
    r = c.run("journalctl --no-pager " + " ".join(args), timeout=60)
    return r.stdout


def main():
    if os.geteuid() != 0:
        print("skip: the systemd suite needs root (debootstrap, systemd-nspawn)")
        sys.exit(1 if MUST_RUN else 77)
    deb = package()
    c = container.Container()
    ok = False
    try:
        c.copy_in(deb, "/root/privsshd.deb")
        # The fixture user alice and her key, made before boot (as an existing account would be).
        r = c.chroot("useradd -m -s /bin/bash alice && ssh-keygen -q -t ed25519 -N '' -f /root/alice_key && "
                     "install -d -m 700 -o alice -g alice /home/alice/.ssh && "
                     "install -m 600 -o alice -g alice /root/alice_key.pub /home/alice/.ssh/authorized_keys")
        if r.returncode != 0:
            raise RuntimeError(f"fixture user: {r.stderr}")
        state = c.boot()
        print(f"# container booted ({state})", flush=True)
        run_checks(c)
        ok = True
    finally:
        if not ok:
            print("# console:\n# " + c.console_tail().replace("\n", "\n# "))
        c.destroy(keep=os.environ.get("PRIVSSHD_SYSTEMD_KEEP") == "1")
    print(f"1..{checks}")
    sys.exit(1 if failures else 0)


def run_checks(c):
    # ---- 1. install ---------------------------------------------------------------------------
    check(c.run("getent passwd privsshd").returncode != 0, "before the package: no user privsshd")
    r = c.run("dpkg -i /root/privsshd.deb", timeout=300)
    check(r.returncode == 0, "dpkg -i privsshd_*.deb inside the booted container", r)
    r = c.run("getent passwd privsshd")
    check(r.returncode == 0 and r.stdout.split(":")[6].strip() == "/usr/sbin/nologin",
          "the sandbox user privsshd exists (systemd-sysusers), with no login shell", r)
    r = c.run("stat -c '%U %a %F' /run/privsshd/empty")
    check(r.stdout.strip() == "root 755 directory", "/run/privsshd/empty: root-owned, 0755 (systemd-tmpfiles)", r)
    for unit in ("privsshd.service", "privsshd.socket"):
        r = c.run(f"systemctl is-enabled {unit}")
        check(r.stdout.strip() == "disabled", f"{unit} is installed but not enabled", r)
        check(prop(c, unit, "ActiveState") == "inactive", f"{unit} is not active after install")
    check(not accepts(c, 22), "after install nothing listens on port 22 (it would fight OpenSSH's sshd)")
    check(c.run("ls /etc/privsshd/ssh_host_*").returncode != 0, "no host key yet")
    r = c.run("privsshd -T | grep -E '^(port|sandboxuser|sandboxdirectory|pamservicename) '")
    check(r.stdout.split("\n")[:1] == ["port 22"] and "sandboxuser privsshd" in r.stdout,
          "the packaged configuration: Port 22 by default (commented out in the file), our own keywords", r)
    r = c.run("grep -c '^Port' /etc/privsshd/privsshd_config")
    check(r.stdout.strip() == "0", "the packaged file sets no Port (it is commented out and documented)", r)
    r = c.run("man -w privsshd privsshd_config 2>/dev/null || ls /usr/share/man/man8/privsshd.8.gz "
              "/usr/share/man/man5/privsshd_config.5.gz")
    check(r.returncode == 0, "the man pages privsshd(8) and privsshd_config(5) are installed", r)

    # ---- 2. socket activation, Accept=no -----------------------------------------------------
    r = c.run("systemctl enable --now privsshd.socket")
    check(r.returncode == 0, "systemctl enable --now privsshd.socket", r)
    check(prop(c, "privsshd.service", "ActiveState") == "inactive",
          "Accept=no: privsshd.service is not started before the first connection")
    r = login(c)
    check(r.returncode == 0 and r.stdout.strip() == "alice", "Accept=no: the first connection logs alice in", r)
    check(prop(c, "privsshd.service", "ActiveState") == "active", "and it started privsshd.service")
    r = c.run("ls /etc/privsshd/")
    check(all(f"ssh_host_{t}_key" in r.stdout.split() for t in ("ed25519", "ecdsa", "rsa")),
          "privsshd-keygen made ed25519, ecdsa and rsa host keys on the first start", r)
    check("privsshd-keygen: generated /etc/privsshd/ssh_host_ed25519_key" in
          journal(c, "-u privsshd.service -o cat"), "and said so in the unit's journal")
    pid = prop(c, "privsshd.service", "MainPID")
    r = login(c)
    check(r.returncode == 0 and prop(c, "privsshd.service", "MainPID") == pid,
          "a second login is served by the same listener", r)

    s = Session(c)
    check(s.pid is not None, "a session is open (its shell answers)")
    r = c.run("systemctl status --no-pager privsshd.service")
    m = re.search(r'Status: "(\d+) connections?: (\d+) authenticated, (\d+) authenticating; (\d+) sessions?"', r.stdout)
    check(m is not None and int(m.group(2)) >= 1 and int(m.group(4)) >= 1,
          "systemctl status shows our STATUS= line: one authenticated, its session", r)
    entries = [json.loads(x) for x in journal(c, "-o json SYSLOG_IDENTIFIER=privsshd").splitlines() if x.strip()]
    accepted = [e for e in entries if str(e.get("MESSAGE", "")).startswith("Accepted publickey for alice from 127.0.0.1")]
    e = accepted[-1] if accepted else {}
    check(bool(accepted), "journalctl -o json: the Accepted line, in OpenSSH's words", entries[-5:])
    check(re.fullmatch(r"[0-9a-f]{32}", e.get("MESSAGE_ID", "")) is not None, "with a MESSAGE_ID", e)
    check(e.get("PRIVSSHD_USER") == "alice" and e.get("PRIVSSHD_REMOTE_ADDR") == "127.0.0.1" and
          e.get("PRIVSSHD_AUTH_METHOD") == "publickey" and e.get("PRIVSSHD_REMOTE_PORT", "").isdigit() and
          e.get("PRIVSSHD_KEY_FINGERPRINT", "").startswith("SHA256:"),
          "and the fields PRIVSSHD_USER, _REMOTE_ADDR, _REMOTE_PORT, _AUTH_METHOD, _KEY_FINGERPRINT", e)
    r = c.run("loginctl list-sessions --no-legend")
    sessions = [line.split() for line in r.stdout.splitlines() if " alice " in f" {line} "]
    check(bool(sessions), "loginctl lists alice's session (pam_systemd registered it with logind)", r)
    if sessions:
        r2 = c.run(f"loginctl show-session -P Service {sessions[0][0]}")
        check(r2.stdout.strip() == "privsshd", "whose PAM service is privsshd", r2)
    r = c.run(f"cat /proc/{s.pid}/cgroup") if s.pid else r
    check(s.pid is not None and re.search(r"/user\.slice/user-\d+\.slice/session-\w+\.scope", r.stdout) is not None,
          "the session's shell runs in its session scope, not in privsshd.service", r)

    # ---- 3. stop with a session open ------------------------------------------------------------
    r = c.run("systemctl stop privsshd.socket privsshd.service")
    check(r.returncode == 0 and prop(c, "privsshd.service", "ActiveState") == "inactive",
          "systemctl stop privsshd.socket privsshd.service: both inactive", r)
    check(not accepts(c, 22), "nothing accepts on port 22 any more")
    check(s.alive("after-stop"), "the session open across the stop still answers (KillMode=process)")
    s.close()

    # ---- 4. reload, good and bad, privsshd.service alone ---------------------------------------
    r = c.run("systemctl start privsshd.service")
    check(r.returncode == 0 and wait_for(lambda: answers(c, 22)), "privsshd.service alone binds port 22 itself", r)
    s = Session(c)
    check(s.pid is not None, "a session is open")
    pid = prop(c, "privsshd.service", "MainPID")
    check(not accepts(c, 2222), "before the reload: nothing accepts on port 2222")
    c.run("cp /etc/privsshd/privsshd_config /root/privsshd_config.orig && "
          "printf 'Port 22\\nPort 2222\\n' >> /etc/privsshd/privsshd_config")
    r = c.run("systemctl reload privsshd.service")
    check(r.returncode == 0, "systemctl reload with a good file (adds Port 2222)", r)
    check(wait_for(lambda: answers(c, 2222)), "after it: port 2222 answers")
    r = login(c, 2222)
    check(r.returncode == 0 and r.stdout.strip() == "alice", "and alice logs in on it", r)
    check(prop(c, "privsshd.service", "MainPID") == pid and prop(c, "privsshd.service", "ActiveState") == "active",
          "the listener kept its pid (re-executed) and the unit is active")
    check(s.alive("after-good-reload"), "the session open across the good reload answers")
    c.run("echo 'NoSuchKeyword yes' >> /etc/privsshd/privsshd_config")
    since = c.run("date '+%Y-%m-%d %H:%M:%S'").stdout.strip()
    r = c.run("systemctl reload privsshd.service")
    refused = wait_for(lambda: "the new configuration is not valid" in journal(c, f"-u privsshd.service --since '{since}' -o cat"))
    log = journal(c, f"-u privsshd.service --since '{since}' -o cat")
    check(refused and "Bad configuration option: NoSuchKeyword" in log,
          "systemctl reload with a bad file: refused, the error in the unit's journal", r, log)
    check(prop(c, "privsshd.service", "MainPID") == pid and prop(c, "privsshd.service", "ActiveState") == "active",
          "the unit stays active with the same listener")
    check(accepts(c, 2222) and accepts(c, 22), "the listener still accepts on both ports")
    # Each connection's monitor parses the configuration the listener loaded (monitor/config-fd.h), not
    # the file on disk, which is the bad one now.
    check(answers(c, 22), "a new connection after the refused reload is served with the running configuration")
    check(s.alive("after-bad-reload"), "the session open across the bad reload answers")
    # systemctl kill signals every process left in the unit's cgroup (README.md, "systemctl kill"):
    # the session's shell and its monitor are in the session scope, the connection's worker is not.
    r = c.run(f"cat /proc/{s.pid}/cgroup; systemctl show -P ControlGroup privsshd.service; "
              "for p in $(cat /sys/fs/cgroup/systemd/system.slice/privsshd.service/cgroup.procs "
              "/sys/fs/cgroup/system.slice/privsshd.service/cgroup.procs 2>/dev/null); do "
              "echo \"$p $(tr '\\0' ' ' < /proc/$p/cmdline)\"; done")
    print("# cgroups with a session open:\n#   " + r.stdout.strip().replace("\n", "\n#   "), flush=True)
    r = c.run("systemctl kill privsshd.service")
    check(r.returncode == 0, "systemctl kill privsshd.service", r)
    check(wait_for(lambda: prop(c, "privsshd.service", "ActiveState") == "inactive"),
          "ends the listener: the unit is inactive")
    check(not s.alive("after-kill"), "and the session open before it ends with its connection (the control: "
          "it answered after the bad reload)")
    s.close()
    r = c.run("loginctl list-sessions --no-legend")
    check(wait_for(lambda: "alice" not in c.run("loginctl list-sessions --no-legend").stdout, 20),
          "and logind no longer lists it", r)
    c.run("cp /root/privsshd_config.orig /etc/privsshd/privsshd_config")

    # ---- 5. socket activation, Accept=yes -----------------------------------------------------
    r = c.run("mkdir -p /etc/systemd/system/privsshd.socket.d && "
              "cp /usr/share/doc/privsshd/examples/privsshd-per-connection.conf "
              "/etc/systemd/system/privsshd.socket.d/per-connection.conf && "
              "systemctl daemon-reload && systemctl restart privsshd.socket")
    check(r.returncode == 0, "the per-connection drop-in (Accept=yes) installed and the socket restarted", r)
    s = Session(c)
    check(s.pid is not None, "Accept=yes: alice logs in")
    r = c.run("systemctl list-units --no-legend --plain 'privsshd@*'")
    check("privsshd@" in r.stdout and "running" in r.stdout, "in a privsshd@ instance that systemd started", r)
    check(prop(c, "privsshd.service", "ActiveState") == "inactive", "with no listener (privsshd.service inactive)")
    s.close()

    # ---- 6. a first boot with the package installed, as from an image without host keys -------------
    r = c.run("systemctl stop privsshd.socket && rm -rf /etc/systemd/system/privsshd.socket.d && "
              "rm -f /etc/privsshd/ssh_host_* && systemctl daemon-reload && systemctl is-enabled privsshd.socket")
    check(r.returncode == 0 and r.stdout.strip() == "enabled", "before the reboot: keys removed, the socket enabled", r)
    c.poweroff()
    state = c.boot()
    print(f"# container booted again ({state})", flush=True)
    r = c.run("stat -c '%U %a %F' /run/privsshd/empty")
    check(r.stdout.strip() == "root 755 directory", "after the boot: /run/privsshd/empty made by systemd-tmpfiles", r)
    check(prop(c, "privsshd.socket", "ActiveState") == "active" and
          prop(c, "privsshd.service", "ActiveState") == "inactive",
          "privsshd.socket listens from boot on, the service waits for a connection")
    check(c.run("ls /etc/privsshd/ssh_host_*").returncode != 0, "no host key before the first connection")
    r = login(c)
    check(r.returncode == 0 and r.stdout.strip() == "alice", "the first connection after the boot logs alice in", r)
    r = c.run("ls /etc/privsshd/")
    check(all(f"ssh_host_{t}_key" in r.stdout.split() for t in ("ed25519", "ecdsa", "rsa")),
          "with host keys made on that first start", r)

    # ---- 7. purge -------------------------------------------------------------------------------
    had = c.run("ls /etc/privsshd/ssh_host_rsa_key /etc/privsshd/privsshd_config && getent passwd privsshd")
    check(had.returncode == 0, "before the purge: host keys, the configuration and the user exist", had)
    r = c.run("systemctl disable --now privsshd.socket; rm -rf /etc/systemd/system/privsshd.socket.d; "
              "dpkg --purge privsshd", timeout=300)
    check(r.returncode == 0, "dpkg --purge privsshd", r)
    check(c.run("ls -d /etc/privsshd").returncode != 0, "/etc/privsshd and the host keys are gone")
    check(c.run("getent passwd privsshd").returncode != 0 and c.run("getent group privsshd").returncode != 0,
          "the sandbox user and group are gone")
    r = c.run("systemctl cat privsshd.service privsshd.socket")
    check(r.returncode != 0, "the units are gone", r)


if __name__ == "__main__":
    main()
