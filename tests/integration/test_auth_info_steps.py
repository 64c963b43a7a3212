#!/usr/bin/python3
"""How the user authenticated, when it took several methods (AuthenticationMethods), as OpenSSH tells it:
- ExposeAuthInfo's file (SSH_USER_AUTH) has one line per method that succeeded, in their order:
  "publickey ssh-ed25519 AAAA...", "password", "keyboard-interactive/pam";
- PAM's environment has the same lines as SSH_AUTH_INFO_0 (auth-pam.c expose_authinfo()), for modules;
  a real pam_exec in the account, auth and session stacks writes what it sees: the session stack every
  method; the account stack, which runs once, after the last step (every call is checked), and a
  keyboard-interactive second factor's auth stack the earlier steps (OpenSSH records a method after
  its account check); with ExposeAuthInfo no too;
- SSH_AUTH_INFO_0 does not reach the user's session (OpenSSH's PAM_ENV_DENYLIST), beside the control
  that the PAM session stack had it."""

import auth_steps
import harness
from auth_steps import write
from harness import KEYS, Server, check

ASKPASS = "/tmp/ai-askpass"
HOOK = "/run/authinfo-hook.sh"
HOOK_LOG = "/var/log/authinfo.log"
COMMAND = 'cat "${SSH_USER_AUTH:-/dev/null}"; echo "[${SSH_AUTH_INFO_0-unset}]"'


def client(keys=(), answer="", kbd=False, password=False):
    write("/tmp/ai-answer", answer)
    rc, out, err = auth_steps.client("alice", COMMAND, ASKPASS, keys, kbd=kbd, password=password)
    return rc, out.decode(errors="replace"), err


def hook_events():
    return auth_steps.pam_hook_events(HOOK_LOG)


def every(events, kind):
    return [info for t, info in events if t == kind]


def last(events, kind):
    seen = [info for t, info in events if t == kind]
    return seen[-1] if seen else "(no such event)"


def main():
    with open(f"{KEYS}/alice.pub") as f:
        key = " ".join(f.read().split()[:2])     # "ssh-ed25519 AAAA...", without the comment
    pk = f"publickey {key}\n"
    write(ASKPASS, "#!/bin/sh\ncat /tmp/ai-answer; echo\n", 0o755)
    auth_steps.write_pam_hook(HOOK, HOOK_LOG)
    stack = (f"auth     required pam_exec.so quiet {HOOK}\n"
             "auth     required pam_unix.so\n"
             f"account  required pam_exec.so quiet {HOOK}\n"
             "account  required pam_unix.so\n"
             "session  required pam_unix.so\n"
             f"session  required pam_exec.so quiet {HOOK}\n")
    for service in ("authinfo", "sshd"):      # ours by PAMServiceName; the reference's is "sshd"
        write(f"/etc/pam.d/{service}", stack)
    common = "PAMServiceName authinfo\nPasswordAuthentication yes\nKbdInteractiveAuthentication yes\n"
    k = f"{KEYS}/alice"

    # -- publickey,password -------------------------------------------------------------------------
    s = Server(common + "ExposeAuthInfo yes\nAuthenticationMethods publickey,password", name="pk-pw").start()
    write(HOOK_LOG, "")
    rc, out, err = client([k], "alicepw", password=True)
    check(rc == 0 and out == f"{pk}password\n[unset]\n",
          f"publickey,password: the file has both lines, in order ({out!r})", err, s)
    ev = hook_events()
    check(last(ev, "open_session") == f"{pk}password\n",
          "PAM's session stack sees both in SSH_AUTH_INFO_0", ev, s)
    check(every(ev, "account") == [pk], "its account stack runs once and sees the first step (OpenSSH "
          "records the last one after the account check)", ev)
    check("[unset]" in out and (last(ev, "open_session") or "").startswith("publickey"),
          "the session's own environment has no SSH_AUTH_INFO_0, though PAM's session stack had it", out, ev)
    s.stop()

    # -- publickey,keyboard-interactive -------------------------------------------------------------------
    s = Server(common + "ExposeAuthInfo yes\nAuthenticationMethods publickey,keyboard-interactive",
               name="pk-kbd").start()
    write(HOOK_LOG, "")
    rc, out, err = client([k], "alicepw", kbd=True)
    check(rc == 0 and out == f"{pk}keyboard-interactive/pam\n[unset]\n",
          f"publickey,keyboard-interactive: the file has both lines, in order ({out!r})", err, s)
    ev = hook_events()
    check(last(ev, "auth") == pk,
          "the second factor's auth stack (pam_exec before pam_unix) sees the key of the first", ev, s)
    check(every(ev, "account") == [pk], "the account stack runs once and sees the first step", ev)
    check(last(ev, "open_session") == f"{pk}keyboard-interactive/pam\n",
          "the session stack sees both", ev)
    s.stop()

    # -- the other order, and ExposeAuthInfo no ----------------------------------------------------------
    s = Server(common + "AuthenticationMethods password,publickey", name="pw-pk").start()
    write(HOOK_LOG, "")
    rc, out, err = client([k], "alicepw", password=True)
    check(rc == 0 and out == "[unset]\n", f"ExposeAuthInfo no: no file, and no SSH_AUTH_INFO_0 ({out!r})", err, s)
    ev = hook_events()
    check(last(ev, "open_session") == f"password\n{pk}",
          "still, PAM's session stack sees password then publickey, in that order", ev, s)
    check(every(ev, "account") == ["password\n"], "the account stack runs once, after the key, and sees the "
          "password", ev)
    s.stop()

    # -- one method -------------------------------------------------------------------------------------
    s = Server(common + "ExposeAuthInfo yes", name="one").start()
    write(HOOK_LOG, "")
    rc, out, err = client([k])
    check(rc == 0 and out == f"{pk}[unset]\n", f"a key alone: one line ({out!r})", err, s)
    ev = hook_events()
    check(last(ev, "open_session") == pk, "and PAM's session stack sees it", ev, s)
    check(every(ev, "account") == [""], "the account stack runs once, with SSH_AUTH_INFO_0 set and empty "
          "(no earlier step)", ev)
    s.stop()


harness.run(main)
