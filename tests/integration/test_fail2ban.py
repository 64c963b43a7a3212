#!/usr/bin/python3
"""fail2ban's stock sshd filter (Debian 12's fail2ban, unpacked into .cache/fail2ban by
tools/install-deps, not installed) finds every failed login in privsshd's log with
_daemon=privsshd: wrong passwords, unknown users, MaxAuthTries; and with mode=ddos, connections
that do not speak SSH.

Skipped when fail2ban is not unpacked (a failure in CI). Reference differs: it reads privsshd's log
file as written with -E (OpenSSH's own log lines are what the filter was written from)."""
import os
import subprocess

import harness
from harness import Server, check, ssh

F2B = os.path.join(harness.SRCDIR, ".cache", "fail2ban")


def main():
    harness.ours_only("checks privsshd's log file against the filter written for OpenSSH's")
    regex = os.path.join(F2B, "usr", "bin", "fail2ban-regex")
    if not os.path.exists(regex):
        harness.skip("fail2ban is not unpacked in .cache/fail2ban (run tools/install-deps test)")
    logfile = "/var/log/privsshd.log"
    s = Server("MaxAuthTries 2", args=["-E", logfile]).start()
    ssh("true", password="wrong")
    ssh("true", user="bob", password="wrong")
    ssh("true", password="wrong", prompts=5)
    for junk in (b"GET / HTTP/1.0\r\n\r\n", b"x" * 300):
        harness.send_junk(junk)
    r = ssh("true")
    check(r.returncode == 0, "a good login still works", r)
    s.stop()
    log = harness.read_text(logfile)
    failures = [l for l in log.splitlines()
                if "Failed password" in l or "Invalid user" in l or "maximum authentication attempts" in l]
    check(len(failures) >= 5, f"the log has the failed logins ({len(failures)} lines)", log)

    env = dict(os.environ, PYTHONPATH=os.path.join(F2B, "usr", "lib", "python3", "dist-packages"))
    filt = os.path.join(F2B, "etc", "fail2ban", "filter.d", "sshd.conf") + "[_daemon=privsshd]"
    r = subprocess.run(["/usr/bin/python3", regex, "--print-all-missed", logfile, filt], capture_output=True,
                       text=True, env=env, timeout=120)
    out = r.stdout
    check(r.returncode == 0 and "Failregex:" in out, "fail2ban-regex ran", out + r.stderr)
    missed = out.split("Missed line(s):", 1)[1] if "Missed line(s):" in out else ""
    not_found = [l for l in failures if l in missed]
    check(not not_found, "every failed-login line matches the stock sshd filter", "\n".join(not_found))
    hits = int(out.split("Failregex:", 1)[1].split("total", 1)[0]) if "Failregex:" in out else 0
    check(hits >= len(failures) - 1, f"fail2ban counts the failures ({hits} matches for {len(failures)} lines)",
          out)

    # Its "ddos" mode: connections that are not SSH at all.
    junk = [l for l in log.splitlines() if "banner exchange:" in l or "invalid protocol identifier" in l]
    check(len(junk) == 3, f"the log has the non-SSH connections in OpenSSH's words ({len(junk)} lines)", log)
    filt = os.path.join(F2B, "etc", "fail2ban", "filter.d", "sshd.conf") + "[_daemon=privsshd, mode=ddos]"
    r = subprocess.run(["/usr/bin/python3", regex, "--print-all-missed", logfile, filt], capture_output=True,
                       text=True, env=env, timeout=120)
    missed = r.stdout.split("Missed line(s):", 1)[1] if "Missed line(s):" in r.stdout else ""
    not_found = [l for l in junk if l in missed]
    check(r.returncode == 0 and junk and not not_found, "and mode=ddos matches them",
          "\n".join(not_found) or r.stdout + r.stderr)


harness.run(main)
