#!/usr/bin/python3
"""fail2ban's stock sshd filter treats our MaxStartups and PerSourcePenalties lines as it treats
OpenSSH's (whose wording they copy): in none of its modes (normal, ddos, aggressive) does it match
"drop connection #N ... past Maxstartups", "drop connection #N ... penalty: ...",
"beginning MaxStartups throttling" or "srclimit_penalise: ...", so a refusal never becomes a ban of
its own; the failed password that earned the penalty is matched (the control: the filter runs and
reads this log). The same lines written by OpenSSH (checked by hand with fail2ban-regex on Debian
12's filter) are not matched either.

Skipped when fail2ban is not unpacked in .cache/fail2ban (a failure in CI). Reference differs: it
reads privsshd's log file as written with -E."""
import os
import subprocess

import harness
from harness import Server, check, connect_from, first_line, ssh

F2B = os.path.join(harness.SRCDIR, ".cache", "fail2ban")
SRCLIMIT_LINES = ("drop connection #", "MaxStartups throttling", "srclimit_penalise:")


def main():
    harness.ours_only("checks privsshd's log file against the filter written for OpenSSH's")
    regex = os.path.join(F2B, "usr", "bin", "fail2ban-regex")
    if not os.path.exists(regex):
        harness.skip("fail2ban is not unpacked in .cache/fail2ban (run tools/install-deps test)")
    logfile = "/var/log/privsshd.log"
    s = Server("PerSourcePenalties authfail:60\nPerSourceMaxStartups 2", args=["-E", logfile]).start()

    r = ssh("true", password="wrong", opts=["-o", "BindAddress=127.0.0.2"])
    check(r.returncode == 255, "a wrong password from 127.0.0.2", r)
    check(harness.wait_for(lambda: "srclimit_penalise: ipv4: new 127.0.0.2/32 active penalty"
                           in harness.read_text(logfile), 10), "earns it a penalty", harness.read_text(logfile))
    c = connect_from("127.0.0.2")
    check(first_line(c) == b"Not allowed at this time", "its next connection is refused", s)
    c.close()
    held = [connect_from("127.0.0.3") for _ in range(4)]
    answers = [first_line(c) for c in held]
    check(answers.count(b"Not allowed at this time") == 2, "two of four idle connections from 127.0.0.3 are "
          "refused (PerSourceMaxStartups 2)", answers)
    for c in held:
        c.close()
    s.stop()

    log = harness.read_text(logfile)
    ours = [l for l in log.splitlines() if any(k in l for k in SRCLIMIT_LINES)]
    kinds = [k for k in ("past Maxstartups", "penalty: failed authentication", "beginning MaxStartups",
                         "srclimit_penalise:") if any(k in l for l in ours)]
    check(len(kinds) == 4, f"the log has drop, throttling and penalty lines ({len(ours)} lines)", log)
    failed = [l for l in log.splitlines() if "Failed password for alice from 127.0.0.2" in l]
    check(len(failed) == 1, "and the failed password", log)

    env = dict(os.environ, PYTHONPATH=os.path.join(F2B, "usr", "lib", "python3", "dist-packages"))
    for mode in ("normal", "ddos", "aggressive"):
        filt = os.path.join(F2B, "etc", "fail2ban", "filter.d", "sshd.conf") + f"[_daemon=privsshd, mode={mode}]"
        r = subprocess.run(["/usr/bin/python3", regex, "--print-all-missed", logfile, filt], capture_output=True,
                           text=True, env=env, timeout=120)
        out = r.stdout
        missed = out.split("Missed line(s):", 1)[1] if "Missed line(s):" in out else ""
        matched = [l for l in ours if l not in missed]
        check(r.returncode == 0 and "Failregex:" in out and not matched,
              f"mode={mode}: none of the drop, throttling and penalty lines is matched", "\n".join(matched) or out)
        if mode != "ddos":
            check(failed and failed[0] not in missed, f"mode={mode}: the failed password is matched (control)", out)


harness.run(main)
