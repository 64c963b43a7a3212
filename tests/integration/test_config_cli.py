#!/usr/bin/python3
"""The command line and configuration: -t, -T, FILE:LINE errors, exit 255 and nothing started,
and Debian's stock sshd_config. Needs no root and no namespace."""
import os
import subprocess
import sys
import tempfile

PRIVSSHD = os.environ.get("PRIVSSHD", "")
failures = 0


def check(cond, what, detail=None):
    global failures
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failures += 1
        if detail:
            print("  " + str(detail))


def run(*args):
    return subprocess.run([PRIVSSHD] + list(args), capture_output=True, text=True, timeout=30)


if not PRIVSSHD:
    print("skip: PRIVSSHD not set")
    sys.exit(77)

d = tempfile.mkdtemp()


def conf(name, text):
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write(text)
    return p


good = conf("good.conf", "Port 2222\nListenAddress 127.0.0.1\nPermitRootLogin no\nMaxAuthTries 3\n")
r = run("-t", "-f", good)
check(r.returncode == 0, "-t accepts a good configuration", r.stderr)
r = run("-T", "-f", good)
lines = r.stdout.splitlines()
check(r.returncode == 0 and "port 2222" in lines and "permitrootlogin no" in lines and "maxauthtries 3" in lines
      and "listenaddress 127.0.0.1:2222" in lines and "sandboxuser privsshd" in lines,
      "-T prints the effective configuration in OpenSSH's format", r.stdout)
r = run("-T", "-f", good, "-o", "MaxAuthTries=5")
check("maxauthtries 5" in r.stdout.splitlines(), "-o comes before the file (first value wins)")

bad = conf("bad.conf", "Port 2222\n# comment\nFoo bar\n")
r = run("-t", "-f", bad)
check(r.returncode == 255 and f"{bad}:3: Bad configuration option: Foo" in r.stderr,
      "unknown keyword: exit 255 and FILE:LINE: Bad configuration option", r.stderr)
bad2 = conf("bad2.conf", "PermitRootLogin maybe\n")
r = run("-t", "-f", bad2)
check(r.returncode == 255 and f"{bad2}:1:" in r.stderr and "maybe" in r.stderr,
      "bad value: exit 255 and FILE:LINE naming the value", r.stderr)
bad3 = conf("bad3.conf", "AllowUsers alice\n")
r = run("-t", "-f", bad3)
check(r.returncode == 255 and f"{bad3}:1:" in r.stderr,
      "an unimplemented keyword that would allow more than configured is an error", r.stderr)
r = run("-t", "-f", os.path.join(d, "missing.conf"))
check(r.returncode == 255 and "missing.conf" in r.stderr, "missing file: exit 255, named", r.stderr)
warn = conf("warn.conf", "PrintLastLog yes\n")
r = run("-t", "-f", warn)
check(r.returncode == 0 and "PrintLastLog" in r.stderr, "a harmless unimplemented keyword is accepted with a warning",
      r.stderr)
if os.path.exists("/etc/ssh/sshd_config"):
    r = run("-t", "-f", "/etc/ssh/sshd_config")
    check(r.returncode == 0, "Debian's stock /etc/ssh/sshd_config loads with -t", r.stderr)
r = run("-x")
check(r.returncode == 255, "an unknown flag exits 255")
if os.geteuid() == 0:
    # nothing started on error: a bad config must not bind anything
    r = subprocess.run(["unshare", "--net", "sh", "-c", f"ip link set lo up; {PRIVSSHD} -D -e -f {bad}; echo rc=$?; ss -Hltn"],
                       capture_output=True, text=True, timeout=30)
    check("rc=255" in r.stdout and ":2222" not in r.stdout, "with a bad config the daemon starts nothing", r.stdout)

print(f"{failures} failed")
sys.exit(1 if failures else 0)
