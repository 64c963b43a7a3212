#!/usr/bin/python3
"""A hostile worker breaks the IPC protocol in every way we know; the monitor must refuse before
acting, tear the connection down (exit 255), kill and reap the worker, and say why in its log.
A control scenario that follows the protocol proves the harness can tell the difference.
Needs root (the monitor is root) and a -Dtest_hooks=true build (PRIVSSHD_TEST_WORKER)."""
import os
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import fake_worker_run  # noqa: E402

from fake_worker_run import check  # noqa: E402

fake_worker_run.skip_unless_runnable()


tmp = tempfile.mkdtemp(prefix="privsshd-hostile-")
os.chmod(tmp, 0o755)
key = os.path.join(tmp, "hostkey")
subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
os.mkdir(os.path.join(tmp, "empty"), 0o755)
cfg = os.path.join(tmp, "config")
with open(cfg, "w") as f:
    f.write(f"HostKey {key}\nPidFile none\nLogLevel DEBUG1\nSandboxUser nobody\n"
            f"SandboxDirectory {tmp}/empty\nLoginGraceTime 20\n")


# The same with a HostCertificate for the host key (an ed25519 CA made here).
ca = os.path.join(tmp, "ca")
subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", ca], check=True)
subprocess.run(["ssh-keygen", "-q", "-s", ca, "-h", "-I", "host", key + ".pub"], check=True)
cfg_cert = os.path.join(tmp, "config-cert")
with open(cfg_cert, "w") as f:
    f.write(f"HostCertificate {key}-cert.pub\n" + open(cfg).read())


def run(scenario, config=cfg):
    rc, err, res = fake_worker_run.run(config, tmp, scenario, timeout=20)
    pid = None
    for line in res.splitlines():
        if line.startswith("pid "):
            pid = int(line.split()[1])
    gone = pid is not None and not os.path.exists(f"/proc/{pid}")
    return rc, err, res, gone


# The control: a worker that follows the protocol gets an answer and a clean end.
rc, err, res, gone = run("control")
check("reply 6 0" in res, "control: AUTH_NONE answered with AUTH_RESULT failure")
check("Invalid user nosuchuser from UNKNOWN port 65535" in err, "control: 'Invalid user' logged")
# Exit 255 like every connection that never authenticated (as OpenSSH's sshd -i): what tells a clean
# end from a teardown here is the log.
check(rc == 255 and "protocol violation" not in err and "not allowed" not in err,
      f"control: clean end, no violation (exit {rc})")
check(gone, "control: worker reaped")
if fake_worker_run.failures:
    print(err)

# EVENT's control: accepted, and the line names the peer the monitor knows (a socketpair: UNKNOWN port
# 65535), never the address in the worker's text, which is escaped and stays inside its quotes.
rc, err, res, gone = run("event-control")
check(rc == 255 and "protocol violation" not in err and "refused" not in err,
      f"event-control: clean end, no violation (exit {rc})")
check("banner exchange: Connection from UNKNOWN port 65535: invalid format [preauth]" in err,
      "event-control: 'banner exchange: Connection from UNKNOWN port 65535: invalid format' logged")
check('client sent invalid protocol identifier "GET / \\033[2J\\042 \\134 Failed password for root from '
      '198.51.100.250 port 22 ssh2" [preauth]' in err,
      "event-control: the client's words escaped (ESC, quote, backslash) inside the quotes")
check("\x1b" not in err, "event-control: no escape character reached the log")
if fake_worker_run.failures:
    print(err)

# HOSTKEY_SIGN's control: two well-formed requests (a first exchange and a sntrup761 rekey's 64-byte
# hash) get two signatures, each a blob (string "ssh-ed25519", string of 64 bytes: 4+11+4+64 = 83
# bytes, plus the blob's own length prefix); SETUP carried the public key, never the private one.
rc, err, res, gone = run("sign-control")
sig_type = fake_worker_run.message_numbers()["HOSTKEY_SIGNATURE"]
check(res.count(f"signature {sig_type} 87") == 2, "sign-control: both requests answered with a signature")
check(rc == 255 and "refused" not in err and "protocol violation" not in err,
      f"sign-control: clean end, no violation (exit {rc})")
setup = open(os.path.join(tmp, "sign-control.results.setup"), "rb").read()
pub_b64 = open(key + ".pub").read().split()[1].encode()
priv_body = b"".join(l.strip().encode() for l in open(key).read().splitlines() if not l.startswith("-----"))
check(pub_b64 in setup, "sign-control: SETUP carries the host public key (control for the next check)")
check(priv_body[:40] not in setup and b"PRIVATE KEY" not in setup,
      "sign-control: SETUP carries nothing of the host private key file")
if fake_worker_run.failures:
    print(res, err[-3000:])

# The certificate flag: signed for a key with a HostCertificate (SETUP carried the certificate)...
rc, err, res, gone = run("sign-cert-control", config=cfg_cert)
check(res.count(f"signature {sig_type} 87") == 1 and rc == 255 and "refused" not in err
      and "protocol violation" not in err, f"sign-cert-control: signed for the key with a certificate (exit {rc})")
cert_b64 = open(key + "-cert.pub").read().split()[1].encode()
check(cert_b64 in open(os.path.join(tmp, "sign-cert-control.results.setup"), "rb").read(),
      "sign-cert-control: SETUP carries the host certificate")
if fake_worker_run.failures:
    print(res, err[-3000:])
# ... and refused for the same key without one (below, with the plain configuration).

violations = {
    "sign-cert-without-cert": "asked for a ssh-ed25519 (certificate) signature with a ssh-ed25519 host key",
    "session-preauth": "SESSION_START in state preauth: not allowed",
    "wrong-direction": "protocol violation",
    "unknown-type": "protocol violation",
    "before-ready": "AUTH_NONE in state init: not allowed",
    "sign-before-ready": "HOSTKEY_SIGN in state init: not allowed",
    "sign-short": "asked for a host key signature over 16 bytes for key exchange \"curve25519-sha256\": "
                  "not an exchange hash",
    "sign-long": "asked for a host key signature over 64 bytes for key exchange",
    "sign-empty": "asked for a host key signature over 0 bytes",
    "sign-unknown-kex": "for key exchange \"none-sha256\": not an exchange hash",
    "sign-wrong-alg": "asked for a rsa-sha2-256 signature with a ssh-ed25519 host key",
    "sign-bad-index": "asked for a signature with host key 1 of 1",
    "sign-too-often": "asked for more than 4 host key signatures before authentication",
    "budget": "exceeded the budget of 4 AUTH_NONE messages",
    "truncated": "protocol violation",
    "trailing": "protocol violation",
    "oversized": "protocol violation",
    "user-change": "AUTH_NONE in state refused: not allowed",
    "ready-twice": "READY in state preauth: not allowed",
    "fd-attached": "protocol violation",
    "pty-preauth": "PTY_REQUEST in state preauth: not allowed",
    "signal-preauth": "SESSION_SIGNAL in state preauth: not allowed",
    "event-before-ready": "EVENT in state init: not allowed",
    "event-timeout-preauth": "refused EVENT from the worker",
    "event-unused-preauth": "refused EVENT from the worker",
    "event-budget": "exceeded the budget of 2 EVENT messages",
    "event-bad-kind": "refused EVENT from the worker",
    "event-mismatch-v2": "refused EVENT from the worker",
    "event-mismatch-garbage": "refused EVENT from the worker",
    "event-bad-method": "refused EVENT from the worker",
    "forward-connect-preauth": "FORWARD_CONNECT in state preauth: not allowed",
    "forward-listen-preauth": "FORWARD_LISTEN in state preauth: not allowed",
    "forward-ready-w2m": "protocol violation",
    "log-flood": "exceeded its budget of 100000 log lines",
    "agent-request-preauth": "AGENT_REQUEST in state preauth: not allowed",
    "agent-refused-w2m": "protocol violation",
}
for scenario, expect in violations.items():
    rc, err, res, gone = run(scenario)
    ok = rc == 255 and expect in err and gone and "Starting session" not in err
    check(ok, f"{scenario}: refused, torn down, worker reaped ({expect!r})")
    if not ok:
        print(f"  exit {rc}, worker gone {gone}\n  results: {res!r}\n  log:\n" + err[-3000:])

rc, err, res, gone = run("log-debug-flood")
check("reply 6 0" in res and "violation" not in err and "exceeded" not in err and
      err.count("worker (untrusted): d") > 100000,
      "control: 100001 DEBUG lines are all written and the connection goes on")
if "reply 6 0" not in res:
    print(f"  exit {rc}\n  results: {res!r}\n  log tail:\n" + err[-1500:])

rc, err, res, gone = run("user-change")
check("reply 6 3" in res, "user-change: a changed user name gets a disconnect")

print(f"{fake_worker_run.failures} failed")
sys.exit(1 if fake_worker_run.failures else 0)
