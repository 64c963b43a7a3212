#!/usr/bin/python3
"""The systemd files as `meson install` installs them (into a DESTDIR, then bind-mounted over the
install prefix in this test's private mount namespace, so the units' Exec paths exist):
`systemd-analyze verify` passes on every unit (and fails on a broken copy: the control), the
tmpfiles entry creates the sandbox directory root-owned 0755, the sysusers entry creates the sandbox
user, and privsshd-keygen creates the missing host keys once, which `privsshd -t` then accepts.
Reference differs: these are privsshd's files."""
import os
import shutil
import subprocess

import harness
from harness import check

BUILD = os.environ.get("PRIVSSHD_BUILDDIR", "")
DEST = "/tmp/destdir"


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)


def main():
    harness.ours_only("privsshd's own unit files")
    if not BUILD or not shutil.which("systemd-analyze"):
        harness.skip("needs PRIVSSHD_BUILDDIR (meson test) and systemd-analyze")
    r = run(["meson", "install", "-C", BUILD, "--destdir", DEST, "--no-rebuild", "--quiet"])
    check(r.returncode == 0, "meson install into a DESTDIR works", r.stdout + r.stderr)
    sbin = run(["find", DEST, "-path", "*/sbin/privsshd"]).stdout.split()
    check(len(sbin) == 1, "it installs privsshd", sbin)
    prefix = os.path.dirname(os.path.dirname(sbin[0]))[len(DEST):]   # /usr/local, or /usr
    # The installed tree over the prefix, in this namespace only.
    subprocess.run(["mount", "--bind", DEST + prefix, prefix], check=True)
    units = sorted(run(["find", DEST, "-path", "*/systemd/system/*", "-type", "f"]).stdout.split())
    names = sorted(os.path.basename(u) for u in units)
    check(names == ["privsshd.service", "privsshd.socket", "privsshd@.service"],
          "the units: the listener service, its socket, the per-connection service", names)
    work = "/tmp/units"
    os.makedirs(work, exist_ok=True)
    for u in units:
        shutil.copy(u, work)
    for n in names:
        r = run(["systemd-analyze", "verify", "--man=no", os.path.join(work, n)], cwd=work)
        check(r.returncode == 0 and not r.stderr.strip(), f"systemd-analyze verify {n}: clean", r.stdout + r.stderr)
    # Control: verify does look at what we check (an ExecStart that does not exist fails).
    broken = os.path.join(work, "broken.service")
    with open(os.path.join(work, "privsshd.service")) as f, open(broken, "w") as g:
        g.write(f.read().replace("/sbin/privsshd -D", "/sbin/no-such-privsshd -D"))
    r = run(["systemd-analyze", "verify", "--man=no", broken], cwd=work)
    check(r.returncode != 0 and "no-such-privsshd" in r.stderr, "control: a broken copy fails verify", r.stderr)

    root = "/tmp/fresh-root"
    os.makedirs(os.path.join(root, "etc"), exist_ok=True)
    tmpfiles = os.path.join(prefix, "lib", "tmpfiles.d", "privsshd.conf")
    r = run(["systemd-tmpfiles", "--create", f"--root={root}", tmpfiles])
    st = os.stat(os.path.join(root, "run", "privsshd", "empty")) if r.returncode == 0 else None
    check(st is not None and st.st_uid == 0 and (st.st_mode & 0o7777) == 0o755 and
          not os.listdir(os.path.join(root, "run", "privsshd", "empty")),
          "tmpfiles creates /run/privsshd/empty, root-owned 0755, empty", r.stderr)
    sysusers = os.path.join(prefix, "lib", "sysusers.d", "privsshd.conf")
    r = run(["systemd-sysusers", f"--root={root}", sysusers])
    passwd = harness.read_text(os.path.join(root, "etc", "passwd")) if r.returncode == 0 else ""
    line = [l for l in passwd.splitlines() if l.startswith("privsshd:")]
    check(len(line) == 1 and line[0].endswith(":/nonexistent:/usr/sbin/nologin") and line[0].split(":")[2] != "0",
          "sysusers creates the sandbox user privsshd, no home, no shell", r.stderr + passwd)

    keygen = os.path.join(prefix, "libexec", "privsshd-keygen")
    keys = "/tmp/hostkeys"
    env = dict(os.environ, PRIVSSHD_KEYDIR=keys)
    r = run([keygen], env=env)
    made = sorted(os.listdir(keys)) if os.path.isdir(keys) else []
    want = sorted(f"ssh_host_{t}_key{s}" for t in ("ed25519", "ecdsa", "rsa") for s in ("", ".pub"))
    check(r.returncode == 0 and made == want, "privsshd-keygen creates ed25519, ecdsa and rsa host keys", made)
    modes = {k: os.stat(os.path.join(keys, k)).st_mode & 0o777 for k in made}
    check(all(m == 0o600 for k, m in modes.items() if not k.endswith(".pub")), "private keys are 0600", modes)
    before = {k: harness.fingerprint(os.path.join(keys, k)) for k in made if k.endswith(".pub")}
    r = run([keygen], env=env)
    after = {k: harness.fingerprint(os.path.join(keys, k)) for k in made if k.endswith(".pub")}
    check(r.returncode == 0 and before == after and not r.stderr, "a second run keeps the keys it finds", r.stderr)
    conf = "/tmp/units-config"
    with open(conf, "w") as f:
        f.write("".join(f"HostKey {keys}/ssh_host_{t}_key\n" for t in ("ed25519", "ecdsa", "rsa")) +
                "SandboxUser privsshd\nSandboxDirectory /run/privsshd/empty\n")
    r = run([os.path.join(prefix, "sbin", "privsshd"), "-t", "-f", conf])
    check(r.returncode == 0, "privsshd -t accepts them", r.stderr)


harness.run(main)
