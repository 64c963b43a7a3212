#!/usr/bin/python3
"""The environment a client may set, and what the operator imposes: `env` requests pass only when
AcceptEnv names them, and never a loader or shell-startup variable (LD_PRELOAD) whatever the
patterns say; SetEnv adds the operator's variables; ForceCommand replaces what the client asked
for, which the forced command finds in SSH_ORIGINAL_COMMAND, as does a key's command="...".

Reference differs on LD_PRELOAD: OpenSSH passes any variable AcceptEnv names, LD_PRELOAD too."""
import os

import harness
from harness import Server, check, ssh

SEND = ["-o", "SendEnv=LANG LC_* PRIVTEST_* NOT_ACCEPTED LD_PRELOAD BASH_ENV"]
CLIENT_ENV = {"LANG": "C.UTF-8", "LC_TIME": "C", "PRIVTEST_A": "one two", "NOT_ACCEPTED": "x",
              "LD_PRELOAD": "libc.so.6", "BASH_ENV": "/tmp/evil.sh"}


def remote_env(r):
    return dict(l.split("=", 1) for l in r.stdout.decode(errors="replace").splitlines() if "=" in l)


def main():
    # Would be run by a non-interactive bash if BASH_ENV got through.
    with open("/tmp/evil.sh", "w") as f:
        f.write("echo BASH_ENV-RAN > /tmp/evil-ran\n")
    os.chmod("/tmp/evil.sh", 0o755)

    s = Server("AcceptEnv LANG LC_* PRIVTEST_*\nAcceptEnv LD_PRELOAD BASH_ENV\nSetEnv SITE=test-host").start()
    r = ssh("env", opts=SEND, env=CLIENT_ENV)
    env = remote_env(r)
    check(r.returncode == 0, "the session runs with the client's env requests", r, s)
    check(env.get("LANG") == "C.UTF-8" and env.get("LC_TIME") == "C",
          f"LANG and LC_TIME (AcceptEnv LANG LC_*) reach the command ({env.get('LANG')!r}, {env.get('LC_TIME')!r})", r)
    check(env.get("PRIVTEST_A") == "one two", f"a value with a space arrives whole ({env.get('PRIVTEST_A')!r})", r)
    check("NOT_ACCEPTED" not in env, "a variable no AcceptEnv pattern names does not", sorted(env))
    check(env.get("SITE") == "test-host", f"SetEnv SITE=test-host is set ({env.get('SITE')!r})", sorted(env))
    check("LD_PRELOAD" not in env, "LD_PRELOAD never passes, even when AcceptEnv names it", sorted(env),
          reference_differs="OpenSSH passes any variable AcceptEnv names")
    check("BASH_ENV" not in env and not os.path.exists("/tmp/evil-ran"),
          "neither does BASH_ENV (a non-interactive bash would run the file it names)", sorted(env),
          reference_differs="OpenSSH passes any variable AcceptEnv names")
    if not harness.is_openssh():
        check(s.wait_log(r"refused env request LD_PRELOAD", 5) is not None,
              "the refusal of LD_PRELOAD is logged", s)

    r = ssh("env", opts=["-o", "SetEnv=PRIVTEST_B=from-setenv LC_ALL=C"])
    env = remote_env(r)
    check(env.get("PRIVTEST_B") == "from-setenv" and env.get("LC_ALL") == "C",
          "the client's SetEnv (sent as env requests) is accepted by the same patterns", sorted(env), r)
    s.stop()

    s = Server("AcceptEnv LANG").start()
    r = ssh("env", opts=SEND, env=CLIENT_ENV)
    env = remote_env(r)
    check(env.get("LANG") == "C.UTF-8" and "LC_TIME" not in env and "PRIVTEST_A" not in env,
          "with AcceptEnv LANG only LANG passes", sorted(env), r)
    s.stop()

    s = Server('ForceCommand echo "forced[$SSH_ORIGINAL_COMMAND]"; exit 5').start()
    r = ssh("echo asked; exit 1")
    check(r.stdout == b"forced[echo asked; exit 1]\n" and r.returncode == 5,
          "ForceCommand runs instead of the command, which it finds in SSH_ORIGINAL_COMMAND; its status is ssh's", r, s)
    r = ssh(None, opts=["-T"], stdin=b"echo from-stdin\n")
    check(r.stdout == b"forced[]\n" and r.returncode == 5,
          "a shell request runs the forced command too, with no SSH_ORIGINAL_COMMAND", r)
    s.stop()

    # A key's command="..." forces a command the same way; ForceCommand wins over it.
    ak = "/home/alice/.ssh/authorized_keys_forced"
    with open(f"{harness.KEYS}/alice.pub") as f:
        key = f.read().strip()
    with open(ak, "w") as f:
        f.write(f'command="echo key-forced[$SSH_ORIGINAL_COMMAND]" {key}\n')
    os.chmod(ak, 0o600)
    os.chown(ak, 2001, 2001)
    s = Server("AuthorizedKeysFile .ssh/authorized_keys_forced").start()
    r = ssh("echo asked")
    check(r.stdout == b"key-forced[echo asked]\n" and r.returncode == 0,
          "a key's command=\"...\" runs instead, with SSH_ORIGINAL_COMMAND", r, s)
    s.stop()
    s = Server("AuthorizedKeysFile .ssh/authorized_keys_forced\nForceCommand echo config-forced").start()
    r = ssh("echo asked")
    check(r.stdout == b"config-forced\n", "ForceCommand wins over the key's command=", r, s)
    s.stop()


harness.run(main)
