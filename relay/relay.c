/*
 * Starting the relay (see relay.h): deciding whether one is needed, the socketpair, the fork, and the
 * relay's way into its sandbox. The copy loop is relay-loop.c, the filter relay-seccomp.c.
 *
 * The sandbox, in an order where every step can still be done (as worker/sandbox.c, smaller: the relay
 * needs no libraries, no clock, no memory allocation):
 *  1. signals back to defaults, SIGPIPE ignored (a client that went away is an EPIPE, an end of the
 *     direction, not a death that would read as a crash);
 *  2. the descriptors of common/fd-layout.h (RELAY_FD_*), everything else closed, the three non-blocking
 *     (as OpenSSH's sshd -i sets its stdin and stdout);
 *  3. chroot into SandboxDirectory (the worker checks that it is empty and root-owned on every
 *     connection), identity: no groups, SandboxUser's gid and uid (real, effective, saved), checked;
 *  4. no_new_privs, not dumpable, resource limits (no processes, no files, no cores, 4 descriptors);
 *  5. the seccomp filter, last.
 * A failure exits with RELAY_EXIT_SETUP before a byte is read; the worker then reads end of file and the
 * connection ends through the monitor's teardown, which logs the relay's status.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/fd-layout.h"
#include "common/fd-util.h"
#include "common/log.h"
#include "common/proctitle.h"
#include "common/signal-util.h"
#include "relay/relay.h"

bool relay_needed(int in_fd, int out_fd) {
        struct stat in, out;
        int type = 0;
        socklen_t len = sizeof type;
        struct sockaddr_storage sa;
        socklen_t salen = sizeof sa;

        if (fstat(in_fd, &in) < 0 || fstat(out_fd, &out) < 0)
                return true;
        /* One socket (the same file, not just two sockets), a byte stream, with a peer. */
        if (!S_ISSOCK(in.st_mode) || in.st_dev != out.st_dev || in.st_ino != out.st_ino)
                return true;
        if (getsockopt(in_fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
                return true;
        return getpeername(in_fd, (struct sockaddr *) &sa, &salen) < 0;
}

static _Noreturn void relay_exit(int status) {
        /* The raw system call: no atexit handlers of the monitor's image, no sanitizer exit hooks. */
        syscall(SYS_exit_group, status);
        _exit(status);
}

static int relay_layout(int in_fd, int out_fd, int conn_fd) {
        /* Out of the way of the target numbers first, then into place. */
        int i = fcntl(in_fd, F_DUPFD_CLOEXEC, 10);
        int o = fcntl(out_fd, F_DUPFD_CLOEXEC, 10);
        int c = fcntl(conn_fd, F_DUPFD_CLOEXEC, 10);
        if (i < 0 || o < 0 || c < 0)
                return -EBADF;
        if (fd_move_to(i, RELAY_FD_IN) < 0 || fd_move_to(o, RELAY_FD_OUT) < 0 ||
            fd_move_to(c, RELAY_FD_CONNECTION) < 0)
                return -EBADF;
        (void) close(STDERR_FILENO);
        const int keep[] = { RELAY_FD_CONNECTION };
        if (close_all_fds_except(keep, ELEMENTSOF(keep)) < 0)
                return -EBADF;
        const int all[] = { RELAY_FD_IN, RELAY_FD_OUT, RELAY_FD_CONNECTION };
        for (size_t k = 0; k < ELEMENTSOF(all); k++)
                if (fd_set_nonblock(all[k], true) < 0 || fd_set_cloexec(all[k], true) < 0)
                        return -EBADF;
        return 0;
}

static int relay_drop(const char *dir, uid_t uid, gid_t gid) {
        if (chroot(dir) < 0 || chdir("/") < 0)
                return -errno;
        if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                return -errno;
        uid_t ru, eu, su;
        gid_t rg, eg, sg;
        if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 || ru != uid || eu != uid ||
            su != uid || rg != gid || eg != gid || sg != gid || getgroups(0, NULL) != 0)
                return -EPERM;
        if (setuid(0) != -1)
                return -EPERM;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return -errno;
        static const struct { int resource; rlim_t max; } limits[] = {
                { RLIMIT_NPROC, 0 }, { RLIMIT_FSIZE, 0 }, { RLIMIT_CORE, 0 }, { RLIMIT_MEMLOCK, 0 },
                { RLIMIT_NOFILE, RELAY_FD_CONNECTION + 1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(limits); i++) {
                struct rlimit rl = { limits[i].max, limits[i].max };
                if (setrlimit(limits[i].resource, &rl) < 0)
                        return -errno;
        }
        return 0;
}

static _Noreturn void relay_child(int in_fd, int out_fd, int conn_fd, const char *dir, uid_t uid, gid_t gid) {
        /* (No LeakSanitizer check at exit: relay_exit() skips the monitor's atexit handlers.) */
        signal_reset_for_exec();        /* no exec follows, but the relay starts as clean as if it did */
        signal(SIGPIPE, SIG_IGN);
        proctitle_set("privsshd: relay");

        if (relay_layout(in_fd, out_fd, conn_fd) < 0 || relay_drop(dir, uid, gid) < 0 ||
            relay_seccomp_load() < 0)
                relay_exit(RELAY_EXIT_SETUP);
        relay_exit(relay_loop());
}

int relay_start(int in_fd, int out_fd, const char *sandbox_user, const char *sandbox_dir, int *ret_conn_fd,
                pid_t *ret_pid) {
        int pair[2] = { -EBADF, -EBADF };
        int r;

        struct passwd *pw = getpwnam(sandbox_user);
        if (!pw) {
                log_error("SandboxUser %s does not exist (create it, e.g. with systemd-sysusers)", sandbox_user);
                r = -ESRCH;
                goto out;
        }
        if (pw->pw_uid == 0 || pw->pw_gid == 0) {
                log_error("SandboxUser %s must not be root or in group root", sandbox_user);
                r = -EPERM;
                goto out;
        }
        uid_t uid = pw->pw_uid;
        gid_t gid = pw->pw_gid;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
                r = log_error_errno(negative_errno(), "-i: socketpair for the relay: %m");
                goto out;
        }
        pid_t pid = fork();
        if (pid < 0) {
                r = log_error_errno(negative_errno(), "-i: cannot start the relay: %m");
                goto out;
        }
        if (pid == 0)
                relay_child(in_fd, out_fd, pair[1], sandbox_dir, uid, gid);

        *ret_conn_fd = TAKE_FD(pair[0]);
        *ret_pid = pid;
        r = 0;
out:
        close_pair(pair);
        safe_close(in_fd);
        if (out_fd != in_fd)
                safe_close(out_fd);
        return r;
}
