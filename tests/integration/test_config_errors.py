#!/usr/bin/python3
"""The configuration on the command line: a mistake is reported as "FILE:LINE: message" on stderr
with exit status 255 and nothing started; -t accepts a good file silently, -T prints the effective
configuration in OpenSSH's format (lowercase keyword, value); Debian's stock sshd_config loads.

Reference differs: OpenSSH words its errors "FILE line N: ..." and knows none of our keywords;
the whole file is about privsshd's own command line."""
import os
import subprocess

import harness
from harness import FIXTURES, PORT, check

DIR = "/tmp/configs"


def privsshd(*args):
    return subprocess.run([harness.PRIVSSHD] + list(args), capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)


def conf(name, text):
    path = os.path.join(DIR, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    harness.ours_only("privsshd's own command line and error format")
    os.makedirs(DIR)
    hostkey = os.path.join(DIR, "hostkey")
    harness.run_cmd(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostkey])
    good = conf("good.conf", f"Port {PORT}\nListenAddress 127.0.0.1\nHostKey {hostkey}\nPermitRootLogin no\n"
                             "MaxAuthTries 3\nSandboxUser privsshd\n")

    r = privsshd("-t", "-f", good)
    check(r.returncode == 0, f"-t on a good file exits 0 ({r.returncode})", r.stderr)
    check(r.stdout == "", "and prints nothing on stdout", r.stdout)

    r = privsshd("-T", "-f", good)
    lines = r.stdout.splitlines()
    check(r.returncode == 0, f"-T exits 0 ({r.returncode})", r.stderr)
    for want in ("port 2222", "listenaddress 127.0.0.1:2222", f"hostkey {hostkey}", "permitrootlogin no",
                 "maxauthtries 3", "sandboxuser privsshd", "pubkeyauthentication yes", "strictmodes yes"):
        check(want in lines, f"-T prints '{want}'", r.stdout)
    check(all(l == l.strip() and " " in l and l.split(" ", 1)[0] == l.split(" ", 1)[0].lower() for l in lines),
          "every -T line is 'keyword value' with a lowercase keyword", r.stdout)
    r = privsshd("-T", "-f", good, "-o", "MaxAuthTries=5")
    check("maxauthtries 5" in r.stdout.splitlines(), "-o MaxAuthTries=5 wins over the file (first value wins)",
          r.stdout)

    bad = conf("bad.conf", f"Port {PORT}\n# a comment\nFoo bar\nPermitRootLogin no\nBar baz\n")
    r = privsshd("-t", "-f", bad)
    check(r.returncode == 255, f"an unknown keyword: exit 255 ({r.returncode})", r.stderr)
    check(f"{bad}:3: Bad configuration option: Foo" in r.stderr.splitlines(),
          f"stderr has the line '{bad}:3: Bad configuration option: Foo'", r.stderr)
    check("Bar" not in r.stderr, "and stops there (line 5's 'Bar' is not reported)", r.stderr)

    badvalue = conf("badvalue.conf", f"Port {PORT}\nPermitRootLogin maybe\n")
    r = privsshd("-t", "-f", badvalue)
    check(r.returncode == 255, f"PermitRootLogin maybe: exit 255 ({r.returncode})", r.stderr)
    check(f"{badvalue}:2: " in r.stderr and "maybe" in r.stderr,
          f"stderr names '{badvalue}:2:' and the value 'maybe'", r.stderr)

    badnumber = conf("badnumber.conf", "MaxAuthTries lots\n")
    r = privsshd("-t", "-f", badnumber)
    check(r.returncode == 255 and f"{badnumber}:1: " in r.stderr,
          "MaxAuthTries lots: exit 255, FILE:1:", r.stderr)

    missing = os.path.join(DIR, "missing.conf")
    r = privsshd("-t", "-f", missing)
    check(r.returncode == 255, f"a missing file: exit 255 ({r.returncode})", r.stderr)
    check(missing in r.stderr, "stderr names the missing file", r.stderr)

    refused = conf("refused.conf", "RDomain vrf0\n")
    r = privsshd("-t", "-f", refused)
    check(r.returncode == 255 and f"{refused}:1:" in r.stderr,
          "RDomain (not implemented; ignoring it would listen in the default domain): an error at FILE:1", r.stderr)

    warned = conf("warned.conf", "PermitUserRC yes\n")
    r = privsshd("-t", "-f", warned)
    check(r.returncode == 0 and "PermitUserRC" in r.stderr,
          "PermitUserRC (not implemented, harmless: ~/.ssh/rc is never run): accepted with a warning naming it",
          r.stderr)

    r = privsshd("-x")
    check(r.returncode == 255, f"an unknown command-line flag: exit 255 ({r.returncode})", r.stderr)

    # Nothing is started on a bad configuration, even without -t.
    p = subprocess.Popen([harness.PRIVSSHD, "-D", "-e", "-f", bad], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    check(p.returncode == 255, f"'privsshd -D' with a bad file exits 255 at once ({p.returncode})", err)
    check(not harness.listening(PORT), "and nothing listens on the port")

    stock = os.path.join(FIXTURES, "debian-sshd_config")
    r = privsshd("-t", "-f", stock)
    check(r.returncode == 0, f"Debian 12's stock sshd_config (tests/fixtures) loads with -t ({r.returncode})",
          r.stderr)
    if os.path.exists("/etc/ssh/sshd_config"):
        r = privsshd("-t", "-f", "/etc/ssh/sshd_config")
        check(r.returncode == 0, f"this machine's /etc/ssh/sshd_config loads with -t ({r.returncode})", r.stderr)
    else:
        harness.note("no /etc/ssh/sshd_config on this machine; the stock copy above stands in")


harness.run(main)
