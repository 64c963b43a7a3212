#!/usr/bin/python3
"""A hostile worker and keyboard-interactive (the PAM conversation, real pam_unix): answers nobody
asked for, a wrong number of answers, a second conversation or another method while one runs are
refused and tear the connection down, with the conversation's thread ended and no monitor left.
Controls: a worker that follows the protocol gets PAM's prompt, answers it with alice's password
and is let in; one that aborts gets one failure and may go on.

Needs a -Dtest_hooks=true build (PRIVSSHD_TEST_WORKER replaces the worker). Reference differs:
OpenSSH has no such hook."""
import os
import re
import socket

import harness
from harness import SANDBOX_DIRECTORY, Server, check

FAKE = harness.FAKE_WORKER_PRELUDE + r'''
def answers(abort, items):
    return msg("KBDINT_ANSWERS", (b"\x01" if abort else b"\x00") + struct.pack(">I", len(items))
               + b"".join(s(a) for a in items))
def hold():
    while True:
        recv()
recv()                                          # SETUP
ipc.send(msg("READY", b"\x01"))
if SCENARIO == "unasked":
    note("sending")
    ipc.send(answers(False, ["alicepw"]))
    hold()
ipc.send(msg("AUTH_KBDINT", s("alice")))
t, p = recv()
note("got %s" % ("prompts" if t == T["KBDINT_PROMPTS"] else t))
if SCENARIO == "control":
    ipc.send(answers(False, ["alicepw"]))
    t, p = recv()
    note("auth %d %d" % (t == T["AUTH_RESULT"], p[0]))
    sys.exit(0)
if SCENARIO == "abort":
    ipc.send(answers(True, []))
    t, p = recv()
    note("auth %d %d" % (t == T["AUTH_RESULT"], p[0]))
    ipc.send(msg("AUTH_NONE", s("alice")))      # the next method may come now
    t, p = recv()
    note("none %d %d" % (t == T["AUTH_RESULT"], p[0]))
    sys.exit(0)
note("sending")
ipc.send({"wrong-count": answers(False, ["alicepw", "x"]),
          "twice": msg("AUTH_KBDINT", s("alice")),
          "none-during": msg("AUTH_NONE", s("alice")),
          "password-during": msg("AUTH_PASSWORD", s("alice") + s("alicepw"))}[SCENARIO])
hold()
'''


def run(scenario, server):
    return harness.run_fake_worker(f"hostile-{scenario}", {"SCENARIO": scenario}, FAKE, server)


def main():
    harness.need_test_hooks()
    os.makedirs(SANDBOX_DIRECTORY, exist_ok=True)
    server = Server("PasswordAuthentication no")     # its config file only; run by hand with -i

    rc, err, res = run("control", server)
    check("got prompts" in res and "auth 1 1" in res,
          "control: PAM's prompt comes as KBDINT_PROMPTS, alice's password lets her in", res, err)
    check("Accepted keyboard-interactive/pam for alice" in err and "violation" not in err and "refused" not in err,
          "control: logged as OpenSSH does, no violation", err)

    rc, err, res = run("abort", server)
    check("auth 1 0" in res and "none 1 0" in res and "violation" not in err,
          "control: an aborted conversation is one failure, and the next request is answered", res, err)
    check(re.search(r"Failed keyboard-interactive/pam for alice", err), "and it is logged as a failure", err)

    for scenario, said in (("unasked", r"refused KBDINT_ANSWERS from the worker"),
                           ("wrong-count", r"refused KBDINT_ANSWERS from the worker"),
                           ("twice", r"refused AUTH_KBDINT from the worker"),
                           ("none-during", r"refused AUTH_NONE from the worker"),
                           ("password-during", r"refused AUTH_PASSWORD from the worker")):
        rc, err, res = run(scenario, server)
        check(rc == 255 and re.search(said, err) and "sending" in res and "Accepted" not in err,
              f"{scenario}: refused, the connection torn down (exit {rc})", res, err)
        check(harness.wait_for(lambda: not harness.processes(cmdline=rf"hostile-{scenario}"), 15),
              f"{scenario}: no worker left", harness.processes(cmdline="hostile"))


harness.run(main)
