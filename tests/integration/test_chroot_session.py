#!/usr/bin/python3
"""ChrootDirectory for ordinary sessions: a command runs inside the root (here one that holds only
/bin/sh and the libraries it needs), as the user, starting at / when the home is not inside; the
server logs OpenSSH's "Changed root directory to ..."; a root whose component is writable by others
fails the session with OpenSSH's error (the good root is the control), and `ChrootDirectory none`
means no chroot."""
import os
import shutil
import subprocess

import harness
from harness import Server, check, ssh

ROOT = "/run/shroot"


def ldd_paths(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    paths = []
    for line in out.splitlines():
        parts = line.split()
        for p in parts:
            if p.startswith("/"):
                paths.append(p)
                break
    return paths


def make_root():
    os.makedirs(ROOT + "/bin", exist_ok=True)
    shutil.copy2("/bin/dash", ROOT + "/bin/sh")
    for lib in ldd_paths("/bin/dash"):
        dest = ROOT + lib
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy2(os.path.realpath(lib), dest)
    os.makedirs(ROOT + "/tmp", exist_ok=True)
    os.chown(ROOT + "/tmp", 2002, 2002)


def main():
    harness.ours_only("the reference would need the same root; its checks are OpenSSH's own")
    make_root()
    s = Server("ChrootDirectory /run/shroot").start()
    r = ssh("echo /*; pwd; echo written > /tmp/mark", user="carol")
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 0, "a command runs in the chroot", r.describe(), s)
    check(out.splitlines()[:1] == ["/bin /lib /lib64 /tmp"], "/ is the chroot: `echo /*` lists only its contents",
          out)
    check(out.splitlines()[1:2] == ["/"], "it starts at / (the home directory is not inside)", out)
    check(b"Could not chdir to home directory /home/carol" in r.stderr,
          "and says so on stderr, as OpenSSH", r.describe())
    st = os.stat(ROOT + "/tmp/mark") if os.path.exists(ROOT + "/tmp/mark") else None
    check(st is not None and st.st_uid == 2002, "the file it wrote is in the chroot on disk and carol's")
    check(s.wait_log(r'Changed root directory to "/run/shroot"'), "logged: 'Changed root directory to \"/run/shroot\"'",
          s)
    s.stop()

    os.chmod(ROOT, 0o757)
    s = Server("ChrootDirectory /run/shroot").start()
    r = ssh("echo inside", user="carol")
    check(r.returncode != 0 and b"inside" not in r.stdout, "a root writable by others: the command does not run",
          r.describe(), s)
    check(s.wait_log(r'bad ownership or modes for chroot directory "/run/shroot"'),
          "logged: 'bad ownership or modes for chroot directory \"/run/shroot\"'", s)
    s.stop()
    os.chmod(ROOT, 0o755)

    s = Server("ChrootDirectory none").start()
    r = ssh("test -d /home/carol && echo real", user="carol")
    check(r.returncode == 0 and r.stdout == b"real\n", "ChrootDirectory none: the real file system", r.describe(), s)
    s.stop()


harness.run(main)
