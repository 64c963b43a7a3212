/* See keys-command.h. Written from sshd_config(5) (AuthorizedKeysCommand, TOKENS) and sshd(8). */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/sha256.h"
#include "monitor/keys-command.h"
#include "monitor/sanitizer-hooks.h"
#include "monitor/secure-path.h"

/* What Debian 12's sshd 9.2 gives the command (its build's default path), whoever runs it. */
#define STD_PATH "/usr/local/bin:/usr/bin:/bin:/usr/games"
#define EXEC_ERROR_MAX 512u

void keys_command_output_done(KeysCommandOutput *o) {
        if (!o)
                return;
        free(o->data);
        free(o->command);
        user_creds_free(o->runas);
        *o = (KeysCommandOutput) {};
}

/* ---- the command line ----------------------------------------------------------------------------- */

int keys_command_split(const char *s, char ***ret) {
        _cleanup_strv_free_ char **argv = calloc(AUTHKEYS_COMMAND_MAX_ARGS + 1, sizeof(char *));
        size_t argc = 0;
        if (!argv || !s)
                return -ENOMEM;
        for (size_t i = 0; s[i]; ) {
                if (s[i] == ' ' || s[i] == '\t') {
                        i++;
                        continue;
                }
                if (argc >= AUTHKEYS_COMMAND_MAX_ARGS)
                        return -E2BIG;
                char *arg = malloc(strlen(s + i) + 1);
                if (!arg)
                        return -ENOMEM;
                argv[argc++] = arg;
                size_t j = 0;
                char quote = 0;
                for (; s[i]; i++) {
                        char c = s[i], next = s[i + 1];
                        if (c == '\\' && (next == '\'' || next == '"' || next == '\\' || (!quote && next == ' ')))
                                arg[j++] = s[++i];
                        else if (!quote && (c == ' ' || c == '\t'))
                                break;
                        else if (!quote && (c == '"' || c == '\''))
                                quote = c;
                        else if (quote && c == quote)
                                quote = 0;
                        else
                                arg[j++] = c;
                }
                arg[j] = '\0';
                if (quote)
                        return -EINVAL;
        }
        *ret = TAKE_PTR(argv);
        return 0;
}

int keys_command_expand(const char *arg, const KeysCommandTokens *t, char **ret, char *ret_bad) {
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return -ENOMEM;
        bool bad = false;
        char which = 0;
        for (const char *p = arg; *p && !bad; p++) {
                if (*p != '%') {
                        fputc(*p, f);
                        continue;
                }
                const char *v = NULL;
                switch (*++p) {
                case 'C': v = t->conn; break;
                case 'D': v = t->rdomain; break;
                case 'f': v = t->fingerprint; break;
                case 'h': v = t->home; break;
                case 'k': v = t->key; break;
                case 't': v = t->type; break;
                case 'U': v = t->uid; break;
                case 'u': v = t->user; break;
                case '%': v = "%"; break;
                default:
                        which = *p;
                        bad = true;
                        p--;            /* a trailing '%': do not step past the NUL */
                        break;
                }
                if (v)
                        fputs(v, f);
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        if (bad) {
                if (ret_bad)
                        *ret_bad = which;
                return -EINVAL;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

/* The command line for log lines: the arguments joined by blanks, those with blanks or quotes quoted. */
static char *command_line(char **argv) {
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return NULL;
        for (size_t i = 0; argv[i]; i++) {
                bool quote = argv[i][0] == '\0' || strpbrk(argv[i], " \t'\"\\");
                fputs(i ? " " : "", f);
                if (!quote) {
                        fputs(argv[i], f);
                        continue;
                }
                fputc('"', f);
                for (const char *c = argv[i]; *c; c++) {
                        if (*c == '"' || *c == '\\')
                                fputc('\\', f);
                        fputc(*c, f);
                }
                fputc('"', f);
        }
        if (fclose(f) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

/* The argument vector, tokens expanded. 0; -EINVAL (logged); -ENOMEM. */
static int build_argv(const Monitor *m, const UserCreds *u, const uint8_t *blob, size_t blob_len, char ***ret) {
        const char *command = m->config->authorized_keys_command;
        _cleanup_strv_free_ char **argv = NULL;
        int r = keys_command_split(command, &argv);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_error("AuthorizedKeysCommand \"%s\" contains invalid quotes", command);
                return -EINVAL;
        }
        if (!argv[0]) {
                log_error("AuthorizedKeysCommand \"%s\" yielded no arguments", command);
                return -EINVAL;
        }

        _cleanup_free_ char *fp = NULL, *key = NULL, *type = NULL, *conn = NULL, *uid = NULL;
        if (blob_len < 4)
                return -EINVAL;
        size_t tlen = (size_t) blob[0] << 24 | (size_t) blob[1] << 16 | (size_t) blob[2] << 8 | blob[3];
        if (tlen > blob_len - 4 || memchr(blob + 4, '\0', tlen))
                return -EINVAL;
        type = strndup((const char *) blob + 4, tlen);
        if (!type || ssh_key_fingerprint(blob, blob_len, &fp) < 0 || base64_encode(blob, blob_len, true, &key) < 0 ||
            asprintf(&conn, "%s %u %s %u", m->peer_address, m->peer_port, m->local_address, m->local_port) < 0 ||
            asprintf(&uid, "%lu", (unsigned long) u->uid) < 0)
                return -ENOMEM;
        const KeysCommandTokens t = {
                .conn = conn, .rdomain = "", .fingerprint = fp, .home = u->home, .key = key, .type = type,
                .uid = uid, .user = u->name,
        };
        for (size_t i = 1; argv[i]; i++) {
                char *x = NULL, bad = 0;
                r = keys_command_expand(argv[i], &t, &x, &bad);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        if (bad)
                                log_error("AuthorizedKeysCommand \"%s\": unknown token %%%c", command, bad);
                        else
                                log_error("AuthorizedKeysCommand \"%s\": '%%' at the end of an argument", command);
                        return -EINVAL;
                }
                free(argv[i]);
                argv[i] = x;
        }
        /* No arguments: the user name alone, OpenSSH's old behaviour. */
        if (!argv[1]) {
                argv[1] = strdup(u->name);
                if (!argv[1])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(argv);
        return 0;
}

/* ---- running it ----------------------------------------------------------------------------------- */

_noreturn_ static void child(const UserCreds *runas, char **argv, int out, int err, int status) {
        sanitizer_child_no_leak_check();
        (void) setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        signal(s, SIG_DFL);

        const char *lang = getenv("LANG");
        char *env[6] = {};
        size_t n = 0;
        if (asprintf(&env[n++], "PATH=%s", STD_PATH) < 0 || asprintf(&env[n++], "USER=%s", runas->name) < 0 ||
            asprintf(&env[n++], "LOGNAME=%s", runas->name) < 0 || asprintf(&env[n++], "HOME=%s", runas->home) < 0 ||
            (lang && asprintf(&env[n++], "LANG=%s", lang) < 0))
                _exit(127);

        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || fd_move_to(out, STDOUT_FILENO) < 0 ||
            fd_move_to(err, STDERR_FILENO) < 0 || fd_move_to(status, 3) < 0 || fd_set_cloexec(3, true) < 0)
                _exit(127);
        const int keep[] = { 3 };
        if (close_all_fds_except(keep, ELEMENTSOF(keep)) < 0)
                _exit(127);
        int r = user_creds_become(runas);
        if (r >= 0 && chdir("/") < 0)
                r = negative_errno();
        if (r >= 0) {
                execve(argv[0], argv, env);
                r = negative_errno();
        }
        dprintf(3, "%s", strerror(-r));
        _exit(127);
}

typedef struct Stream {
        int fd;
        char *buf;
        size_t n, max;
        bool overflow;          /* more arrived than max */
} Stream;

/* Read what is there; false at EOF (or an error: the same for us). */
static bool stream_read(Stream *s) {
        char tmp[16384];
        ssize_t k = read(s->fd, tmp, sizeof tmp);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
                return true;
        if (k <= 0)
                return false;
        size_t take = MIN((size_t) k, s->max - s->n);
        memcpy(s->buf + s->n, tmp, take);
        s->n += take;
        if (take < (size_t) k)
                s->overflow = true;
        return true;
}

static void log_stderr(const char *command, const Stream *s) {
        for (size_t pos = 0; pos < s->n; ) {
                const char *nl = memchr(s->buf + pos, '\n', s->n - pos);
                size_t len = (nl ? (size_t) (nl - s->buf) : s->n) - pos;
                if (len > 0)
                        log_debug("AuthorizedKeysCommand %s: stderr: %.*s", command, (int) len, s->buf + pos);
                pos += len + 1;
        }
}

int keys_command_run(const Monitor *m, const UserCreds *u, const uint8_t *blob, size_t blob_len,
                     uint64_t deadline_usec, KeysCommandOutput *ret) {
        const char *name_pattern = m->config->authorized_keys_command_user;
        if (!m->config->authorized_keys_command || !u)
                return 0;
        if (!name_pattern) {
                log_error("No user for AuthorizedKeysCommand specified, skipping");
                return 0;
        }
        /* AuthorizedKeysCommandUser: %u and %% only (the configuration checked it). */
        const KeysCommandTokens user_tokens = { .user = u->name };
        _cleanup_free_ char *runas_name = NULL;
        int r = keys_command_expand(name_pattern, &user_tokens, &runas_name, NULL);
        if (r < 0 || isempty(runas_name))
                return r == -ENOMEM ? r : 0;
        _cleanup_(user_creds_freep) UserCreds *runas = NULL;
        r = user_creds_lookup(runas_name, &runas);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_error("AuthorizedKeysCommandUser \"%s\" not found: %s", runas_name,
                          r == -ESRCH ? "no such user" : strerror(-r));
                return 0;
        }

        _cleanup_strv_free_ char **argv = NULL;
        r = build_argv(m, u, blob, blob_len, &argv);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        _cleanup_free_ char *command = command_line(argv);
        if (!command)
                return -ENOMEM;

        /* The program: root's, all the way up, as OpenSSH's safe_path() with uid 0 wants it. */
        if (argv[0][0] != '/') {
                log_error("AuthorizedKeysCommand path is not absolute");
                return 0;
        }
        {
                _cleanup_close_ int fd = open(argv[0], O_PATH | O_CLOEXEC);
                if (fd < 0) {
                        log_error("Could not stat AuthorizedKeysCommand \"%s\": %s", argv[0], strerror(errno));
                        return 0;
                }
                _cleanup_free_ char *reason = NULL;
                r = secure_path_check(fd, argv[0], 0, NULL, &reason);
                if (r < 0) {
                        log_error("Unsafe AuthorizedKeysCommand \"%s\": %s", argv[0], reason ?: strerror(-r));
                        return 0;
                }
        }

        _cleanup_close_pair_ int out[2] = { -EBADF, -EBADF }, err[2] = { -EBADF, -EBADF },
                                 status[2] = { -EBADF, -EBADF };
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0)
                return negative_errno();
        _cleanup_free_ char *outbuf = malloc(AUTHKEYS_COMMAND_MAX_OUTPUT + 1);
        _cleanup_free_ char *errbuf = malloc(AUTHKEYS_COMMAND_MAX_STDERR);
        char statbuf[EXEC_ERROR_MAX];
        if (!outbuf || !errbuf)
                return -ENOMEM;

        log_debug("AuthorizedKeysCommand: running %s as %s", command, runas->name);
        pid_t pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0)
                child(runas, argv, out[1], err[1], status[1]);
        (void) setpgid(pid, pid);               /* as the child does: no race over who is first */
        out[1] = safe_close(out[1]);
        err[1] = safe_close(err[1]);
        status[1] = safe_close(status[1]);
        _cleanup_close_ int pidfd = pidfd_open(pid, 0);

        Stream streams[3] = {
                { .fd = out[0], .buf = outbuf, .max = AUTHKEYS_COMMAND_MAX_OUTPUT },
                { .fd = err[0], .buf = errbuf, .max = AUTHKEYS_COMMAND_MAX_STDERR },
                { .fd = status[0], .buf = statbuf, .max = sizeof statbuf - 1 },
        };
        bool live[3] = { true, true, true }, exited = false, killed = false, timed_out = false;
        int wstatus = 0;
        r = 0;
        while (!exited || live[0] || live[1] || live[2]) {
                struct pollfd pfd[4];
                int map[4], n = 0;
                for (int i = 0; i < 3; i++)
                        if (live[i]) {
                                pfd[n] = (struct pollfd) { .fd = streams[i].fd, .events = POLLIN };
                                map[n++] = i;
                        }
                if (!exited && pidfd >= 0) {
                        pfd[n] = (struct pollfd) { .fd = pidfd, .events = POLLIN };
                        map[n++] = 3;
                }
                uint64_t now = now_usec();
                /* Without a pidfd (it cannot fail on Linux >= 5.3, but still): look every 100 ms. */
                int timeout = now >= deadline_usec ? 0 : (int) MIN((deadline_usec - now + 999) / 1000,
                                                                  pidfd >= 0 ? (uint64_t) INT32_MAX : 100u);
                int k = poll(pfd, (nfds_t) n, timeout);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = negative_errno();
                        break;
                }
                /* Whether or not anything came: a command that never stops writing to its stderr (read
                 * and dropped past its bound) can keep poll() from ever returning 0, and must not keep
                 * the monitor here past the deadline. */
                if (now_usec() >= deadline_usec) {
                        timed_out = true;
                        break;
                }
                for (int i = 0; i < n; i++) {
                        if (!pfd[i].revents)
                                continue;
                        if (map[i] < 3)
                                live[map[i]] = stream_read(&streams[map[i]]);
                }
                if (streams[0].overflow)
                        break;
                if (!exited) {
                        pid_t w = waitpid(pid, &wstatus, WNOHANG);
                        if (w == pid)
                                exited = true;
                }
        }
        if (!exited || timed_out || streams[0].overflow || r < 0) {
                /* Too slow, too much, or our own error: the whole group goes (its pgid is its pid), and
                 * with it whatever it left behind holding our pipes. Then the wait is short: SIGKILL
                 * cannot be caught. */
                (void) kill(-pid, SIGKILL);
                if (!exited) {
                        (void) kill(pid, SIGKILL);
                        killed = true;
                        while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
                                ;
                }
        }
        streams[2].buf[streams[2].n] = '\0';
        log_stderr(command, &streams[1]);
        if (r < 0)
                return r;
        if (streams[0].overflow) {
                log_error("AuthorizedKeysCommand %s: more than %u bytes of output: killed, no keys from it", command,
                          AUTHKEYS_COMMAND_MAX_OUTPUT);
                return 0;
        }
        if (timed_out) {
                log_error("AuthorizedKeysCommand %s: no answer in time: killed, no keys from it", command);
                return 0;
        }
        if (streams[2].n > 0)
                log_error("AuthorizedKeysCommand execve \"%s\": %s", command, streams[2].buf);
        if (WIFSIGNALED(wstatus) && !killed) {
                log_error("AuthorizedKeysCommand %s exited on signal %d", command, WTERMSIG(wstatus));
                return 0;
        }
        if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
                log_info("AuthorizedKeysCommand %s failed, status %d", command,
                         WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
                return 0;
        }

        outbuf[streams[0].n] = '\0';
        *ret = (KeysCommandOutput) {
                .data = TAKE_PTR(outbuf),
                .size = streams[0].n,
                .command = TAKE_PTR(command),
                .runas = TAKE_PTR(runas),
        };
        return 1;
}
