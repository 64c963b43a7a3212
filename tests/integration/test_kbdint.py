#!/usr/bin/python3
"""keyboard-interactive is the PAM conversation, with the real OpenSSH client (its prompts answered by
an askpass program that records each prompt and when it came) and real PAM modules:
- pam_unix's "Password:" over keyboard-interactive logs in ("Accepted keyboard-interactive/pam"), a
  wrong answer fails and is logged as OpenSSH does, an unknown user gets the same prompt and fails;
- a message a module gives before it waits (pam_exec with stdout: "Touch your key", then 2 s of
  work) reaches the client when the module says it, seconds before the next prompt (OpenSSH queues
  it until the prompt: bz#2876);
- an expired password (shadow's last change 0): PAM's account stack says so, and the new password is
  asked for and set in the same conversation (pam_chauthtok), then works for the password method;
- KbdInteractiveAuthentication no: the method is not offered (control: the same client logs in when
  it is);
- a conversation left unanswered past LoginGraceTime ends the connection, and the monitor with it."""
import os
import re
import subprocess
import time

import harness
from harness import KEYS, PORT, Server, check

ASKPASS = "/tmp/kbd-askpass"
ASKPASS_LOG = "/tmp/kbd-askpass.log"


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def pam_service(name, auth_lines):
    write(f"/etc/pam.d/{name}", "".join(f"auth {l}\n" for l in auth_lines) +
          "account required pam_unix.so\npassword required pam_unix.so yescrypt\n"
          "session required pam_unix.so\n")


def private_etc():
    """A writable copy of /etc over /etc, in this test's mount namespace only: pam_unix changes a
    password by writing a new shadow file and renaming it over the old one, which a file bind-mounted
    by the harness does not allow."""
    subprocess.run(["cp", "-a", "/etc/.", "/tmp/etc-copy"], check=True)
    subprocess.run(["mount", "--bind", "/tmp/etc-copy", "/etc"], check=True)


def kbd_ssh(user, answers, command="echo in", opts=(), timeout=60):
    """ssh with keyboard-interactive only; each prompt is answered with the next of `answers`."""
    write(ASKPASS_LOG, "")
    write("/tmp/kbd-answers", "\n".join(answers) + "\n")
    argv = [harness.SSH, "-F", "/dev/null", "-p", str(PORT), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "PreferredAuthentications=keyboard-interactive", "-o", "PubkeyAuthentication=no",
            "-o", "NumberOfPasswordPrompts=1", "-o", "BatchMode=no"] + list(opts) + [f"{user}@127.0.0.1", command]
    env = dict(harness.ssh_env(), SSH_ASKPASS=ASKPASS, SSH_ASKPASS_REQUIRE="force")
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # The client's stderr, line by line with the time each arrived (the module's messages).
    lines = []
    for raw in p.stderr:
        lines.append((time.monotonic() - t0, raw.decode(errors="replace").rstrip("\n")))
    out = p.stdout.read()
    p.wait(timeout)
    asked = []
    for l in harness.read_text(ASKPASS_LOG).splitlines():
        t, _, prompt = l.partition(" ")
        asked.append((float(t) - t0, prompt))
    return p.returncode, out, lines, asked


def main():
    harness.ours_only("keyboard-interactive through our PAM conversation (OpenSSH's differs: bz#2876)")
    # The askpass: records "<monotonic time> <prompt>", answers with the next line of /tmp/kbd-answers.
    write(ASKPASS, "#!/usr/bin/python3\nimport sys, time\n"
          f"open('{ASKPASS_LOG}', 'a').write(f'{{time.monotonic()}} {{sys.argv[1]!r}}\\n')\n"
          f"n = sum(1 for _ in open('{ASKPASS_LOG}'))\n"
          "answers = open('/tmp/kbd-answers').read().split('\\n')\n"
          "if answers[n - 1] == 'SLEEP':\n    time.sleep(8)\n"
          "print(answers[n - 1])\n", 0o755)
    write("/tmp/kbd-info.sh", "#!/bin/sh\necho 'Touch your key now'\nsleep 2\n", 0o755)
    pam_service("kbd-unix", ["required pam_unix.so"])
    pam_service("kbd-info", ["required pam_exec.so stdout /tmp/kbd-info.sh", "required pam_unix.so"])

    s = Server("PAMServiceName kbd-unix\nPasswordAuthentication no\nLoginGraceTime 8", name="kbd").start()
    rc, out, lines, asked = kbd_ssh("alice", ["alicepw"])
    check(rc == 0 and out == b"in\n", "pam_unix's password over keyboard-interactive logs in", (rc, out, lines))
    check([p for _, p in asked] == ["'Password: '"] or [p for _, p in asked] == ["'(alice@127.0.0.1) Password: '"],
          f"the client was asked PAM's prompt ({asked})")
    check(s.wait_log(r"Accepted keyboard-interactive/pam for alice from 127\.0\.0\.1 port \d+ ssh2$"),
          "logged as OpenSSH does", s.text())
    rc, out, lines, asked = kbd_ssh("alice", ["wrong"])
    check(rc == 255 and out == b"", "a wrong answer is refused", (rc, lines))
    check(s.wait_log(r"Failed keyboard-interactive/pam for alice from 127\.0\.0\.1 port \d+ ssh2$"),
          "and logged as a failure", s.text())
    rc, out, lines, asked = kbd_ssh("nosuchuser", ["whatever"])
    check(rc == 255 and len(asked) == 1, "an unknown user gets the same prompt, and is refused", (rc, asked))
    check(s.wait_log(r"Failed keyboard-interactive/pam for invalid user nosuchuser from 127\.0\.0\.1"),
          "logged as an invalid user", s.text())
    s.stop()

    s = Server("PAMServiceName kbd-info\nPasswordAuthentication no\nLogLevel DEBUG1", name="kbd-info").start()
    rc, out, lines, asked = kbd_ssh("alice", ["alicepw"])
    info = [t for t, l in lines if "Touch your key now" in l]
    check(rc == 0 and info and asked, "a module's message, then its prompt: the login works", (rc, lines, asked))
    if info and asked:
        check(asked[0][0] - info[0] >= 1.5,
              f"the message reached the client when the module said it, {asked[0][0] - info[0]:.1f} s before "
              "the prompt (not queued until the prompt)", (lines, asked))
    check(s.wait_log(r"Accepted keyboard-interactive/pam for alice"), "two rounds (the message, the prompt), "
          "one login", s.text())
    s.stop()

    # An expired password: changed in the conversation, then in force.
    private_etc()
    shadow = harness.read_text("/etc/shadow")
    write("/etc/shadow", re.sub(r"^(carol:[^:]*:)\d+:", r"\g<1>0:", shadow, flags=re.M), 0o640)
    s = Server("PAMServiceName kbd-unix\nPasswordAuthentication yes", name="kbd-expired").start()
    new = "Vq7#rTz9!kLm"
    rc, out, lines, asked = kbd_ssh("carol", ["carolpw", "carolpw", new, new])
    check(rc == 0 and out == b"in\n", "an expired password: the login goes on to a password change and works",
          (rc, lines, asked))
    check(len(asked) >= 3 and "new" in asked[-1][1].lower() and "new" in asked[-2][1].lower(),
          f"the new password was asked for, twice ({[p for _, p in asked]})")
    check(any("change your password" in l.lower() or "expired" in l.lower() for _, l in lines),
          "PAM's reason reached the user", lines)
    check(s.wait_log(r"Password of user carol has expired; asking for a new one") and
          s.wait_log(r"Accepted keyboard-interactive/pam for carol"), "logged", s.text())
    r = harness.ssh("echo again", user="carol", password=new)
    check(r.returncode == 0 and r.stdout == b"again\n", "the new password works for the password method", r)
    r = harness.ssh("echo old", user="carol", password="carolpw")
    check(r.returncode != 0, "and the old one no longer does", r)
    s.stop()

    s = Server("PAMServiceName kbd-unix\nKbdInteractiveAuthentication no\nPasswordAuthentication no",
               name="kbd-off").start()
    rc, out, lines, asked = kbd_ssh("alice", ["alicepw"])
    check(rc == 255 and not asked and any("Permission denied (publickey)" in l for _, l in lines),
          "KbdInteractiveAuthentication no: not offered, nothing asked", (rc, lines, asked))
    s.stop()

    # Unanswered past LoginGraceTime: the connection ends, no monitor is left.
    s = Server("PAMServiceName kbd-unix\nPasswordAuthentication no\nLoginGraceTime 3", name="kbd-grace").start()
    import threading
    t0 = time.monotonic()
    client = threading.Thread(target=kbd_ssh, args=("alice", ["SLEEP"]), kwargs={"timeout": 60})
    client.start()
    check(s.wait_log(r"Timeout before authentication for 127\.0\.0\.1 port \d+", timeout=15) and
          time.monotonic() - t0 < 10, f"an unanswered conversation ends at LoginGraceTime 3 "
          f"({time.monotonic() - t0:.1f} s), logged as OpenSSH does", s.text())
    monitors = subprocess.run(["pgrep", "-f", r"privsshd: 127\.0\.0\.1 \[monitor\]"], capture_output=True,
                              text=True).stdout.split()
    check(harness.wait_for(lambda: not subprocess.run(["pgrep", "-f", r"\[monitor\]"], capture_output=True).stdout,
                           10), f"its monitor has exited ({monitors})")
    client.join()
    s.stop()


harness.run(main)
