#!/usr/bin/python3
"""AuthorizedPrincipalsCommand and AuthorizedPrincipalsCommandUser, as OpenSSH 9.2, with a real script
and real certificates (ssh-keygen -s). The certificate names the principal "ops", never "alice", and its
CA is in TrustedUserCAKeys: only the command's answer can let it in. One root-owned script serves every
case, its behaviour read from a mode file the test writes.

  - allow: it prints "ops": alice logs in with the certificate; it ran as carol (the command user) with
    %u %U %h %f %F %i %s %t %T %k %K %% expanded as OpenSSH does;
  - none: it prints another name: refused, "Certificate does not contain an authorized principal";
  - options: command="..." before the principal forces the command; from= with another network refuses
    (its control: from= with 127.0.0.1 logs in);
  - hang and flood: refused within the bound, the command's process group killed, the next login works;
  - a script not owned by root is refused with OpenSSH's "Unsafe AuthorizedPrincipalsCommand" line; put
    right, it works again;
  - AuthorizedPrincipalsFile without the principal, then the command: the command is still asked.
  - authorized_keys: two cert-authority lines for the same CA, the first with principals= that do not
    match: the second line is tried and lets the certificate in, as OpenSSH (control: the first line
    alone refuses); likewise with the second line in authorized_keys2.
"""
import os
import re
import subprocess

import command_checks
import harness
from harness import Server, check, ssh

BIN = "/run/principals-command"
SCRIPT = f"{BIN}/principals"
WORK = "/tmp/princcmd"
MODE = f"{WORK}/mode"
OUT = f"{WORK}/out"
AUTHKEYS = "/home/alice/.ssh/authorized_keys"

SCRIPT_TEXT = f"""#!/bin/sh
mode=$(cat {MODE})
id -u > {OUT}/uid
printf '%s\\n' "$@" > {OUT}/args
test "$1" = alice || exit 0
case "$mode" in
allow)   echo ops ;;
none)    echo somebody-else ;;
options) echo 'command="echo forced by the command" ops' ;;
from-no) echo 'from="10.0.0.0/8" ops' ;;
from-ok) echo 'from="127.0.0.1" ops' ;;
hang)    echo ops; sleep 1011 & sleep 1012 ;;
flood)   echo ops; yes ops ;;
esac
"""


def keygen(*args):
    subprocess.run(["ssh-keygen", "-q", *args], check=True, capture_output=True)


def mode(m):
    with open(MODE, "w") as f:
        f.write(m + "\n")


def login(command="echo in"):
    return ssh(command, key=f"{WORK}/user", opts=["-o", f"CertificateFile={WORK}/user-cert.pub"])


def logs_in(what, command="echo in", out=b"in\n"):
    r = login(command)
    check(r.returncode == 0 and r.stdout == out, f"{what}: logs in", r)


def refused(s, what, line):
    before = s.count(line)
    r = login()
    check(r.returncode == 255 and r.stdout == b"" and "Permission denied" in r.log, f"{what}: refused", r)
    check(harness.wait_for(lambda: s.count(line) > before, 5), f"{what}: log says {line!r}", s)
    return r


def setup():
    os.makedirs(BIN, mode=0o755, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    os.chmod(WORK, 0o755)
    os.chmod(OUT, 0o777)
    for name in ("ca", "user"):
        if not os.path.exists(f"{WORK}/{name}"):
            keygen("-t", "ed25519", "-N", "", "-f", f"{WORK}/{name}")
    keygen("-s", f"{WORK}/ca", "-I", "ops-key", "-z", "42", "-n", "ops", f"{WORK}/user.pub")
    with open(SCRIPT, "w") as f:
        f.write(SCRIPT_TEXT)
    os.chmod(SCRIPT, 0o755)
    mode("allow")
    os.chmod(MODE, 0o644)


def main():
    setup()
    exempt = "" if harness.is_openssh() else "PerSourcePenaltyExemptList 127.0.0.0/8\n"
    s = Server(f"""
        LogLevel DEBUG1
        {exempt}
        TrustedUserCAKeys {WORK}/ca.pub
        AuthorizedPrincipalsCommand {SCRIPT} %u %U %h %f %F %i %s %t %T %k %K %%
        AuthorizedPrincipalsCommandUser carol
    """).start()

    logs_in("allow: the command prints the certificate's principal")
    check(s.wait_log(r'^\(command\):1: matched principal "ops"$'), 'log: (command):1: matched principal "ops"', s)
    check(s.wait_log(rf'^Accepted certificate ID "ops-key" \(serial 42\) signed by ED25519 CA '
                     rf'{re.escape(harness.fingerprint(WORK + "/ca.pub"))} via {re.escape(WORK)}/ca.pub$'),
          "log: Accepted certificate ID ... via TrustedUserCAKeys", s)
    check(harness.read_text(f"{OUT}/uid").strip() == "2002", "the command ran as carol (uid 2002)",
          harness.read_text(f"{OUT}/uid"))
    cert_type, cert_b64 = open(f"{WORK}/user-cert.pub").read().split()[:2]
    ca_b64 = open(f"{WORK}/ca.pub").read().split()[1]
    want = ["alice", "2001", "/home/alice", harness.fingerprint(f"{WORK}/user.pub"),
            harness.fingerprint(f"{WORK}/ca.pub"), "ops-key", "42", cert_type, "ssh-ed25519", cert_b64, ca_b64, "%"]
    args = harness.read_text(f"{OUT}/args").split("\n")
    check(args[:len(want)] == want,
          "tokens: %u %U %h, %f the key's and %F the CA's fingerprint, %i the key ID, %s the serial, %t the "
          "certificate's type, %T the CA's, %k the certificate, %K the CA key, %%", args, want)

    mode("none")
    refused(s, "none: the command prints another principal", "Certificate does not contain an authorized principal")

    mode("options")
    logs_in('options: command="..." before the principal is forced', command="echo not this",
            out=b"forced by the command\n")
    mode("from-no")
    refused(s, 'options: from="10.0.0.0/8" from 127.0.0.1', "not from a permitted host")
    mode("from-ok")
    logs_in('options: from="127.0.0.1" from 127.0.0.1 (the control)')

    if harness.is_openssh():
        check(True, "hang and flood", reference_differs="sshd waits for the command until LoginGraceTime")
    else:
        bounded(s)
    unsafe(s)
    s.stop()
    file_then_command(exempt)
    cert_authority_lines(exempt)


def bounded(s):
    mode("hang")
    command_checks.check_hang_killed(s, login, "AuthorizedPrincipalsCommand", "principals", r"sleep 101[12]")
    mode("allow")
    logs_in("after the hang, the command answers again")

    mode("flood")
    command_checks.check_flood_killed(s, login, "AuthorizedPrincipalsCommand", "principals", "principal")
    mode("allow")
    logs_in("after the flood, the command answers again")


def unsafe(s):
    mode("allow")
    command_checks.check_unsafe_owner(s, login, "AuthorizedPrincipalsCommand", SCRIPT)
    logs_in("owned by root again, the command")


def file_then_command(exempt):
    # The principals file first, then the command (OpenSSH's order): a file without the principal does
    # not stop the command from being asked.
    os.makedirs("/etc/privsshd-pc", exist_ok=True)
    with open("/etc/privsshd-pc/alice", "w") as f:
        f.write("not-ops\n")
    s = Server(f"""
        LogLevel DEBUG1
        {exempt}
        TrustedUserCAKeys {WORK}/ca.pub
        AuthorizedPrincipalsFile /etc/privsshd-pc/%u
        AuthorizedPrincipalsCommand {SCRIPT} %u
        AuthorizedPrincipalsCommandUser carol
    """, name="file-then-command").start()
    mode("allow")
    logs_in("AuthorizedPrincipalsFile without ops, the command prints ops")
    mode("none")
    refused(s, "AuthorizedPrincipalsFile without ops, the command without it",
            "Certificate does not contain an authorized principal")
    s.stop()


def cert_authority_lines(exempt):
    ca = open(f"{WORK}/ca.pub").read().strip()
    s = Server(f"LogLevel DEBUG1\n{exempt}", name="ca-lines").start()
    try:
        with open(AUTHKEYS, "w") as f:
            f.write(f'cert-authority,principals="bob" {ca}\n')
        refused(s, 'cert-authority,principals="bob" alone, a certificate for ops',
                "Certificate does not contain an authorized principal")
        with open(AUTHKEYS, "w") as f:
            f.write(f'cert-authority,principals="bob" {ca}\ncert-authority,principals="ops" {ca}\n')
        logs_in('a first cert-authority line with principals="bob", a second with "ops": the second')
        check(s.wait_log(rf'^Accepted certificate ID "ops-key" \(serial 42\) signed by CA ED25519 \S+ found at '
                         rf'{re.escape(AUTHKEYS)}:2$'), "log: Accepted certificate ... found at authorized_keys:2", s)
        # The same across files: the refusing line in authorized_keys, the right one in authorized_keys2
        # (the default AuthorizedKeysFile names both).
        with open(AUTHKEYS, "w") as f:
            f.write(f'cert-authority,principals="bob" {ca}\n')
        with open(AUTHKEYS + "2", "w") as f:
            f.write(f'cert-authority,principals="ops" {ca}\n')
        os.chown(AUTHKEYS + "2", 2001, 2001)
        logs_in('cert-authority,principals="bob" in authorized_keys, "ops" in authorized_keys2: the second file')
        check(s.wait_log(rf'^Accepted certificate ID "ops-key" \(serial 42\) signed by CA ED25519 \S+ found at '
                         rf'{re.escape(AUTHKEYS)}2:1$'), "log: Accepted certificate ... found at authorized_keys2:1", s)
    finally:
        with open(AUTHKEYS, "w") as f:
            f.write(open(f"{harness.KEYS}/alice.pub").read())
        if os.path.exists(AUTHKEYS + "2"):
            os.unlink(AUTHKEYS + "2")
    s.stop()


harness.run(main)
