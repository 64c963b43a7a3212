/*
 * See sftp-seccomp.h. Why this shape:
 *
 *  - Default action: kill the process. An exploited sftp server can do with the user's files what the
 *    user could (that is its job) but nothing else: no socket, connect, execve, fork/clone, ptrace,
 *    kill, mount, keyctl, bpf, ...
 *  - socket and connect fail with EACCES instead of killing: glibc's syslog() reconnects to /dev/log when
 *    its send fails, and a failed log line must not end the user's transfer. Nothing can be reached
 *    anyway (after chroot there is no /dev/log; the already connected syslog socket keeps working).
 *  - mmap and mprotect never with PROT_EXEC: no new code once filtered (-z now bound every symbol).
 *  - ioctl only TCGETS (glibc's stdio asks whether a stream is a terminal), fcntl only flag queries.
 */

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>

#include "common/log.h"
#include "common/macro.h"
#include "sftp/sftp-seccomp.h"

static const char *const allowed[] = {
        /* I/O on held descriptors and files */
        "read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "close", "fsync", "fdatasync",
        "sendto", "sendmsg", "send",    /* the syslog socket, connected before chroot */
        "openat", "open", "creat", "fstat", "newfstatat", "stat", "lstat", "statx", "getdents64", "getdents",
        "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2",
        "link", "linkat", "symlink", "symlinkat", "readlink", "readlinkat", "truncate", "ftruncate",
        "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "fchownat", "lchown", "utimensat",
        "utime", "utimes", "futimesat", "statfs", "fstatfs", "getcwd", "chdir", "fchdir", "access",
        "faccessat", "faccessat2", "umask",
        /* memory, time, identity, exit */
        "brk", "munmap", "mremap", "madvise", "clock_gettime", "clock_nanosleep", "nanosleep",
        "gettimeofday", "time", "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getgroups",
        "rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "sigaltstack", "exit", "exit_group", "futex",
        "getrandom", "prlimit64", "getrlimit", "sched_yield", "restart_syscall",
};

static int add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n, const struct scmp_arg_cmp *cmp) {
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
                return 0;       /* not on this architecture */
        int r = n ? seccomp_rule_add_array(ctx, action, nr, n, cmp) : seccomp_rule_add(ctx, action, nr, 0);
        if (r < 0)
                log_error("internal-sftp: seccomp: cannot add %s: %s", name, strerror(-r));
        return r;
}

int sftp_seccomp_install(void) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
        int r = 0;
        if (!ctx)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(allowed) && r >= 0; i++)
                r = add(ctx, SCMP_ACT_ALLOW, allowed[i], 0, NULL);
        const struct scmp_arg_cmp no_exec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
        const struct scmp_arg_cmp tcgets = SCMP_A1(SCMP_CMP_EQ, TCGETS);
        const struct scmp_arg_cmp getfl = SCMP_A1(SCMP_CMP_EQ, F_GETFL);
        const struct scmp_arg_cmp getfd = SCMP_A1(SCMP_CMP_EQ, F_GETFD);
        if (r >= 0)
                r = add(ctx, SCMP_ACT_ALLOW, "mmap", 1, &no_exec);
        if (r >= 0)
                r = add(ctx, SCMP_ACT_ALLOW, "mprotect", 1, &no_exec);
        if (r >= 0)
                r = add(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &tcgets);
        if (r >= 0)
                r = add(ctx, SCMP_ACT_ALLOW, "fcntl", 1, &getfl);
        if (r >= 0)
                r = add(ctx, SCMP_ACT_ALLOW, "fcntl", 1, &getfd);
        if (r >= 0)
                r = add(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 0, NULL);
        if (r >= 0)
                r = add(ctx, SCMP_ACT_ERRNO(EACCES), "connect", 0, NULL);
        if (r >= 0)
                r = seccomp_load(ctx);
        seccomp_release(ctx);
        return r;
}
