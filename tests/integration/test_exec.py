#!/usr/bin/python3
"""Commands: exit codes, stdout/stderr kept apart, 64 MiB each way with matching hashes, and the
end of a session on the wire in this order: data, exit-status, EOF, CLOSE."""
import hashlib
import os
import re
import subprocess

import harness
from harness import Server, check, ssh


def main():
    s = Server().start()
    for code in (0, 1, 3):
        r = ssh(f"exit {code}")
        check(r.returncode == code, f"exit {code} reaches the client", r.stderr.decode())
    r = ssh("printf 'echo x' > ~/noexec; chmod 644 ~/noexec; ~/noexec")
    check(r.returncode == 126, f"a command that is not executable exits 126 ({r.returncode})")
    r = ssh("nonexistent-command-xyz")
    check(r.returncode == 127, f"a command that is not found exits 127 ({r.returncode})")

    r = ssh("echo out; echo err >&2")
    check(r.stdout == b"out\n" and r.stderr == b"err\n", "stdout and stderr are kept apart",
          (r.stdout, r.stderr))

    big = os.urandom(64 * 1024 * 1024)
    with open("/home/alice/big", "wb") as f:
        f.write(big)
    os.chown("/home/alice/big", 2001, 2001)
    want = hashlib.sha256(big).hexdigest()
    r = ssh("cat ~/big")
    check(hashlib.sha256(r.stdout).hexdigest() == want and r.returncode == 0,
          "64 MiB of random stdout arrive intact (sha256)", r.stderr.decode()[-500:])
    with open("/home/alice/big", "rb") as f:
        r = ssh("sha256sum", stdin=f)
    check(r.stdout.decode().split(" ")[0] == want, "64 MiB of stdin arrive intact (sha256)", r.stdout[:200])
    r = ssh("head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2; exit 7")
    check(len(r.stdout) == 1000000 and len(r.stderr) == 1000000 and r.returncode == 7,
          "1 MB on each of stdout and stderr, then exit 7: nothing lost")
    r = ssh("cat > /dev/null; echo done", stdin=b"x" * 5000000)
    check(r.stdout == b"done\n", "stdin EOF reaches the command after 5 MB (cat ends)")

    # The session's environment.
    r = ssh("env")
    env = dict(l.split("=", 1) for l in r.stdout.decode().splitlines() if "=" in l)
    check(env.get("USER") == "alice" and env.get("LOGNAME") == "alice" and env.get("HOME") == "/home/alice"
          and env.get("SHELL") == "/bin/bash" and "PATH" in env
          # Debian's sshd leaves MAIL to pam_mail; privsshd sets it as upstream OpenSSH does
          and (harness.is_openssh() or env.get("MAIL") == "/var/mail/alice"),
          "USER LOGNAME HOME SHELL MAIL PATH are set", r.stdout.decode())
    conn = env.get("SSH_CONNECTION", "").split()
    client = env.get("SSH_CLIENT", "").split()
    check(len(conn) == 4 and conn[0] == "127.0.0.1" and conn[2] == "127.0.0.1" and conn[3] == "2222"
          and client[:1] == ["127.0.0.1"] and client[2:] == ["2222"] and client[1] == conn[1],
          "SSH_CONNECTION and SSH_CLIENT describe the connection", (conn, client))
    r = ssh("pwd; id -un; id -u; ps -o pgid= -p $$; ps -o sid= -p $$; echo $$")
    out = r.stdout.decode().split()
    check(out[:3] == ["/home/alice", "alice", "2001"], "the command runs as alice in her home", out)
    check(len(out) == 6 and out[3] == out[5] and out[4] == out[5], "in its own session and process group", out)

    # A shell request without a pty: a login shell reading commands from stdin.
    r = ssh(None, stdin=b"echo via-shell; echo $0; exit 4\n", opts=["-T"])
    check(r.stdout == b"via-shell\n-bash\n" and r.returncode == 4, "a shell request runs a login shell (-bash)",
          (r.stdout, r.stderr))

    # sftp (the Subsystem)
    data = os.urandom(3 * 1024 * 1024)
    with open("/tmp/up", "wb") as f:
        f.write(data)
    sftp = ["/usr/bin/sftp", "-b", "-", "-F", "/dev/null", "-P", str(harness.PORT), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-i", "/tmp/keys/alice", "alice@127.0.0.1"]
    r = subprocess.run(sftp, input=b"put /tmp/up up\nget up /tmp/down\n", capture_output=True, timeout=60,
                       env=harness.ssh_env())
    ok = r.returncode == 0 and os.path.exists("/tmp/down") and open("/tmp/down", "rb").read() == data
    check(ok, "sftp put and get of 3 MiB round-trip intact", r.stderr.decode()[-1000:])

    # Wire order, read from the client's debug log.
    r = ssh("printf data", opts=["-vvv"])
    log = r.stderr.decode(errors="replace").splitlines()

    def idx(pattern):
        for i, l in enumerate(log):
            if re.search(pattern, l):
                return i
        return -1
    data = max([i for i, l in enumerate(log) if re.search(r"channel 0: rcvd .*data|client_input_channel_data|channel 0: read", l)] + [-1])
    status = idx(r"channel 0 rtype exit-status")
    eof = idx(r"channel 0: rcvd eof")
    close = idx(r"channel 0: rcvd close")
    check(r.stdout == b"data" and status >= 0 and eof >= 0 and close >= 0,
          "client saw data, exit-status, eof and close", "\n".join(log[-40:]))
    if harness.is_openssh():
        print("# reference differs: OpenSSH's sshd sends EOF before exit-status; privsshd sends exit-status first")
    else:
        check(status < eof < close, f"order on the wire: exit-status ({status}) < eof ({eof}) < close ({close})")
    s.stop()


harness.run(main)
