#!/usr/bin/python3
"""journald: without -e/-E, and with journald there, every line goes to the journal with the same
text as on stderr (so fail2ban's regexes work unchanged) plus fields: SYSLOG_IDENTIFIER=privsshd,
MESSAGE_ID per kind of event, PRIVSSHD_USER, PRIVSSHD_REMOTE_ADDR, PRIVSSHD_REMOTE_PORT,
PRIVSSHD_AUTH_METHOD, PRIVSSHD_KEY_FINGERPRINT, PRIVSSHD_SESSION (one per connection).

A real systemd-journald runs in the test's namespaces (its sockets in the private /run, its files in
/run/log/journal), read back with the real journalctl; fail2ban's journal backend (systemd-journal,
through python3-systemd) reads it with the stock sshd filter and a journalmatch on our identifier.
Reference differs: OpenSSH has no such fields."""
import json
import os
import re
import subprocess

import harness
from harness import Server, check, ssh

JOURNALD = "/lib/systemd/systemd-journald"
F2B = os.path.join(harness.SRCDIR, ".cache", "fail2ban")
IDS = {
    "accepted": "c7b2a8b1e46b4e558718bb7e098f870b",
    "failed": "e9969433f8ec42b6849e27dc5ae69763",
    "invalid user": "9447fc80ccce4bc1abf0e3b9d79e5ad3",
    "disconnected": "ac7ffacb7fd94c7aa9532ab4778f0d80",
    "closed preauth": "23e2d3d1a29e450983ad102e98912b11",
    "session opened": "43683743abc94cd3a60b5b1cfec1f71c",
    "session closed": "d644dbbb12684b79b86ed70b59a2a7cb",
}


def start_journald():
    os.makedirs("/run/systemd/journal", exist_ok=True)
    p = subprocess.Popen([JOURNALD], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    if not harness.wait_for(lambda: os.path.exists("/run/systemd/journal/socket"), 10):
        raise AssertionError("systemd-journald did not create its socket")
    return p


def entries():
    out = subprocess.run(["journalctl", "--no-pager", "-o", "json", "SYSLOG_IDENTIFIER=privsshd"],
                         capture_output=True, text=True, timeout=60).stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def find(es, text):
    return [e for e in es if text in e.get("MESSAGE", "")]


def main():
    harness.ours_only("journal fields are privsshd's")
    if not os.path.exists(JOURNALD):
        harness.skip("systemd-journald is not installed")
    start_journald()

    # Positive control for the target choice: with -e, the lines go to stderr and not to the journal.
    s = Server("LogLevel VERBOSE", name="stderr")
    s.start()
    r = ssh("true")
    check(r.returncode == 0, "a key login works (logging to stderr)", r)
    s.wait_log("Disconnected from user alice")
    s.stop()
    check(not find(entries(), "Accepted publickey for alice"),
          "with -e, privsshd's lines do not go to the journal")

    s = Server("LogLevel VERBOSE\nMaxAuthTries 3", name="journal")
    s.argv.remove("-e")
    s.start()
    r = ssh("true")
    check(r.returncode == 0, "a key login works (logging to the journal)", r)
    r = ssh("true", user="carol", password="carolpw", opts=["-o", "PubkeyAuthentication=no"])
    check(r.returncode == 0, "a password login works", r)
    ssh("true", user="carol", password="wrong", opts=["-o", "PubkeyAuthentication=no"])
    ssh("true", user="mallory", password="wrong", opts=["-o", "PubkeyAuthentication=no"])
    harness.wait_for(lambda: len(find(entries(), "Disconnected from user")) >= 2 and
                     find(entries(), "Connection closed by invalid user mallory"), 15)
    es = entries()
    check(not s.text().strip() or "Accepted" not in s.text(), "without -e, nothing of it on stderr", s.text())

    acc = find(es, "Accepted publickey for alice from 127.0.0.1 port ")
    check(len(acc) == 1, "the key login's line is in the journal, in OpenSSH's words", es)
    if acc:
        a = acc[0]
        port = re.search(r" port (\d+) ssh2", a["MESSAGE"]).group(1)
        want = {"SYSLOG_IDENTIFIER": "privsshd", "MESSAGE_ID": IDS["accepted"], "PRIVSSHD_USER": "alice",
                "PRIVSSHD_REMOTE_ADDR": "127.0.0.1", "PRIVSSHD_REMOTE_PORT": port,
                "PRIVSSHD_AUTH_METHOD": "publickey", "SYSLOG_FACILITY": "4", "PRIORITY": "6",
                "PRIVSSHD_KEY_FINGERPRINT": harness.fingerprint(f"{harness.KEYS}/alice.pub")}
        got = {k: a.get(k) for k in want}
        check(got == want, "it carries the fields: identifier, MESSAGE_ID, user, address, port, method, "
              "key fingerprint", f"got  {got}\nwant {want}")
        check(re.fullmatch(r"[0-9a-f]{32}", a.get("PRIVSSHD_SESSION", "")),
              "and a PRIVSSHD_SESSION identifier", a)
        same = [e for e in es if e.get("PRIVSSHD_SESSION") == a.get("PRIVSSHD_SESSION")]
        kinds = {e.get("MESSAGE_ID") for e in same}
        check({IDS["accepted"], IDS["session opened"], IDS["session closed"], IDS["disconnected"]} <= kinds,
              "the connection's session opened/closed and disconnect lines share its PRIVSSHD_SESSION "
              "and have their MESSAGE_IDs", [e["MESSAGE"] for e in same])
        others = {e.get("PRIVSSHD_SESSION") for e in es if e.get("PRIVSSHD_SESSION")}
        check(len(others) >= 4, f"each connection has its own PRIVSSHD_SESSION ({len(others)} for 4)", others)

    pw = find(es, "Accepted password for carol")
    check(len(pw) == 1 and pw[0].get("PRIVSSHD_AUTH_METHOD") == "password" and
          "PRIVSSHD_KEY_FINGERPRINT" not in pw[0] and pw[0].get("MESSAGE_ID") == IDS["accepted"],
          "a password login: method password, no fingerprint", pw)
    bad = find(es, "Failed password for carol from 127.0.0.1")
    check(len(bad) >= 1 and all(e.get("MESSAGE_ID") == IDS["failed"] and e.get("PRIVSSHD_USER") == "carol"
                                for e in bad), "a failed password: MESSAGE_ID failed, user carol", bad)
    inv = find(es, "Invalid user mallory from 127.0.0.1")
    check(len(inv) == 1 and inv[0].get("MESSAGE_ID") == IDS["invalid user"] and
          inv[0].get("PRIVSSHD_USER") == "mallory", "an unknown user: MESSAGE_ID invalid user, the name tried",
          inv)
    closed = find(es, "Connection closed by invalid user mallory")
    check(len(closed) == 1 and closed[0].get("MESSAGE_ID") == IDS["closed preauth"],
          "its connection's end: MESSAGE_ID closed preauth", closed)
    check(all("PRIVSSHD_UNTRUSTED" not in e for e in acc + pw + bad + inv),
          "the monitor's own lines are not marked as the worker's")

    # fail2ban reads the journal as it reads OpenSSH's: the stock filter, journalmatch on our identifier.
    regex = os.path.join(F2B, "usr", "bin", "fail2ban-regex")
    if not os.path.exists(regex):
        check(not harness.MUST_RUN, "fail2ban is unpacked in .cache/fail2ban (tools/install-deps test)")
        return
    env = dict(os.environ, PYTHONPATH=os.path.join(F2B, "usr", "lib", "python3", "dist-packages"))
    # The jail an operator writes: the stock filter, our daemon name, a journalmatch on our identifier.
    filt = (os.path.join(F2B, "etc", "fail2ban", "filter.d", "sshd.conf") +
            "[_daemon=privsshd, journalmatch='SYSLOG_IDENTIFIER=privsshd']")
    r = subprocess.run(["/usr/bin/python3", regex, "systemd-journal", filt], capture_output=True, text=True,
                       env=env, timeout=120)
    out = r.stdout
    hits = int(out.split("Failregex:", 1)[1].split("total", 1)[0]) if "Failregex:" in out else -1
    # The failures: carol's wrong password and mallory's (invalid user + failed password).
    check(r.returncode == 0 and hits >= 2,
          f"fail2ban's journal backend with the stock sshd filter finds the failures ({hits} matches)",
          out + r.stderr)


harness.run(main)
