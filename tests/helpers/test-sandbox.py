#!/usr/bin/python3
"""Run try-syscall inside the worker's real sandbox, one case at a time, and check what happened.

Usage: test-sandbox.py PATH-TO-try-syscall

Needs root (the sandbox chroots and changes uid). Without root the test is skipped (exit 77), unless
PRIVSSHD_TESTS_MUST_RUN=1, in which case a skip is a failure. Each case runs as
`unshare --mount --pid --fork try-syscall 65534 65534 ROOT CASE` with ROOT a fresh, empty, root-owned
directory. A forbidden system call must kill the sandboxed process with SIGSYS (or, in a
-Dseccomp_debug=true build, end it with status 159 and a report naming the call); an allowed one must
return; file opens must fail with EACCES.
"""

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

SIGABRT = 6
SIGSYS = 31
SANDBOX_ID = 65534
NOFILE = 4096                       # SANDBOX_RLIMIT_NOFILE in worker/sandbox.h
ADDRESS_SPACE = 2 * 1024 ** 3       # SANDBOX_RLIMIT_AS

MUST_RUN = os.environ.get("PRIVSSHD_TESTS_MUST_RUN") == "1"


def skip(reason):
    print(f"SKIP: {reason}" + (" (PRIVSSHD_TESTS_MUST_RUN=1: failing)" if MUST_RUN else ""))
    sys.exit(1 if MUST_RUN else 77)


class Result:
    def __init__(self, proc):
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.lines = proc.stdout.splitlines()
        self.entered = "entered" in self.lines
        self.signal = None
        self.code = None
        last = self.lines[-1] if self.lines else ""
        if last.startswith("exit: signal "):
            self.signal = int(last.split()[-1])
        elif last.startswith("exit: code "):
            self.code = int(last.split()[-1])

    def outcome(self):
        return f"signal {self.signal}" if self.signal is not None else f"code {self.code}"

    def values(self, case):
        prefix = case + ": "
        return [l[len(prefix):] for l in self.lines if l.startswith(prefix)]


class Tester:
    def __init__(self, helper):
        self.helper = helper
        self.failures = 0
        self.count = 0
        out = subprocess.run([helper, "--features"], capture_output=True, text=True, check=True).stdout
        self.features = {k: v == "1" for k, v in (f.split("=") for f in out.split())}
        print(f"# try-syscall features: {out.strip()}")

    def run(self, case, root, extra=(), uid=SANDBOX_ID, gid=SANDBOX_ID, env=None):
        cmd = ["unshare", "--mount", "--pid", "--fork", self.helper, str(uid), str(gid), root, case, *extra]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                              env=env)
        return Result(proc)

    def report(self, name, problems, res=None):
        self.count += 1
        if not problems:
            print(f"ok {self.count} - {name}")
            return
        self.failures += 1
        print(f"not ok {self.count} - {name}: {'; '.join(problems)}")
        if res is not None:
            for l in res.stdout.splitlines():
                print(f"#   stdout: {l}")
            for l in res.stderr.splitlines():
                print(f"#   stderr: {l}")

    def expect(self, case, root, kind, value=None, extra=()):
        """kind: 'ok' (returns), 'errno' (fails with value), 'killed' (SIGSYS), 'signal' (value)."""
        res = self.run(case, root, extra)
        problems = []
        got = res.values(case)
        if got == ["unsupported"]:
            print(f"ok {self.count + 1} - {case} # SKIP not supported on this kernel or architecture")
            self.count += 1
            return res
        if not res.entered:
            problems.append("the sandbox was not entered")
        if kind == "ok":
            if res.code != 0 or "ok" not in got:
                problems.append(f"expected to return, got {res.outcome()} {got}")
        elif kind == "errno":
            if res.code != 0 or value not in got:
                problems.append(f"expected {value}, got {res.outcome()} {got}")
        elif kind == "killed":
            if self.features["seccomp_debug"]:
                if res.code != 128 + SIGSYS or "forbidden system call" not in res.stderr:
                    problems.append(f"expected a seccomp report and status 159, got {res.outcome()}")
            elif res.signal != SIGSYS:
                problems.append(f"expected death by SIGSYS, got {res.outcome()} {got}")
        elif kind == "arch-killed":
            # Foreign ABIs die by the bad-arch action, which is kill even in debug builds.
            if res.signal != SIGSYS:
                problems.append(f"expected death by SIGSYS, got {res.outcome()} {got}")
        elif kind == "signal":
            if res.signal != value:
                problems.append(f"expected death by signal {value}, got {res.outcome()} {got}")
        else:
            raise ValueError(kind)
        self.report(f"{case}: {kind}{' ' + str(value) if value else ''}", problems, res)
        return res


def fresh_root(base, name):
    path = os.path.join(base, name)
    os.mkdir(path, 0o755)
    os.chown(path, 0, 0)
    os.chmod(path, 0o755)
    return path


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    helper = os.path.abspath(sys.argv[1])

    if os.geteuid() != 0:
        skip("needs root: the sandbox chroots and changes uid")
    if not shutil.which("unshare"):
        skip("unshare(1) is not installed")
    if subprocess.run(["unshare", "--mount", "--pid", "--fork", "true"], capture_output=True).returncode != 0:
        skip("unshare --mount --pid --fork does not work here (container without CAP_SYS_ADMIN?)")

    t = Tester(helper)
    base = tempfile.mkdtemp(prefix="privsshd-sandbox-")
    os.chmod(base, 0o755)
    try:
        root = fresh_root(base, "root")
        outside = os.path.join(base, "outside")
        os.mkdir(outside, 0o755)
        victim = os.path.join(outside, "file")
        with open(victim, "w"):
            pass

        # What the worker does: allowed.
        for case in ["getpid", "poll", "clock", "getrandom", "malloc", "mmap", "futex", "sysinfo",
                     "worker-io", "pty-winsize", "stdio-chardev"]:
            t.expect(case, root, "ok")

        # File opens fail cleanly.
        for case in ["openat", "open", "create", "openat2"]:
            t.expect(case, root, "errno", "EACCES")

        # Everything else kills.
        # accept4 too: connections on -R listeners are accepted by the monitor's openers, as the user.
        for case in ["socket", "socketpair", "connect", "bind", "listen", "accept4", "setsockopt", "getsockopt-tcp",
                     "execve", "fork", "clone3", "kill", "tgkill-sigkill", "ptrace", "setuid", "prctl",
                     "unshare", "mkdir", "dup", "fcntl-dupfd", "ioctl-tiocsti", "mmap-exec",
                     "mprotect-exec", "futex-requeue", "io_uring", "bpf"]:
            t.expect(case, root, "killed")
        # ... except that sanitizer runtimes probe memory through a pipe: in their builds it fails instead.
        if t.features["sanitizer_group"]:
            t.expect("pipe", root, "errno", "EPERM")
        else:
            t.expect("pipe", root, "killed")
        for case in ["x32-getpid", "i386-getpid"]:
            t.expect(case, root, "arch-killed")

        # abort() and the stack protector still end in SIGABRT, with glibc's message.
        t.expect("abort", root, "signal", SIGABRT)
        res = t.expect("stack-chk", root, "signal", SIGABRT)
        t.report("stack-chk: glibc's message reaches stderr",
                 [] if "stack smashing detected" in res.stderr else ["no message"], res)

        # The state of the sandboxed process.
        res = t.expect("status", root, "ok")
        status = dict(l.split(":", 1) for l in res.values("status") if ":" in l)
        status = {k.strip(): v.split() for k, v in status.items()}
        ids = [str(SANDBOX_ID)] * 4
        zero_caps = ["0000000000000000"]
        for key, want in [("NoNewPrivs", ["1"]), ("Seccomp", ["2"]), ("Uid", ids), ("Gid", ids),
                          ("Groups", []), ("CapInh", zero_caps), ("CapPrm", zero_caps),
                          ("CapEff", zero_caps), ("CapAmb", zero_caps)]:
            got = status.get(key)
            t.report(f"status: {key} is {' '.join(want) or '(empty)'}",
                     [] if got == want else [f"got {got}"], res)

        res = t.expect("limits", root, "ok")
        limits = {}
        for l in res.values("limits"):
            # "Max open files            4096                 4096                 files"
            cols = re.split(r"\s{2,}", l.strip())
            if l.startswith("Max ") and len(cols) >= 3:
                limits[cols[0]] = cols[1:3]
        nofile = str(min(NOFILE, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
        want_limits = [("Max processes", ["0", "0"]), ("Max file size", ["0", "0"]),
                       ("Max core file size", ["0", "0"]), ("Max locked memory", ["0", "0"]),
                       ("Max open files", [nofile, nofile])]
        if not t.features["asan"]:
            want_limits.append(("Max address space", [str(ADDRESS_SPACE)] * 2))
        for key, want in want_limits:
            got = limits.get(key)
            t.report(f"limits: {key} is {'/'.join(want)}", [] if got == want else [f"got {got}"], res)
        if not t.features["asan"]:
            t.expect("alloc-3g", root, "errno", "ENOMEM")

        res = t.expect("root", root, "ok")
        st = os.stat(root)
        t.report("root: / inside is the sandbox directory",
                 [] if f"dev={st.st_dev} ino={st.st_ino}" in res.values("root") else ["it is not"], res)

        t.expect("fsize", root, "errno", "EFBIG", extra=[victim])
        t.report("fsize: the file outside did not grow",
                 [] if os.path.getsize(victim) == 0 else [f"size {os.path.getsize(victim)}"])

        # Sanitizer reports inside the sandbox must come out whole, not as a seccomp kill.
        if t.features["asan"]:
            env = None
            if t.features["clang"]:
                # clang's runtime symbolizes by running llvm-symbolizer, which the sandbox forbids (and
                # sandbox.c does not start it beforehand as GCC's in-process one is warmed up).
                env = dict(os.environ)
                env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "symbolize=0"]))
            res = t.run("asan-overflow", root, env=env)
            t.report("asan-overflow: ASan reports and exits 1 (not SIGSYS)",
                     [] if res.code == 1 and "heap-buffer-overflow" in res.stderr
                     and "SUMMARY: AddressSanitizer" in res.stderr else [f"got {res.outcome()}"], res)
        if t.features["ubsan"]:
            res = t.run("ubsan-overflow", root)
            t.report("ubsan-overflow: UBSan reports and the process goes on",
                     [] if res.code == 0 and "runtime error" in res.stderr
                     and "ok" in res.values("ubsan-overflow") else [f"got {res.outcome()}"], res)

        t.report("the sandbox directory is still empty",
                 [] if not os.listdir(root) else [f"contains {os.listdir(root)}"])

        # sandbox_enter() refuses bad parameters and bad directories, before doing anything.
        def refused(name, root_dir, uid=SANDBOX_ID, gid=SANDBOX_ID, message="sandbox: "):
            res = t.run("getpid", root_dir, uid=uid, gid=gid)
            problems = []
            if res.entered or res.code != 2:
                problems.append(f"not refused: {res.outcome()}")
            if message not in res.stderr:
                problems.append(f"no \"{message}\" on stderr")
            t.report(f"refused: {name}", problems, res)

        refused("uid 0", root, uid=0, message="refusing")
        refused("gid 0", root, gid=0, message="refusing")
        refused("uid -1", root, uid=2 ** 32 - 1, message="refusing")
        refused("relative path", "relative/dir", message="not an absolute path")
        refused("missing directory", os.path.join(base, "missing"), message="opening root directory")
        refused("a file, not a directory", victim, message="opening root directory")
        writable = fresh_root(base, "group-writable")
        os.chmod(writable, 0o775)
        refused("group-writable directory", writable, message="must be owned by root")
        owned = fresh_root(base, "not-root-owned")
        os.chown(owned, SANDBOX_ID, SANDBOX_ID)
        refused("directory owned by the sandbox user", owned, message="must be owned by root")
        refused("non-empty directory (or /)", outside, message="must be empty")
        refused("/ itself", "/", message="must be empty")
    finally:
        shutil.rmtree(base, ignore_errors=True)

    print(f"1..{t.count}")
    if t.failures:
        print(f"# {t.failures} of {t.count} checks failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
