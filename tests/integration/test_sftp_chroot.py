#!/usr/bin/python3
"""An sftp-only user in an EMPTY chroot (`ForceCommand internal-sftp` + `ChrootDirectory /run/jail-%u`,
root-owned, no binaries, no libraries, only an upload directory of alice's): the real sftp and scp
clients upload and download 16 MiB intact, list, rename, remove, make directories and symlinks, ask for
df; `ls /` shows only the chroot's contents, `..` from / stays at /, files outside cannot be read. A
command is refused with OpenSSH's "This service allows sftp connections only." (exit 1). A chroot path
with a group-writable component is refused with OpenSSH's error (the good path above is the control).
The options: -R refuses writes (reads still work), -d sets the start directory, -u the umask of
created files (0644 without it, 0600 with -u 077)."""
import os
import re

import harness
from harness import Server, check, scp, sftp, ssh
from harness import sha256_file as sha

JAIL = "/run/jail-alice"
# As in OpenSSH, ForceCommand replaces the command of a subsystem the configuration defines; the sftp
# subsystem must exist (its own command does not matter then).
SUBSYSTEM = "Subsystem sftp /usr/lib/openssh/sftp-server"


def err(r):
    return (r.stdout + r.stderr).decode(errors="replace")[-3000:]


def make_jail():
    os.makedirs(JAIL, mode=0o755, exist_ok=True)
    os.chmod(JAIL, 0o755)
    os.makedirs(f"{JAIL}/upload", exist_ok=True)
    os.chown(f"{JAIL}/upload", 2001, 2001)


def main():
    harness.ours_only("internal-sftp is privsshd-sftp here")
    with open("/tmp/big", "wb") as f:
        f.write(os.urandom(16 * 1024 * 1024))
    os.chmod("/tmp/big", 0o644)
    want = sha("/tmp/big")
    make_jail()
    check(sorted(os.listdir(JAIL)) == ["upload"], "the chroot holds nothing but the upload directory")

    s = Server("ForceCommand internal-sftp -l INFO\nChrootDirectory /run/jail-%u\n" + SUBSYSTEM).start()
    r = sftp("pwd\nls /\ncd ..\npwd\nput /tmp/big /upload/big\nget /upload/big /tmp/big-back\n")
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 0, "sftp in the empty chroot: put and get of 16 MiB exit 0", err(r), s)
    check(sha(f"{JAIL}/upload/big") == want and sha("/tmp/big-back") == want,
          "both copies have the same sha256")
    st = os.stat(f"{JAIL}/upload/big")
    check(st.st_uid == 2001 and st.st_gid == 2001, "the uploaded file belongs to alice")
    check(oct(st.st_mode & 0o777) == "0o644", "created with mode 0644 (the default umask)", oct(st.st_mode))
    check(out.count("Remote working directory: /\n") == 2,
          "the start directory is / (no home inside), and `cd ..` from / stays at /", out)
    listing = re.findall(r"^/\S+", out, re.M)
    check(listing == ["/upload"], "`ls /` shows only the chroot's contents", out)
    check(s.wait_log(r'Changed root directory to "/run/jail-alice"'),
          "logged: 'Changed root directory to \"/run/jail-alice\"' (%u expanded)", s)

    r = sftp("get /etc/passwd /tmp/passwd-copy\n")
    check(r.returncode != 0 and not os.path.exists("/tmp/passwd-copy"),
          "/etc/passwd outside the chroot cannot be read", err(r))
    r = sftp("get /../../etc/passwd /tmp/passwd-copy\n")
    check(r.returncode != 0 and not os.path.exists("/tmp/passwd-copy"), "nor through /../..", err(r))

    r = sftp("cd /upload\nmkdir d\nrename big d/moved\nsymlink d/moved link\nls -l\nls d\ndf .\n"
             "rm link\nrename d/moved big\nrmdir d\n")
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 0, "mkdir, rename, symlink, ls, df, rm, rmdir in the chroot succeed", err(r), s)
    check(re.search(r"^l\S+ .* link$", out, re.M) is not None and "d/moved" in out,
          "ls shows the symlink and the renamed file", out)
    check(re.search(r"Size\s+Used\s+Avail", out) is not None, "df (statvfs@openssh.com) answers", out)
    check(os.path.exists(f"{JAIL}/upload/big") and not os.path.lexists(f"{JAIL}/upload/link"),
          "and the changes reached the chroot on disk")

    r = scp("/tmp/big", "alice@127.0.0.1:/upload/big-scp")
    check(r.returncode == 0 and sha(f"{JAIL}/upload/big-scp") == want, "scp up into the chroot: same sha256",
          err(r), s)
    r = scp("alice@127.0.0.1:/upload/big-scp", "/tmp/big-scp-back")
    check(r.returncode == 0 and sha("/tmp/big-scp-back") == want, "scp down: same sha256", err(r), s)

    r = ssh("id")
    check(r.returncode == 1 and r.stdout == b"This service allows sftp connections only.\n",
          "a command is refused with OpenSSH's message and exit status 1", r.describe())
    s.stop()

    # A component writable by its group: refused with OpenSSH's words.
    os.makedirs("/run/badparent/jail", exist_ok=True)
    os.chmod("/run/badparent", 0o775)
    os.chmod("/run/badparent/jail", 0o755)
    s = Server(f"ForceCommand internal-sftp\nChrootDirectory /run/badparent/jail\n{SUBSYSTEM}").start()
    r = sftp("ls /\n")
    check(r.returncode != 0, "a chroot under a group-writable directory: sftp fails", err(r), s)
    check(s.wait_log(r'bad ownership or modes for chroot directory component "/run/badparent/"'),
          "logged: 'bad ownership or modes for chroot directory component \"/run/badparent/\"'", s)
    s.stop()
    os.chmod(JAIL, 0o775)
    s = Server(f"ForceCommand internal-sftp\nChrootDirectory /run/jail-%u\n{SUBSYSTEM}").start()
    r = sftp("ls /\n")
    check(r.returncode != 0 and s.wait_log(r'bad ownership or modes for chroot directory "/run/jail-alice"'),
          "a group-writable chroot itself: 'bad ownership or modes for chroot directory \"/run/jail-alice\"'",
          err(r), s)
    s.stop()
    os.chmod(JAIL, 0o755)

    # -R: reads work, writes are refused.
    s = Server(f"ForceCommand internal-sftp -R\nChrootDirectory /run/jail-%u\n{SUBSYSTEM}").start()
    r = sftp("get /upload/big /tmp/big-ro\n")
    check(r.returncode == 0 and sha("/tmp/big-ro") == want, "-R: a download still works", err(r), s)
    r = sftp("put /tmp/big /upload/big-ro\n")
    check(r.returncode != 0 and b"Permission denied" in r.stderr and not os.path.exists(f"{JAIL}/upload/big-ro"),
          "-R: an upload is refused with Permission denied", err(r), s)
    r = sftp("mkdir /upload/nodir\n")
    check(r.returncode != 0 and not os.path.exists(f"{JAIL}/upload/nodir"), "-R: mkdir is refused", err(r))
    s.stop()

    # -d and -u.
    s = Server(f"ForceCommand internal-sftp -d /upload -u 077\nChrootDirectory /run/jail-%u\n{SUBSYSTEM}").start()
    r = sftp("pwd\nput /tmp/big umasked\n")
    out = r.stdout.decode(errors="replace")
    check(r.returncode == 0 and "Remote working directory: /upload\n" in out, "-d /upload: sftp starts there",
          err(r), s)
    st = os.stat(f"{JAIL}/upload/umasked")
    check(oct(st.st_mode & 0o777) == "0o600", "-u 077: the file is created 0600 (0644 without -u)",
          oct(st.st_mode))
    s.stop()


harness.run(main)
