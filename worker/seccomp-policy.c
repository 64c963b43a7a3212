/*
 * The worker's seccomp policy: what a compromised worker can still ask the kernel.
 *
 * The worker is the only process that parses bytes from the network (libssh, OpenSSL, zlib). If one of
 * them has a memory-safety bug, the attacker runs code as the worker. sandbox.c has already taken away
 * files (an empty root-owned chroot), privileges (an unprivileged uid with no groups and no capabilities,
 * NO_NEW_PRIVS) and new processes (RLIMIT_NPROC 0). This filter takes away most of the kernel: the worker
 * keeps the system calls it needs to move bytes between descriptors it already holds, to allocate memory,
 * to read the clock and randomness, and to exit. Everything else kills the process.
 *
 * Why each choice:
 *
 *  - Default action: SCMP_ACT_KILL_PROCESS (not KILL_THREAD: a half-dead worker would hang its connection).
 *    The monitor sees the worker die by SIGSYS and runs its one teardown path. The kernel's audit log
 *    records the system call number.
 *
 *  - File opens (open, openat, openat2, creat) fail with EACCES instead of killing. libssh and OpenSSL open
 *    files lazily (/etc/ssh/moduli for group exchange, openssl.cnf on first RAND use, /etc/localtime) and
 *    cope with a failed open. Nothing could be opened anyway: the root is an empty directory.
 *
 *  - Other ABIs: libseccomp only matches system calls of the architectures in the filter. We keep only the
 *    native one, check that no compat ABI slipped in (i386 on x86-64, x32, arm on aarch64) and set the
 *    bad-arch action to kill explicitly, so `int 0x80` or an x32 system call number cannot get around the
 *    table (x32 numbers carry the x86-64 audit arch; libseccomp kills them when x32 is not in the filter).
 *
 *  - Arguments are filtered where it is cheap and buys something: ioctl only for the window size, FIONREAD
 *    and the TCGETS that glibc's stdio issues (never TIOCSTI or anything that reaches a driver); fcntl
 *    only for descriptor and status flags and pipe sizes (no F_DUPFD, no locks, no leases, no F_SETOWN);
 *    mmap and mprotect never with PROT_EXEC (no new code once sandboxed: OpenSSL 3 and libssh do not JIT
 *    and every library was bound at load, -z now); futex only wait and wake (the requeue and PI operations
 *    are where futex's kernel bugs were); getsockopt only at SOL_SOCKET (SO_ERROR, not protocol code).
 *    Integer arguments are compared in their low 32 bits, as the kernel reads them.
 *
 *  - abort(): assert(), the stack protector, _FORTIFY_SOURCE and malloc's consistency checks call abort(),
 *    which unblocks SIGABRT and raises it with tgkill on the calling thread. We allow exactly
 *    tgkill(our pid, our tid, SIGABRT) so such a death reads as SIGABRT with glibc's message, not as a
 *    seccomp kill. The worker never forks, so its pid and tid are constants when the filter is built.
 *    kill, tkill and every other tgkill kill the process: only the monitor sends signals.
 *
 *  - Not allowed, on purpose: socket, socketpair, connect, bind, listen, setsockopt (the monitor creates
 *    and configures every socket), pipe, dup*, clone, fork, execve, ptrace, prctl, setuid and friends,
 *    mount and namespaces, bpf, io_uring, userfaultfd, keyctl, perf_event_open.
 *
 *  - Sanitizer builds (ASan, UBSan) get two more groups: sigaltstack allowed, readlink and pipe2 failing
 *    with EPERM, so that a sanitizer report inside the sandbox is printed whole and a clean exit stays
 *    clean, rather than ending in a seccomp kill. Production builds never have it. ASan is detected at
 *    compile time, UBSan (for which GCC defines no macro) by its runtime's symbols being linked in.
 *
 *  - -Dseccomp_debug=true: the default action becomes SCMP_ACT_TRAP; a SIGSYS handler writes the number,
 *    name and first three arguments of the forbidden call to stderr and exits with status 128 + SIGSYS
 *    (through the raw exit_group: sanitizers intercept _exit). Names are resolved before the filter is
 *    loaded because libseccomp's resolver allocates, which a signal handler must not. Foreign ABIs are
 *    still killed outright (the bad-arch action does not trap).
 *
 * To add a system call: put it into the group whose reason covers it, or add a group with its own reason.
 * A name libseccomp does not know is an error (a typo is caught, not silently dropped); a name that does not
 * exist on this architecture (poll on aarch64) is skipped. A system call may appear in one group only.
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <seccomp.h>

#include "build-config.h"
#include "common/log.h"
#include "common/macro.h"
#include "worker/seccomp-policy.h"

typedef struct SeccompGroup {
        const char *name;
        const char *reason;
        int errno_value;        /* 0: allow; otherwise the call fails with this errno */
        bool hot;               /* on the per-packet path: tested first in the filter */
        const char *syscalls[16];
} SeccompGroup;

#define SYSCALLS(...) { __VA_ARGS__, NULL }

static const SeccompGroup seccomp_groups[] = {
        { "ssh-connection", "libssh waits in poll() and moves SSH packets over the client socket (fd 3)",
          0, true, SYSCALLS("poll", "ppoll", "recvfrom", "sendto") },
        { "monitor-ipc", "SEQPACKET messages to and from the monitor, descriptors attached with SCM_RIGHTS",
          0, true, SYSCALLS("recvmsg", "sendmsg") },
        { "byte-pump", "copying between channels and the pipes, pty masters and sockets the monitor hands us",
          0, true, SYSCALLS("read", "write", "readv", "writev", "close") },
        { "fork-check", "OpenSSL compares getpid() with its cached pid on RAND calls, about once a packet",
          0, true, SYSCALLS("getpid") },
        { "identity", "reading our own thread id, user and group ids; changes none of them",
          0, false, SYSCALLS("gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
                             "getgroups") },
        { "descriptor-flags", "non-blocking mode, close-on-exec, pipe sizes, pty window size (filtered below)",
          0, false, SYSCALLS("fcntl", "ioctl") },
        /* No accept4: connections waiting on a -R listener are accepted by the monitor's openers, as
         * the user, so that the accepted socket is the user's as well (worker/forward.h). */
        { "handed-sockets", "forwarded connections the monitor created: half-close, SO_ERROR, addresses for "
          "forwarded-tcpip",
          0, false, SYSCALLS("shutdown", "getsockopt", "getsockname", "getpeername") },
        { "memory", "malloc and free in glibc, OpenSSL and libssh; never executable (filtered below)",
          0, false, SYSCALLS("brk", "mmap", "munmap", "mremap", "mprotect", "madvise") },
        { "locks", "glibc locks and pthread_once in OpenSSL and libssh (wait and wake only)",
          0, false, SYSCALLS("futex", "sched_yield") },
        { "randomness", "OpenSSL reseeds its DRBG from the kernel; /dev/urandom cannot be opened here",
          0, false, SYSCALLS("getrandom") },
        { "time", "timeouts and timestamps; usually answered by the vDSO, these are the fallbacks",
          0, false, SYSCALLS("clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep",
                             "clock_nanosleep") },
        { "stdio", "glibc stdio stats and seeks a stream on first use (stderr before logs go over IPC)",
          0, false, SYSCALLS("fstat", "newfstatat", "lseek") },
        { "system-info", "glibc qsort() sizes its scratch buffer with sysconf(_SC_PHYS_PAGES); OpenSSL sorts",
          0, false, SYSCALLS("sysinfo") },
        { "signals-and-exit", "returning from signal handlers and restarted sleeps; exiting",
          0, false, SYSCALLS("rt_sigreturn", "restart_syscall", "exit", "exit_group") },
        { "abort", "abort() unblocks SIGABRT and raises it on the calling thread (tgkill filtered below)",
          0, false, SYSCALLS("rt_sigprocmask", "tgkill") },
        { "file-opens", "libssh and OpenSSL open files lazily (moduli, openssl.cnf): fail cleanly, not kill",
          EACCES, false, SYSCALLS("open", "openat", "openat2", "creat") },
};

/* The runtimes of ASan and UBSan do more than the worker does. Without this group a sanitizer report in
 * the sandbox would end as a seccomp kill with half a report, and even a clean exit would be killed. Found
 * by running tests/helpers/try-syscall under -Db_sanitize=address,undefined -Dseccomp_debug=true. */
static const SeccompGroup seccomp_sanitizer_groups[] = {
        { "sanitizer-exit", "sanitizer runtime: ASan drops its alternate signal stack at exit; "
          "sanitizer builds only",
          0, false, SYSCALLS("sigaltstack") },
        { "sanitizer-probes", "sanitizer runtime: reports read /proc/self/exe and probe memory through a "
          "pipe; "
          "they cope with failure; sanitizer builds only",
          EPERM, false, SYSCALLS("readlink", "pipe2") },
};

/* Allowed argument shapes. A system call listed here is allowed only with one of its rows (rows for one
 * call are alternatives; the comparisons in one row must all hold). It must also appear in an allow group. */
typedef struct SeccompArgRule {
        const char *syscall;
        const char *reason;
        unsigned n_cmp;
        struct scmp_arg_cmp cmp[3];
} SeccompArgRule;

/* Compare the low 32 bits of an int argument: the kernel ignores the upper half, so must we. */
#define ARG32_MASKED_EQ(n, mask, value) \
        { .arg = (n), .op = SCMP_CMP_MASKED_EQ, .datum_a = (uint32_t) (mask), .datum_b = (uint32_t) (value) }
#define ARG32_EQ(n, value) ARG32_MASKED_EQ(n, UINT32_MAX, value)
#define ARG_BITS_CLEAR(n, bits) { .arg = (n), .op = SCMP_CMP_MASKED_EQ, .datum_a = (bits), .datum_b = 0 }

/* Placeholders replaced by our own pid and tid when the filter is built. They do not fit in 32 bits, so a
 * placeholder that escaped replacement could never match (fails closed). */
#define SELF_PID UINT64_C(0x100000001)
#define SELF_TID UINT64_C(0x100000002)
#define ARG32_SELF(n, which) \
        { .arg = (n), .op = SCMP_CMP_MASKED_EQ, .datum_a = UINT32_MAX, .datum_b = (which) }

#define FUTEX_OP_MASK ((uint32_t) ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

static const SeccompArgRule seccomp_arg_rules[] = {
        { "ioctl", "window-change: set the window size of a pty master", 1, { ARG32_EQ(1, TIOCSWINSZ) } },
        { "ioctl", "read a pty's window size back", 1, { ARG32_EQ(1, TIOCGWINSZ) } },
        { "ioctl", "bytes waiting on a pipe or socket", 1, { ARG32_EQ(1, FIONREAD) } },
        { "ioctl", "isatty() in glibc stdio when stderr is /dev/null or a terminal", 1,
          { ARG32_EQ(1, TCGETS) } },
        { "fcntl", "read status flags", 1, { ARG32_EQ(1, F_GETFL) } },
        { "fcntl", "set O_NONBLOCK on handed descriptors", 1, { ARG32_EQ(1, F_SETFL) } },
        { "fcntl", "read close-on-exec", 1, { ARG32_EQ(1, F_GETFD) } },
        { "fcntl", "set close-on-exec", 1, { ARG32_EQ(1, F_SETFD) } },
        { "fcntl", "grow the pipes of a session", 1, { ARG32_EQ(1, F_SETPIPE_SZ) } },
        { "fcntl", "read a pipe's size", 1, { ARG32_EQ(1, F_GETPIPE_SZ) } },
        { "mmap", "no executable mappings", 1, { ARG_BITS_CLEAR(2, PROT_EXEC) } },
        { "mprotect", "no memory made executable", 1, { ARG_BITS_CLEAR(2, PROT_EXEC) } },
        { "futex", "wait", 1, { ARG32_MASKED_EQ(1, FUTEX_OP_MASK, FUTEX_WAIT) } },
        { "futex", "wake", 1, { ARG32_MASKED_EQ(1, FUTEX_OP_MASK, FUTEX_WAKE) } },
        { "futex", "wait with a bitset (condition variables)", 1,
          { ARG32_MASKED_EQ(1, FUTEX_OP_MASK, FUTEX_WAIT_BITSET) } },
        { "futex", "wake with a bitset", 1, { ARG32_MASKED_EQ(1, FUTEX_OP_MASK, FUTEX_WAKE_BITSET) } },
        { "tgkill", "abort(): SIGABRT to ourselves, nothing else", 3,
          { ARG32_SELF(0, SELF_PID), ARG32_SELF(1, SELF_TID), ARG32_EQ(2, SIGABRT) } },
        { "getsockopt", "socket-level options (SO_ERROR) only", 1, { ARG32_EQ(1, SOL_SOCKET) } },
};

/* Compat ABIs that must never be in the filter next to the native one. */
static const uint32_t seccomp_foreign_arches[] = {
        SCMP_ARCH_X86, SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_ARM, SCMP_ARCH_AARCH64,
};

bool seccomp_policy_is_debug(void) {
        return SECCOMP_DEBUG;
}

#if SECCOMP_DEBUG
/* Where the debug SIGSYS handler writes its report; read by the handler (a plain int: async-signal-safe). */
static int debug_report_fd = STDERR_FILENO;
#endif

void seccomp_policy_set_report_fd(int fd) {
#if SECCOMP_DEBUG
        debug_report_fd = fd;
#else
        (void) fd;
#endif
}

/* GCC has no predefined macro for UBSan; its runtime, when linked, defines the report handlers. */
extern void __ubsan_handle_add_overflow(void *data, void *lhs, void *rhs) __attribute__((weak));

bool seccomp_policy_has_sanitizer_group(void) {
        return WORKER_BUILT_WITH_ASAN || __ubsan_handle_add_overflow != NULL;
}

static void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

static bool group_lists(const SeccompGroup *g, const char *name) {
        for (const char *const *s = g->syscalls; *s; s++)
                if (streq(*s, name))
                        return true;
        return false;
}

/* The tables' own consistency, checked on every build (sanitizer groups included, installed or not):
 * every name in one group only, every argument rule on a call that an allow group lists. */
static int policy_check_tables(void) {
        const SeccompGroup *all_groups[ELEMENTSOF(seccomp_groups) + ELEMENTSOF(seccomp_sanitizer_groups)];
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(seccomp_groups); i++)
                all_groups[n++] = &seccomp_groups[i];
        for (size_t i = 0; i < ELEMENTSOF(seccomp_sanitizer_groups); i++)
                all_groups[n++] = &seccomp_sanitizer_groups[i];

        for (size_t i = 0; i < n; i++)
                for (const char *const *s = all_groups[i]->syscalls; *s; s++)
                        for (size_t j = i; j < n; j++)
                                for (const char *const *t = j == i ? s + 1 : all_groups[j]->syscalls; *t; t++)
                                        if (streq(*s, *t)) {
                                                log_error("seccomp: \"%s\" is listed twice (groups %s and %s)",
                                                          *s, all_groups[i]->name, all_groups[j]->name);
                                                return -EINVAL;
                                        }

        for (size_t k = 0; k < ELEMENTSOF(seccomp_arg_rules); k++) {
                const SeccompArgRule *a = &seccomp_arg_rules[k];
                bool allowed = false;

                for (size_t i = 0; i < n; i++)
                        if (group_lists(all_groups[i], a->syscall) && all_groups[i]->errno_value == 0)
                                allowed = true;
                if (!allowed) {
                        log_error("seccomp: argument rule for \"%s\" has no allow group", a->syscall);
                        return -EINVAL;
                }
        }
        return 0;
}

static int policy_add_syscall(scmp_filter_ctx ctx, const SeccompGroup *g, const char *name) {
        uint32_t action = g->errno_value == 0 ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO((uint32_t) g->errno_value);
        bool filtered = false;
        int nr, r;

        nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR) {
                log_error("seccomp: group %s: unknown system call \"%s\"", g->name, name);
                return -EINVAL;
        }
        if (nr < 0) {
                /* A pseudo number: this system call does not exist on this architecture. */
                log_debug3("seccomp: %s does not exist here, skipped", name);
                return 0;
        }

        for (size_t k = 0; k < ELEMENTSOF(seccomp_arg_rules); k++) {
                const SeccompArgRule *a = &seccomp_arg_rules[k];
                struct scmp_arg_cmp cmp[ELEMENTSOF(a->cmp)];

                if (!streq(a->syscall, name))
                        continue;
                filtered = true;

                for (unsigned c = 0; c < a->n_cmp; c++) {
                        cmp[c] = a->cmp[c];
                        if (cmp[c].datum_b == SELF_PID)
                                cmp[c].datum_b = (uint32_t) getpid();
                        else if (cmp[c].datum_b == SELF_TID)
                                cmp[c].datum_b = (uint32_t) gettid();
                }
                r = seccomp_rule_add_array(ctx, action, nr, a->n_cmp, cmp);
                if (r < 0) {
                        log_error("seccomp: cannot add rule for %s (%s): %s", name, a->reason, strerror(-r));
                        return r;
                }
        }

        if (!filtered) {
                r = seccomp_rule_add(ctx, action, nr, 0);
                if (r < 0) {
                        log_error("seccomp: group %s: cannot add %s: %s", g->name, name, strerror(-r));
                        return r;
                }
        }

        if (g->hot) {
                r = seccomp_syscall_priority(ctx, nr, 255);
                if (r < 0) {
                        log_error("seccomp: cannot prioritise %s: %s", name, strerror(-r));
                        return r;
                }
        }
        return 0;
}

static int policy_add_groups(scmp_filter_ctx ctx, const SeccompGroup *groups, size_t n_groups) {
        for (size_t i = 0; i < n_groups; i++)
                for (const char *const *s = groups[i].syscalls; *s; s++) {
                        int r = policy_add_syscall(ctx, &groups[i], *s);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int policy_build(scmp_filter_ctx *ret) {
        uint32_t native = seccomp_arch_native();
        bool with_sanitizer = seccomp_policy_has_sanitizer_group();
        int r;

        r = policy_check_tables();
        if (r < 0)
                return r;

        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx =
                seccomp_init(SECCOMP_DEBUG ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS);
        if (!ctx) {
                log_error("seccomp: cannot create a filter context");
                return -ENOMEM;
        }

        /* Real errno values from libseccomp (2.5+); older versions return generic codes, harmless. */
        (void) seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);

        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0) {
                log_error("seccomp: cannot set the bad-architecture action: %s", strerror(-r));
                return r;
        }
        /* Every thread, should a library ever have started one. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
        if (r < 0) {
                log_error("seccomp: cannot request thread synchronisation: %s", strerror(-r));
                return r;
        }

        /* Native ABI only: seccomp_init() adds just the native arch; check that nothing added another. */
        if (seccomp_arch_exist(ctx, native) != 0) {
                log_error("seccomp: the native architecture is missing from the filter");
                return -EINVAL;
        }
        for (size_t i = 0; i < ELEMENTSOF(seccomp_foreign_arches); i++) {
                if (seccomp_foreign_arches[i] == native)
                        continue;
                if (seccomp_arch_exist(ctx, seccomp_foreign_arches[i]) != -EEXIST) {
                        log_error("seccomp: a compat ABI (0x%x) is in the filter", seccomp_foreign_arches[i]);
                        return -EINVAL;
                }
        }

        r = policy_add_groups(ctx, seccomp_groups, ELEMENTSOF(seccomp_groups));
        if (r < 0)
                return r;
        if (with_sanitizer) {
                r = policy_add_groups(ctx, seccomp_sanitizer_groups, ELEMENTSOF(seccomp_sanitizer_groups));
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(ctx);
        return 0;
}

#if SECCOMP_DEBUG
/* Names of the native system calls, resolved before the filter is loaded (the resolver allocates). */
static const char *debug_syscall_names[1024];

static void debug_append(char *buf, size_t size, size_t *n, const char *s) {
        for (; *s && *n < size; s++)
                buf[(*n)++] = *s;
}

static void debug_append_number(char *buf, size_t size, size_t *n, unsigned long v, unsigned base) {
        char digits[32];
        size_t d = 0;

        do {
                digits[d++] = "0123456789abcdef"[v % base];
                v /= base;
        } while (v > 0 && d < sizeof digits);
        while (d > 0 && *n < size)
                buf[(*n)++] = digits[--d];
}

/* Async-signal-safe: fixed buffer, write(2), _exit(2). */
static void debug_sigsys_handler(int sig, siginfo_t *si, void *ucontext) {
        char buf[256];
        size_t n = 0;
        int nr = si->si_syscall;

        debug_append(buf, sizeof buf, &n, "privsshd-worker: seccomp: forbidden system call ");
        debug_append_number(buf, sizeof buf, &n, (unsigned long) (unsigned) nr, 10);
        if (nr >= 0 && (size_t) nr < ELEMENTSOF(debug_syscall_names) && debug_syscall_names[nr]) {
                debug_append(buf, sizeof buf, &n, " (");
                debug_append(buf, sizeof buf, &n, debug_syscall_names[nr]);
                debug_append(buf, sizeof buf, &n, ")");
        }
        /* The first arguments tell an ioctl request or fcntl command that the filter refused. */
        const ucontext_t *uc = ucontext;
        unsigned long args[3] = {};
        bool have_args = false;
#if defined(__x86_64__)
        args[0] = (unsigned long) uc->uc_mcontext.gregs[REG_RDI];
        args[1] = (unsigned long) uc->uc_mcontext.gregs[REG_RSI];
        args[2] = (unsigned long) uc->uc_mcontext.gregs[REG_RDX];
        have_args = true;
#elif defined(__aarch64__)
        args[0] = uc->uc_mcontext.regs[0];
        args[1] = uc->uc_mcontext.regs[1];
        args[2] = uc->uc_mcontext.regs[2];
        have_args = true;
#endif
        if (have_args)
                for (size_t i = 0; i < ELEMENTSOF(args); i++) {
                        debug_append(buf, sizeof buf, &n, i == 0 ? " args 0x" : ", 0x");
                        debug_append_number(buf, sizeof buf, &n, args[i], 16);
                }
        debug_append(buf, sizeof buf, &n, " at 0x");
        debug_append_number(buf, sizeof buf, &n, (unsigned long) si->si_call_addr, 16);
        debug_append(buf, sizeof buf, &n, "\n");

        (void) !write(debug_report_fd, buf, n);
        /* The raw system call: sanitizer runtimes intercept _exit() and would run their exit hooks. */
        syscall(SYS_exit_group, 128 + SIGSYS);
        _exit(128 + SIGSYS);
}

static int debug_install_handler(void) {
        struct sigaction sa = {
                .sa_sigaction = debug_sigsys_handler,
                .sa_flags = SA_SIGINFO,
        };

        for (size_t i = 0; i < ELEMENTSOF(debug_syscall_names); i++)
                if (!debug_syscall_names[i])
                        /* Deliberately kept for the life of the process. */
                        debug_syscall_names[i] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int) i);

        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGSYS, &sa, NULL) < 0)
                return negative_errno();

        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGSYS);
        if (sigprocmask(SIG_UNBLOCK, &set, NULL) < 0)
                return negative_errno();
        return 0;
}
#endif

int seccomp_policy_install(void) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        r = policy_build(&ctx);
        if (r < 0)
                return r;

#if SECCOMP_DEBUG
        r = debug_install_handler();
        if (r < 0) {
                log_error("seccomp: cannot install the SIGSYS reporter: %s", strerror(-r));
                return r;
        }
        log_info("seccomp: debug build: forbidden system calls are reported, not silently killed");
#endif

        r = seccomp_load(ctx);
        if (r < 0) {
                log_error("seccomp: cannot load the filter: %s", strerror(-r));
                return r;
        }
        return 0;
}

int seccomp_policy_export(int fd) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        r = policy_build(&ctx);
        if (r < 0)
                return r;

        r = seccomp_export_pfc(ctx, fd);
        if (r < 0) {
                log_error("seccomp: cannot export the filter: %s", strerror(-r));
                return r;
        }
        return 0;
}
