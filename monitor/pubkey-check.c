/* See pubkey-check.h. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "common/fd-util.h"
#include "monitor/sanitizer-hooks.h"
#include "common/log.h"
#include "common/wire.h"
#include "monitor/authorized-keys.h"
#include "monitor/keys-command.h"
#include "monitor/pubkey-check.h"
#include "monitor/secure-path.h"

#define CHECK_MAX_LOG_LINES 32u     /* the child's log lines the monitor writes for it */
#define CHECK_MAX_LOG_LINE 2048u
#define VERDICT_MAX (SESSION_MAX_COMMAND + 3 * AUTHKEYS_MAX_LINE + 8 * AUTHKEYS_MAX_ENV + 64 + \
                     CHECK_MAX_LOG_LINES * (CHECK_MAX_LOG_LINE + 8))
#define CHECK_TIMEOUT_MS 10000

/* For a name that is not a user, the child still runs and tries to open a file, so that timing does
 * not tell the two apart; but as nobody, and at this fixed path: the client's name never becomes a
 * path (%u would have let "../x" walk the file system, even if only as nobody). */
#define UNKNOWN_USER_KEYS_PATH "/nonexistent/.ssh/authorized_keys"
static const UserCreds unknown_user = {
        .name = (char *) "nobody", .uid = 65534, .gid = 65534,
        .home = (char *) "/nonexistent", .shell = (char *) "/usr/sbin/nologin",
};

/* Where the child looks for the key: the AuthorizedKeysFiles, or (data non-NULL) what the
 * AuthorizedKeysCommand printed, already in memory, named `origin` in log lines. */
typedef struct KeysSource {
        const char *data;
        size_t size;
        const char *origin;
} KeysSource;

static const KeysSource files_source = {};

/* The child's log lines, kept to be sent with the verdict: it holds no log descriptor of its own. */
typedef struct CheckLog {
        uint8_t level[CHECK_MAX_LOG_LINES];
        char *line[CHECK_MAX_LOG_LINES];
        uint32_t n;
} CheckLog;

static void check_log_line(LogLevel level, const char *line, void *userdata) {
        CheckLog *l = userdata;
        if (l->n >= CHECK_MAX_LOG_LINES)
                return;
        l->line[l->n] = strndup(line, CHECK_MAX_LOG_LINE);
        if (!l->line[l->n])
                return;
        l->level[l->n++] = (uint8_t) level;
}

void pubkey_verdict_done(PubkeyVerdict *v) {
        free(v->forced_command);
        free(v->permit_open);
        free(v->permit_listen);
        strv_free(v->environment);
        *v = (PubkeyVerdict) {};
}

/* In the child, as the user: 1 when the key is in this file (and the file may be trusted). */
static int check_file(const Monitor *m, const UserCreds *u, const AuthorizedKeysClient *client,
                      const char *pattern, bool principals, const char *algorithm, const uint8_t *blob,
                      size_t blob_len, char **ret_command, uint32_t *ret_flags, char **ret_permit_open,
                      char **ret_permit_listen, char ***ret_env) {
        _cleanup_free_ char *path = NULL;
        int r;
        if (u == &unknown_user)
                r = (path = strdup(UNKNOWN_USER_KEYS_PATH)) ? 0 : -ENOMEM;
        else
                r = authorized_keys_expand_path(pattern, u->name, u->uid, u->home, &path);
        if (r < 0) {
                log_error("%s %s: cannot expand: %s",
                          principals ? "AuthorizedPrincipalsFile" : "AuthorizedKeysFile", pattern, strerror(-r));
                return r;
        }
        _cleanup_close_ int fd = authorized_keys_open(path);
        if (fd < 0) {
                if (fd != -ENOENT)
                        log_debug("Could not open user '%s' %s '%s': %s", u->name,
                                  principals ? "authorized principals" : "authorized keys", path, strerror(-fd));
                return 0;
        }
        if (m->config->strict_modes) {
                _cleanup_free_ char *reason = NULL;
                r = secure_path_check(fd, path, u->uid, u->home, &reason);
                if (r < 0) {
                        log_error("Authentication refused: %s", reason ? reason : strerror(-r));
                        return 0;
                }
        }
        AuthorizedKeyMatch match = {};
        if (principals)
                r = authorized_principals_check_fd(fd, path, client, &match);
        else
                r = authorized_keys_check_fd(fd, path, client, algorithm, blob, blob_len, &match);
        if (r > 0) {
                log_debug("matching key found: file %s, line %u", path, match.line);
                if (match.forced_command)
                        *ret_command = TAKE_PTR(match.forced_command);
                *ret_flags = match.flags;
                *ret_permit_open = TAKE_PTR(match.permit_open);
                *ret_permit_listen = TAKE_PTR(match.permit_listen);
                *ret_env = TAKE_PTR(match.environment);
        }
        authorized_key_match_done(&match);
        return r;
}

/* At DEBUG3, the descriptors the child holds once it has closed the monitor's (the tests read it). */
static void log_open_fds(void) {
        if (!log_would_log(LOG_LEVEL_DEBUG3))
                return;
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return;
        char list[256] = "";
        size_t len = 0;
        struct dirent *de;
        while ((de = readdir(d)) && len < sizeof list - 16) {
                if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
                        continue;
                len += (size_t) snprintf(list + len, sizeof list - len, " %s", de->d_name);
        }
        closedir(d);
        log_debug3("authorized_keys reader: open descriptors:%s", list);
}

_noreturn_ static void child(const Monitor *m, const UserCreds *u, const char *user_name, const KeysSource *src,
                             int out, const char *algorithm, const uint8_t *blob, size_t blob_len,
                             const SshCert *cert, bool principals) {
        /* This child parses a file the user controls, as the user: it keeps nothing of the monitor's
         * but the pipe for its answer. Its log lines go back with the answer, so not even the log
         * target (an -E file, the syslog socket, the journal's stream on stderr) stays open; nor do
         * the worker's socket, the signalfd, or descriptors PAM modules opened. */
        static CheckLog lines;
        log_set_callback(check_log_line, &lines);
        if (fd_move_to(out, 3) < 0)
                _exit(2);
        out = 3;
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0)
                _exit(2);
        if (dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0)
                _exit(2);
        const int keep[] = { out };
        if (close_all_fds_except(keep, ELEMENTSOF(keep)) < 0)
                _exit(2);
        if (user_creds_become(u) < 0)
                _exit(2);
        alarm(CHECK_TIMEOUT_MS / 1000);
#if ENABLE_TEST_HOOKS
        /* TestKeyCheckStops: stop as a user who stops this child would. */
        if (m->config->test_key_check_stops)
                (void) raise(SIGSTOP);
#endif
        log_open_fds();

        /* from= sees the address the monitor took from its own socket (peer_names() in monitor.c), never
         * one the worker reported; expiry-time= the time of this check. */
        const AuthorizedKeysClient client = {
                .user = user_name, .address = m->peer_address, .now = time(NULL), .cert = cert,
        };
        bool found = false;
        _cleanup_free_ char *command = NULL, *permit_open = NULL, *permit_listen = NULL;
        _cleanup_strv_free_ char **env = NULL;
        uint32_t flags = 0;
        if (src->data) {
                AuthorizedKeyMatch match = {};
                int r = principals ? authorized_principals_check_buffer(src->data, src->size, src->origin,
                                                                        &client, &match) :
                                     authorized_keys_check_buffer(src->data, src->size, src->origin, &client,
                                                                  algorithm, blob, blob_len, &match);
                if (r > 0) {
                        log_debug("matching key found: file %s, line %u", src->origin, match.line);
                        found = true;
                        command = TAKE_PTR(match.forced_command);
                        flags = match.flags;
                        permit_open = TAKE_PTR(match.permit_open);
                        permit_listen = TAKE_PTR(match.permit_listen);
                        env = TAKE_PTR(match.environment);
                }
                authorized_key_match_done(&match);
        }
        size_t n_files = principals ? 1 : m->config->n_authorized_keys_files;
        for (size_t i = 0; !src->data && i < n_files && !found; i++) {
                const char *pattern = principals ? m->config->authorized_principals_file :
                                                   m->config->authorized_keys_files[i];
                int r = check_file(m, u, &client, pattern, principals, algorithm, blob, blob_len, &command,
                                   &flags, &permit_open, &permit_listen, &env);
                if (r > 0)
                        found = true;
        }

        WireWriter w = wire_writer(VERDICT_MAX);
        wire_put_bool(&w, found);
        wire_put_string(&w, command);
        wire_put_u32(&w, flags);
        wire_put_string(&w, permit_open);
        wire_put_string(&w, permit_listen);
        uint32_t n_env = 0;
        while (env && env[n_env])
                n_env++;
        wire_put_u32(&w, n_env);
        for (uint32_t i = 0; i < n_env; i++)
                wire_put_string(&w, env[i]);
        wire_put_u32(&w, lines.n);
        for (uint32_t i = 0; i < lines.n; i++) {
                wire_put_u8(&w, lines.level[i]);
                wire_put_string(&w, lines.line[i]);
        }
        if (w.error < 0 || loop_write(out, w.data, w.size) < 0)
                _exit(2);
        _exit(0);
}

/* The environment= values of the matching line: at most AUTHKEYS_MAX_ENV, each "NAME=value" (the child
 * checked them; a child that sends anything else is not believed). *ret: NULL when there are none. */
static int read_env(WireReader *rd, char ***ret) {
        uint32_t n = 0;
        int r = wire_get_u32(rd, &n);
        if (r < 0)
                return r;
        if (n > AUTHKEYS_MAX_ENV)
                return -EBADMSG;
        if (n == 0) {
                *ret = NULL;
                return 0;
        }
        _cleanup_strv_free_ char **env = calloc(n + 1, sizeof(char *));
        if (!env)
                return -ENOMEM;
        for (uint32_t i = 0; i < n; i++) {
                r = wire_get_string(rd, AUTHKEYS_MAX_LINE, &env[i]);
                if (r < 0)
                        return r;
                char *eq = env[i] ? strchr(env[i], '=') : NULL;
                if (!eq || eq == env[i])
                        return -EBADMSG;
        }
        *ret = TAKE_PTR(env);
        return 0;
}

/* The child's lines, written by the monitor: never above ERROR, control characters filtered by log. */
static int relay_child_log(WireReader *rd) {
        uint32_t n = 0;
        int r = wire_get_u32(rd, &n);
        if (r < 0)
                return r;
        if (n > CHECK_MAX_LOG_LINES)
                return -EBADMSG;
        for (uint32_t i = 0; i < n; i++) {
                uint8_t level = 0;
                _cleanup_free_ char *line = NULL;
                r = wire_get_u8(rd, &level);
                if (r >= 0)
                        r = wire_get_string(rd, CHECK_MAX_LOG_LINE, &line);
                if (r < 0)
                        return r;
                LogLevel l = level < _LOG_LEVEL_MAX ? (LogLevel) level : LOG_LEVEL_DEBUG3;
                log_internal(l < LOG_LEVEL_ERROR ? LOG_LEVEL_ERROR : l, "%s", line);
        }
        return 0;
}

/* The deadline of one step of the check: CHECK_TIMEOUT_MS, and never past LoginGraceTime. */
static uint64_t check_deadline(const Monitor *m) {
        uint64_t deadline = now_usec() + (uint64_t) CHECK_TIMEOUT_MS * 1000u;
        if (m->deadline_usec && m->state != IPC_ST_AUTHED && m->deadline_usec < deadline)
                deadline = m->deadline_usec;
        return deadline;
}

/* Run one child: as `u`, over `src`, for the user named `user_name`. */
static int check_in_child(const Monitor *m, const UserCreds *u, const char *user_name, const KeysSource *src,
                          const char *algorithm, const uint8_t *blob, size_t blob_len, const SshCert *cert,
                          bool principals, PubkeyVerdict *ret) {
        _cleanup_close_pair_ int p[2] = { -EBADF, -EBADF };
        if (pipe2(p, O_CLOEXEC) < 0)
                return negative_errno();

        pid_t pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                sanitizer_child_no_leak_check();
                safe_close(p[0]);
                child(m, u, user_name, src, p[1], algorithm, blob, blob_len, cert, principals);
        }
        p[1] = safe_close(p[1]);

        /* Bounded read: at most VERDICT_MAX bytes, by one deadline for the whole answer (the child is
         * the user's, who can stop and continue it at will), and never past LoginGraceTime: the
         * monitor waits here, so a check must not hold the connection beyond its grace time. */
        uint64_t deadline = check_deadline(m);
        _cleanup_free_ uint8_t *buf = malloc(VERDICT_MAX);
        size_t n = 0;
        int r = 0;
        if (!buf)
                r = -ENOMEM;
        /* Read to end-of-file even when the buffer is full: the child's exit is then near, and waiting
         * for it below cannot outlast the deadline (a user who stops the child after its last write
         * would otherwise hold the monitor in waitpid()). A byte past VERDICT_MAX is an error. */
        while (r == 0) {
                struct pollfd pfd = { .fd = p[0], .events = POLLIN };
                uint64_t now = now_usec();
                int k = now >= deadline ? 0 : poll(&pfd, 1, (int) ((deadline - now + 999) / 1000));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        r = k == 0 ? -ETIMEDOUT : negative_errno();
                        break;
                }
                uint8_t extra;
                ssize_t got = n < VERDICT_MAX ? read(p[0], buf + n, VERDICT_MAX - n) : read(p[0], &extra, 1);
                if (got < 0 && errno == EINTR)
                        continue;
                if (got < 0)
                        r = negative_errno();
                else if (got == 0)
                        break;
                else if (n == VERDICT_MAX)
                        r = -EMSGSIZE;
                else
                        n += (size_t) got;
        }
        /* Past the deadline or an error: the child is killed, so that waitpid() returns at once (the
         * user cannot keep a SIGKILLed process from dying). After end-of-file it is exiting. */
        if (r < 0)
                (void) kill(pid, SIGKILL);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r < 0)
                return r;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -EIO;

        WireReader rd = wire_reader(buf, n);
        bool found = false;
        char *command = NULL;
        wire_get_bool(&rd, &found);
        wire_get_string(&rd, SESSION_MAX_COMMAND, &command);
        uint32_t flags = 0;
        wire_get_u32(&rd, &flags);
        _cleanup_free_ char *permit_open = NULL, *permit_listen = NULL;
        wire_get_string(&rd, AUTHKEYS_MAX_LINE, &permit_open);
        wire_get_string(&rd, AUTHKEYS_MAX_LINE, &permit_listen);
        _cleanup_strv_free_ char **env = NULL;
        r = read_env(&rd, &env);
        if (r >= 0)
                r = relay_child_log(&rd);
        if (r >= 0)
                r = wire_end(&rd);
        if (r < 0) {
                free(command);
                return r;
        }
        ret->authorized = found;
        ret->flags = flags;
        ret->permit_open = isempty(permit_open) ? NULL : TAKE_PTR(permit_open);
        ret->permit_listen = isempty(permit_listen) ? NULL : TAKE_PTR(permit_listen);
        ret->environment = TAKE_PTR(env);
        ret->forced_command = isempty(command) ? NULL : command;
        if (isempty(command))
                free(command);
        return 0;
}


int pubkey_check(const Monitor *m, const UserCreds *u, const char *algorithm, const uint8_t *blob, size_t blob_len,
                 const SshCert *cert, const uint8_t *cert_blob, size_t cert_blob_len, PubkeyVerdict *ret) {
        const UserCreds *as = u ?: &unknown_user;
        int r = check_in_child(m, as, as->name, &files_source, algorithm, blob, blob_len, cert, false, ret);
        if (r < 0 || ret->authorized || !u || !m->config->authorized_keys_command)
                return r;

        /* Not in the files: the AuthorizedKeysCommand, as OpenSSH asks it after them (for known users
         * only). Its output is parsed like a file, by a child running as the command's user. */
        KeysCommandOutput out = {};
        r = cert ? keys_command_run(m, u, cert_blob, cert_blob_len, cert, check_deadline(m), &out) :
                   keys_command_run(m, u, blob, blob_len, NULL, check_deadline(m), &out);
        if (r <= 0)
                return r;
        const KeysSource src = { .data = out.data, .size = out.size, .origin = out.command };
        pubkey_verdict_done(ret);
        r = check_in_child(m, out.runas, u->name, &src, algorithm, blob, blob_len, cert, false, ret);
        keys_command_output_done(&out);
        return r;
}

int pubkey_check_principals(const Monitor *m, const UserCreds *u, const SshCert *cert, PubkeyVerdict *ret) {
        if (!u || !cert || !m->config->authorized_principals_file)
                return -EINVAL;
        return check_in_child(m, u, u->name, &files_source, NULL, NULL, 0, cert, true, ret);
}

int pubkey_check_principals_command(const Monitor *m, const UserCreds *u, const SshCert *cert, const uint8_t *blob,
                                    size_t blob_len, PubkeyVerdict *ret) {
        if (!u || !cert)
                return -EINVAL;
        *ret = (PubkeyVerdict) {};
        KeysCommandOutput out = {};
        int r = keys_command_run_principals(m, u, cert, blob, blob_len, check_deadline(m), &out);
        if (r <= 0)
                return r;
        /* "(command)": the name OpenSSH gives the output in its log lines. */
        const KeysSource src = { .data = out.data, .size = out.size, .origin = "(command)" };
        r = check_in_child(m, out.runas, u->name, &src, NULL, NULL, 0, cert, true, ret);
        keys_command_output_done(&out);
        return r;
}
