#!/usr/bin/python3
"""PAM's account stack (pam_acct_mgmt) runs once, after the last step of AuthenticationMethods, as
OpenSSH's does (its monitor asks the account stack only once the user is fully authenticated): a
client that holds only the first factor learns nothing of the account (expired, locked, refused by
pam_access) before the second, and the account modules run once, with what the earlier steps were.
- a real pam_exec in the auth and account stacks logs each call and the SSH_AUTH_INFO_0 it sees: for
  publickey,password and publickey,keyboard-interactive the log is exactly [auth, account] (the
  password's or the conversation's auth stack, then one account call), not an account call after the
  key; a key alone, a password alone and keyboard-interactive alone: one account call each;
- pam_access refusing alice under publickey,password: the key's reply is still partial success (the
  client's log), the refusal comes with the password, logged "Access denied ... by PAM account
  configuration" after the "Partial publickey" line; the control, pam_access letting alice in with the
  same files but for the rule, logs in;
- an expired password: under publickey,password refused after the password (as before, the method
  cannot change it), under publickey,keyboard-interactive changed in the last step's conversation
  (pam_chauthtok), the key getting partial success in both;
- keyboard-interactive as the first step runs the account stack in its conversation, as OpenSSH's PAM
  thread does (an expired password is changed there), and not again after the key."""
import re
import subprocess

import auth_steps
import harness
from auth_steps import write
from harness import KEYS, Server, check

ASKPASS = "/tmp/acct-askpass"
HOOK = "/run/acct-hook.sh"
HOOK_LOG = "/var/log/acct-hook.log"
ACCESS = "/tmp/acct-access.conf"


def client(keys=(), answer="", kbd=False, password=False, user="alice"):
    answers = answer if isinstance(answer, list) else [answer]
    write("/tmp/acct-answer", "\n".join(answers) + "\n")
    write("/tmp/acct-asked", "")
    rc, out, err = auth_steps.client(user, "echo in", ASKPASS, keys, kbd=kbd, password=password)
    return rc, out.decode(errors="replace"), err


def hook_events():
    return auth_steps.pam_hook_events(HOOK_LOG)


def kinds(events):
    return [t for t, _ in events]


def main():
    with open(f"{KEYS}/alice.pub") as f:
        key = " ".join(f.read().split()[:2])
    pk = f"publickey {key}\n"
    k = f"{KEYS}/alice"
    # The askpass answers each prompt with the next line of /tmp/acct-answer, and records the prompt.
    write(ASKPASS, "#!/usr/bin/python3\nimport sys\n"
          "open('/tmp/acct-asked', 'a').write(sys.argv[1].replace('\\n', ' ') + '\\n')\n"
          "n = sum(1 for _ in open('/tmp/acct-asked'))\n"
          "print(open('/tmp/acct-answer').read().split('\\n')[n - 1])\n", 0o755)
    auth_steps.write_pam_hook(HOOK, HOOK_LOG)
    stack = (f"auth     required pam_exec.so quiet {HOOK}\n"
             "auth     required pam_unix.so\n"
             f"account  required pam_exec.so quiet {HOOK}\n"
             f"account  required pam_access.so accessfile={ACCESS}\n"
             "account  required pam_unix.so\n"
             "session  required pam_unix.so\n")
    for service in ("acctorder", "sshd"):      # ours by PAMServiceName; the reference's is "sshd"
        write(f"/etc/pam.d/{service}", stack)
    write(ACCESS, "+:ALL:ALL\n")
    common = "PAMServiceName acctorder\nPasswordAuthentication yes\nKbdInteractiveAuthentication yes\n"

    def login(methods, name, **how):
        s = Server(common + (f"AuthenticationMethods {methods}\n" if methods else ""), name=name).start()
        write(HOOK_LOG, "")
        rc, out, err = client(**how)
        ev = hook_events()
        s.stop()
        return rc, out, err, ev, s

    # -- two steps: one account call, after the second step's auth stack ---------------------------------
    rc, out, err, ev, s = login("publickey,password", "pk-pw", keys=[k], answer="alicepw", password=True)
    check(rc == 0 and out == "in\n", "publickey,password logs in", err, s.text())
    check(kinds(ev) == ["auth", "account"],
          "publickey,password: the account stack runs once, after the password's auth stack "
          "(not after the key)", ev, s.text())
    check([i for t, i in ev if t == "account"] == [pk],
          "and it sees the earlier step in SSH_AUTH_INFO_0 (OpenSSH records the last step after its "
          "account check)", ev)

    rc, out, err, ev, s = login("publickey,keyboard-interactive", "pk-kbd", keys=[k], answer="alicepw", kbd=True)
    check(rc == 0 and out == "in\n", "publickey,keyboard-interactive logs in", err, s.text())
    check(kinds(ev) == ["auth", "account"],
          "publickey,keyboard-interactive: the account stack runs once, after the conversation's auth "
          "stack (not after the key)", ev, s.text())
    check(ev and ev[-1] == ("account", pk), "and it sees the key of the first step", ev)

    # keyboard-interactive as the first step: its conversation runs the account stack, as OpenSSH's PAM
    # thread does (so that an expired password can be changed there), and the key after it does not
    # run it again.
    rc, out, err, ev, s = login("keyboard-interactive,publickey", "kbd-pk", keys=[k], answer="alicepw", kbd=True)
    check(rc == 0 and out == "in\n", "keyboard-interactive,publickey logs in", err, s.text())
    check(kinds(ev) == ["auth", "account"],
          "keyboard-interactive,publickey: the account stack runs once, in the conversation, not again "
          "after the key", ev, s.text())

    # -- one method: one account call each ---------------------------------------------------------------
    rc, out, err, ev, s = login(None, "pk", keys=[k])
    check(rc == 0 and kinds(ev) == ["account"], "a key alone: one account call", ev, err, s.text())
    rc, out, err, ev, s = login(None, "pw", answer="alicepw", password=True)
    check(rc == 0 and kinds(ev) == ["auth", "account"], "a password alone: its auth stack, then one account call",
          ev, err, s.text())
    rc, out, err, ev, s = login(None, "kbd", answer="alicepw", kbd=True)
    check(rc == 0 and kinds(ev) == ["auth", "account"],
          "keyboard-interactive alone: its auth stack, then one account call", ev, err, s.text())

    # -- pam_access refuses alice: only after the last step --------------------------------------------
    partial = re.compile(r'Authenticated using "publickey" with partial success')
    write(ACCESS, "-:alice:ALL\n+:ALL:ALL\n")
    rc, out, err, ev, s = login("publickey,password", "acc-no", keys=[k], answer="alicepw", password=True)
    text = s.text()
    check(rc != 0 and out == "", "pam_access refusing alice: publickey,password does not log in", err, text)
    check(partial.search(err), "the key's reply is partial success, as if the account were fine (nothing "
          "leaks before the second factor)", err, text)
    check(kinds(ev) == ["auth", "account"], "the account stack ran once, after the password's auth stack", ev, text)
    m_partial = re.search(r"Partial publickey for alice from 127\.0\.0\.1", text)
    m_denied = re.search(r"Access denied for user alice by PAM account configuration", text)
    check(m_partial and m_denied and m_partial.start() < m_denied.start(),
          "logged: the partial success of the key, then the account's refusal", text)
    check(not re.search(r"Accepted \S+ for alice", text), "and no Accepted line", text)

    # The control: the same, with pam_access letting alice in.
    write(ACCESS, "+:alice:ALL\n-:ALL:ALL\n")
    rc, out, err, ev, s = login("publickey,password", "acc-yes", keys=[k], answer="alicepw", password=True)
    check(rc == 0 and out == "in\n" and partial.search(err),
          "control: with pam_access allowing alice, the same login gets partial success and then in",
          err, s.text())
    check(kinds(ev) == ["auth", "account"], "control: one account call there too", ev)

    # -- an expired password (shadow's last change 0), under two steps ------------------------------------
    # Over password, refused after the last step, as before; over keyboard-interactive, changed in the
    # conversation of the last step (pam_chauthtok), after the key's partial success.
    write(ACCESS, "+:ALL:ALL\n")
    subprocess.run(["cp", "-a", "/etc/.", "/tmp/acct-etc"], check=True)     # pam_unix renames over shadow
    subprocess.run(["mount", "--bind", "/tmp/acct-etc", "/etc"], check=True)
    with open(f"/etc/pam.d/acctorder", "a") as f:
        f.write("password required pam_unix.so yescrypt\n")
    shadow = harness.read_text("/etc/shadow")
    write("/etc/shadow", re.sub(r"^(carol:[^:]*:)\d+:", r"\g<1>0:", shadow, flags=re.M), 0o640)
    ck = f"{KEYS}/carol"
    rc, out, err, ev, s = login("publickey,password", "exp-pw", keys=[ck], answer="carolpw", password=True,
                                user="carol")
    text = s.text()
    check(rc != 0 and partial.search(err) and kinds(ev) == ["auth", "account"],
          "an expired password under publickey,password: the key gets partial success, the account stack runs "
          "once after the password, and the login is refused", err, ev, text)
    check(re.search(r"Password change required for user carol but not supported with password authentication",
                    text), "logged as before (the password method cannot change it)", text,
          reference_differs="OpenSSH lets the login on and asks for the change in the session, on a terminal")
    new = "Vq7#rTz9!kLm"
    rc, out, err, ev, s = login("publickey,keyboard-interactive", "exp-kbd", keys=[ck], kbd=True, user="carol",
                                answer=["carolpw", "carolpw", new, new])
    text = s.text()
    asked = harness.read_text("/tmp/acct-asked").splitlines()
    check(rc == 0 and out == "in\n" and partial.search(err),
          "an expired password under publickey,keyboard-interactive: partial success for the key, then the "
          "password is changed in the conversation and the login works", err, asked, text)
    check(len(asked) >= 3 and "new" in asked[-1].lower() and "new" in asked[-2].lower(),
          "the new password was asked for, twice", asked)
    check(kinds(ev) == ["auth", "account"], "the account stack ran once, in the last step's conversation", ev)
    check(re.search(r"Password of user carol has expired; asking for a new one", text) and
          re.search(r"Accepted keyboard-interactive/pam for carol", text), "logged", text,
          reference_differs="OpenSSH's own log lines for the change")

    # keyboard-interactive as the first step, the password expired again: changed in that conversation,
    # as OpenSSH does, and the key then completes the login.
    shadow = harness.read_text("/etc/shadow")
    write("/etc/shadow", re.sub(r"^(carol:[^:]*:)\d+:", r"\g<1>0:", shadow, flags=re.M), 0o640)
    newer = "Wp4$uHx8?jNs"
    rc, out, err, ev, s = login("keyboard-interactive,publickey", "exp-kbd-first", keys=[ck], kbd=True,
                                user="carol", answer=[new, new, newer, newer])
    text = s.text()
    asked = harness.read_text("/tmp/acct-asked").splitlines()
    check(rc == 0 and out == "in\n", "an expired password under keyboard-interactive,publickey: changed in the "
          "first step's conversation, then the key logs in", err, asked, text)
    check(len(asked) >= 3 and "new" in asked[-1].lower(), "the new password was asked for", asked)
    check(kinds(ev) == ["auth", "account"], "the account stack ran once, in the conversation", ev)


harness.run(main)
