#!/usr/bin/python3
"""fail2ban's stock sshd filter (Debian's fail2ban 1.0, unpacked by tools/install-deps into .cache/,
not installed) matches privsshd's log lines for every kind of failed login, with _daemon=privsshd."""
import os
import subprocess

import harness
from harness import Server, Skip, check, ssh

F2B = os.path.join(harness.SRCDIR, ".cache", "fail2ban")


def main():
    if harness.is_openssh():
        raise Skip("reference differs: this checks privsshd's own log file")
    regex = os.path.join(F2B, "usr", "bin", "fail2ban-regex")
    if not os.path.exists(regex):
        raise Skip("fail2ban is not unpacked in .cache/fail2ban (run tools/install-deps test)")
    logfile = "/var/log/privsshd.log"
    s = Server("MaxAuthTries 2", name="f2b", args=["-E", logfile]).start()
    ssh("true", password="wrong", opts=["-o", "NumberOfPasswordPrompts=1"])
    ssh("true", user="bob", password="wrong", opts=["-o", "NumberOfPasswordPrompts=1"])
    ssh("true", password="wrong", opts=["-o", "NumberOfPasswordPrompts=5"])
    r = ssh("true")
    check(r.returncode == 0, "a good login still works")
    s.stop()
    log = open(logfile).read()
    failures = [l for l in log.splitlines() if "Failed password" in l or "Invalid user" in l
                or "maximum authentication attempts" in l]
    check(len(failures) >= 5, f"the log has the failed logins ({len(failures)} lines)", log)

    env = dict(os.environ, PYTHONPATH=os.path.join(F2B, "usr", "lib", "python3", "dist-packages"))
    filt = os.path.join(F2B, "etc", "fail2ban", "filter.d", "sshd.conf") + "[_daemon=privsshd]"
    r = subprocess.run(["/usr/bin/python3", regex, "--print-all-missed", logfile, filt], capture_output=True,
                       text=True, env=env, timeout=120)
    out = r.stdout
    missed_failures = [l for l in failures if l.split(": ", 1)[-1] in out.split("Missed line(s):", 1)[-1]] \
        if "Missed line(s):" in out else []
    check(r.returncode == 0 and "Failregex:" in out, "fail2ban-regex ran", out + r.stderr)
    check(not missed_failures, "every failed-login line matches the stock sshd filter", "\n".join(missed_failures))
    hits = int(out.split("Failregex:", 1)[1].split("total", 1)[0]) if "Failregex:" in out else 0
    check(hits >= len(failures) - 1, f"fail2ban counts the failures ({hits} matches for {len(failures)} lines)", out)


harness.run(main)
