#!/usr/bin/python3
"""internal-sftp without a chroot: `Subsystem sftp internal-sftp` runs our privsshd-sftp (exec'd fresh,
no sftp-server binary involved) on the user's real file system. The real sftp and scp clients move
16 MiB both ways intact, list, rename, remove, make directories and symlinks, ask for df (statvfs);
files belong to the user; the user's permissions apply (/etc/shadow stays unreadable); the log lines
are sftp-server's; privsshd-sftp runs as the user, not root; -P refuses the requests it names."""
import os
import re
import subprocess

import harness
from harness import PORT, Server, check, scp, sftp
from harness import sha256_file as sha



def err(r):
    return (r.stdout + r.stderr).decode(errors="replace")[-3000:]


def main():
    harness.ours_only("internal-sftp is privsshd-sftp here; OpenSSH's is in-process")
    with open("/tmp/big", "wb") as f:
        f.write(os.urandom(16 * 1024 * 1024))
    want = sha("/tmp/big")

    s = Server("Subsystem sftp internal-sftp -l INFO").start()
    r = sftp("put /tmp/big big\nget big /tmp/big-back\n")
    check(r.returncode == 0, "sftp put and get of 16 MiB through internal-sftp exit 0", err(r), s)
    check(os.path.exists("/home/alice/big") and sha("/home/alice/big") == want,
          "the uploaded file has the same sha256")
    check(os.stat("/home/alice/big").st_uid == 2001 and os.stat("/home/alice/big").st_gid == 2001,
          "and belongs to alice")
    check(os.path.exists("/tmp/big-back") and sha("/tmp/big-back") == want,
          "the downloaded file has the same sha256")
    check(s.wait_log(r'session opened for local user alice from \[127\.0\.0\.1\]'),
          "logged as sftp-server: 'session opened for local user alice from [127.0.0.1]'", s)
    check(s.wait_log(r'open "/home/alice/big" flags WRITE,CREATE,TRUNCATE mode 0644'),
          "logged: 'open \"/home/alice/big\" flags WRITE,CREATE,TRUNCATE mode 0644'", s)
    check(s.wait_log(r'close "/home/alice/big" bytes read 0 written 16777216'),
          "logged: 'close \"/home/alice/big\" bytes read 0 written 16777216'", s)
    check(s.wait_log(r'close "/home/alice/big" bytes read 16777216 written 0'),
          "logged: the download's close with 16777216 bytes read", s)
    check(s.wait_log(r'session closed for local user alice from \[127\.0\.0\.1\]'),
          "logged: 'session closed for local user alice from [127.0.0.1]'", s)

    r = sftp("mkdir d\nrename big d/moved\nsymlink d/moved link\nls -l\nls d\ndf -h .\n"
             "rm link\nrm d/moved\nrmdir d\nls\n")
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 0, "mkdir, rename, symlink, ls, df, rm and rmdir all succeed", err(r), s)
    check(re.search(r"^l\S+ .* link$", out, re.M) is not None, "ls -l shows the symlink as a link", out)
    check("d/moved" in out, "ls d shows the renamed file", out)
    check(re.search(r"Size\s+Used\s+Avail", out) is not None, "df (statvfs@openssh.com) answers", out)
    check(not os.path.exists("/home/alice/d") and not os.path.lexists("/home/alice/link"),
          "and the removals reached the file system")

    r = scp("/tmp/big", "alice@127.0.0.1:big-scp")
    check(r.returncode == 0 and sha("/home/alice/big-scp") == want, "scp up (sftp protocol): same sha256", err(r), s)
    r = scp("alice@127.0.0.1:big-scp", "/tmp/big-scp-back")
    check(r.returncode == 0 and sha("/tmp/big-scp-back") == want, "scp down: same sha256", err(r), s)
    r = scp("alice@127.0.0.1:no-such-file", "/tmp/nothing")
    check(r.returncode != 0 and b"No such file" in r.stderr and not os.path.exists("/tmp/nothing"),
          "scp of a missing file fails with 'No such file'", err(r))

    r = sftp("get /etc/shadow /tmp/shadow-copy\n")
    check(r.returncode != 0 and b"Permission denied" in r.stderr and not os.path.exists("/tmp/shadow-copy"),
          "internal-sftp runs as alice: /etc/shadow cannot be read (Permission denied)", err(r))
    r = sftp("get /etc/passwd /tmp/passwd-copy\n")
    check(r.returncode == 0 and os.path.exists("/tmp/passwd-copy"),
          "positive control: /etc/passwd can (no chroot: the real file system)", err(r))

    # While a session is open, the server process is privsshd-sftp running as alice, not root.
    p = subprocess.Popen(["/usr/bin/sftp", "-P", str(PORT)] + harness.SFTP_OPTS + ["alice@127.0.0.1"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=harness.ssh_env())
    # Looked at once it has set itself up (the seccomp filter is its last step before reading): seen
    # right after its exec it is still root, about to chroot and drop (a race that ASan builds lose).
    procs = harness.wait_for(lambda: [q for q in harness.processes(comm="privsshd-sftp")
                                      if q.field("Seccomp") == "2"], 10) or harness.processes(comm="privsshd-sftp")
    check(len(procs) == 1 and procs[0].uids == ["2001"] * 4,
          "the sftp server process is privsshd-sftp with all four uids alice's", procs)
    check(procs and procs[0].field("NoNewPrivs") == "1" and procs[0].field("Seccomp") == "2",
          "with no_new_privs and a seccomp filter", procs)
    p.stdin.close()
    p.wait(30)
    p.stdout.close()
    p.stderr.close()
    s.stop()

    # -P: a denied request is refused (remove worked above with the same client: the control).
    with open("/home/alice/keep", "w") as f:
        f.write("x")
    s = Server("Subsystem sftp internal-sftp -P remove,posix-rename -l VERBOSE").start()
    r = sftp("rm keep\n")
    check(r.returncode != 0 and b"Permission denied" in r.stderr and os.path.exists("/home/alice/keep"),
          "-P remove: rm is refused with Permission denied", err(r), s)
    check(s.wait_log(r'Refusing denylisted remove request'), "logged: 'Refusing denylisted remove request'", s)
    r = sftp("get keep /tmp/keep-back\n")
    check(r.returncode == 0 and os.path.exists("/tmp/keep-back"), "-P remove: other requests still work", err(r))
    s.stop()


harness.run(main)
