#!/usr/bin/python3
"""What a session looks like from inside: the command runs as the user, in the home directory, in a
session and process group of its own, with the standard environment (USER, LOGNAME, HOME, SHELL,
PATH, SSH_CONNECTION, SSH_CLIENT); a shell request without a pty gets a login shell reading stdin;
the sftp subsystem moves a file both ways intact.

Reference differs on MAIL: Debian's sshd leaves MAIL to pam_mail (not in the fixture PAM stack);
privsshd sets it as upstream OpenSSH does."""
import os
import subprocess

import harness
from harness import KEYS, PORT, Server, check, ssh

SFTP_SERVER = "/usr/lib/openssh/sftp-server"


def main():
    Server(f"Subsystem sftp {SFTP_SERVER}").start()

    r = ssh("env")
    env = dict(l.split("=", 1) for l in r.stdout.decode(errors="replace").splitlines() if "=" in l)
    for name, want in (("USER", "alice"), ("LOGNAME", "alice"), ("HOME", "/home/alice"), ("SHELL", "/bin/bash")):
        check(env.get(name) == want, f"{name}={want} ({env.get(name)!r})", r)
    check(env.get("PATH", "").startswith("/") and "/usr/bin" in env.get("PATH", "").split(":"),
          f"PATH is set and has /usr/bin ({env.get('PATH')!r})", r)
    check(env.get("MAIL") == "/var/mail/alice", f"MAIL=/var/mail/alice ({env.get('MAIL')!r})", r,
          reference_differs="Debian's sshd leaves MAIL to pam_mail")
    conn = env.get("SSH_CONNECTION", "").split()
    client = env.get("SSH_CLIENT", "").split()
    check(len(conn) == 4 and conn[0] == "127.0.0.1" and conn[2] == "127.0.0.1" and conn[3] == str(PORT),
          f"SSH_CONNECTION is 'client port server port' ({conn})", r)
    check(len(client) == 3 and client == [conn[0], conn[1], conn[3]] if len(conn) == 4 else False,
          f"SSH_CLIENT is 'client port server-port' ({client})", r)
    check(not any(k.startswith(("PRIVSSHD", "LD_", "ASAN", "PYTHON")) for k in env),
          "nothing of the daemon's own environment leaks in", sorted(env))

    r = ssh("pwd; id -un; id -u; id -g; ps -o pgid= -p $$; ps -o sid= -p $$; echo $$")
    out = r.stdout.decode().split()
    check(out[:4] == ["/home/alice", "alice", "2001", "2001"], f"runs as alice (2001:2001) in her home ({out[:4]})", r)
    check(len(out) == 7 and out[4] == out[6] and out[5] == out[6],
          f"in its own session and process group ({out[4:]})", r)

    r = ssh(None, stdin=b"echo via-shell; echo $0; exit 4\n", opts=["-T"])
    check(r.stdout == b"via-shell\n-bash\n" and r.returncode == 4,
          "a shell request without a pty runs a login shell (-bash) on stdin; its exit status is ssh's", r)

    if not os.access(SFTP_SERVER, os.X_OK):
        harness.skip(f"{SFTP_SERVER} is not installed (openssh-sftp-server)")
    data = os.urandom(3 * 1024 * 1024)
    with open("/tmp/up", "wb") as f:
        f.write(data)
    sftp = ["/usr/bin/sftp", "-b", "-", "-F", "/dev/null", "-P", str(PORT), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-i", f"{KEYS}/alice", "alice@127.0.0.1"]
    r = subprocess.run(sftp, input=b"put /tmp/up up\nget up /tmp/down\n", capture_output=True, timeout=120,
                       env=harness.ssh_env())
    check(r.returncode == 0, f"sftp put and get exit 0 ({r.returncode})", r.stderr.decode()[-2000:])
    check(os.path.exists("/home/alice/up") and os.stat("/home/alice/up").st_uid == 2001,
          "the uploaded file is alice's")
    check(os.path.exists("/tmp/down") and open("/tmp/down", "rb").read() == data,
          "3 MiB went up and came back intact")


harness.run(main)
