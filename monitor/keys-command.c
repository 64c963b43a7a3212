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
#include "common/signal-util.h"
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
                case 'F': v = t->ca_fingerprint; break;
                case 'f': v = t->fingerprint; break;
                case 'h': v = t->home; break;
                case 'i': v = t->key_id; break;
                case 'K': v = t->ca_key; break;
                case 'k': v = t->key; break;
                case 's': v = t->serial; break;
                case 'T': v = t->ca_type; break;
                case 't': v = t->type; break;
                case 'U': v = t->uid; break;
                case 'u': v = t->user; break;
                case '%': v = "%"; break;
                default: break;
                }
                if (!v) {
                        /* Not a token, or not one of this command's (NULL): refused. */
                        which = *p;
                        bad = true;
                        if (!*p)
                                p--;    /* a trailing '%': do not step past the NUL */
                        break;
                }
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

/* A key blob's type name (its first string), in *ret. */
static int blob_type(const uint8_t *blob, size_t blob_len, char **ret) {
        if (blob_len < 4)
                return -EINVAL;
        size_t tlen = (size_t) blob[0] << 24 | (size_t) blob[1] << 16 | (size_t) blob[2] << 8 | blob[3];
        if (tlen > blob_len - 4 || memchr(blob + 4, '\0', tlen))
                return -EINVAL;
        *ret = strndup((const char *) blob + 4, tlen);
        return *ret ? 0 : -ENOMEM;
}

/* The argument vector, tokens expanded. 0; -EINVAL (logged); -ENOMEM. */
static int build_argv(const KeysCommand *cmd, const UserCreds *u, const KeysCommandTokens *t, char ***ret) {
        const char *command = cmd->command;
        _cleanup_strv_free_ char **argv = NULL;
        int r = keys_command_split(command, &argv);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_error("%s \"%s\" contains invalid quotes", cmd->tag, command);
                return -EINVAL;
        }
        if (!argv[0]) {
                log_error("%s \"%s\" yielded no arguments", cmd->tag, command);
                return -EINVAL;
        }
        for (size_t i = 1; argv[i]; i++) {
                char *x = NULL, bad = 0;
                r = keys_command_expand(argv[i], t, &x, &bad);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        if (bad)
                                log_error("%s \"%s\": unknown token %%%c", cmd->tag, command, bad);
                        else
                                log_error("%s \"%s\": '%%' at the end of an argument", cmd->tag, command);
                        return -EINVAL;
                }
                free(argv[i]);
                argv[i] = x;
        }
        /* No arguments: the user name alone, OpenSSH's old behaviour (AuthorizedKeysCommand only). */
        if (cmd->user_when_no_arguments && !argv[1]) {
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
        signal_reset_for_exec();

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

static void log_stderr(const char *tag, const char *command, const Stream *s) {
        for (size_t pos = 0; pos < s->n; ) {
                const char *nl = memchr(s->buf + pos, '\n', s->n - pos);
                size_t len = (nl ? (size_t) (nl - s->buf) : s->n) - pos;
                if (len > 0)
                        log_debug("%s %s: stderr: %.*s", tag, command, (int) len, s->buf + pos);
                pos += len + 1;
        }
}

/* The runner of both commands: `cmd` with tokens `t`, as `u`'s command user. */
static int run(const KeysCommand *cmd, const UserCreds *u, const KeysCommandTokens *t, uint64_t deadline_usec,
               KeysCommandOutput *ret) {
        const char *name_pattern = cmd->user, *tag = cmd->tag;
        if (!cmd->command || !u)
                return 0;
        if (!name_pattern) {
                log_error("No user for %s specified, skipping", tag);
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
                log_error("%sUser \"%s\" not found: %s", tag, runas_name,
                          r == -ESRCH ? "no such user" : strerror(-r));
                return 0;
        }

        _cleanup_strv_free_ char **argv = NULL;
        r = build_argv(cmd, u, t, &argv);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        _cleanup_free_ char *command = command_line(argv);
        if (!command)
                return -ENOMEM;

        /* The program: root's, all the way up, as OpenSSH's safe_path() with uid 0 wants it. */
        if (argv[0][0] != '/') {
                log_error("%s path is not absolute", tag);
                return 0;
        }
        {
                _cleanup_close_ int fd = open(argv[0], O_PATH | O_CLOEXEC);
                if (fd < 0) {
                        log_error("Could not stat %s \"%s\": %s", tag, argv[0], strerror(errno));
                        return 0;
                }
                _cleanup_free_ char *reason = NULL;
                r = secure_path_check(fd, argv[0], 0, NULL, &reason);
                if (r < 0) {
                        log_error("Unsafe %s \"%s\": %s", tag, argv[0], reason ?: strerror(-r));
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

        log_debug("%s: running %s as %s", tag, command, runas->name);
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
        log_stderr(tag, command, &streams[1]);
        if (r < 0)
                return r;
        if (streams[0].overflow) {
                log_error("%s %s: more than %u bytes of output: killed, no %s from it", tag, command,
                          AUTHKEYS_COMMAND_MAX_OUTPUT, cmd->yields);
                return 0;
        }
        if (timed_out) {
                log_error("%s %s: no answer in time: killed, no %s from it", tag, command, cmd->yields);
                return 0;
        }
        if (streams[2].n > 0)
                log_error("%s execve \"%s\": %s", tag, command, streams[2].buf);
        if (WIFSIGNALED(wstatus) && !killed) {
                log_error("%s %s exited on signal %d", tag, command, WTERMSIG(wstatus));
                return 0;
        }
        if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
                log_info("%s %s failed, status %d", tag, command,
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

/* "client-address client-port local-address local-port" (%C) and the user's uid (%U). */
static int conn_and_uid(const Monitor *m, const UserCreds *u, char **ret_conn, char **ret_uid) {
        if (asprintf(ret_conn, "%s %u %s %u", m->peer_address, m->peer_port, m->local_address, m->local_port) < 0)
                return -ENOMEM;
        if (asprintf(ret_uid, "%lu", (unsigned long) u->uid) < 0) {
                free(*ret_conn);
                *ret_conn = NULL;
                return -ENOMEM;
        }
        return 0;
}

int keys_command_run(const Monitor *m, const UserCreds *u, const uint8_t *blob, size_t blob_len,
                     const SshCert *cert, uint64_t deadline_usec, KeysCommandOutput *ret) {
        if (!m->config->authorized_keys_command || !u)
                return 0;
        const KeysCommand cmd = {
                .tag = "AuthorizedKeysCommand", .yields = "keys", .command = m->config->authorized_keys_command,
                .user = m->config->authorized_keys_command_user, .user_when_no_arguments = true,
        };
        _cleanup_free_ char *fp = NULL, *key = NULL, *type = NULL, *conn = NULL, *uid = NULL;
        int r = blob_type(blob, blob_len, &type);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        if (ssh_key_fingerprint(cert ? cert->key->blob : blob, cert ? cert->key->blob_len : blob_len, &fp) < 0 ||
            base64_encode(blob, blob_len, true, &key) < 0 || conn_and_uid(m, u, &conn, &uid) < 0)
                return -ENOMEM;
        const KeysCommandTokens t = {
                .conn = conn, .rdomain = "", .fingerprint = fp, .home = u->home, .key = key, .type = type,
                .uid = uid, .user = u->name,
        };
        return run(&cmd, u, &t, deadline_usec, ret);
}

int keys_command_run_principals(const Monitor *m, const UserCreds *u, const SshCert *c, const uint8_t *blob,
                                size_t blob_len, uint64_t deadline_usec, KeysCommandOutput *ret) {
        if (!m->config->authorized_principals_command || !u || !c)
                return 0;
        const KeysCommand cmd = {
                .tag = "AuthorizedPrincipalsCommand", .yields = "principals",
                .command = m->config->authorized_principals_command,
                .user = m->config->authorized_principals_command_user,
        };
        _cleanup_free_ char *type = NULL, *fp = NULL, *key = NULL, *ca_fp = NULL, *ca_key = NULL, *serial = NULL,
                            *conn = NULL, *uid = NULL;
        int r = blob_type(blob, blob_len, &type);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        /* %f is the certified key's fingerprint (OpenSSH's fingerprint of a certificate is its key's), %k
         * the whole certificate, %F and %K the CA's. */
        if (ssh_key_fingerprint(c->key->blob, c->key->blob_len, &fp) < 0 ||
            base64_encode(blob, blob_len, true, &key) < 0 ||
            ssh_key_fingerprint(c->ca->blob, c->ca->blob_len, &ca_fp) < 0 ||
            base64_encode(c->ca->blob, c->ca->blob_len, true, &ca_key) < 0 ||
            asprintf(&serial, "%llu", (unsigned long long) c->serial) < 0 || conn_and_uid(m, u, &conn, &uid) < 0)
                return -ENOMEM;
        const KeysCommandTokens t = {
                .conn = conn, .rdomain = "", .ca_fingerprint = ca_fp, .fingerprint = fp, .home = u->home,
                .key_id = c->key_id, .ca_key = ca_key, .key = key, .serial = serial,
                .ca_type = ssh_key_type_name(c->ca->type), .type = type, .uid = uid, .user = u->name,
        };
        return run(&cmd, u, &t, deadline_usec, ret);
}
