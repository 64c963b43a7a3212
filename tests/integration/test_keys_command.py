#!/usr/bin/python3
"""AuthorizedKeysCommand and AuthorizedKeysCommandUser, as OpenSSH 9.2, with a real script. One
root-owned script serves every case: what it does is read from a mode file the test writes, so the
server's configuration stays the same while the behaviour changes between connections.

  - allow: it prints the stranger key for alice: alice logs in with it (the command) and with her own
    key (her authorized_keys: the command's keys come in addition to the files); it ran as carol
    (the AuthorizedKeysCommandUser) with carol's groups, sshd's environment (Debian's PATH
    /usr/local/bin:/usr/bin:/bin:/usr/games, USER/LOGNAME/HOME of carol) and %u %f %t %k %U %h %% (and
    %C %D of later OpenSSH) expanded;
  - none: it prints nothing: the stranger key is refused, alice's own key still logs in;
  - exit 1 after printing the key: refused, "AuthorizedKeysCommand ... failed, status 1";
  - options: command="..." on its line forces the command;
  - certauth: it prints a cert-authority line for a CA: a certificate of the stranger key signed by
    that CA logs alice in, and %f is the certified key's fingerprint, %t the certificate's type and %k
    the whole certificate (as OpenSSH: the key the client offered, not the CA's);
  - hang: it prints the key and then sleeps with stdout open (and a background sleep): the login is
    refused within the check's bound, both sleeps are killed, and the next login works at once;
  - flood: the key, then megabytes of output: refused (more than the bound), killed;
  - errflood: the key, then stderr written without end: refused within the same bound (output that
    keeps coming must not keep the monitor past its deadline), killed;
  - stderr: what it writes on stderr is logged at DEBUG and does not spoil its stdout;
  - a script not owned by root, or group-writable, is refused with OpenSSH's "Unsafe
    AuthorizedKeysCommand" line; put right again, it works.
"""
import os
import re
import shutil
import time

import command_checks
import harness
from harness import KEYS, Server, check, ssh

BIN = "/run/keys-command"
SCRIPT = f"{BIN}/keys"
WORK = "/tmp/kc"
MODE = f"{WORK}/mode"
OUT = f"{WORK}/out"

SCRIPT_TEXT = f"""#!/bin/sh
mode=$(cat {MODE})
id -u > {OUT}/uid
id -G > {OUT}/groups
env | sort > {OUT}/env
printf '%s\\n' "$@" > {OUT}/args
test "$1" = alice || exit 0
case "$mode" in
allow)  cat {WORK}/stranger.pub ;;
none)   ;;
exit1)  cat {WORK}/stranger.pub; exit 1 ;;
options) printf 'command="echo forced by the command",no-pty %s\\n' "$(cat {WORK}/stranger.pub)" ;;
hang)   cat {WORK}/stranger.pub; sleep 1001 & sleep 1002 ;;
flood)  cat {WORK}/stranger.pub; yes 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' ;;
stderr) echo "hello from stderr" >&2; cat {WORK}/stranger.pub ;;
certauth) printf 'cert-authority %s\n' "$(cat {WORK}/ca.pub)" ;;
errflood) cat {WORK}/stranger.pub; yes 'on stderr' >&2 & yes 'on stderr' >&2 & exec yes 'on stderr' >&2 ;;
esac
"""


def mode(m):
    with open(MODE, "w") as f:
        f.write(m + "\n")


def login(key, command="echo in"):
    return ssh(command, user="alice", key=f"{KEYS}/{key}")


def main():
    os.makedirs(BIN, mode=0o755, exist_ok=True)
    os.makedirs(f"{OUT}", exist_ok=True)
    os.chmod(WORK, 0o755)
    os.chmod(OUT, 0o777)
    shutil.copy(f"{KEYS}/stranger.pub", f"{WORK}/stranger.pub")
    os.chmod(f"{WORK}/stranger.pub", 0o644)
    with open(SCRIPT, "w") as f:
        f.write(SCRIPT_TEXT)
    os.chmod(SCRIPT, 0o755)
    mode("allow")
    os.chmod(MODE, 0o644)
    stranger_fp = harness.fingerprint(f"{KEYS}/stranger.pub")
    with open(f"{KEYS}/stranger.pub") as f:
        stranger_b64 = f.read().split()[1]

    # %C and %D come from later OpenSSH releases (9.2's sshd refuses them): not given to the reference.
    newer = "" if harness.is_openssh() else ' "%C" "%D"'
    s = Server(f"""
        AuthorizedKeysCommand {SCRIPT} %u %f %t %k %U %h %%{newer}
        AuthorizedKeysCommandUser carol
        LogLevel DEBUG1
    """).start()

    r = login("stranger")
    check(r.returncode == 0 and r.stdout == b"in\n", "allow: the stranger key from the command logs alice in", r)
    check(s.wait_log(rf"^Accepted publickey for alice from 127\.0\.0\.1 port \d+ ssh2: ED25519 {re.escape(stranger_fp)}$"),
          "log: Accepted publickey for alice ... (the stranger key)", s)
    check(harness.read_text(f"{OUT}/uid").strip() == "2002", "the command ran as carol (uid 2002)",
          harness.read_text(f"{OUT}/uid"))
    groups = harness.read_text(f"{OUT}/groups").split()
    check("2002" in groups and "2200" in groups and "0" not in groups,
          "with carol's groups (2002, project 2200), none of root's", groups)
    env = harness.read_text(f"{OUT}/env")
    check("PATH=/usr/local/bin:/usr/bin:/bin:/usr/games\n" in env and "USER=carol\n" in env and "LOGNAME=carol\n" in env
          and "HOME=/home/carol\n" in env and "SSH_" not in env,
          "sshd's environment: Debian's PATH, USER, LOGNAME, HOME of carol, nothing of ssh's", env)
    args = harness.read_text(f"{OUT}/args").split("\n")
    check(args[:7] == ["alice", stranger_fp, "ssh-ed25519", stranger_b64, "2001", "/home/alice", "%"],
          "tokens: %u alice, %f the fingerprint, %t ssh-ed25519, %k the key, %U 2001, %h /home/alice, %% '%'",
          args)
    check(len(args) > 8 and re.match(r"127\.0\.0\.1 \d+ 127\.0\.0\.1 2222$", args[7]) and args[8] == "",
          "tokens of later OpenSSH: %C '127.0.0.1 PORT 127.0.0.1 2222', %D '' (no routing domain)", args,
          reference_differs="OpenSSH 9.2 has no %C and %D for AuthorizedKeysCommand")

    r = login("alice")
    check(r.returncode == 0, "allow: alice's own key (authorized_keys) logs in as well", r)

    mode("none")
    r = login("stranger")
    check(r.returncode == 255, "none: the command prints nothing for alice: the stranger key is refused", r)
    r = login("alice")
    check(r.returncode == 0, "none: alice's own key (the file) still logs in", r)

    mode("exit1")
    r = login("stranger")
    check(r.returncode == 255, "exit 1 after printing the key: refused", r)
    check(s.wait_log(rf"^AuthorizedKeysCommand {re.escape(SCRIPT)} alice .* failed, status 1$"),
          "log: AuthorizedKeysCommand CMD failed, status 1", s)

    mode("options")
    r = login("stranger", "echo not this")
    check(r.returncode == 0 and r.stdout == b"forced by the command\n",
          "options: command=\"...\" from the command's line is forced", r)

    certificate(stranger_fp)

    mode("stderr")
    r = login("stranger")
    check(r.returncode == 0, "stderr: the key still logs in", r)
    check(s.wait_log(r"AuthorizedKeysCommand .*: stderr: hello from stderr$"), "its stderr is in the log (DEBUG)", s,
          reference_differs="sshd discards the command's stderr")

    if harness.is_openssh():
        check(True, "hang and flood", reference_differs="sshd waits for the command until LoginGraceTime")
    else:
        bounded(s)
    unsafe(s)
    s.stop()
    other_users()


def certificate(stranger_fp):
    # The stranger key certified for alice by a CA the command names (cert-authority): the tokens
    # describe what the client offered (the certificate), %f its key; positive control: the plain
    # stranger key is refused then (the command names only the CA).
    harness.run_cmd(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ca", "-f", f"{WORK}/ca"])
    os.chmod(f"{WORK}/ca.pub", 0o644)
    shutil.copy(f"{KEYS}/stranger", f"{WORK}/cert-user")
    shutil.copy(f"{KEYS}/stranger.pub", f"{WORK}/cert-user.pub")
    os.chmod(f"{WORK}/cert-user", 0o600)
    harness.run_cmd(["ssh-keygen", "-q", "-s", f"{WORK}/ca", "-I", "kc-cert", "-n", "alice", "-V", "-5m:+1h",
                     f"{WORK}/cert-user.pub"])
    with open(f"{WORK}/cert-user-cert.pub") as f:
        cert_b64 = f.read().split()[1]
    mode("certauth")
    r = ssh("echo in", user="alice", key=f"{WORK}/cert-user",
            opts=["-o", f"CertificateFile={WORK}/cert-user-cert.pub"])
    check(r.returncode == 0 and r.stdout == b"in\n", "certauth: the certificate logs alice in (the command's "
          "cert-authority line)", r)
    args = harness.read_text(f"{OUT}/args").split("\n")
    check(args[1:4] == [stranger_fp, "ssh-ed25519-cert-v01@openssh.com", cert_b64],
          "certificate tokens: %f the certified key's fingerprint, %t ssh-ed25519-cert-v01@openssh.com, %k the "
          "whole certificate", args[:4])
    r = login("stranger")
    check(r.returncode == 255, "certauth: the plain stranger key is refused (the command names only the CA)", r)


def bounded(s):
    def stranger():
        return login("stranger")

    mode("hang")
    command_checks.check_hang_killed(s, stranger, "AuthorizedKeysCommand", "keys", r"sleep 100[12]")
    mode("allow")
    r = login("stranger")
    check(r.returncode == 0, "after the hang, the command answers again and the key logs in", r)

    mode("flood")
    command_checks.check_flood_killed(s, stranger, "AuthorizedKeysCommand", "keys", "key", 4194304)

    mode("errflood")
    n = s.count(r"AuthorizedKeysCommand .*: no answer in time: killed")
    t0 = time.monotonic()
    r = login("stranger")
    took = time.monotonic() - t0
    check(r.returncode == 255 and took < 30, f"errflood: endless stderr is refused within the bound ({took:.1f} s)", r)
    check(harness.wait_for(lambda: s.count(r"AuthorizedKeysCommand .*: no answer in time: killed") > n, 5),
          "log: endless stderr: no answer in time: killed", s)
    check(harness.wait_for(lambda: not harness.processes(comm="yes"), 5), "the stderr-flooding command is gone",
          harness.processes(comm="yes"))


def unsafe(s):
    # Not root's: refused in OpenSSH's words; group-writable: refused; put right: works.
    mode("allow")
    command_checks.check_unsafe_owner(s, lambda: login("stranger"), "AuthorizedKeysCommand", SCRIPT)
    os.chmod(SCRIPT, 0o775)
    n = s.count(r"^Unsafe AuthorizedKeysCommand")
    r = login("stranger")
    check(r.returncode == 255 and s.count(r"^Unsafe AuthorizedKeysCommand") > n,
          "a group-writable command is refused too", r,
          reference_differs="Debian's sshd (user-group-modes patch) allows group write by a group with no "
                            "other member (root here)")
    os.chmod(SCRIPT, 0o755)
    os.chmod(BIN, 0o777)
    r = login("stranger")
    check(r.returncode == 255 and s.wait_log(rf"^Unsafe AuthorizedKeysCommand .*bad ownership or modes for "
                                             rf"directory {re.escape(BIN)}$"),
          "a command in a world-writable directory is refused", r)
    os.chmod(BIN, 0o755)
    r = login("stranger")
    check(r.returncode == 0, "put right, the command's key logs in again", r)


def other_users():
    # A command user that does not exist: no keys, OpenSSH's line; alice's file still works.
    s = Server(f"""
        AuthorizedKeysCommand {SCRIPT}
        AuthorizedKeysCommandUser nosuchuser
    """, name="nouser").start()
    r = login("stranger")
    check(r.returncode == 255, "AuthorizedKeysCommandUser nosuchuser: the command's key is refused", r)
    check(s.wait_log(r'^AuthorizedKeysCommandUser "nosuchuser" not found'),
          'log: AuthorizedKeysCommandUser "nosuchuser" not found', s)
    r = login("alice")
    check(r.returncode == 0, "and alice's own key still logs in", r)
    s.stop()

    # Without arguments the user name is the only one (OpenSSH's old behaviour); %u in the user.
    for name in os.listdir(OUT):
        os.unlink(os.path.join(OUT, name))
    s = Server(f"""
        AuthorizedKeysCommand {SCRIPT}
        AuthorizedKeysCommandUser %u
    """, name="noargs").start()
    r = login("stranger")
    check(r.returncode == 0 and harness.read_text(f"{OUT}/args") == "alice\n"
          and harness.read_text(f"{OUT}/uid").strip() == "2001",
          "no arguments: the command gets the user name; AuthorizedKeysCommandUser %u runs it as alice", r)


harness.run(main)
