#!/usr/bin/python3
"""tools/install-deps as it runs on a machine that has none of our packages.

The README's set-up commands start with tools/install-deps, and CI runs on a machine that already
has everything, where a broken install step goes unseen (it did: on a fresh Debian 12 the list
handed to apt-get contained "lib", a mangled "libsystemd-dev"). So:

 1. The script runs with dpkg-query answering "not installed" for every package and apt-get
    recording what it is asked (both stand-ins, first on PATH; nothing is installed), once as on
    Debian 12 (no systemd-dev package) and once as on Debian 13 (systemd-dev exists). The exact list
    handed to `apt-get install` is compared with the expected one, for `build` and for `test`.
 2. Every name on that list is a package the machine's real apt knows (apt-cache policy has a
    candidate): a typo or a mangled name fails here.
 3. Every file the build and the tests need (pkg-config files, compilers, the OpenSSH client,
    tmux, asyncssh, the PAM modules, ...) belongs, on this machine, to a package on that list or
    one apt installs with them (their dependencies), or to one that every Debian system has (Essential or Priority required, what debootstrap's minbase
    installs): a new test tool that nobody added to install-deps fails here instead of on a
    fresh machine.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

SRCDIR = os.path.abspath(os.environ.get("PRIVSSHD_SRCDIR") or
                         os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MUST_RUN = os.environ.get("PRIVSSHD_TESTS_MUST_RUN") == "1"

BUILD = ["gcc", "meson", "ninja-build", "pkg-config", "libpam0g-dev", "libseccomp-dev",
         "libsystemd-dev", "libcrypt-dev", "openssh-client", "libpam-modules", "libpam-runtime",
         "cmake", "libssl-dev", "zlib1g-dev", "patch", "xz-utils"]
TEST = ["clang", "openssh-sftp-server", "python3", "python3-asyncssh", "tmux", "iproute2", "util-linux",
        "procps", "openssl", "debootstrap", "socat", "netcat-openbsd", "libpam-oath", "oathtool", "systemd",
        "python3-systemd", "systemd-container", "debhelper", "dpkg-dev", "build-essential"]
DEB = ["debhelper", "dpkg-dev", "build-essential", "lintian"]

# What the build and the tests use, by path (globs allowed; the first match counts).
NEEDED = [
    "/usr/lib/*/pkgconfig/libcrypto.pc", "/usr/lib/*/pkgconfig/zlib.pc", "/usr/bin/cmake", "/usr/bin/patch",
    "/usr/bin/xz", "/usr/lib/*/pkgconfig/pam.pc", "/usr/lib/*/pkgconfig/libseccomp.pc",
    "/usr/lib/*/pkgconfig/libsystemd.pc", "/usr/lib/*/pkgconfig/libcrypt.pc",
    "/usr/bin/gcc", "/usr/bin/clang", "/usr/bin/meson", "/usr/bin/ninja", "/usr/bin/pkg-config",
    "/usr/bin/ssh", "/usr/bin/ssh-keygen", "/usr/bin/scp", "/usr/bin/sftp", "/usr/lib/openssh/sftp-server",
    "/usr/bin/tmux", "/usr/bin/ip", "/usr/bin/unshare", "/usr/bin/mount", "/usr/bin/timeout",
    "/usr/bin/sha256sum", "/usr/bin/ps", "/usr/bin/nm", "/usr/bin/openssl", "/usr/bin/python3",
    "/usr/bin/socat", "/usr/bin/nc.openbsd",
    "/usr/lib/python3/dist-packages/asyncssh/__init__.py",
    # tests/integration/test_journal.py: a real journald, journalctl, fail2ban's journal backend
    "/lib/systemd/systemd-journald", "/bin/journalctl", "/usr/lib/python3/dist-packages/systemd/journal.py",
    "/usr/lib/*/security/pam_unix.so", "/usr/lib/*/security/pam_exec.so",
    "/usr/lib/*/security/pam_oath.so", "/usr/bin/oathtool",
    # tests/regress/: unpacking openssh-tests, and what its scripts run besides ssh and sshd
    "/usr/bin/dpkg-deb", "/usr/bin/ssh-agent", "/usr/bin/ssh-add", "/usr/bin/ssh-keyscan", "/usr/bin/sh",
    "/usr/bin/awk", "/usr/bin/cmp", "/usr/bin/diff", "/usr/bin/dd", "/usr/bin/od",
    "/usr/lib/*/libssl.so.3", "/usr/lib/*/libmd.so.0",
    # tests/systemd/: the package built (tools/build-deb) and booted in a container
    "/usr/bin/dpkg-buildpackage", "/usr/bin/dh", "/usr/bin/dh_installsysusers", "/usr/bin/systemd-nspawn",
    "/usr/bin/nsenter", "/usr/sbin/chroot", "/usr/bin/tar",
]

PIN = open(os.path.join(SRCDIR, "subprojects", "libssh.pin")).read().split()
LIBSSH_TARBALL = PIN[2]
REAL_TARBALL = os.path.join(SRCDIR, ".cache", "libssh", LIBSSH_TARBALL)

failures = 0


def check(cond, what, detail=None):
    global failures
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failures += 1
        if detail is not None:
            print("    " + str(detail).replace("\n", "\n    "))


def fake_bin(tmp):
    d = os.path.join(tmp, "bin")
    os.mkdir(d)
    scripts = {
        # Nothing is installed.
        "dpkg-query": "exit 1\n",
        # Records its arguments; installs nothing, downloads nothing.
        # `source` hands over $FAKE_LIBSSH_TARBALL (if set) as the pinned tarball.
        "apt-get": 'echo "$*" >> "$FAKE_APT_LOG"\n[ "$1" = download ] && exit 1\n'
                   'for a; do [ "$a" = source ] && [ -n "$FAKE_LIBSSH_TARBALL" ] && '
                   'cp "$FAKE_LIBSSH_TARBALL" "$FAKE_LIBSSH_NAME"; done\nexit 0\n',
        # systemd-dev exists only when FAKE_SYSTEMD_DEV=1 (Debian 13).
        "apt-cache": '[ "$1 $2" = "show systemd-dev" ] && [ "$FAKE_SYSTEMD_DEV" = 1 ] && exit 0\nexit 100\n',
        # As root, whoever runs the test.
        "id": '[ "$1" = -u ] && { echo 0; exit 0; }\nexec /usr/bin/id "$@"\n',
    }
    for name, body in scripts.items():
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)
    return d


def run_install_deps(tmp, mode, systemd_dev, tarball=REAL_TARBALL, tag=""):
    log = os.path.join(tmp, f"apt-{mode}-{systemd_dev}{tag}.log")
    if os.path.exists(log):
        os.unlink(log)
    env = dict(os.environ, PATH=fake_bin_dir + ":" + os.environ.get("PATH", "/usr/bin:/bin"),
               FAKE_APT_LOG=log, FAKE_SYSTEMD_DEV="1" if systemd_dev else "0",
               FAKE_LIBSSH_TARBALL=tarball or "", FAKE_LIBSSH_NAME=LIBSSH_TARBALL)
    # A copy of the tools, so that the fail2ban download (which fails here) never touches the
    # checkout's .cache.
    top = os.path.join(tmp, f"tree-{mode}-{systemd_dev}{tag}")
    os.makedirs(os.path.join(top, "tools"), exist_ok=True)
    os.makedirs(os.path.join(top, "subprojects"), exist_ok=True)
    for f in ("install-deps", "fetch-libssh"):
        shutil.copy(os.path.join(SRCDIR, "tools", f), os.path.join(top, "tools"))
    shutil.copy(os.path.join(SRCDIR, "subprojects", "libssh.pin"), os.path.join(top, "subprojects"))
    r = subprocess.run([os.path.join(top, "tools", "install-deps"), mode], env=env, capture_output=True,
                       text=True, timeout=120)
    lines = open(log).read().splitlines() if os.path.exists(log) else []
    installs = [l.split() for l in lines if l.split()[:1] == ["install"]]
    pkgs = [w for l in installs for w in l[1:] if not w.startswith("-")]
    return r, lines, pkgs, top


def owners(path):
    """The packages that own path on this machine (merged /usr: dpkg may know it as /bin/...)."""
    cands = [path, os.path.realpath(path)]
    cands += [p[len("/usr"):] for p in list(cands) if p.startswith("/usr/")]
    for p in cands:
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            out = set()
            for line in r.stdout.splitlines():
                names, _, owned = line.partition(": ")
                if owned.strip() == p:
                    out.update(n.strip().split(":")[0] for n in names.split(","))
            if out:
                return out
    return set()


def with_dependencies(pkgs):
    """pkgs and everything apt would install with them (Depends and PreDepends, recursively)."""
    r = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                        "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"] + list(pkgs),
                       capture_output=True, text=True, timeout=120)
    return {l.strip().split(":")[0] for l in r.stdout.splitlines() if l and not l.startswith(" ")
            and not l.startswith("<")} | set(pkgs)


def always_there(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Essential} ${Priority}", pkg], capture_output=True,
                       text=True)
    essential, _, priority = r.stdout.partition(" ")
    return essential == "yes" or priority == "required"


def main():
    global fake_bin_dir
    tmp = tempfile.mkdtemp(prefix="privsshd-install-deps-")
    fake_bin_dir = fake_bin(tmp)
    try:
        for mode, want in (("build", BUILD), ("test", BUILD + TEST), ("deb", BUILD + DEB)):
            for systemd_dev in (False, True):
                expected = want + (["systemd-dev"] if systemd_dev else [])
                r, lines, pkgs, _ = run_install_deps(tmp, mode, systemd_dev)
                where = "Debian 13 (systemd-dev exists)" if systemd_dev else "Debian 12 (no systemd-dev)"
                check(r.returncode == 0, f"install-deps {mode} on an empty {where} succeeds",
                      r.stdout + r.stderr)
                check(any(l.split()[:1] == ["update"] for l in lines),
                      f"install-deps {mode}: apt-get update runs first", lines)
                check(sorted(pkgs) == sorted(expected),
                      f"install-deps {mode} on an empty {where}: apt-get install gets exactly the expected list",
                      f"got      {sorted(pkgs)}\nexpected {sorted(expected)}")

        r, lines, everything, top = run_install_deps(tmp, "test", False, tag="-fetch")
        # What is unpacked into .cache/ instead of installed (their packages start daemons).
        for pkg in ("fail2ban", "openssh-tests", "openssh-server"):
            check(any(l.split() == ["download", pkg] for l in lines),
                  f"install-deps test downloads {pkg} to unpack it into .cache/", lines)
        check(os.path.isfile(REAL_TARBALL) or not MUST_RUN,
              f"the checkout has the pinned {LIBSSH_TARBALL} (tools/fetch-libssh ran)")
        if os.path.isfile(REAL_TARBALL):
            fetched = os.path.join(top, ".cache", "libssh", LIBSSH_TARBALL)
            check(r.returncode == 0 and os.path.isfile(fetched) and
                  open(fetched, "rb").read() == open(REAL_TARBALL, "rb").read(),
                  "install-deps leaves the pinned libssh tarball in .cache/libssh/", r.stderr)
            src = [l for l in lines if " source " in f" {l} "]
            private = os.path.join(top, ".cache", "libssh", "apt")
            check(len(src) == 1 and f"{PIN[0]}={PIN[1]}" in src[0].split() and
                  f"Dir::Etc::sourcelist={private}/etc/sources.list" in src[0] and
                  f"Dir::State::Lists={private}/lists" in src[0] and f"Dir::Cache={private}/cache" in src[0],
                  f"the source is fetched with apt-get source {PIN[0]}={PIN[1]} through a private apt set-up",
                  src)
            bogus = os.path.join(tmp, "bogus.tar.xz")
            with open(bogus, "wb") as f:
                f.write(b"not the release\n")
            r, _, _, top = run_install_deps(tmp, "build", False, tarball=bogus, tag="-bogus")
            check(r.returncode != 0 and "subprojects/libssh.pin" in r.stderr and "SHA-256" in r.stderr and
                  not os.path.exists(os.path.join(top, ".cache", "libssh", LIBSSH_TARBALL)),
                  "a tarball that does not match the pinned SHA-256 fails install-deps, naming the pin",
                  r.stderr)
        r, _, _, _ = run_install_deps(tmp, "build", False, tarball=None, tag="-none")
        check(r.returncode != 0 and "subprojects/libssh.pin" in r.stderr,
              "no tarball from apt fails install-deps, naming the pin", r.stderr)
        if not os.path.isdir("/var/lib/apt/lists") or not glob.glob("/var/lib/apt/lists/*Packages*"):
            check(not MUST_RUN, "apt has package lists to check names against (run apt-get update)")
        else:
            unknown = []
            for p in everything:
                out = subprocess.run(["apt-cache", "policy", p], capture_output=True, text=True).stdout
                if "Candidate:" not in out or "Candidate: (none)" in out:
                    unknown.append(p)
            check(not unknown, "every package install-deps names is one apt can install", unknown)

        brought = with_dependencies(everything)
        missing = []
        for pattern in NEEDED:
            found = sorted(glob.glob(pattern))
            if not found:
                missing.append(f"{pattern}: not on this machine")
                continue
            pk = owners(found[0])
            if not pk:
                missing.append(f"{found[0]}: no package owns it")
            elif not (pk & brought) and not any(always_there(p) for p in pk):
                missing.append(f"{found[0]}: from {', '.join(sorted(pk))}, which install-deps does not install")
        check(not missing, "everything the build and the tests use comes from a package install-deps "
              "installs, or from one every Debian system has", "\n".join(missing))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"# {'all passed' if failures == 0 else f'{failures} failed'}")
    sys.exit(1 if failures else 0)


main()
