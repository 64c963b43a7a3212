/*
 * try-syscall: enter the worker's real sandbox (worker/sandbox.c and worker/seccomp-policy.c are compiled
 * into this program) and attempt one system call, to show from the outside what the policy does.
 * (bubblewrap tests its seccomp support the same way.)
 *
 *   try-syscall --features                print how this build was configured
 *   try-syscall --print-filter            print the seccomp filter (libseccomp PFC), load nothing
 *   try-syscall UID GID ROOT CASE [FILE]  as root: fork; the child prepares descriptors, enters the sandbox
 *                                         as UID:GID chrooted to ROOT, prints "entered", tries CASE and
 *                                         prints "CASE: ok" or "CASE: ERRNAME" if it survives; the parent
 *                                         prints "exit: code N" or "exit: signal N" for the child.
 *
 * The fork keeps the sandboxed process from being the init of a PID namespace (tests run us under
 * `unshare --pid --fork`), where signals it raises on itself would be ignored.
 * FILE is opened for appending before the sandbox (the "fsize" case writes to it).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "common/macro.h"
#include "worker/sandbox.h"
#include "worker/seccomp-policy.h"

/* Descriptors made before the sandbox, as the monitor would hand them to the worker. */
typedef struct Prepared {
        int status_fd;          /* /proc/self/status, read after entering */
        int limits_fd;          /* /proc/self/limits */
        int file_fd;            /* FILE, for RLIMIT_FSIZE */
        int devnull_fd;         /* a character device for stdio's isatty() */
        int pty_fd;             /* a pty master */
        int pipe_fd[2];
        int seqpacket[2];       /* like the monitor IPC */
        int stream[2];          /* like a forwarded connection */
        int listen_fd;          /* like a forwarded listener */
        bool i386_works;        /* the kernel runs int 0x80 system calls */
} Prepared;

static Prepared prep;

static int print_result(const char *name, long r) {
        if (r < 0)
                printf("%s: %s\n", name, strerrorname_np(errno) ?: "unknown errno");
        else
                printf("%s: ok\n", name);
        fflush(stdout);
        return 0;
}

/* ---- allowed: what the worker does ---------------------------------------------------------- */

static int case_getpid(const char *n) {
        return print_result(n, getpid() > 0 ? 0 : -1);
}

static int case_poll(const char *n) {
        struct pollfd p = { .fd = prep.pipe_fd[0], .events = POLLIN };
        return print_result(n, poll(&p, 1, 0));
}

static int case_clock(const char *n) {
        struct timespec ts, d = { .tv_nsec = 1000000 };
        if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0 || syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts) < 0 ||
            syscall(SYS_time, NULL) < 0)
                return print_result(n, -1);
        return print_result(n, nanosleep(&d, NULL));
}

static int case_getrandom(const char *n) {
        char buf[48];
        return print_result(n, getrandom(buf, sizeof buf, 0) == sizeof buf ? 0 : -1);
}

static int case_malloc(const char *n) {
        size_t size = 64u << 20;        /* mmap'd, munmap'd */
        char *p = malloc(size);
        if (!p)
                return print_result(n, -1);
        memset(p, 'x', size);
        p = realloc(p, 2 * size);       /* mremap */
        if (!p)
                return print_result(n, -1);
        free(p);
        return print_result(n, 0);
}

static int case_alloc_3g(const char *n) {
        /* Beyond RLIMIT_AS (not applied under ASan). */
        void *p = malloc((size_t) 3 << 30);
        if (p) {
                free(p);
                return print_result(n, 0);
        }
        errno = ENOMEM;
        return print_result(n, -1);
}

static int case_mmap(const char *n) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return print_result(n, -1);
        if (mprotect(p, 4096, PROT_READ) < 0)
                return print_result(n, -1);
        return print_result(n, munmap(p, 4096));
}

static int case_futex(const char *n) {
        static uint32_t word;
        return print_result(n, syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
}

static int case_sysinfo(const char *n) {
        struct sysinfo si;
        return print_result(n, sysinfo(&si));
}

/* The worker's pump and IPC: pass a pipe end over SEQPACKET, set it up, move bytes, close. */
static int case_worker_io(const char *n) {
        char cbuf[CMSG_SPACE(sizeof(int))] = {};
        char byte = 'x';
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf,
        };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        int fd, avail = 0;

        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &prep.pipe_fd[0], sizeof(int));
        if (sendmsg(prep.seqpacket[0], &mh, MSG_NOSIGNAL) != 1)
                return print_result(n, -1);

        memset(cbuf, 0, sizeof cbuf);
        mh.msg_controllen = sizeof cbuf;
        if (recvmsg(prep.seqpacket[1], &mh, MSG_CMSG_CLOEXEC) != 1 || (mh.msg_flags & MSG_CTRUNC))
                return print_result(n, -1);
        cm = CMSG_FIRSTHDR(&mh);
        if (!cm || cm->cmsg_type != SCM_RIGHTS)
                return print_result(n, -1);
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));

        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_GETFD) < 0 ||
            fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || fcntl(prep.pipe_fd[1], F_SETPIPE_SZ, 1 << 20) < 0 ||
            fcntl(prep.pipe_fd[1], F_GETPIPE_SZ) < 0)
                return print_result(n, -1);

        struct iovec out[2] = { { "hel", 3 }, { "lo", 2 } };
        if (writev(prep.pipe_fd[1], out, 2) != 5 || write(prep.pipe_fd[1], "!", 1) != 1)
                return print_result(n, -1);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 1000) != 1 || ioctl(fd, FIONREAD, &avail) < 0 || avail != 6)
                return print_result(n, -1);
        char in[8];
        struct iovec inv = { in, 3 };
        if (readv(fd, &inv, 1) != 3 || read(fd, in, sizeof in) != 3)
                return print_result(n, -1);
        if (read(fd, in, sizeof in) != -1 || errno != EAGAIN)
                return print_result(n, -1);

        /* A forwarded connection: send, receive, SO_ERROR, half-close. */
        int err = 0;
        socklen_t len = sizeof err;
        if (sendto(prep.stream[0], "ab", 2, MSG_NOSIGNAL, NULL, 0) != 2 ||
            recvfrom(prep.stream[1], in, sizeof in, 0, NULL, NULL) != 2 ||
            getsockopt(prep.stream[0], SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0 ||
            shutdown(prep.stream[0], SHUT_WR) < 0)
                return print_result(n, -1);
        struct sockaddr_un sa;
        len = sizeof sa;
        if (getsockname(prep.stream[0], (struct sockaddr *) &sa, &len) < 0)
                return print_result(n, -1);

        return print_result(n, close(fd));
}

static int case_accept4(const char *n) {
        /* Nothing is connecting: EAGAIN is the allowed outcome. */
        return print_result(n, accept4(prep.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
}

static int case_pty_winsize(const char *n) {
        struct winsize ws = { .ws_row = 40, .ws_col = 100 };
        if (prep.pty_fd < 0) {
                printf("%s: unsupported\n", n);
                return 0;
        }
        if (ioctl(prep.pty_fd, TIOCSWINSZ, &ws) < 0)
                return print_result(n, -1);
        return print_result(n, ioctl(prep.pty_fd, TIOCGWINSZ, &ws));
}

/* glibc stdio on a character device: fstat, then isatty() = ioctl(TCGETS), then write. */
static int case_stdio_chardev(const char *n) {
        FILE *f = fdopen(prep.devnull_fd, "w");
        if (!f)
                return print_result(n, -1);
        prep.devnull_fd = -EBADF;
        if (fprintf(f, "into /dev/null\n") < 0 || fflush(f) != 0)
                return print_result(n, -1);
        fclose(f);
        dprintf(STDERR_FILENO, "try-syscall: stderr still works\n");
        return print_result(n, 0);
}

/* ---- information for the test ------------------------------------------------------------------ */

static int dump_fd(const char *n, int fd) {
        char buf[8192];
        ssize_t k;
        size_t total = 0;

        while (total < sizeof buf - 1 && (k = read(fd, buf + total, sizeof buf - 1 - total)) > 0)
                total += (size_t) k;
        buf[total] = '\0';
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
                printf("%s: %s\n", n, line);
        return print_result(n, total > 0 ? 0 : -1);
}

static int case_status(const char *n) {
        return dump_fd(n, prep.status_fd);
}

static int case_limits(const char *n) {
        return dump_fd(n, prep.limits_fd);
}

static int case_root(const char *n) {
        struct stat st;
        if (stat("/", &st) < 0)
                return print_result(n, -1);
        printf("%s: dev=%llu ino=%llu\n", n, (unsigned long long) st.st_dev, (unsigned long long) st.st_ino);
        return print_result(n, 0);
}

static int case_fsize(const char *n) {
        if (prep.file_fd < 0) {
                printf("%s: no FILE given\n", n);
                return 3;
        }
        return print_result(n, write(prep.file_fd, "x", 1));
}

/* ---- fail with EACCES ---------------------------------------------------------------------------- */

static int case_openat(const char *n) {
        return print_result(n, openat(AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC));
}

static int case_open(const char *n) {
#ifdef SYS_open
        return print_result(n, syscall(SYS_open, "/etc/passwd", O_RDONLY | O_CLOEXEC));
#else
        printf("%s: unsupported\n", n);
        return 0;
#endif
}

static int case_create(const char *n) {
        return print_result(n, openat(AT_FDCWD, "/newfile", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
}

static int case_openat2(const char *n) {
        uint64_t how[3] = { O_RDONLY | O_CLOEXEC, 0, 0 };     /* struct open_how */
        return print_result(n, syscall(SYS_openat2, AT_FDCWD, "/", how, sizeof how));
}

/* ---- killed ------------------------------------------------------------------------------------ */

static int case_socket(const char *n) {
        return print_result(n, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
}

static int case_socketpair(const char *n) {
        int sv[2];
        return print_result(n, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
}

static int case_connect(const char *n) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "\0privsshd-test" };
        return print_result(n, connect(prep.stream[0], (struct sockaddr *) &sa, sizeof sa));
}

static int case_bind(const char *n) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        return print_result(n, bind(prep.stream[0], (struct sockaddr *) &sa, sizeof(sa_family_t)));
}

static int case_listen(const char *n) {
        return print_result(n, listen(prep.listen_fd, 1));
}

static int case_setsockopt(const char *n) {
        int v = 65536;
        return print_result(n, setsockopt(prep.stream[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
}

static int case_getsockopt_tcp(const char *n) {
        char buf[256];
        socklen_t len = sizeof buf;
        return print_result(n, getsockopt(prep.stream[0], IPPROTO_TCP, 11 /* TCP_INFO */, buf, &len));
}

static int case_execve(const char *n) {
        char *argv[] = { (char *) "true", NULL }, *envp[] = { NULL };
        return print_result(n, execve("/bin/true", argv, envp));
}

static int case_fork(const char *n) {
        pid_t pid = fork();
        if (pid == 0)
                _exit(0);
        return print_result(n, pid);
}

static int case_clone3(const char *n) {
        uint64_t args[11] = {};         /* struct clone_args; exit_signal = SIGCHLD */
        args[4] = SIGCHLD;
        long r = syscall(SYS_clone3, args, sizeof args);
        if (r == 0)
                _exit(0);
        return print_result(n, r);
}

static int case_kill(const char *n) {
        return print_result(n, kill(getpid(), 0));
}

static int case_tgkill_sigkill(const char *n) {
        return print_result(n, syscall(SYS_tgkill, getpid(), gettid(), SIGKILL));
}

static int case_ptrace(const char *n) {
        return print_result(n, ptrace(PTRACE_TRACEME, 0, NULL, NULL));
}

static int case_setuid(const char *n) {
        return print_result(n, syscall(SYS_setuid, 0));
}

static int case_prctl(const char *n) {
        return print_result(n, prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
}

static int case_unshare(const char *n) {
        return print_result(n, syscall(SYS_unshare, 0x10000000 /* CLONE_NEWUSER */));
}

static int case_mkdir(const char *n) {
        return print_result(n, mkdir("/newdir", 0700));
}

static int case_pipe(const char *n) {
        int p[2];
        return print_result(n, pipe2(p, O_CLOEXEC));
}

static int case_dup(const char *n) {
        return print_result(n, dup(STDOUT_FILENO));
}

static int case_fcntl_dupfd(const char *n) {
        return print_result(n, fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0));
}

static int case_ioctl_tiocsti(const char *n) {
        char c = 'x';
        return print_result(n, ioctl(prep.pty_fd >= 0 ? prep.pty_fd : STDIN_FILENO, TIOCSTI, &c));
}

static int case_mmap_exec(const char *n) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return print_result(n, p == MAP_FAILED ? -1 : 0);
}

static int case_mprotect_exec(const char *n) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
                printf("%s: mmap failed\n", n);
                return 3;
        }
        return print_result(n, mprotect(p, 4096, PROT_READ | PROT_EXEC));
}

static int case_futex_requeue(const char *n) {
        static uint32_t a, b;
        return print_result(n, syscall(SYS_futex, &a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *) 1, &b, 0));
}

static int case_io_uring(const char *n) {
        char params[120] = {};
        return print_result(n, syscall(SYS_io_uring_setup, 1, params));
}

static int case_bpf(const char *n) {
        char attr[64] = {};
        return print_result(n, syscall(SYS_bpf, 0, attr, sizeof attr));
}

static int case_x32_getpid(const char *n) {
#if defined(__x86_64__)
        return print_result(n, syscall(0x40000000 | SYS_getpid));
#else
        printf("%s: unsupported\n", n);
        return 0;
#endif
}

#if defined(__x86_64__)
static long i386_getpid(void) {
        long r;
        /* 20 is getpid in the i386 table; int 0x80 enters the kernel through the i386 ABI */
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
        return r;
}
#endif

static int case_i386_getpid(const char *n) {
#if defined(__x86_64__)
        if (prep.i386_works)
                return print_result(n, i386_getpid());
#endif
        printf("%s: unsupported\n", n);
        return 0;
}

/* ---- abort ------------------------------------------------------------------------------------- */

static int case_abort(const char *n) {
        abort();
}

extern void __stack_chk_fail(void);

static int case_stack_chk(const char *n) {
        __stack_chk_fail();     /* what a smashed canary calls: glibc's message, then abort() */
        return 3;
}

/* ---- sanitizer reports ------------------------------------------------------------------------- */

static int case_asan_overflow(const char *n) {
        volatile size_t i = 16;
        char *p = malloc(16);
        if (!p)
                return print_result(n, -1);
        p[i] = 'x';
        printf("%s: no report\n", n);
        free(p);
        return 0;
}

static int case_ubsan_overflow(const char *n) {
        volatile int x = INT_MAX;
        x = x + 1;
        return print_result(n, 0);
}

typedef struct Case {
        const char *name;
        int (*run)(const char *name);
} Case;

static const Case cases[] = {
        { "getpid", case_getpid },
        { "poll", case_poll },
        { "clock", case_clock },
        { "getrandom", case_getrandom },
        { "malloc", case_malloc },
        { "alloc-3g", case_alloc_3g },
        { "mmap", case_mmap },
        { "futex", case_futex },
        { "sysinfo", case_sysinfo },
        { "worker-io", case_worker_io },
        { "accept4", case_accept4 },
        { "pty-winsize", case_pty_winsize },
        { "stdio-chardev", case_stdio_chardev },
        { "status", case_status },
        { "limits", case_limits },
        { "root", case_root },
        { "fsize", case_fsize },
        { "openat", case_openat },
        { "open", case_open },
        { "create", case_create },
        { "openat2", case_openat2 },
        { "socket", case_socket },
        { "socketpair", case_socketpair },
        { "connect", case_connect },
        { "bind", case_bind },
        { "listen", case_listen },
        { "setsockopt", case_setsockopt },
        { "getsockopt-tcp", case_getsockopt_tcp },
        { "execve", case_execve },
        { "fork", case_fork },
        { "clone3", case_clone3 },
        { "kill", case_kill },
        { "tgkill-sigkill", case_tgkill_sigkill },
        { "ptrace", case_ptrace },
        { "setuid", case_setuid },
        { "prctl", case_prctl },
        { "unshare", case_unshare },
        { "mkdir", case_mkdir },
        { "pipe", case_pipe },
        { "dup", case_dup },
        { "fcntl-dupfd", case_fcntl_dupfd },
        { "ioctl-tiocsti", case_ioctl_tiocsti },
        { "mmap-exec", case_mmap_exec },
        { "mprotect-exec", case_mprotect_exec },
        { "futex-requeue", case_futex_requeue },
        { "io_uring", case_io_uring },
        { "bpf", case_bpf },
        { "x32-getpid", case_x32_getpid },
        { "i386-getpid", case_i386_getpid },
        { "abort", case_abort },
        { "stack-chk", case_stack_chk },
        { "asan-overflow", case_asan_overflow },
        { "ubsan-overflow", case_ubsan_overflow },
};

static bool probe_i386(void) {
#if defined(__x86_64__)
        pid_t pid = fork();
        if (pid < 0)
                return false;
        if (pid == 0) {
                signal(SIGSEGV, SIG_DFL);       /* not ASan's handler: a plain death is the answer */
                _exit(i386_getpid() == getpid() ? 0 : 1);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid)
                return false;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
#else
        return false;
#endif
}

static int prepare(const char *file) {
        prep.status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        prep.limits_fd = open("/proc/self/limits", O_RDONLY | O_CLOEXEC);
        prep.devnull_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        prep.pty_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        prep.file_fd = file ? open(file, O_WRONLY | O_APPEND | O_CLOEXEC) : -EBADF;
        if (prep.status_fd < 0 || prep.limits_fd < 0 || prep.devnull_fd < 0 || (file && prep.file_fd < 0))
                return negative_errno();
        if (pipe2(prep.pipe_fd, O_CLOEXEC) < 0 ||
            socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, prep.seqpacket) < 0 ||
            socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, prep.stream) < 0)
                return negative_errno();

        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        prep.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (prep.listen_fd < 0 || bind(prep.listen_fd, (struct sockaddr *) &sa, sizeof(sa_family_t)) < 0 ||
            listen(prep.listen_fd, 1) < 0)
                return negative_errno();

        prep.i386_works = probe_i386();
        return 0;
}

static int parse_id(const char *s, unsigned *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end || v > UINT_MAX)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

static int child(const Case *c, unsigned uid, unsigned gid, const char *root, const char *file) {
        int r = prepare(file);
        if (r < 0) {
                fprintf(stderr, "try-syscall: preparing descriptors: %s\n", strerror(-r));
                return 2;
        }

        r = sandbox_enter(&(SandboxParams) { .uid = uid, .gid = gid, .root_dir = root });
        if (r < 0) {
                fprintf(stderr, "try-syscall: sandbox_enter: %s\n", strerror(-r));
                return 2;
        }
        printf("entered\n");
        fflush(stdout);

        return c->run(c->name);
}

int main(int argc, char *argv[]) {
        log_open_stderr();
        log_set_level(LOG_LEVEL_DEBUG1);

        if (argc == 2 && streq(argv[1], "--features")) {
                extern void __ubsan_handle_add_overflow(void *, void *, void *) __attribute__((weak));
                printf("seccomp_debug=%d sanitizer_group=%d asan=%d ubsan=%d clang=%d x86_64=%d\n",
                       seccomp_policy_is_debug(), seccomp_policy_has_sanitizer_group(), WORKER_BUILT_WITH_ASAN,
                       __ubsan_handle_add_overflow != NULL,
#if defined(__clang__)
                       1,
#else
                       0,
#endif
#if defined(__x86_64__)
                       1
#else
                       0
#endif
                );
                return 0;
        }
        if (argc == 2 && streq(argv[1], "--print-filter"))
                return seccomp_policy_export(STDOUT_FILENO) < 0 ? 1 : 0;

        if (argc < 5 || argc > 6) {
                fprintf(stderr, "usage: %s UID GID ROOT CASE [FILE] | --features | --print-filter\n", argv[0]);
                return 3;
        }

        unsigned uid, gid;
        if (parse_id(argv[1], &uid) < 0 || parse_id(argv[2], &gid) < 0) {
                fprintf(stderr, "try-syscall: bad uid or gid\n");
                return 3;
        }
        const Case *c = NULL;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                if (streq(cases[i].name, argv[4]))
                        c = &cases[i];
        if (!c) {
                fprintf(stderr, "try-syscall: unknown case \"%s\"\n", argv[4]);
                return 3;
        }

        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
                fprintf(stderr, "try-syscall: fork: %m\n");
                return 3;
        }
        if (pid == 0) {
                int r = child(c, uid, gid, argv[3], argc == 6 ? argv[5] : NULL);
                fflush(stdout);
                exit(r);
        }

        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        fprintf(stderr, "try-syscall: waitpid: %m\n");
                        return 3;
                }
        if (WIFSIGNALED(status))
                printf("exit: signal %d\n", WTERMSIG(status));
        else
                printf("exit: code %d\n", WEXITSTATUS(status));
        return 0;
}
