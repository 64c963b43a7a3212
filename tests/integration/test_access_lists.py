#!/usr/bin/python3
"""AllowUsers, DenyUsers, AllowGroups, DenyGroups and the login shell check, as OpenSSH's allowed_user(),
with the real client and real PAM: each list refuses whom it names (or does not name) and lets the
others in, in every case beside a login the same list allows; USER@HOST patterns with addresses and
CIDR; the reason logged in OpenSSH's words, then the user handled as an invalid one ("Failed password
for invalid user"); fail2ban's stock sshd filter counts those lines; malformed patterns refused at
load; pam_access in the account stack refusing a publickey login. Fixture groups: alice (2001), carol (2002), project (alice and carol)."""
import os
import re
import subprocess

import harness
from harness import Server, check, ssh

F2B = os.path.join(harness.SRCDIR, ".cache", "fail2ban")


def login(user):
    pw = {"alice": "alicepw", "carol": "carolpw"}[user]
    return ssh("echo in", user=user, password=pw)


def case(config, allowed, refused, reason):
    s = Server(config + "\nLogLevel VERBOSE", name="acl").start()
    for user in allowed:
        r = login(user)
        check(r.returncode == 0 and r.stdout == b"in\n", f"{config!r}: {user} logs in", r)
    for user in refused:
        r = login(user)
        check(r.returncode == 255, f"{config!r}: {user} is refused", r)
        line = f"User {user} from 127.0.0.1 not allowed because {reason}"
        check(s.wait_log(re.escape(line) + "$"), f"logged: {line!r}", s.text())
        check(s.wait_log(rf"Failed password for invalid user {user} from 127\.0\.0\.1 port \d+ ssh2"),
              "then handled as an invalid user", s.text())
    s.stop()
    return s


def main():
    harness.ours_only("the log lines and fail2ban are checked on privsshd's log")
    case("DenyUsers carol", ["alice"], ["carol"], "listed in DenyUsers")
    case("DenyUsers c*", ["alice"], ["carol"], "listed in DenyUsers")
    case("AllowUsers alice", ["alice"], ["carol"], "not listed in AllowUsers")
    case("AllowUsers nobody\nAllowUsers alice", ["alice"], ["carol"], "not listed in AllowUsers")
    case("AllowUsers alice@127.0.0.1 carol@10.0.0.0/8", ["alice"], ["carol"], "not listed in AllowUsers")
    case("AllowUsers *@127.0.0.0/8", ["alice", "carol"], [], "")
    case("DenyUsers carol@127.0.0.*", ["alice"], ["carol"], "listed in DenyUsers")
    case("DenyGroups carol", ["alice"], ["carol"], "a group is listed in DenyGroups")
    case("AllowGroups alice", ["alice"], ["carol"], "none of user's groups are listed in AllowGroups")
    case("AllowGroups project", ["alice", "carol"], [], "")
    case("AllowGroups project\nDenyUsers alice", ["carol"], ["alice"], "listed in DenyUsers")

    # PAM's account stack decides for every method: pam_access refuses carol's key login.
    with open("/tmp/access.conf", "w") as f:
        f.write("-:carol:ALL\n+:ALL:ALL\n")
    with open("/etc/pam.d/acl-access", "w") as f:
        f.write("auth required pam_unix.so\naccount required pam_access.so accessfile=/tmp/access.conf\n"
                "account required pam_unix.so\nsession required pam_unix.so\n")
    s = Server("PAMServiceName acl-access", name="pam-access").start()
    r = ssh("echo in", user="alice")
    check(r.returncode == 0 and r.stdout == b"in\n", "pam_access: alice's key login is let in", r)
    r = ssh("echo in", user="carol")
    check(r.returncode == 255, "pam_access: carol's key login is refused (the account stack runs for publickey)", r)
    check(s.wait_log(r"Access denied for user carol by PAM account configuration") and
          s.wait_log(r"Failed publickey for carol from 127\.0\.0\.1"), "logged as OpenSSH does", s.text())
    s.stop()

    # fail2ban's stock filter counts the refusals.
    regex = os.path.join(F2B, "usr", "bin", "fail2ban-regex")
    if os.path.exists(regex):
        s = Server("DenyUsers carol", name="f2b", args=["-E", "/var/log/acl.log"]).start()
        login("carol")
        s.stop()
        log = harness.read_text("/var/log/acl.log")
        env = dict(os.environ, PYTHONPATH=os.path.join(F2B, "usr", "lib", "python3", "dist-packages"))
        filt = os.path.join(F2B, "etc", "fail2ban", "filter.d", "sshd.conf") + "[_daemon=privsshd]"
        r = subprocess.run(["/usr/bin/python3", regex, "--print-all-matched", "/var/log/acl.log", filt],
                           capture_output=True, text=True, env=env, timeout=120)
        check("not allowed because listed in DenyUsers" in r.stdout.split("Matched line(s):")[-1],
              "fail2ban's sshd filter matches the DenyUsers line", r.stdout + log)
    else:
        check(not harness.MUST_RUN, "fail2ban is unpacked (tools/install-deps test)")

    # The login shell: it must exist (a private /etc, so that carol's passwd line can change).
    subprocess.run(["cp", "-a", "/etc/.", "/tmp/etc-copy"], check=True)
    subprocess.run(["mount", "--bind", "/tmp/etc-copy", "/etc"], check=True)
    passwd = harness.read_text("/etc/passwd")
    with open("/etc/passwd", "w") as f:
        f.write(re.sub(r"^(carol:.*:)/bin/sh$", r"\1/bin/no-such-shell", passwd, flags=re.M))
    s = Server("LogLevel VERBOSE", name="shell").start()
    check(login("alice").returncode == 0, "control: alice (a real shell) logs in")
    r = login("carol")
    check(r.returncode == 255 and s.wait_log(r"User carol not allowed because shell /bin/no-such-shell does not exist$"),
          "a user whose shell does not exist is refused, in OpenSSH's words", s.text())
    s.stop()

    for conf, said in (("AllowGroups project@127.0.0.1", "invalid value for AllowGroups"),
                       ("AllowUsers alice@10.1.0.0/8", "a bad address or mask"),
                       ("DenyUsers @127.0.0.1", "invalid value for DenyUsers")):
        bad = Server(conf, name="bad")
        r = subprocess.run([harness.PRIVSSHD, "-t", "-f", bad.config_path], capture_output=True, text=True)
        check(r.returncode != 0 and said in r.stderr, f"refused at load: {conf!r}", r.stderr)
    good = Server("AllowUsers alice carol@127.0.0.1\nDenyGroups nogroup", name="good")
    r = subprocess.run([harness.PRIVSSHD, "-T", "-f", good.config_path], capture_output=True, text=True)
    check("allowusers alice\nallowusers carol@127.0.0.1\n" in r.stdout and "denygroups nogroup\n" in r.stdout,
          "-T prints one line per pattern, as sshd -T", r.stdout + r.stderr)


harness.run(main)
