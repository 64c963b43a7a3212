/* See session-signal.h. */

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "monitor/sanitizer-hooks.h"
#include "monitor/session-signal.h"

/* The sender: drops every descriptor and every uid and gid to the user's, then signals. Only the
 * uids matter to kill(); the groups go too so that nothing of root's stays. No NSS lookups
 * (initgroups), so nothing here can block. */
_noreturn_ static void sender(const UserCreds *u, pid_t pgid, int sig) {
        if (close_all_fds_except(NULL, 0) < 0)
                _exit(2);
        for (int fd = 0; fd < 3; fd++)
                (void) close(fd);
        if (setgroups(0, NULL) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
            setresuid(u->uid, u->uid, u->uid) < 0)
                _exit(2);
        if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
                _exit(2);
        (void) kill(-pgid, sig);
        _exit(0);
}

int session_signal_as_user(const UserCreds *u, pid_t pgid, int sig) {
        if (!u || pgid <= 1)
                return -EINVAL;
        pid_t pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                sanitizer_child_no_leak_check();
                /* Still root here, so the user cannot stop this process and make the wait below
                 * block; the grandchild, once it is the user, could be stopped, but nobody waits
                 * for it but init. */
                pid_t g = fork();
                if (g == 0)
                        sender(u, pgid, sig);
                _exit(g < 0 ? 1 : 0);
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EAGAIN;
}
