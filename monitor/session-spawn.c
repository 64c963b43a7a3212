/* See session-spawn.h. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "monitor/sanitizer-hooks.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/safe-chroot.h"
#include "common/signal-util.h"
#include "monitor/internal-sftp.h"
#include "monitor/pty.h"
#include "monitor/session-spawn.h"
#include "monitor/user-environment.h"

/* A command runs as `shell -c command`, or with a forced command in SSH_ORIGINAL_COMMAND=command:
 * either way one execve() string, which the kernel refuses past MAX_ARG_STRLEN. */
_Static_assert(sizeof("SSH_ORIGINAL_COMMAND=") + SESSION_MAX_COMMAND <= KERNEL_MAX_ARG_STRLEN,
               "SESSION_MAX_COMMAND is longer than the kernel runs");

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin:/usr/games"
#define DEFAULT_ROOT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int strv_set(char **env, size_t *n, size_t max, const char *name, const char *value) {
        size_t len = strlen(name);
        char *e;
        if (asprintf(&e, "%s=%s", name, value) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < *n; i++)
                if (strneq(env[i], name, len) && env[i][len] == '=') {
                        free(env[i]);
                        env[i] = e;
                        return 0;
                }
        if (*n >= max) {
                free(e);
                return -E2BIG;
        }
        env[(*n)++] = e;
        return 0;
}

/* "NAME=VALUE"; entries without a name are skipped. */
static int strv_set_entry(char **env, size_t *n, size_t max, const char *entry) {
        const char *eq = strchr(entry, '=');
        if (!eq || eq == entry)
                return 0;
        _cleanup_free_ char *name = strndup(entry, (size_t) (eq - entry));
        if (!name)
                return -ENOMEM;
        return strv_set(env, n, max, name, eq + 1);
}

/* OpenSSH's PAM_ENV_DENYLIST, "SSH_AUTH_INFO*,SSH_CONNECTION*". */
static bool pam_env_denied(const char *entry) {
        return strneq(entry, "SSH_AUTH_INFO", strlen("SSH_AUTH_INFO")) ||
               strneq(entry, "SSH_CONNECTION", strlen("SSH_CONNECTION"));
}

char **session_environment(const SessionSpawnParams *p, char *const *user_file_env) {
        const size_t max = SESSION_MAX_ENV;
        char **env = calloc(max + 1, sizeof(char *));
        size_t n = 0;
        char buf[256];
        int r = 0;

        if (!env)
                return NULL;
        for (char **e = p->client_env; e && *e && r == 0; e++)
                r = strv_set_entry(env, &n, max, *e);
        r = r ?: strv_set(env, &n, max, "USER", p->user->name);
        r = r ?: strv_set(env, &n, max, "LOGNAME", p->user->name);
        r = r ?: strv_set(env, &n, max, "HOME", p->user->home);
        r = r ?: strv_set(env, &n, max, "PATH", p->user->uid == 0 ? DEFAULT_ROOT_PATH : DEFAULT_PATH);
        snprintf(buf, sizeof buf, "/var/mail/%s", p->user->name);
        r = r ?: strv_set(env, &n, max, "MAIL", buf);
        r = r ?: strv_set(env, &n, max, "SHELL", p->user->shell);
        if (p->term && p->term[0])
                r = r ?: strv_set(env, &n, max, "TERM", p->term);
        /* What the user may set (PermitUserEnvironment): the key's environment= options, then
         * ~/.ssh/environment, in OpenSSH's order; PAM and SetEnv come after and win over both. */
        for (char *const *e = p->key_env; e && *e && r == 0; e++)
                r = strv_set_entry(env, &n, max, *e);
        for (char *const *e = user_file_env; e && *e && r == 0; e++)
                r = strv_set_entry(env, &n, max, *e);
        /* PAM's variables (pam_env, locale, ...) come after ours and may override them, as in OpenSSH;
         * but not the ones the daemon gave PAM for its modules (SSH_AUTH_INFO_0: the user has its
         * file with ExposeAuthInfo only), nor SSH_CONNECTION: OpenSSH's PAM_ENV_DENYLIST. */
        for (char **e = p->pam_env; e && *e && r == 0; e++)
                if (!pam_env_denied(*e))
                        r = strv_set_entry(env, &n, max, *e);
        /* Agent forwarding: over the client's env requests and PAM's; SetEnv still wins, as in OpenSSH. */
        if (p->auth_sock)
                r = r ?: strv_set(env, &n, max, "SSH_AUTH_SOCK", p->auth_sock);
        for (char *const *e = p->set_env; e && *e && r == 0; e++)
                r = strv_set_entry(env, &n, max, *e);
        snprintf(buf, sizeof buf, "%s %u %u", p->peer_address, p->peer_port, p->local_port);
        r = r ?: strv_set(env, &n, max, "SSH_CLIENT", buf);
        snprintf(buf, sizeof buf, "%s %u %s %u", p->peer_address, p->peer_port, p->local_address, p->local_port);
        r = r ?: strv_set(env, &n, max, "SSH_CONNECTION", buf);
        if (p->auth_info_path)
                r = r ?: strv_set(env, &n, max, "SSH_USER_AUTH", p->auth_info_path);
        if (p->tty)
                r = r ?: strv_set(env, &n, max, "SSH_TTY", p->tty);
        if (p->original_command)
                r = r ?: strv_set(env, &n, max, "SSH_ORIGINAL_COMMAND", p->original_command);
        if (r < 0)
                return strv_free(env);
        return env;
}

/* The login messages (PAM's, "Last login", the motd), unless the user has a ~/.hushlogin. We are the
 * user here and in the home directory. */
static void print_login_message(const SessionSpawnParams *p) {
        struct stat st;
        if (!p->login_message || !p->login_message[0] || stat(".hushlogin", &st) == 0)
                return;
        (void) loop_write(STDOUT_FILENO, p->login_message, strlen(p->login_message));
}

/* In the child, as the user, in the home directory: the environment again, with ~/.ssh/environment
 * (PermitUserEnvironment). Refusals are OpenSSH's: the session does not start. */
static char **environment_with_user_file(const SessionSpawnParams *p) {
        _cleanup_free_ char *path = NULL;
        size_t hl = strlen(p->user->home);
        if (asprintf(&path, "%s%s.ssh/environment", p->user->home,
                     hl > 0 && p->user->home[hl - 1] == '/' ? "" : "/") < 0)
                return NULL;
        _cleanup_strv_free_ char **file_env = NULL;
        int r = user_environment_read(path, p->user_env, STDERR_FILENO, &file_env);
        if (r == -E2BIG)
                dprintf(STDERR_FILENO, "Too many lines in environment file %s\n", path);
        else if (r == -EFBIG)
                dprintf(STDERR_FILENO, "Environment file %s is too large (%u bytes or more)\n", path,
                        SESSION_MAX_USER_ENV_FILE);
        else if (r < 0)
                dprintf(STDERR_FILENO, "privsshd: cannot read %s: %s\n", path, strerror(-r));
        if (r < 0)
                return NULL;
        char **env = session_environment(p, file_env);
        if (!env)
                dprintf(STDERR_FILENO, "privsshd: cannot set up the environment (more than %u variables?)\n",
                        SESSION_MAX_ENV);
        return env;
}

/* In the child. Never returns. */
_noreturn_ static void child(const SessionSpawnParams *p, int in, int out, int err, char **env) {
        signal_reset_for_exec();

        if (setsid() < 0)
                _exit(255);
        /* internal-sftp: for a subsystem, privsshd-sftp (which takes stderr itself); under ForceCommand
         * internal-sftp, a shell or exec request gets OpenSSH's refusal. */
        bool sftp = internal_sftp_command(p->command) && (p->subsystem || p->forced);
        if (p->pty_slave >= 0) {
                if (pty_make_controlling(p->pty_slave) < 0)
                        _exit(255);
        } else if (fd_move_to(in, STDIN_FILENO) < 0 || fd_move_to(out, STDOUT_FILENO) < 0 ||
                   (!sftp && fd_move_to(err, STDERR_FILENO) < 0))
                _exit(255);
        if (sftp && !p->subsystem) {
                safe_close(err);
                dprintf(STDOUT_FILENO, "This service allows sftp connections only.\n");
                _exit(1);
        }
        if (sftp)
                internal_sftp_exec(p, p->chroot_directory, p->pty_slave >= 0 ? -EBADF : err);
        close_all_fds_except(NULL, 0);

        /* ChrootDirectory: the groups while NSS (the real /etc) can still answer, then the root the
         * monitor checked, then the user. */
        int r;
        if (p->chroot_directory) {
                if (initgroups(p->user->name, p->user->gid) < 0) {
                        dprintf(STDERR_FILENO, "privsshd: initgroups %s: %s\n", p->user->name, strerror(errno));
                        _exit(255);
                }
                r = chroot_enter(p->chroot_directory);
                if (r < 0) {
                        dprintf(STDERR_FILENO, "privsshd: chroot(\"%s\"): %s\n", p->chroot_directory,
                                strerror(-r));
                        _exit(255);
                }
        }
        r = p->chroot_directory ? user_creds_become_keep_groups(p->user) : user_creds_become(p->user);
        if (r < 0) {
                dprintf(STDERR_FILENO, "privsshd: cannot become %s: %s\n", p->user->name, strerror(-r));
                _exit(255);
        }
        if (chdir(p->user->home) < 0) {
                dprintf(STDERR_FILENO, "Could not chdir to home directory %s: %s\n", p->user->home,
                        strerror(errno));
                if (chdir("/") < 0)
                        _exit(255);
        }
        if (p->user_env) {
                env = environment_with_user_file(p);
                if (!env)
                        _exit(255);
        }
        if (!p->command)
                print_login_message(p);

        const char *shell = p->user->shell;
        const char *base = strrchr(shell, '/');
        base = base ? base + 1 : shell;
        char argv0[256];
        char *argv[4];
        if (p->command) {
                snprintf(argv0, sizeof argv0, "%s", base);
                argv[0] = argv0;
                argv[1] = (char *) "-c";
                argv[2] = (char *) p->command;
                argv[3] = NULL;
        } else {
                snprintf(argv0, sizeof argv0, "-%s", base);     /* a login shell, as login(1) starts it */
                argv[0] = argv0;
                argv[1] = NULL;
        }
        execve(shell, argv, env);
        /* The user's command was never reached. */
        dprintf(STDERR_FILENO, "privsshd: cannot execute %s: %s\n", shell, strerror(errno));
        _exit(255);
}

int session_spawn(const SessionSpawnParams *p, pid_t *ret_pid, int ret_fds[3]) {
        int in[2] = { -EBADF, -EBADF }, out[2] = { -EBADF, -EBADF }, err[2] = { -EBADF, -EBADF };
        /* Built here without ~/.ssh/environment, which only the child can read (as the user): so
         * that what can fail without it fails before the fork, with a reply to the client. */
        _cleanup_strv_free_ char **env = session_environment(p, NULL);
        int r;

        if (!env)
                return -ENOMEM;
        /* With a pty the child's stdio is the slave, and there are no pipes (all fds stay -EBADF). */
        if (p->pty_slave < 0) {
                if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
                        r = negative_errno();
                        goto fail;
                }
                /* Big pipes: the worker reads large chunks and the child blocks less (performance notes). */
                (void) fcntl(out[0], F_SETPIPE_SZ, (int) PUMP_PIPE_SIZE);
                (void) fcntl(err[0], F_SETPIPE_SZ, (int) PUMP_PIPE_SIZE);
                (void) fcntl(in[1], F_SETPIPE_SZ, (int) PUMP_PIPE_SIZE);
        }

        pid_t pid = fork();
        if (pid < 0) {
                r = negative_errno();
                goto fail;
        }
        if (pid == 0) {
                sanitizer_child_no_leak_check();
                child(p, in[0], out[1], err[1], env);
        }

        safe_close(in[0]);
        safe_close(out[1]);
        safe_close(err[1]);
        ret_fds[0] = in[1];
        ret_fds[1] = out[0];
        ret_fds[2] = err[0];
        *ret_pid = pid;
        return 0;

fail:
        close_pair(in);
        close_pair(out);
        close_pair(err);
        return r;
}
