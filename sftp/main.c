/*
 * privsshd-sftp: the internal-sftp server. The session child of a connection's monitor execs it as root,
 * with the user's supplementary groups already set (initgroups needs NSS, i.e. the real /etc) and before
 * any chroot, because an empty chroot holds nothing that could be exec'd. A fresh image, so that the
 * monitor's memory (host keys, the PAM handle) is not in a process that parses the user's requests.
 *
 * Before the first byte of input it: opens its log (syslog with LOG_NDELAY, whose socket stays usable
 * after chroot; or the daemon's stderr when the daemon logs there, handed on as fd 2), chroot()s when
 * asked (with OpenSSH's ownership and mode checks on every component), chdir()s, drops to the user for
 * good (setresgid/setresuid, checks that root cannot be regained, NO_NEW_PRIVS) and installs a seccomp
 * allowlist of file system calls (sftp/sftp-seccomp.c). Only then does it read requests.
 *
 * Usage (an internal interface, not for people):
 *   privsshd-sftp --user NAME --uid UID --gid GID --home DIR --peer ADDR [--chroot DIR] [--log-fd FD]
 *                 -- [sftp-server options: -d DIR -u UMASK -R -l LEVEL -f FACILITY -e -P/-p LIST
 *                     -Q WHAT -c -h]
 *
 * fd 2 is the session's stderr (the client's, as OpenSSH's sftp-server has it): -e logs there. Without -e
 * the log is syslog (facility -f), or the daemon's own log when it logs to stderr: then --log-fd names
 * the descriptor that holds it.
 */

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/safe-chroot.h"
#include "sftp/sftp-seccomp.h"
#include "sftp/sftp-server.h"

typedef struct Args {
        const char *user, *home, *peer, *chroot, *start_dir;
        uid_t uid;
        gid_t gid;
        bool have_uid, have_gid;
        bool log_stderr;                /* -e: the session's stderr */
        int log_fd;                     /* --log-fd: the daemon's log, or -1 */
        bool denied_given, allowed_given;
        long umask_value;               /* -1: keep the inherited umask */
        LogLevel level;
        int facility;
        SftpServerOptions server;
} Args;

static int parse_id(const char *s, unsigned *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v >= (unsigned long) (uid_t) -1)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

static int parse_facility(const char *s, int *ret) {
        static const struct { const char *name; int value; } f[] = {
                { "DAEMON", LOG_DAEMON }, { "USER", LOG_USER }, { "AUTH", LOG_AUTH }, { "AUTHPRIV", LOG_AUTHPRIV },
                { "LOCAL0", LOG_LOCAL0 }, { "LOCAL1", LOG_LOCAL1 }, { "LOCAL2", LOG_LOCAL2 },
                { "LOCAL3", LOG_LOCAL3 }, { "LOCAL4", LOG_LOCAL4 }, { "LOCAL5", LOG_LOCAL5 },
                { "LOCAL6", LOG_LOCAL6 }, { "LOCAL7", LOG_LOCAL7 },
        };
        for (size_t i = 0; i < ELEMENTSOF(f); i++)
                if (strcasecmp(s, f[i].name) == 0) {
                        *ret = f[i].value;
                        return 0;
                }
        return -EINVAL;
}

/* OpenSSH's name of a request it serves and we do not: accepted in -P/-p (a list written for OpenSSH
 * works), never served. */
static bool request_known_elsewhere(const char *name) {
        return streq(name, "users-groups-by-id");
}

/* -P/-p: a comma-separated list of request names, as -Q prints them, marked in `listed`. Given twice is
 * OpenSSH's fatal error; an unknown name ours (OpenSSH ignores it: a misspelt -P would deny nothing). */
static int parse_requests(const char *list, bool *listed, bool *given, char option) {
        if (*given) {
                fprintf(stderr, "%s requests already set\n", option == 'p' ? "Permitted" : "Refused");
                return -EINVAL;
        }
        *given = true;
        _cleanup_free_ char *copy = strdup(list);
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                SftpOp op = sftp_op_from_name(t);
                if (op < SFTP_OP_UNKNOWN_EXTENSION)
                        listed[op] = true;
                else if (!request_known_elsewhere(t)) {
                        fprintf(stderr, "privsshd-sftp: -%c: unknown request \"%s\" (see -Q requests)\n",
                                option, t);
                        return -EINVAL;
                }
        }
        return 0;
}

/* -d, as OpenSSH's sftp-server: a leading ~ or ~/ is the user's home, ~name/ that user's
 * (tilde_expand_filename); then %d the home directory, %u the user name, %U the numeric uid, %% a
 * percent sign. Run before the chroot (the home is the one outside it, as OpenSSH's pw_dir). 0, -ENOMEM,
 * or -EINVAL (*bad: what). */
static int expand_start_dir(const char *s, const Args *a, char **ret, const char **bad) {
        _cleanup_free_ char *tilde = NULL;
        if (s[0] == '~') {
                const char *rest = s + 1 + strcspn(s + 1, "/");
                _cleanup_free_ char *name = strndup(s + 1, (size_t) (rest - s - 1));
                if (!name)
                        return -ENOMEM;
                const char *home = a->home;
                if (!isempty(name) && !streq(name, a->user)) {
                        struct passwd *pw = getpwnam(name);
                        if (!pw) {
                                *bad = "no such user after ~";
                                return -EINVAL;
                        }
                        home = pw->pw_dir;
                }
                size_t hl = strlen(home);
                while (hl > 0 && home[hl - 1] == '/')
                        hl--;
                /* "~" alone is the home itself; a home of "/" gives "/x" for "~/x", not "//x". */
                if (asprintf(&tilde, "%.*s%s", (int) hl, home, *rest ? rest : hl > 0 ? "" : "/") < 0)
                        return -ENOMEM;
                s = tilde;
        }
        char uid[16];
        snprintf(uid, sizeof uid, "%u", (unsigned) a->uid);
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return -ENOMEM;
        for (const char *p = s; *p; p++) {
                if (*p != '%') {
                        fputc(*p, f);
                        continue;
                }
                p++;
                if (*p == 'd')
                        fputs(a->home, f);
                else if (*p == 'u')
                        fputs(a->user, f);
                else if (*p == 'U')
                        fputs(uid, f);
                else if (*p == '%')
                        fputc('%', f);
                else {
                        fclose(f);
                        free(out);
                        *bad = "unknown % token";
                        return -EINVAL;
                }
        }
        if (fclose(f) != 0) {
                free(out);
                return -ENOMEM;
        }
        *ret = out;
        return 0;
}

static int parse_args(int argc, char **argv, Args *a) {
        enum { OPT_USER = 0x100, OPT_UID, OPT_GID, OPT_HOME, OPT_PEER, OPT_CHROOT, OPT_LOG_FD };
        static const struct option longopts[] = {
                { "user", required_argument, NULL, OPT_USER }, { "uid", required_argument, NULL, OPT_UID },
                { "gid", required_argument, NULL, OPT_GID }, { "home", required_argument, NULL, OPT_HOME },
                { "peer", required_argument, NULL, OPT_PEER }, { "chroot", required_argument, NULL, OPT_CHROOT },
                { "log-fd", required_argument, NULL, OPT_LOG_FD }, {},
        };
        unsigned id;
        int c, r;
        /* privsshd's own arguments, up to "--"; then the configuration's sftp-server options, which
         * therefore cannot name ours. "+": stop at the first word that is not an option, as OpenSSH. */
        while ((c = getopt_long(argc, argv, "+", longopts, NULL)) >= 0) {
                switch (c) {
                case OPT_USER: a->user = optarg; break;
                case OPT_HOME: a->home = optarg; break;
                case OPT_PEER: a->peer = optarg; break;
                case OPT_CHROOT: a->chroot = optarg; break;
                case OPT_LOG_FD:
                        if (parse_id(optarg, &id) < 0 || id <= STDERR_FILENO || id > 1024)
                                return -EINVAL;
                        a->log_fd = (int) id;
                        break;
                case OPT_UID:
                        if (parse_id(optarg, &id) < 0)
                                return -EINVAL;
                        a->uid = id;
                        a->have_uid = true;
                        break;
                case OPT_GID:
                        if (parse_id(optarg, &id) < 0)
                                return -EINVAL;
                        a->gid = id;
                        a->have_gid = true;
                        break;
                default:
                        fprintf(stderr, "privsshd-sftp: bad arguments (it is run by privsshd)\n");
                        return -EINVAL;
                }
        }
        if (optind < 1 || !streq(argv[optind - 1], "--") || !a->user || !a->home || !a->peer ||
            !a->have_uid || !a->have_gid) {
                fprintf(stderr, "privsshd-sftp: missing arguments (it is run by privsshd)\n");
                return -EINVAL;
        }

        /* The rest as sftp-server's argv, "--" standing for its argv[0]. */
        int sargc = argc - optind + 1;
        char **sargv = argv + optind - 1;
        bool skip = false;
        optind = 0;     /* glibc: start over */
        while (!skip && (c = getopt(sargc, sargv, "+d:u:Rl:f:eP:p:Q:ch")) >= 0) {
                switch (c) {
                case 'c':
                        /* "sftp-server -c command" (run as a shell): the rest is ignored, as OpenSSH does. */
                        skip = true;
                        break;
                case 'd': a->start_dir = optarg; break;
                case 'R': a->server.read_only = true; break;
                case 'e': a->log_stderr = true; break;
                case 'u': {
                        char *end;
                        errno = 0;
                        long v = strtol(optarg, &end, 8);
                        if (errno || end == optarg || *end || v < 0 || v > 0777) {
                                fprintf(stderr, "Invalid umask \"%s\"\n", optarg);
                                return -EINVAL;
                        }
                        a->umask_value = v;
                        break;
                }
                case 'l':
                        a->level = log_level_from_string(optarg);
                        if (a->level == _LOG_LEVEL_INVALID) {
                                fprintf(stderr, "Invalid log level \"%s\"\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case 'f':
                        if (parse_facility(optarg, &a->facility) < 0) {
                                fprintf(stderr, "Invalid log facility \"%s\"\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case 'P':
                        if ((r = parse_requests(optarg, a->server.denied, &a->denied_given, 'P')) < 0)
                                return r;
                        break;
                case 'p':
                        if ((r = parse_requests(optarg, a->server.allowed, &a->allowed_given, 'p')) < 0)
                                return r;
                        a->server.allow_list = true;
                        break;
                case 'Q':
                        /* -Q requests: the names -P/-p take, one a line, and nothing served. */
                        if (strcasecmp(optarg, "requests") != 0) {
                                fprintf(stderr, "Invalid query type\n");
                                return -EINVAL;
                        }
                        for (SftpOp op = 0; op < SFTP_OP_UNKNOWN_EXTENSION; op++)
                                printf("%s\n", sftp_op_name(op));
                        fflush(stdout);
                        return 1;
                case 'h':
                default:
                        fprintf(stderr, "usage: internal-sftp [-ehR] [-d start_directory] [-f log_facility] "
                                "[-l log_level]\n\t[-P denied_requests] [-p allowed_requests] [-u umask]\n"
                                "       internal-sftp -Q protocol_feature\n");
                        return -EINVAL;
                }
        }
        if (!skip && optind != sargc) {
                /* OpenSSH ignores them; a word that is no option is more likely a mistake than meant. */
                fprintf(stderr, "internal-sftp: unexpected argument \"%s\"\n", sargv[optind]);
                return -EINVAL;
        }
        return 0;
}

/* Become the user for good. Supplementary groups were set by our parent (initgroups); keep them. */
static int drop_privileges(const Args *a) {
        if (setresgid(a->gid, a->gid, a->gid) < 0)
                return negative_errno();
        if (setresuid(a->uid, a->uid, a->uid) < 0)
                return negative_errno();
        if (a->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0 || (a->gid != 0 && setgid(0) == 0)))
                return -EPERM;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return negative_errno();
        return 0;
}

int main(int argc, char **argv) {
        Args a = { .umask_value = -1, .level = LOG_LEVEL_ERROR, .facility = LOG_AUTH, .log_fd = -1 };
        int r = parse_args(argc, argv, &a);
        if (r != 0)
                return r > 0 ? 0 : 1;
        a.server.user = a.user;
        a.server.peer = a.peer;

        /* The log first, while /dev/log can still be reached. */
        log_set_ident("internal-sftp");
        log_set_level(a.level);
        if (a.log_stderr) {
                /* -e: the session's stderr, which the client shows (OpenSSH's log_stderr). */
                a.log_fd = safe_close(a.log_fd);
                log_open_stderr();
        } else if (a.log_fd >= 0) {
                /* The daemon's log; the session's stderr has nothing else to carry. */
                if (dup2(a.log_fd, STDERR_FILENO) < 0)
                        return 1;
                a.log_fd = safe_close(a.log_fd);
                log_open_stderr();
        } else {
                log_open_syslog();
                openlog("internal-sftp", LOG_PID | LOG_NDELAY, a.facility);
        }

        /* -d is expanded with the names outside the chroot, as OpenSSH's (pw_dir, ~user). */
        _cleanup_free_ char *start_dir = NULL;
        if (a.start_dir) {
                const char *bad = NULL;
                r = expand_start_dir(a.start_dir, &a, &start_dir, &bad);
                if (r < 0) {
                        log_error("-d \"%s\": %s", a.start_dir, bad ? bad : strerror(-r));
                        return 1;
                }
        }

        const char *home = a.home;
        if (a.chroot) {
                r = safe_chroot(a.chroot);
                if (r < 0)
                        return 1;       /* safe_chroot logged why, in OpenSSH's words */
                /* The home directory as seen inside the root: the part below it, else "/". */
                size_t n = strlen(a.chroot);
                while (n > 1 && a.chroot[n - 1] == '/')
                        n--;
                if (strneq(a.home, a.chroot, n) && (a.home[n] == '/' || a.home[n] == '\0'))
                        home = a.home[n] ? a.home + n : "/";
        }
        r = drop_privileges(&a);
        if (r < 0) {
                log_error("internal-sftp: cannot become %s: %s", a.user, strerror(-r));
                return 1;
        }
        if (chdir(home) < 0) {
                /* Usual in a chroot without the home inside: the client starts at "/". */
                log_debug("Could not chdir to home directory %s: %s", home, strerror(errno));
                home = "/";
                if (chdir("/") < 0)
                        return 1;
        }
        a.server.home = home;
        if (start_dir && chdir(start_dir) < 0)
                log_error("chdir to \"%s\" failed: %s", start_dir, strerror(errno));
        if (a.umask_value >= 0)
                umask((mode_t) a.umask_value);

        r = sftp_seccomp_install();
        if (r < 0) {
                log_error("internal-sftp: cannot install the seccomp filter: %s", strerror(-r));
                return 1;
        }

        log_info("session opened for local user %s from [%s]", a.user, a.peer);
        r = sftp_server_run(&a.server, STDIN_FILENO, STDOUT_FILENO);
        log_info("session closed for local user %s from [%s]", a.user, a.peer);
        return r < 0 ? 1 : 0;
}
