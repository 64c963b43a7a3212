#!/usr/bin/python3
"""internal-sftp's options, as OpenSSH's sftp-server takes them, with the real sftp and ssh clients:
- ChrootDirectory + `ForceCommand internal-sftp -d /home/%u -u 027`: sftp starts in /home/alice inside the
  chroot, files are created 0640 and directories 0750; -d with %U and ~, and a -d that does not exist
  (OpenSSH's error, the session starts in the home directory);
- -p (allow list) refuses what it does not list, beside a listed request that works; the VERSION reply
  leaves out extensions the options refuse (-R: hardlink, -P posix-rename) and keeps the others;
- -Q requests prints OpenSSH's request names; -Q anything-else is OpenSSH's "Invalid query type";
- -l: nothing below ERROR by default, INFO lines with -l INFO; -e sends them to the client's stderr
  instead of the daemon's log; -f LOCAL5 is the facility of its syslog lines (AUTH without it), read
  from a /dev/log of the test's own (an overlay on /dev in the test's mount namespace);
- bad -u / -l values are refused with OpenSSH's words;
- the command's words are split at spaces only, as OpenSSH splits them: Subsystem's quotes are taken off
  by the configuration, ForceCommand's stay in the words; a tab after internal-sftp is refused (OpenSSH
  would silently lose the options), beside the same options with a space."""
import os
import re
import select
import socket
import time

import harness
from harness import PORT, Server, check

JAIL = "/run/jail-alice"
SUBSYSTEM = "Subsystem sftp /usr/lib/openssh/sftp-server"
# OpenSSH 9.2's sftp-server -Q requests, less users-groups-by-id, which privsshd-sftp does not serve.
REQUESTS = ("open close read write lstat fstat setstat fsetstat opendir readdir remove mkdir rmdir realpath "
            "stat rename readlink symlink posix-rename statvfs fstatvfs hardlink fsync lsetstat limits "
            "expand-path copy-data home-directory").split()


def sftp(batch, verbose=False):
    return harness.sftp(batch, ["-vv"] if verbose else [])


def subsystem():
    """`ssh -s ... sftp`: what the subsystem writes, without an sftp client reading it."""
    return harness.run_client([harness.SSH, "-p", str(PORT)] + harness.SFTP_OPTS + ["-s", "alice@127.0.0.1", "sftp"])


def err(r):
    return (r.stdout + r.stderr).decode(errors="replace")[-3000:]


def out(r):
    return r.stdout.decode(errors="replace")


def extensions(r):
    return {line.split('"')[1] for line in r.stderr.decode(errors="replace").splitlines()
            if "Server supports extension" in line}


def private_dev_log():
    """A /dev/log for this test only: /dev is the host's (this machine has no /dev/log), so an overlay over
    it in the test's mount namespace gets a symbolic link to a datagram socket the test reads. Returns
    the socket."""
    keep = {d: os.open(d, os.O_PATH | os.O_DIRECTORY) for d in ("/dev/pts", "/dev/shm") if os.path.isdir(d)}
    for d in ("/run/dev-upper", "/run/dev-work"):
        os.makedirs(d, exist_ok=True)
    harness.run_cmd(["mount", "-t", "overlay", "overlay", "-o",
                     "lowerdir=/dev,upperdir=/run/dev-upper,workdir=/run/dev-work", "/dev"])
    for d, fd in keep.items():      # the overlay hides the mounts under /dev: bind them back
        harness.run_cmd(["mount", "--no-canonicalize", "--bind", f"/proc/{os.getpid()}/fd/{fd}", d])
        os.close(fd)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("/run/test-syslog")
    os.chmod("/run/test-syslog", 0o666)
    os.symlink("/run/test-syslog", "/dev/log")
    return s


def syslog_priority(sock, pattern, timeout=10):
    """The <PRI> of the first syslog datagram matching the regex, or None."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0 and select.select([sock], [], [], left)[0]:
        m = re.match(rb"<(\d+)>(.*)", sock.recv(65536), re.S)
        if m and re.search(pattern, m.group(2).decode(errors="replace")):
            return int(m.group(1))
    return None


def syslog_server(config, name):
    """A server that logs to syslog (no -e), so that privsshd-sftp does too."""
    s = Server(config, name=name)
    s.argv.remove("-e")
    return s.start()


def main():
    harness.ours_only("internal-sftp is privsshd-sftp here; its log lines are in the daemon's log")
    with open("/tmp/small", "w") as f:
        f.write("small\n")
    os.chmod("/tmp/small", 0o644)

    # -- ChrootDirectory + ForceCommand "internal-sftp -d /home/%u -u 027" ------------------------------
    os.makedirs(f"{JAIL}/home/alice", exist_ok=True)
    os.chmod(JAIL, 0o755)
    os.chown(f"{JAIL}/home/alice", 2001, 2001)
    s = Server(f"ForceCommand internal-sftp -d /home/%u -u 027\nChrootDirectory /run/jail-%u\n{SUBSYSTEM}",
               name="jail").start()
    r = sftp("pwd\nput /tmp/small f\nmkdir d\n")
    check(r.returncode == 0 and "Remote working directory: /home/alice\n" in out(r),
          "chroot + -d /home/%u: sftp starts in /home/alice inside the chroot", err(r), s)
    f, d = f"{JAIL}/home/alice/f", f"{JAIL}/home/alice/d"
    check(os.path.exists(f) and oct(os.stat(f).st_mode & 0o777) == "0o640",
          f"-u 027: a file is created 0640 ({oct(os.stat(f).st_mode & 0o777) if os.path.exists(f) else None})")
    check(os.path.isdir(d) and oct(os.stat(d).st_mode & 0o777) == "0o750",
          f"-u 027: a directory 0750 ({oct(os.stat(d).st_mode & 0o777) if os.path.isdir(d) else None})")
    s.stop()

    # -- -d tokens, without a chroot -------------------------------------------------------------------
    for path in ("/tmp/d-2001", "/home/alice/sub"):
        os.makedirs(path, exist_ok=True)
        os.chown(path, 2001, 2001)
    for arg, want in (("/tmp/d-%U", "/tmp/d-2001"), ("~/sub", "/home/alice/sub"), ("%d/sub", "/home/alice/sub")):
        s = Server(f"Subsystem sftp internal-sftp -d {arg}", name="dtok").start()
        r = sftp("pwd\n")
        check(r.returncode == 0 and f"Remote working directory: {want}\n" in out(r), f"-d {arg}: starts in {want}",
              err(r), s)
        s.stop()
    s = Server("Subsystem sftp internal-sftp -d /nonexistent", name="dmissing").start()
    r = sftp("pwd\n")
    check(r.returncode == 0 and "Remote working directory: /home/alice\n" in out(r),
          "-d to a missing directory: the session starts in the home directory", err(r), s)
    check(s.wait_log(r'chdir to "/nonexistent" failed: No such file or directory'),
          "and OpenSSH's error is logged", s)
    s.stop()
    s = Server("Subsystem sftp internal-sftp -d /tmp/%x", name="dbad").start()
    r = sftp("pwd\n")
    check(r.returncode != 0 and s.wait_log(r'-d "/tmp/%x": unknown % token'),
          "-d with an unknown %-token: refused, as OpenSSH's percent_expand", err(r), s)
    s.stop()

    # -- -p, and the extensions the VERSION reply announces -------------------------------------------------
    with open("/home/alice/keep", "w") as fh:
        fh.write("x")
    os.chown("/home/alice/keep", 2001, 2001)
    s = Server("Subsystem sftp internal-sftp -p open,close,read,lstat,stat,fstat,realpath,opendir,readdir "
               "-l VERBOSE", name="allow").start()
    r = sftp("get keep /tmp/keep-back\n")
    check(r.returncode == 0 and os.path.exists("/tmp/keep-back"), "-p: a listed request (read) works", err(r), s)
    r = sftp("rm keep\n")
    check(r.returncode != 0 and b"Permission denied" in r.stderr and os.path.exists("/home/alice/keep"),
          "-p: one it does not list (remove) is refused with Permission denied", err(r), s)
    check(s.wait_log(r"Refusing non-allowlisted remove request"), "logged: 'Refusing non-allowlisted remove request'",
          s)
    s.stop()

    s = Server("Subsystem sftp internal-sftp", name="ext").start()
    every = extensions(sftp("pwd\n", verbose=True))
    check({"posix-rename@openssh.com", "hardlink@openssh.com", "statvfs@openssh.com"} <= every,
          f"without options, the extensions are announced ({sorted(every)})", s)
    s.stop()
    s = Server("Subsystem sftp internal-sftp -R", name="ext-ro").start()
    ro = extensions(sftp("pwd\n", verbose=True))
    check("hardlink@openssh.com" not in ro and "posix-rename@openssh.com" not in ro and "statvfs@openssh.com" in ro,
          f"-R: the writing ones (hardlink, posix-rename) are left out, statvfs stays ({sorted(ro)})", s)
    s.stop()
    s = Server("Subsystem sftp internal-sftp -P posix-rename", name="ext-deny").start()
    r = sftp("rename keep kept\n", verbose=True)
    denied = extensions(r)
    check("posix-rename@openssh.com" not in denied and "hardlink@openssh.com" in denied,
          f"-P posix-rename: that one is left out, the others stay ({sorted(denied)})", s)
    check(r.returncode == 0 and os.path.exists("/home/alice/kept"),
          "and sftp's rename falls back to the plain rename request", err(r), s)
    s.stop()

    # -- -Q ---------------------------------------------------------------------------------------------
    s = Server("Subsystem sftp internal-sftp -Q requests", name="query").start()
    r = subsystem()
    check(r.returncode == 0 and out(r).split() == REQUESTS, "-Q requests: OpenSSH's request names, one a line",
          err(r), s)
    s.stop()
    s = Server("Subsystem sftp internal-sftp -Q ciphers", name="query-bad").start()
    r = subsystem()
    check(r.returncode == 1 and r.stdout == b"" and b"Invalid query type" in r.stderr,
          "-Q ciphers: 'Invalid query type', exit status 1", err(r), s)
    s.stop()

    # -- -l and -e ----------------------------------------------------------------------------------------
    opened = r"session opened for local user alice from \[127\.0\.0\.1\]"
    s = Server("Subsystem sftp internal-sftp", name="quiet").start()
    r = sftp("pwd\n")
    check(r.returncode == 0 and not s.wait_log(opened, timeout=2),
          "by default (-l ERROR) the INFO line 'session opened' is not logged", err(r), s)
    s.stop()
    s = Server("Subsystem sftp internal-sftp -l INFO", name="info").start()
    r = sftp("pwd\n")
    check(r.returncode == 0 and s.wait_log(opened), "-l INFO: it is, in the daemon's log", err(r), s)
    check(b"session opened" not in r.stderr, "and not on the client's stderr", err(r))
    s.stop()
    s = Server("Subsystem sftp internal-sftp -e -l INFO", name="stderr").start()
    r = sftp("pwd\n")
    check(r.returncode == 0 and b"session opened for local user alice from [127.0.0.1]" in r.stderr,
          "-e -l INFO: the line reaches the client's stderr", err(r), s)
    check(not s.wait_log(opened, timeout=2), "and not the daemon's log", s)
    s.stop()

    for option, said in (("-u 0999", 'Invalid umask "0999"'), ("-l LOUD", 'Invalid log level "LOUD"'),
                         ("-f NOWHERE", 'Invalid log facility "NOWHERE"')):
        s = Server(f"Subsystem sftp internal-sftp {option}", name="bad").start()
        r = subsystem()
        check(r.returncode == 1 and said.encode() in r.stderr, f"{option}: '{said}'", err(r), s)
        s.stop()

    # -- -f, over syslog ------------------------------------------------------------------------------------
    log = private_dev_log()
    line = r"internal-sftp\[\d+\]: session opened for local user alice"
    for option, facility, what in (("", 4, "AUTH"), ("-f LOCAL5", 21, "LOCAL5")):
        s = syslog_server(f"Subsystem sftp internal-sftp -l INFO {option}", name=f"syslog{facility}")
        r = sftp("pwd\n")
        pri = syslog_priority(log, line)
        check(r.returncode == 0 and pri == facility * 8 + 6,
              f"internal-sftp {option or '(no -f)'}: its syslog line is {what}.info (<{facility * 8 + 6}>; got {pri})",
              err(r), s)
        s.stop()
    log.close()

    # -- how the words are split ----------------------------------------------------------------------------
    os.makedirs("/tmp/q", exist_ok=True)
    s = Server('Subsystem sftp internal-sftp -d "/tmp/q"', name="sub-quoted").start()
    r = sftp("pwd\n")
    check(r.returncode == 0 and "Remote working directory: /tmp/q\n" in out(r),
          'Subsystem ... -d "/tmp/q": the configuration takes the quotes off', err(r), s)
    s.stop()
    s = Server(f'ForceCommand internal-sftp -d "/tmp/q" -l INFO\n{SUBSYSTEM}', name="force-quoted").start()
    r = sftp("pwd\n")
    check(r.returncode == 0 and "Remote working directory: /home/alice\n" in out(r) and
          s.wait_log(r'chdir to ""/tmp/q"" failed'),
          'ForceCommand ... -d "/tmp/q": the quotes stay in the word, as OpenSSH (no such directory)', err(r), s)
    s.stop()
    s = Server(f"ForceCommand internal-sftp -R -l INFO\n{SUBSYSTEM}", name="force-space").start()
    r = sftp("get kept /tmp/keep-2\nput /tmp/small nope\n")
    check(os.path.exists("/tmp/keep-2") and not os.path.exists("/home/alice/nope"),
          "ForceCommand internal-sftp -R (a space): reads work, a write is refused", err(r), s)
    s.stop()
    s = Server(f"ForceCommand internal-sftp\t-R\n{SUBSYSTEM}", name="force-tab").start()
    r = sftp("get kept /tmp/keep-3\n")
    check(r.returncode != 0 and not os.path.exists("/tmp/keep-3") and
          b"separate its options with spaces, not tabs" in r.stderr,
          "ForceCommand internal-sftp<TAB>-R: refused (OpenSSH would drop -R and serve writes)", err(r), s)
    s.stop()


harness.run(main)
