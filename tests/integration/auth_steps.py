"""What the tests of several authentication methods in a row share (test_auth_methods,
test_auth_info_steps, test_pam_account_order): the client that offers exactly the methods a case asks
for and answers prompts through the test's own askpass, and a real pam_exec hook that records each PAM
call with the SSH_AUTH_INFO_0 it saw."""
import base64
import os
import subprocess

import harness
from harness import PORT


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def client(user, command, askpass, keys=(), kbd=False, password=False):
    """The OpenSSH client (-v) offering the keys `keys` (IdentitiesOnly: no others), keyboard-interactive
    and password as asked, one prompt each, answered by the program `askpass`. Returns (exit status,
    stdout as bytes, stderr as text)."""
    argv = [harness.SSH, "-F", "/dev/null", "-p", str(PORT), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null", "-v",
            "-o", "BatchMode=no", "-o", "IdentitiesOnly=yes", "-o", "NumberOfPasswordPrompts=1",
            "-o", f"KbdInteractiveAuthentication={'yes' if kbd else 'no'}",
            "-o", f"PasswordAuthentication={'yes' if password else 'no'}",
            "-o", f"PubkeyAuthentication={'yes' if keys else 'no'}"]
    for k in keys:
        argv += ["-i", k]
    argv += [f"{user}@127.0.0.1", command]
    env = dict(harness.ssh_env(), SSH_ASKPASS=askpass, SSH_ASKPASS_REQUIRE="force")
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=60)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


def write_pam_hook(hook, log):
    """A script for pam_exec that appends to `log`, per call: PAM_TYPE, whether SSH_AUTH_INFO_0 is set,
    and its value in base64 (it holds newlines)."""
    write(hook, "#!/bin/sh\n"
          f'printf "%s %s %s\\n" "$PAM_TYPE" "${{SSH_AUTH_INFO_0+set}}" '
          f'"$(printf %s "$SSH_AUTH_INFO_0" | base64 -w0)" >> {log}\n', 0o755)


def pam_hook_events(log):
    """[(PAM_TYPE, SSH_AUTH_INFO_0 or None when unset)] in the order the hook ran."""
    out = []
    for line in harness.read_text(log).splitlines():
        f = line.split(" ")
        if len(f) == 3:
            out.append((f[0], base64.b64decode(f[2]).decode() if f[1] == "set" else None))
    return out
