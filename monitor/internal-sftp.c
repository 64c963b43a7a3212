/* See internal-sftp.h. */

#include <errno.h>
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

bool internal_sftp_command(const char *command) {
        size_t n = strlen(INTERNAL_SFTP);
        return command && strneq(command, INTERNAL_SFTP, n) &&
               (command[n] == '\0' || command[n] == ' ' || command[n] == '\t');
}

_noreturn_ void internal_sftp_exec(const SessionSpawnParams *p, const char *chroot_dir, int err) {
        /* The daemon's stderr is its log: keep it as the server's fd 2 so that its lines land there too.
         * Otherwise stderr is the session's and the server logs to syslog, connected before chroot. */
        bool log_stderr = log_get_target() == LOG_TARGET_STDERR;
        if (log_stderr)
                safe_close(err);
        else if (fd_move_to(err, STDERR_FILENO) < 0)
                _exit(255);
        close_all_fds_except(NULL, 0);

        if (initgroups(p->user->name, p->user->gid) < 0) {
                dprintf(STDERR_FILENO, "privsshd: initgroups %s: %s\n", p->user->name, strerror(errno));
                _exit(255);
        }

        /* The options as the command's words, split on blanks (OpenSSH splits with quoting; no option of
         * sftp-server takes an argument with blanks). */
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
        if (log_stderr)
                argv[n++] = (char *) "--log-stderr";
        char *save = NULL;
        (void) strtok_r(copy, " \t", &save);    /* "internal-sftp" */
        for (char *t = strtok_r(NULL, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
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
