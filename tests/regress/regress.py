#!/usr/bin/python3
"""One script of OpenSSH's regression suite (Debian 12's openssh-tests) against privsshd.

    regress.py SCRIPT      run SCRIPT (e.g. "exit-status") and compare with its row in results.md
    regress.py --list      the scripts of results.md, one a line (meson reads it)

The package is unpacked by `tools/install-deps test` into .cache/openssh-tests (never installed: it
depends on openssh-server, which would start a daemon on the host). The script runs as the suite's
Makefile `t-exec` target runs it, `sh test-exec.sh $OBJ $OBJ/SCRIPT.sh` with Debian's run-tests
settings, inside the integration harness's private namespaces (harness.run: own mount, PID and
network namespaces, fixture accounts and PAM stack, private /tmp /run /var/log /home /root), as root
with SUDO empty, on a private copy of the suite in /tmp/regress (its $OBJ, and BUILDDIR, where
test-exec.sh reads config.h, as run-tests sets it). The client side is the suite's own:
Debian 12's OpenSSH 9.2 ssh, scp, sftp, ssh-keygen, ssh-agent.

TEST_SSH_SSHD is a two-line wrapper (written here, /tmp/regress-privsshd) that runs our privsshd
with the keywords of ours that OpenSSH's generated sshd_config cannot have, as -o options (which
win over the file, as in sshd):
    SandboxUser privsshd, SandboxDirectory /run/privsshd/empty, PAMServiceName privsshd
        (the harness's fixture PAM stack),
    PerSourcePenaltyExemptList 127.0.0.1
        (OpenSSH 9.2, whose suite this is, has no penalties; its scripts fail logins on purpose
        from 127.0.0.1 and would be locked out of the next step).
Nothing else of the suite is changed.

The outcome is "pass" (test-exec.sh exits 0), "skipped" (it exits 0 after printing "SKIPPED:"),
or "fail", and must equal the script's row in results.md: a row "expected failure" that passes
fails this test as much as a row "pass" that fails, so the table changes with the code.
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

TABLE = os.path.join(HERE, "results.md")
SUITE = os.path.join(harness.SRCDIR, ".cache", "openssh-tests", "usr", "lib", "openssh", "regress")
OBJ = "/tmp/regress"
WRAPPER = "/tmp/regress-privsshd"
TIMEOUT = int(os.environ.get("PRIVSSHD_REGRESS_TIMEOUT", "540"))
# Scripts that need more time than that, as a multiple of it (meson.build gives their tests as much
# more). rekey makes about 70 connections, each with a key exchange every 256 KiB or more often
# (RekeyLimit 16 bytes on either side), and every exchange is an sntrup761 key generation in the client
# (OpenSSH 9.2's default KexAlgorithms): about 0.1 s of the client's CPU each, minutes in all, and
# past 540 s when the machine is loaded (at load averages of 10 to 27 on 2 cores: 7 to more than 10
# minutes, where privsshd's side of each exchange took well under a tenth of the client's CPU).
SLOW = {"rekey": 3}


def script_timeout(name):
    return TIMEOUT * SLOW.get(name, 1)


def read_table():
    """{script: (kind, text)} from the rows of results.md: kind is pass, xfail or skip."""
    rows = {}
    with open(TABLE) as f:
        for line in f:
            m = re.match(r"^\|\s*`?([a-z0-9][a-z0-9-]*)`?\s*\|\s*([^|]*?)\s*\|", line)
            if not m or m.group(1) in ("script",):
                continue
            name, result = m.group(1), m.group(2)
            if result == "pass":
                rows[name] = ("pass", "")
            elif result.startswith("expected failure:"):
                rows[name] = ("fail", result[len("expected failure:"):].strip())
            elif result.startswith("skip:"):
                rows[name] = ("skip", result[len("skip:"):].strip())
            elif result.startswith("intermittent:"):
                rows[name] = ("intermittent", result[len("intermittent:"):].strip())
            else:
                raise SystemExit(f"results.md: row {name}: cannot read {result!r}")
    return rows


def tail_file(path, n=60):
    return harness._tail(harness.read_text(path), n)


def main():
    name = sys.argv[1]
    rows = read_table()
    if name not in rows:
        harness.check(False, f"{name} has a row in tests/regress/results.md")
        return
    kind, text = rows[name]
    if not os.path.isfile(os.path.join(SUITE, "test-exec.sh")):
        harness.skip(f"{SUITE} is missing: run tools/install-deps test (it unpacks openssh-tests)")

    shutil.copytree(SUITE, OBJ, symlinks=True)
    os.makedirs(harness.SANDBOX_DIRECTORY, exist_ok=True)
    with open(WRAPPER, "w") as f:
        f.write("#!/bin/sh\n"
                f"exec {harness.PRIVSSHD} -o 'SandboxUser privsshd' "
                f"-o 'SandboxDirectory {harness.SANDBOX_DIRECTORY}' -o 'PAMServiceName privsshd' "
                "-o 'PerSourcePenaltyExemptList 127.0.0.1' \"$@\"\n")
    os.chmod(WRAPPER, 0o755)

    env = dict(os.environ, SUDO="", TEST_SHELL="sh", TEST_SSH_SSH="ssh", TEST_SSH_SSHD=WRAPPER,
               TEST_SSH_SFTPSERVER="/usr/lib/openssh/sftp-server", TEST_SSH_PLINK="plink",
               TEST_SSH_PUTTYGEN="puttygen", TEST_SSH_CONCH="conch3", TEST_SSH_IPV6="yes",
               TEST_SSH_ECC="yes", TEST_SSH_UNSAFE_PERMISSIONS="1", LOGNAME="root", USER="root", HOME="/root",
               BUILDDIR=OBJ, OBJ=OBJ,
               PATH="/usr/sbin:/usr/bin:/sbin:/bin")
    for k in ("SSH_AUTH_SOCK", "SSH_AGENT_PID", "DISPLAY"):
        env.pop(k, None)
    try:
        with open("/dev/zero", "rb") as zero:
            r = subprocess.run(["sh", os.path.join(OBJ, "test-exec.sh"), OBJ, os.path.join(OBJ, name + ".sh")],
                               cwd=OBJ, env=env, stdin=zero, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=script_timeout(name))
        out, code = r.stdout.decode(errors="replace"), r.returncode
    except subprocess.TimeoutExpired as e:
        out, code = (e.stdout or b"").decode(errors="replace") + f"\n(killed after {script_timeout(name)} s)", -1
    print(harness._indent(harness._tail(out, 30)), flush=True)
    if os.environ.get("PRIVSSHD_REGRESS_KEEP"):
        # a copy of $OBJ (logs, configs, keys) outside the namespace, for a closer look
        subprocess.run(["cp", "-a", OBJ, os.path.join(os.environ["PRIVSSHD_REGRESS_KEEP"], name)])
    # test-exec.sh's skip() prints "SKIPPED: why"; a few scripts say "skipped: why" or "... not
    # enabled" and exit 0 themselves.
    if code == 0 and re.search(r"^(SKIPPED:|skipped)|interop tests not enabled$", out, re.M):
        actual = "skip"
    else:
        actual = "pass" if code == 0 else "fail"

    logs = [f"{OBJ}/{n}" for n in ("failed-regress.log", "failed-sshd.log", "failed-ssh.log")]
    details = [f"{p}, last lines:\n" + harness._indent(tail_file(p)) for p in logs if os.path.exists(p)]
    if kind == "pass":
        harness.check(actual == "pass", f"{name} passes", f"result: {actual} (exit {code})", *details)
    elif kind == "skip":
        harness.check(actual == "skip", f"{name} skips itself here: {text}",
                      f"result: {actual}: change its row in tests/regress/results.md", *details)
    elif kind == "intermittent":
        # A known bug that makes the script pass some runs and fail others: either is accepted,
        # and said, until the bug named in the row is fixed (then the row says pass).
        harness.check(actual in ("pass", "fail"), f"{name}: {actual} (intermittent, a known bug: {text})",
                      f"result: {actual}", *details)
    else:
        harness.check(actual == "fail", f"{name} fails as expected: {text}",
                      f"result: {actual}: change its row in tests/regress/results.md", *details)


if __name__ == "__main__":
    if sys.argv[1:] == ["--list"]:
        print("\n".join(sorted(read_table())))
        sys.exit(0)
    if len(sys.argv) != 2:
        print("usage: regress.py SCRIPT | --list", file=sys.stderr)
        sys.exit(2)
    # The namespace's own limit: the script's, and a minute for setting up and copying logs.
    harness.run(main, timeout=script_timeout(sys.argv[1]) + 60)
