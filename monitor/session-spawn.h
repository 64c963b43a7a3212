#pragma once

#include <stdbool.h>
/*
 * Starting the user's command: fork, a new session and process group, the user's credentials
 * (initgroups, setresgid, setresuid), the home directory, a clean environment, stdin/stdout/stderr on
 * fresh pipes or on a pty slave (then also the controlling terminal), and exec of the user's shell
 * with "-c command" (or as a login shell). Returns the leader's pid and the worker's ends of the
 * pipes.
 *
 * The environment, in OpenSSH's order (session.c do_setup_env(); later entries replace earlier ones of
 * the same name): the client's env requests that AcceptEnv let through; USER, LOGNAME, HOME, PATH,
 * MAIL, SHELL, TERM; with PermitUserEnvironment, the authorized_keys line's environment= values and
 * then ~/.ssh/environment (read by the child as the user, monitor/user-environment.h); PAM's
 * variables; SetEnv; then, never overridden: SSH_CLIENT, SSH_CONNECTION, SSH_USER_AUTH
 * (ExposeAuthInfo), SSH_TTY, SSH_ORIGINAL_COMMAND.
 */

#include <sys/types.h>

#include "common/config.h"
#include "monitor/user-creds.h"

typedef struct SessionSpawnParams {
        const UserCreds *user;
        const char *command;            /* NULL: an interactive login shell */
        const char *original_command;   /* SSH_ORIGINAL_COMMAND when a forced command replaced it */
        char **pam_env;                 /* may be NULL */
        char **client_env;              /* NAME=VALUE the client sent and AcceptEnv allowed; may be NULL */
        char *const *set_env;           /* SetEnv (NAME=VALUE); may be NULL */
        char *const *key_env;           /* environment= values PermitUserEnvironment allows; may be NULL */
        const Config *user_env;         /* PermitUserEnvironment on: the configuration whose rules filter
                                         * ~/.ssh/environment (config_user_env_allowed()); NULL: off */
        const char *auth_info_path;     /* ExposeAuthInfo: SSH_USER_AUTH; NULL for none */
        int pty_slave;                  /* >= 0: the session's terminal (the child takes it); else pipes */
        const char *tty;                /* "/dev/pts/N" with a pty, for SSH_TTY */
        const char *term;               /* TERM from pty-req, or NULL */
        const char *auth_sock;          /* SSH_AUTH_SOCK (agent forwarding), or NULL */
        const char *login_message;      /* written to the terminal before the login shell starts, unless
                                         * ~/.hushlogin exists (as login(1)); NULL for none */
        const char *peer_address;
        unsigned peer_port;
        const char *local_address;
        unsigned local_port;
        bool subsystem;                 /* a subsystem request (internal-sftp runs only for these) */
        bool forced;                    /* command is a forced command (ForceCommand, command=) */
        const char *chroot_directory;   /* ChrootDirectory, expanded and checked by the caller; NULL: none */
} SessionSpawnParams;

/* ret_fds: [0] writes the child's stdin, [1] reads its stdout, [2] reads its stderr; all -EBADF with a
 * pty (the caller holds the master). */
int session_spawn(const SessionSpawnParams *p, pid_t *ret_pid, int ret_fds[3]);

/* Build the environment (exposed for tests), with user_file_env the assignments of ~/.ssh/environment
 * (NULL for none). NULL-terminated; free with strv_free. NULL on -ENOMEM or past SESSION_MAX_ENV. */
char **session_environment(const SessionSpawnParams *p, char *const *user_file_env);
