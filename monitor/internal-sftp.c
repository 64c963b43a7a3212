/* See internal-sftp.h. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "common/fd-util.h"
#include "common/log.h"
#include "common/macro.h"
#include "monitor/internal-sftp.h"

#define INTERNAL_SFTP "internal-sftp"
#define SFTP_MAX_ARGS 64
#define SFTP_DAEMON_LOG_FD 3    /* the daemon's stderr log, handed to privsshd-sftp (--log-fd) */

bool internal_sftp_command(const char *command) {
        size_t n = strlen(INTERNAL_SFTP);
        return command && strneq(command, INTERNAL_SFTP, n) &&
               (command[n] == '\0' || command[n] == ' ' || command[n] == '\t');
}

_noreturn_ void internal_sftp_exec(const SessionSpawnParams *p, const char *chroot_dir, int err) {
        /* fd 2 becomes the session's stderr, as OpenSSH's sftp-server has it (-e logs there). When the
         * daemon logs to its stderr (our fd 2 until now), that goes along as SFTP_DAEMON_LOG_FD so that
         * the server's lines land in the daemon's log; otherwise the server logs to syslog. With a pty
         * (err < 0) fd 2 is the terminal already. */
        bool daemon_log = log_get_target() == LOG_TARGET_STDERR && err >= 0;
        int saved = daemon_log ? fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, SFTP_DAEMON_LOG_FD + 1) : -EBADF;
        if (daemon_log && saved < 0)
                _exit(255);
        if (err >= 0 && fd_move_to(err, STDERR_FILENO) < 0)
                _exit(255);
        if (daemon_log && fd_move_to(saved, SFTP_DAEMON_LOG_FD) < 0)
                _exit(255);
        const int keep[] = { SFTP_DAEMON_LOG_FD };
        close_all_fds_except(keep, daemon_log ? 1 : 0);

        if (initgroups(p->user->name, p->user->gid) < 0) {
                dprintf(STDERR_FILENO, "privsshd: initgroups %s: %s\n", p->user->name, strerror(errno));
                _exit(255);
        }

        /* The options: the command's words split at spaces and nothing else, as OpenSSH's session.c
         * splits internal-sftp's command (strtok(" ")): no quoting, a tab is part of a word. Quotes were
         * already taken off by the configuration for Subsystem (its words joined with single spaces)
         * and stay for ForceCommand (the rest of its line as written), as in OpenSSH. The one case we
         * refuse where OpenSSH runs: a tab right after "internal-sftp", which would make OpenSSH's
         * argv[0] swallow the options (a -R lost); so does more than SFTP_MAX_ARGS words, where
         * OpenSSH drops the words after its ninth. */
        _cleanup_free_ char *copy = strdup(p->command);
        char uid[16], gid[16];
        char *argv[SFTP_MAX_ARGS + 16];
        size_t n = 0;
        if (!copy)
                _exit(255);
        snprintf(uid, sizeof uid, "%u", (unsigned) p->user->uid);
        snprintf(gid, sizeof gid, "%u", (unsigned) p->user->gid);
        argv[n++] = (char *) INTERNAL_SFTP;
        argv[n++] = (char *) "--user";
        argv[n++] = p->user->name;
        argv[n++] = (char *) "--uid";
        argv[n++] = uid;
        argv[n++] = (char *) "--gid";
        argv[n++] = gid;
        argv[n++] = (char *) "--home";
        argv[n++] = p->user->home;
        argv[n++] = (char *) "--peer";
        argv[n++] = (char *) p->peer_address;
        if (chroot_dir) {
                argv[n++] = (char *) "--chroot";
                argv[n++] = (char *) chroot_dir;
        }
        char log_fd[16];
        snprintf(log_fd, sizeof log_fd, "%d", SFTP_DAEMON_LOG_FD);
        if (daemon_log) {
                argv[n++] = (char *) "--log-fd";
                argv[n++] = log_fd;
        }
        argv[n++] = (char *) "--";
        char *save = NULL;
        const char *first = strtok_r(copy, " ", &save);
        if (!first || !streq(first, INTERNAL_SFTP)) {
                dprintf(STDERR_FILENO,
                        "privsshd: internal-sftp: separate its options with spaces, not tabs\n");
                _exit(255);
        }
        for (char *t = strtok_r(NULL, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
                if (n >= ELEMENTSOF(argv) - 1) {
                        dprintf(STDERR_FILENO, "privsshd: too many internal-sftp options\n");
                        _exit(255);
                }
                argv[n++] = t;
        }
        argv[n] = NULL;
        char *env[] = { NULL };
        execve(SFTP_PATH, argv, env);
        dprintf(STDERR_FILENO, "privsshd: cannot execute %s: %s\n", SFTP_PATH, strerror(errno));
        _exit(255);
}
