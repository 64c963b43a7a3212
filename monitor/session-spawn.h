#pragma once
/*
 * Starting the user's command: fork, a new session and process group, the user's credentials
 * (initgroups, setresgid, setresuid), the home directory, a clean environment (the standard variables,
 * then PAM's), stdin/stdout/stderr on fresh pipes, and exec of the user's shell with "-c command"
 * (or as a login shell). Returns the leader's pid and the worker's ends of the pipes.
 */

#include <sys/types.h>

#include "monitor/user-creds.h"

typedef struct SessionSpawnParams {
        const UserCreds *user;
        const char *command;            /* NULL: an interactive login shell */
        const char *original_command;   /* SSH_ORIGINAL_COMMAND when a forced command replaced it */
        char **pam_env;                 /* may be NULL */
        const char *peer_address;
        unsigned peer_port;
        const char *local_address;
        unsigned local_port;
} SessionSpawnParams;

/* ret_fds: [0] writes the child's stdin, [1] reads its stdout, [2] reads its stderr. */
int session_spawn(const SessionSpawnParams *p, pid_t *ret_pid, int ret_fds[3]);

/* Build the environment (exposed for tests). NULL-terminated; free with strv_free. */
char **session_environment(const SessionSpawnParams *p);
