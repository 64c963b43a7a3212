#!/usr/bin/python3
"""The remote command's exit status is ssh's exit status: 0, 1 and 3 as given, 126 for a file
that is not executable, 127 for a command that does not exist (the shell's codes)."""
import harness
from harness import Server, check, ssh


def main():
    Server().start()
    for code in (0, 1, 3):
        r = ssh(f"exit {code}")
        check(r.returncode == code, f"'exit {code}': ssh exits {code} ({r.returncode})", r)
    r = ssh("printf 'echo x' > ~/noexec; chmod 644 ~/noexec; ~/noexec")
    check(r.returncode == 126, f"a file without the x bit: exit 126 ({r.returncode})", r)
    check(b"Permission denied" in r.stderr, "and the shell's 'Permission denied' on stderr", r)
    r = ssh("nonexistent-command-xyz")
    check(r.returncode == 127, f"a command that does not exist: exit 127 ({r.returncode})", r)
    check(b"nonexistent-command-xyz" in r.stderr and b"not found" in r.stderr,
          "and the shell's 'not found' on stderr", r)
    r = ssh("true; exit 200")
    check(r.returncode == 200, f"'exit 200': ssh exits 200 ({r.returncode})", r)


harness.run(main)
