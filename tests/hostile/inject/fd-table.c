/*
 * Injected scenario (worker/test-inject.h) for issue 7 finding 3: what descriptors does a taken-over
 * worker hold, and can it write to the daemon's stderr?
 *
 * At each point it lists the worker's whole descriptor table (every number below the sandbox's
 * RLIMIT_NOFILE: getrlimit itself is not in the seccomp policy) through the worker's proper LOG path,
 * then writes a forged authentication line with terminal escapes to fd 2, and finally sends the same
 * text through the LOG path as the positive control. tests/hostile/test_injected.py reads the log.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "worker/sandbox.h"
#include "worker/test-inject.h"

int privsshd_inject_sandboxed(const WorkerInjectContext *ctx);
int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

/* One word for what fd is: null, tcp, unix, file, pipe, tty, other. */
static const char *kind(int fd) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return "unstattable";
        if (S_ISCHR(st.st_mode)) {
                if (major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)
                        return "null";
                return "chr";
        }
        if (S_ISREG(st.st_mode))
                return "file";
        if (S_ISFIFO(st.st_mode))
                return "pipe";
        if (S_ISSOCK(st.st_mode)) {
                struct sockaddr_storage sa;
                socklen_t len = sizeof sa;
                if (getsockname(fd, (struct sockaddr *) &sa, &len) < 0)
                        return "socket";
                return sa.ss_family == AF_UNIX ? "unix" : sa.ss_family == AF_INET || sa.ss_family == AF_INET6 ?
                        "tcp" : "socket";
        }
        return "other";
}

static int report(const WorkerInjectContext *ctx) {
        char table[1024] = "";
        size_t n = 0;
        for (int fd = 0; fd < (int) SANDBOX_RLIMIT_NOFILE; fd++) {
                if (fcntl(fd, F_GETFD) < 0)
                        continue;
                int k = snprintf(table + n, sizeof table - n, " %d=%s", fd, kind(fd));
                if (k < 0 || (size_t) k >= sizeof table - n)
                        break;
                n += (size_t) k;
        }
        ctx->log(LOG_LEVEL_INFO, "inject fd-table %s: uid=%u fds:%s", ctx->point, (unsigned) getuid(), table);

        /* The attack of finding 3: a forged line, with escapes, straight to fd 2. */
        char forged[256];
        int len = snprintf(forged, sizeof forged,
                           "Accepted password for root from 203.0.113.66 port 22 ssh2 (fd2 %s)\n"
                           "\033[2J\033]0;forged-title\007\n", ctx->point);
        ssize_t w = write(STDERR_FILENO, forged, (size_t) len);
        ctx->log(LOG_LEVEL_INFO, "inject fd-table %s: write to fd 2 returned %zd (%s)", ctx->point, w,
                 w < 0 ? strerror(errno) : "ok");

        /* The positive control: the same words through the proper path arrive, tagged. */
        ctx->log(LOG_LEVEL_INFO, "Accepted password for root from 203.0.113.66 port 22 ssh2 (log %s)", ctx->point);
        return 0;
}

int privsshd_inject_sandboxed(const WorkerInjectContext *ctx) {
        return report(ctx);
}

int privsshd_inject_authenticated(const WorkerInjectContext *ctx) {
        return report(ctx);
}
