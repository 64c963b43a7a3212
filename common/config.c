/*
 * The sshd_config parser. config.h is the API, config-keywords.h holds the tables that drive parsing
 * and -T, doc/CONFIG.md states the rules for operators.
 *
 * A line is split in place into a keyword and its arguments with OpenSSH's rules: blanks or one '='
 * after the keyword; double or single quotes group an argument; a backslash before a quote, a
 * backslash or (outside quotes) a blank makes it literal; a '#' at the start of an argument ends the
 * line. The keyword is looked up, case-insensitively, in config_keywords[], the aliases and
 * config_unsupported[]; anything else is "Bad configuration option", as in OpenSSH. The first error
 * stops loading: a daemon that half-understood its configuration must not start.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/algorithms.h"
#include "common/channel-timeout.h"
#include "common/config-keywords.h"
#include "common/config.h"
#include "common/match-pattern.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/net-addr.h"
#include "common/wire.h"

/* OpenSSH's rule: a relative Include pattern is relative to its configuration directory, whichever
 * file it appears in. privsshd keeps that rule so that Debian's files can be used unchanged. */
#define CONFIG_INCLUDE_DIR "/etc/ssh"

#define CONFIG_DEFAULT_PORT 22

static const char *const default_host_keys[] = {
        "/etc/privsshd/ssh_host_ed25519_key",
        "/etc/privsshd/ssh_host_ecdsa_key",
        "/etc/privsshd/ssh_host_rsa_key",
};

static const char *const default_authorized_keys_files[] = {
        ".ssh/authorized_keys",
        ".ssh/authorized_keys2",
};

_Static_assert(ELEMENTSOF(config_keywords) <= 64 * CONFIG_SEEN_WORDS, "Config.seen has one bit per keyword row");
_Static_assert(ELEMENTSOF(default_host_keys) <= CONFIG_MAX_HOSTKEYS, "default host keys fit");
_Static_assert(ELEMENTSOF(default_authorized_keys_files) <= AUTHKEYS_MAX_FILES, "defaults fit");

/*
 * The image of what was parsed between config_image_begin() and config_image_end(): each command-line
 * option (-o, and -p apart), and every line of the files that is not blank or a comment, in the order
 * parsed, Include'd files' lines in place after their Include line (or -o Include), and before the lines
 * of each stretch of one file, that file's name. Replaying it (config_load_image) parses the same options
 * and lines with the same names and numbers and skips the Include lines themselves, whose files' lines
 * follow them.
 *
 *   string CONFIG_IMAGE_MAGIC
 *   then records: u8 CONFIG_IMAGE_FILE, string path | u8 CONFIG_IMAGE_LINE, u32 line number, string text
 *               | u8 CONFIG_IMAGE_OPTION, string option | u8 CONFIG_IMAGE_PORT, string port (-p)
 */
#define CONFIG_IMAGE_MAGIC "privsshd configuration image 1"
enum {
        CONFIG_IMAGE_FILE = 1,
        CONFIG_IMAGE_LINE = 2,
        CONFIG_IMAGE_OPTION = 3,
        CONFIG_IMAGE_PORT = 4,
};

typedef struct ConfigRecorder {
        WireWriter w;
        unsigned n_files;       /* load_file() calls so far: each one's number tells stretches apart */
        unsigned current;       /* the number of the file the last FILE record named, 0 = none since */
} ConfigRecorder;

static ConfigRecorder *recorder_free(ConfigRecorder *rec);

struct ConfigContext {
        Config *config;
        const char *file;       /* NULL: a command-line option (-o, -p) */
        unsigned line;
        unsigned depth;         /* Include nesting: 0 for the main file and for -o */
        const char *rest;       /* the line after the keyword, as written (ForceCommand), while parsing it */
        bool replay;            /* config_load_image(): Include lines are followed by their files' lines */
};

/* ---- messages ------------------------------------------------------------------------------------ */

static void config_logv(const ConfigContext *ctx, LogLevel level, const char *prefix, const char *fmt,
                        va_list ap) _printf_(4, 0);
static void config_logv(const ConfigContext *ctx, LogLevel level, const char *prefix, const char *fmt,
                        va_list ap) {
        char msg[1024];
        (void) vsnprintf(msg, sizeof msg, fmt, ap);
        if (ctx->file)
                log_internal(level, "%s:%u: %s%s", ctx->file, ctx->line, prefix, msg);
        else
                log_internal(level, "command line: %s%s", prefix, msg);
}

/* "FILE:LINE: message" (or "command line: message"); returns -EINVAL. */
static int config_error(const ConfigContext *ctx, const char *fmt, ...) _printf_(2, 3);
static int config_error(const ConfigContext *ctx, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        config_logv(ctx, LOG_LEVEL_ERROR, "", fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static void config_warning(const ConfigContext *ctx, const char *fmt, ...) _printf_(2, 3);
static void config_warning(const ConfigContext *ctx, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        config_logv(ctx, LOG_LEVEL_INFO, "warning: ", fmt, ap);
        va_end(ap);
}

static int invalid_value(const ConfigContext *ctx, const char *keyword, const char *value) {
        return config_error(ctx, "invalid value for %s: \"%s\"", keyword, value);
}

/* ---- small value parsers ------------------------------------------------------------------------- */

static bool is_blank(char ch) {
        return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static bool is_digits(const char *s) {
        if (isempty(s))
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* "yes" is 1, "no" is 0, anything else -EINVAL; case-insensitive, as in OpenSSH. */
static int yes_no_from_string(const char *s) {
        if (strcasecmp(s, "yes") == 0)
                return 1;
        if (strcasecmp(s, "no") == 0)
                return 0;
        return -EINVAL;
}

/* A decimal number in [min, max]: 0, -EINVAL (not a number) or -ERANGE. */
static int number_from_string(const char *s, long long min, long long max, long long *ret) {
        if (!is_digits(s))
                return -EINVAL;
        errno = 0;
        char *end;
        long long v = strtoll(s, &end, 10);
        if (errno == ERANGE || v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

/*
 * OpenSSH's time format: a sequence of NUMBER[UNIT], units s, m, h, d, w in either case, no unit =
 * seconds ("120", "2m", "1h30m"). 0, -EINVAL or -ERANGE (more than max seconds).
 */
static int time_from_string(const char *s, long long max, long long *ret) {
        long long total = 0;
        if (isempty(s))
                return -EINVAL;
        while (*s) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                long long v = 0;
                for (; *s >= '0' && *s <= '9'; s++) {
                        v = v * 10 + (*s - '0');
                        if (v > max)
                                return -ERANGE;
                }
                long long mult;
                switch (*s) {
                case '\0':
                        mult = 1;
                        break;
                case 's': case 'S':
                        mult = 1;
                        s++;
                        break;
                case 'm': case 'M':
                        mult = 60;
                        s++;
                        break;
                case 'h': case 'H':
                        mult = 60 * 60;
                        s++;
                        break;
                case 'd': case 'D':
                        mult = 24 * 60 * 60;
                        s++;
                        break;
                case 'w': case 'W':
                        mult = 7 * 24 * 60 * 60;
                        s++;
                        break;
                default:
                        return -EINVAL;
                }
                if (v > (max - total) / mult)
                        return -ERANGE;
                total += v * mult;
        }
        *ret = total;
        return 0;
}

/* A TCP port: a number 1..65535 or a service name from /etc/services (as OpenSSH's a2port). */
static int port_from_string(const char *s, uint16_t *ret) {
        long long v;
        int r = number_from_string(s, 1, 65535, &v);
        if (r == -EINVAL && !isempty(s)) {
                const struct servent *se = getservbyname(s, "tcp");
                if (!se || ntohs((uint16_t) se->s_port) == 0)
                        return -EINVAL;
                v = ntohs((uint16_t) se->s_port);
                r = 0;
        }
        if (r < 0)
                return r;
        *ret = (uint16_t) v;
        return 0;
}

static int port_value(const ConfigContext *ctx, const char *keyword, const char *s, uint16_t *ret) {
        int r = port_from_string(s, ret);
        if (r == -ERANGE)
                return config_error(ctx, "value out of range for %s: \"%s\" (allowed: 1 to 65535)", keyword, s);
        if (r < 0)
                return invalid_value(ctx, keyword, s);
        return 0;
}

/* A host as ListenAddress takes it: an IPv6 address (with an optional %scope), an IPv4 address or a
 * host name. Resolution happens when the listener binds. */
static bool host_is_valid(const char *h) {
        size_t len = strlen(h);
        if (len == 0 || len > 255)
                return false;
        if (strchr(h, ':')) {
                char buf[256];
                memcpy(buf, h, len + 1);
                char *scope = strchr(buf, '%');
                if (scope) {
                        if (scope[1] == '\0')
                                return false;
                        *scope = '\0';
                }
                struct in6_addr a;
                return inet_pton(AF_INET6, buf, &a) == 1;
        }
        for (const char *p = h; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '.' || *p == '-' || *p == '_'))
                        return false;
        return true;
}

/* A user or PAM service name: portable characters only, so that it can never name a path. */
static bool name_is_valid(const char *s) {
        size_t len = strlen(s);
        if (len == 0 || len > AUTH_MAX_USER_LEN || s[0] == '-' || streq(s, ".") || streq(s, ".."))
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                      *s == '.' || *s == '-' || *s == '_'))
                        return false;
        return true;
}

/* OpenSSH makes relative HostKey and PidFile paths absolute against the working directory at start. */
static int path_make_absolute(const ConfigContext *ctx, const char *keyword, const char *path, char **ret) {
        char *p;
        if (isempty(path))
                return invalid_value(ctx, keyword, path);
        if (path[0] == '/')
                p = strdup(path);
        else {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                if (!cwd)
                        return config_error(ctx, "%s \"%s\": cannot make the path absolute: %s", keyword, path,
                                            strerror(errno));
                if (asprintf(&p, "%s%s%s", cwd, streq(cwd, "/") ? "" : "/", path) < 0)
                        p = NULL;
        }
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

static void string_replace(char **field, char *value) {
        free(*field);
        *field = value;
}

/* ---- keyword parsers (rows of config_keywords[]) --------------------------------------------------- */

static int parse_flag(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        int b = yes_no_from_string(args[0]);
        if (b < 0)
                return invalid_value(ctx, kw->name, args[0]);
        if (field)
                *(bool *) field = b;
        return 0;
}

static int number_value(ConfigContext *ctx, const ConfigKeyword *kw, const char *s, long long *ret) {
        int r = number_from_string(s, kw->min, kw->max, ret);
        if (r == -ERANGE)
                return config_error(ctx, "value out of range for %s: \"%s\" (allowed: %lld to %lld)", kw->name,
                                    s, kw->min, kw->max);
        if (r < 0)
                return invalid_value(ctx, kw->name, s);
        return 0;
}

static int parse_int(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        long long v;
        int r = number_value(ctx, kw, args[0], &v);
        if (r < 0)
                return r;
        if (field)
                *(int *) field = (int) v;
        return 0;
}

static int parse_unsigned(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        long long v;
        int r = number_value(ctx, kw, args[0], &v);
        if (r < 0)
                return r;
        if (field)
                *(unsigned *) field = (unsigned) v;
        return 0;
}

static int parse_time(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        long long v;
        int r = time_from_string(args[0], kw->max, &v);
        if (r == -ERANGE)
                return config_error(ctx, "value out of range for %s: \"%s\" (at most %lld seconds)", kw->name,
                                    args[0], kw->max);
        if (r < 0)
                return invalid_value(ctx, kw->name, args[0]);
        if (field)
                *(unsigned *) field = (unsigned) v;
        return 0;
}

/* A time, or "none" (= 0): UnusedConnectionTimeout, as OpenSSH. */
static int parse_time_or_none(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        if (strcasecmp(args[0], "none") == 0) {
                if (field)
                        *(unsigned *) field = 0;
                return 0;
        }
        return parse_time(ctx, kw, args, n, field);
}

/*
 * "ChannelTimeout TYPE=INTERVAL ..." or "ChannelTimeout none" (alone), as OpenSSH 9.5+: the first line
 * wins, with all its entries. TYPE is a channel type pattern or "global" (common/channel-timeout.h);
 * one that can match no channel type is allowed, as OpenSSH allows it, with a warning.
 */
static int parse_channel_timeout(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                 void *field) {
        uint32_t seconds[CONFIG_MAX_CHANNEL_TIMEOUTS];
        if (n > CONFIG_MAX_CHANNEL_TIMEOUTS)
                return config_error(ctx, "too many %s entries (at most %u)", kw->name, CONFIG_MAX_CHANNEL_TIMEOUTS);
        for (size_t i = 0; i < n; i++) {
                if (strcasecmp(args[i], "none") == 0) {
                        if (n > 1)
                                return config_error(ctx, "%s: \"%s\" must be the only entry", kw->name, args[i]);
                        continue;
                }
                size_t type_len;
                const char *interval;
                long long v;
                if (channel_timeout_split(args[i], &type_len, &interval) < 0)
                        return config_error(ctx, "invalid value for %s: \"%s\" (expected TYPE=INTERVAL, as "
                                            "session=5m)", kw->name, args[i]);
                int r = time_from_string(interval, INT32_MAX, &v);
                if (r == -ERANGE)
                        return config_error(ctx, "value out of range for %s: \"%s\" (at most %d seconds)",
                                            kw->name, args[i], INT32_MAX);
                if (r < 0)
                        return config_error(ctx, "invalid time for %s: \"%s\" (as 90, 5m or 1h30m)", kw->name,
                                            args[i]);
                seconds[i] = (uint32_t) v;
                _cleanup_free_ char *type = strndup(args[i], type_len);
                if (!type)
                        return -ENOMEM;
                if (!channel_timeout_type_known(type))
                        config_warning(ctx, "%s: type \"%s\" matches no channel type; it has no effect", kw->name,
                                       type);
        }
        if (!field || strcasecmp(args[0], "none") == 0)
                return 0;
        ChannelTimeouts *t = field;
        for (size_t i = 0; i < n; i++) {
                t->entries[i] = strdup(args[i]);
                if (!t->entries[i])
                        return -ENOMEM;
                t->seconds[i] = seconds[i];
                t->n = i + 1;
        }
        return 0;
}

static int add_port(ConfigContext *ctx, const ConfigKeyword *kw, const char *s, bool from_p) {
        Config *c = ctx->config;
        uint16_t port;
        int r = port_value(ctx, kw->name, s, &port);
        if (r < 0)
                return r;
        /* After -p, OpenSSH ignores every other Port line (but still checks it). */
        if (c->ports_from_command_line && !from_p)
                return 0;
        if (c->n_ports >= CONFIG_MAX_LISTEN)
                return config_error(ctx, "too many ports (at most %u)", CONFIG_MAX_LISTEN);
        c->ports[c->n_ports++] = port;
        return 0;
}

static int parse_port(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        return add_port(ctx, kw, args[0], false);
}

/* "host", "host:port", "[host]", "[host]:port", or a bare IPv6 address (two colons or more). */
static int parse_listen_address(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                void *field) {
        Config *c = ctx->config;
        const char *s = args[0];
        _cleanup_free_ char *host = NULL;
        uint16_t port = 0;
        int r;

        if (n > 1) {
                if (strcasecmp(args[1], "rdomain") == 0)
                        return config_error(ctx, "ListenAddress: rdomain is not supported by privsshd");
                return config_error(ctx, "extra argument for %s: \"%s\"", kw->name, args[1]);
        }

        if (s[0] == '[') {
                const char *close = strchr(s, ']');
                if (!close)
                        return invalid_value(ctx, kw->name, s);
                host = strndup(s + 1, (size_t) (close - s - 1));
                if (!host)
                        return -ENOMEM;
                if (close[1] == ':') {
                        r = port_value(ctx, kw->name, close + 2, &port);
                        if (r < 0)
                                return r;
                } else if (close[1] != '\0')
                        return invalid_value(ctx, kw->name, s);
        } else {
                const char *colon = strchr(s, ':');
                if (colon && !strchr(colon + 1, ':')) {
                        host = strndup(s, (size_t) (colon - s));
                        if (!host)
                                return -ENOMEM;
                        r = port_value(ctx, kw->name, colon + 1, &port);
                        if (r < 0)
                                return r;
                } else {
                        host = strdup(s);
                        if (!host)
                                return -ENOMEM;
                }
        }
        if (!host_is_valid(host))
                return invalid_value(ctx, kw->name, s);

        if (c->n_listen >= CONFIG_MAX_LISTEN)
                return config_error(ctx, "too many listen addresses (at most %u)", CONFIG_MAX_LISTEN);
        c->listen[c->n_listen++] = (ListenAddress) { .host = TAKE_PTR(host), .port = port };
        return 0;
}

static int parse_host_key(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        Config *c = ctx->config;
        _cleanup_free_ char *path = NULL;
        int r = path_make_absolute(ctx, kw->name, args[0], &path);
        if (r < 0)
                return r;
        if (c->n_hostkeys >= CONFIG_MAX_HOSTKEYS)
                return config_error(ctx, "too many host keys (at most %u)", CONFIG_MAX_HOSTKEYS);
        c->hostkeys[c->n_hostkeys++] = TAKE_PTR(path);
        return 0;
}

/* AuthenticationMethods: "any" alone, or lists of methods (common/auth-methods.h), checked here. */
static int parse_authentication_methods(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                        void *field) {
        Config *c = ctx->config;
        AuthLists check = {};
        if (n > AUTH_METHODS_MAX_LISTS)
                return config_error(ctx, "too many lists for %s (at most %u)", kw->name, AUTH_METHODS_MAX_LISTS);
        for (size_t i = 0; i < n; i++) {
                const char *bad = NULL;
                if (streq(args[i], "any")) {
                        if (n > 1)
                                return config_error(ctx, "%s: \"any\" must appear alone", kw->name);
                        continue;
                }
                if (auth_methods_parse_list(args[i], &check, &bad) < 0)
                        return config_error(ctx, "%s: invalid authentication method list \"%s\": unknown or "
                                            "unsupported method \"%s\"", kw->name, args[i], bad);
        }
        if (!field)
                return 0;
        for (size_t i = 0; i < n; i++) {
                if (streq(args[i], "any"))
                        break;
                char *p = strdup(args[i]);
                if (!p)
                        return -ENOMEM;
                c->authentication_methods[c->n_authentication_methods++] = p;
        }
        return 0;
}

/* The list a keyword row of AllowUsers, DenyUsers, AllowGroups or DenyGroups fills, and its count. */
static size_t *access_list_count(Config *c, const void *field) {
        if (field == c->allow_users)
                return &c->n_allow_users;
        if (field == c->deny_users)
                return &c->n_deny_users;
        if (field == c->allow_groups)
                return &c->n_allow_groups;
        return &c->n_deny_groups;
}

/* AllowUsers/DenyUsers: USER or USER@HOST patterns, HOST an address list entry (CIDR) or a host
 * pattern (checked here: a malformed one is an error now, not a refusal at every login as in OpenSSH);
 * AllowGroups/DenyGroups: group name patterns. They accumulate over lines. */
static int parse_access_list(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        Config *c = ctx->config;
        size_t *count = access_list_count(c, field);
        char **list = field;
        bool groups = field == c->allow_groups || field == c->deny_groups;
        for (size_t i = 0; i < n; i++) {
                const char *at = strrchr(args[i], '@');
                if (isempty(args[i]) || (at && (at == args[i] || at[1] == '\0' || groups)))
                        return invalid_value(ctx, kw->name, args[i]);
                if (at && net_addr_match_addr_list("127.0.0.1", at + 1) == -EINVAL)
                        return config_error(ctx, "invalid value for %s: \"%s\" (a bad address or mask in the "
                                            "host part)", kw->name, args[i]);
                if (*count >= CONFIG_MAX_ACCESS)
                        return config_error(ctx, "too many %s patterns (at most %u)", kw->name, CONFIG_MAX_ACCESS);
                list[*count] = strdup(args[i]);
                if (!list[*count])
                        return -ENOMEM;
                (*count)++;
        }
        return 0;
}

static int parse_pid_file(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        _cleanup_free_ char *path = NULL;
        if (strcasecmp(args[0], "none") != 0) {
                int r = path_make_absolute(ctx, kw->name, args[0], &path);
                if (r < 0)
                        return r;
        }
        if (field)
                string_replace(field, TAKE_PTR(path));
        return 0;
}

/* Paths relative to the home directory, with %h, %u and %% (what the monitor expands); "none" alone
 * means no file. */
static int parse_authorized_keys_file(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                      void *field) {
        Config *c = ctx->config;
        if (n > AUTHKEYS_MAX_FILES)
                return config_error(ctx, "too many files for %s (at most %u)", kw->name, AUTHKEYS_MAX_FILES);
        for (size_t i = 0; i < n; i++) {
                if (isempty(args[i]))
                        return invalid_value(ctx, kw->name, args[i]);
                for (const char *p = strchr(args[i], '%'); p; p = strchr(p + 2, '%'))
                        if (p[1] != 'h' && p[1] != 'u' && p[1] != '%')
                                return config_error(ctx, "invalid value for %s: \"%s\" (only %%h, %%u and %%%% "
                                                    "are expanded)", kw->name, args[i]);
        }
        if (!field)
                return 0;

        for (size_t i = 0; i < c->n_authorized_keys_files; i++) {
                free(c->authorized_keys_files[i]);
                c->authorized_keys_files[i] = NULL;
        }
        c->n_authorized_keys_files = 0;
        for (size_t i = 0; i < n; i++) {
                if (strcasecmp(args[i], "none") == 0)
                        continue;
                char *p = strdup(args[i]);
                if (!p)
                        return -ENOMEM;
                c->authorized_keys_files[c->n_authorized_keys_files++] = p;
        }
        return 0;
}

static const struct {
        const char *name;
        int family;
} address_families[] = {
        { "any", AF_UNSPEC },
        { "inet", AF_INET },
        { "inet6", AF_INET6 },
};

/* AddressFamily any|inet|inet6 (case-insensitive, as OpenSSH's multistate options). */
static int parse_address_family(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                void *field) {
        for (size_t i = 0; i < ELEMENTSOF(address_families); i++)
                if (strcasecmp(args[0], address_families[i].name) == 0) {
                        if (field)
                                *(int *) field = address_families[i].family;
                        return 0;
                }
        return invalid_value(ctx, kw->name, args[0]);
}

static int parse_permit_root_login(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                   void *field) {
        static const struct {
                const char *name;
                PermitRootLogin value;
        } table[] = {
                { "yes",                  PERMIT_ROOT_YES },
                { "no",                   PERMIT_ROOT_NO },
                { "prohibit-password",    PERMIT_ROOT_PROHIBIT_PASSWORD },
                { "without-password",     PERMIT_ROOT_PROHIBIT_PASSWORD },
                { "forced-commands-only", PERMIT_ROOT_FORCED_COMMANDS_ONLY },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcasecmp(args[0], table[i].name) == 0) {
                        if (field)
                                *(PermitRootLogin *) field = table[i].value;
                        return 0;
                }
        return invalid_value(ctx, kw->name, args[0]);
}

static int parse_log_level(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        /* OpenSSH accepts SILENT for QUIET (and prints QUIET as SILENT). */
        LogLevel l = strcasecmp(args[0], "SILENT") == 0 ? LOG_LEVEL_QUIET : log_level_from_string(args[0]);
        if (l < 0 || l >= _LOG_LEVEL_MAX)
                return invalid_value(ctx, kw->name, args[0]);
        if (field)
                *(LogLevel *) field = l;
        return 0;
}

static int parse_use_pam(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        int b = yes_no_from_string(args[0]);
        if (b < 0)
                return invalid_value(ctx, kw->name, args[0]);
        /* Checked on every occurrence, not only the first: the operator wrote it, so say so. */
        if (b == 0)
                return config_error(ctx, "UsePAM no is not supported: privsshd authenticates passwords "
                                    "through PAM only");
        if (field)
                *(bool *) field = true;
        return 0;
}

/* "Subsystem NAME COMMAND [ARGS...]": as OpenSSH, the command and its arguments are unquoted by the
 * parser and joined with single spaces; the session runs the result with the user's shell, or our own
 * privsshd-sftp when it is "internal-sftp [options]" (monitor/internal-sftp.c). */
static int parse_subsystem(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        Config *c = ctx->config;
        const char *name = args[0];

        if (isempty(name))
                return invalid_value(ctx, kw->name, name);
        if (n < 2)
                return config_error(ctx, "missing command for Subsystem \"%s\"", name);
        if (isempty(args[1]))
                return invalid_value(ctx, kw->name, args[1]);
        for (size_t i = 0; i < c->n_subsystems; i++)
                if (streq(c->subsystems[i].name, name))
                        return config_error(ctx, "Subsystem \"%s\" already defined", name);
        if (c->n_subsystems >= ELEMENTSOF(c->subsystems))
                return config_error(ctx, "too many subsystems (at most %zu)", ELEMENTSOF(c->subsystems));

        size_t len = 0;
        for (size_t i = 1; i < n; i++)
                len += strlen(args[i]) + 1;
        _cleanup_free_ char *command = malloc(len);
        _cleanup_free_ char *name_copy = strdup(name);
        if (!command || !name_copy)
                return -ENOMEM;
        char *p = command;
        for (size_t i = 1; i < n; i++) {
                if (i > 1)
                        *p++ = ' ';
                p = stpcpy(p, args[i]);
        }

        c->subsystems[c->n_subsystems++] = (Subsystem) {
                .name = TAKE_PTR(name_copy),
                .command = TAKE_PTR(command),
        };
        return 0;
}

static bool env_name_valid(const char *name, size_t len) {
        if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!(name[i] == '_' || (name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= 'a' && name[i] <= 'z') ||
                      (name[i] >= '0' && name[i] <= '9')))
                        return false;
        return true;
}

/* "AcceptEnv PATTERN...": accumulates; a pattern may use * and ? but never '=' (as OpenSSH). */
static int parse_accept_env(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        Config *c = ctx->config;
        for (size_t i = 0; i < n; i++) {
                if (isempty(args[i]) || strchr(args[i], '='))
                        return config_error(ctx, "invalid environment name in %s: \"%s\"", kw->name, args[i]);
                if (c->n_accept_env >= CONFIG_MAX_ACCEPT_ENV)
                        return config_error(ctx, "too many %s patterns (at most %u)", kw->name, CONFIG_MAX_ACCEPT_ENV);
                char *s = strdup(args[i]);
                if (!s)
                        return -ENOMEM;
                c->accept_env[c->n_accept_env++] = s;
        }
        return 0;
}

/* "SetEnv NAME=VALUE...": the first SetEnv line wins (later ones are only checked), and within it the
 * first assignment of a name, as OpenSSH 9.2. */
static int parse_set_env(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        Config *c = ctx->config;
        for (size_t i = 0; i < n; i++) {
                const char *eq = strchr(args[i], '=');
                if (!eq || !env_name_valid(args[i], (size_t) (eq - args[i])))
                        return config_error(ctx, "invalid environment assignment in %s: \"%s\"", kw->name,
                                            args[i]);
        }
        if (!field)
                return 0;
        for (size_t i = 0; i < n; i++) {
                size_t len = (size_t) (strchr(args[i], '=') - args[i]);
                bool dup = false;
                for (size_t j = 0; j < c->n_set_env && !dup; j++)
                        dup = strneq(c->set_env[j], args[i], len + 1);
                if (dup)
                        continue;
                if (c->n_set_env >= CONFIG_MAX_SET_ENV)
                        return config_error(ctx, "too many %s assignments (at most %u)", kw->name, CONFIG_MAX_SET_ENV);
                char *s = strdup(args[i]);
                if (!s)
                        return -ENOMEM;
                c->set_env[c->n_set_env++] = s;
        }
        return 0;
}

/* "PermitUserEnvironment yes|no|PATTERN-LIST": as OpenSSH, exactly "yes" or "no" (case-sensitive), and
 * anything else is a pattern list of the names that may be set (which means "yes" for those). */
static int parse_permit_user_environment(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                         void *field) {
        if (isempty(args[0]))
                return invalid_value(ctx, kw->name, args[0]);
        if (!field)
                return 0;
        char *v = NULL;
        if (!streq(args[0], "no")) {
                v = strdup(args[0]);
                if (!v)
                        return -ENOMEM;
        }
        string_replace(field, v);
        return 0;
}

/* Store a copy of value in the string field, or NULL when the keyword said "none". */
static int replace_unless_none(void *field, const char *value, bool none) {
        char *s = NULL;
        if (!none) {
                s = strdup(value);
                if (!s)
                        return -ENOMEM;
        }
        string_replace(field, s);
        return 0;
}

/* "ForceCommand COMMAND...": the rest of the line as written, for the user's shell (as OpenSSH);
 * "none" for none. */
static int parse_command(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        const char *command = ctx->rest;
        if (!command || isempty(command))
                return config_error(ctx, "missing argument for %s", kw->name);
        if (!field)
                return 0;
        return replace_unless_none(field, command, n == 1 && streq(args[0], "none"));
}

/* A file name, or "none" (stored as NULL). Not resolved here: read when it is used. */
static int parse_path_or_none(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        if (isempty(args[0]))
                return invalid_value(ctx, kw->name, args[0]);
        if (!field)
                return 0;
        return replace_unless_none(field, args[0], streq(args[0], "none"));
}

static int parse_name(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        if (!name_is_valid(args[0]))
                return invalid_value(ctx, kw->name, args[0]);
        if (field) {
                char *s = strdup(args[0]);
                if (!s)
                        return -ENOMEM;
                string_replace(field, s);
        }
        return 0;
}

static int parse_sandbox_directory(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                   void *field) {
        const char *s = args[0];
        if (s[0] != '/' || s[strspn(s, "/")] == '\0')
                return config_error(ctx, "%s must be an absolute path other than \"/\": \"%s\"", kw->name, s);
        if (field) {
                char *p = strdup(s);
                if (!p)
                        return -ENOMEM;
                string_replace(field, p);
        }
        return 0;
}

/* "MaxStartups START:RATE:FULL" or "MaxStartups N" (= N:100:N), as OpenSSH: 1 <= START <= FULL,
 * RATE 1..100; FULL at most our hard cap of concurrent connections. */
static int parse_max_startups(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        const char *s = args[0];
        long long v[3];
        size_t k = 0;
        for (const char *p = s;; k++) {
                size_t len = strcspn(p, ":");
                char num[24];
                if (k == 3 || len == 0 || len >= sizeof num)
                        return config_error(ctx, "invalid value for %s: \"%s\" (START:RATE:FULL or a number)",
                                            kw->name, s);
                memcpy(num, p, len);
                num[len] = '\0';
                int r = number_from_string(num, 0, INT32_MAX, &v[k]);
                if (r < 0)
                        return config_error(ctx, "invalid value for %s: \"%s\" (START:RATE:FULL or a number)",
                                            kw->name, s);
                if (p[len] == '\0') {
                        k++;
                        break;
                }
                p += len + 1;
        }
        if (k == 2)
                return config_error(ctx, "invalid value for %s: \"%s\" (START:RATE:FULL or a number)", kw->name,
                                    s);
        MaxStartups m = k == 1 ? (MaxStartups) { (unsigned) v[0], 100, (unsigned) v[0] } :
                                 (MaxStartups) { (unsigned) v[0], (unsigned) v[1], (unsigned) v[2] };
        if (k == 3 && (v[1] < 1 || v[1] > 100 || v[0] > v[2]))
                return config_error(ctx, "invalid value for %s: \"%s\" (START at most FULL, RATE 1 to 100)",
                                    kw->name, s);
        if (m.begin < (unsigned) kw->min || (long long) m.full > kw->max)
                return config_error(ctx, "value out of range for %s: \"%s\" (START and FULL: %lld to %lld)",
                                    kw->name, s, kw->min, kw->max);
        if (field)
                *(MaxStartups *) field = m;
        return 0;
}

/* "PerSourceMaxStartups N" or "none". */
static int parse_per_source_max_startups(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                         void *field) {
        long long v = CONFIG_UNLIMITED;
        if (strcasecmp(args[0], "none") != 0) {
                int r = number_value(ctx, kw, args[0], &v);
                if (r < 0)
                        return r;
        }
        if (field)
                *(unsigned *) field = (unsigned) v;
        return 0;
}

/* "PerSourceNetBlockSize V4[:V6]", prefix lengths 0..32 and 0..128 (V6 stays 128 if not given). */
static int parse_net_block_size(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        const char *s = args[0];
        char v4[8];
        const char *colon = strchr(s, ':');
        size_t len = colon ? (size_t) (colon - s) : strlen(s);
        long long a, b = 128;
        if (len >= sizeof v4)
                return config_error(ctx, "invalid value for %s: \"%s\" (IPV4BITS[:IPV6BITS])", kw->name, s);
        memcpy(v4, s, len);
        v4[len] = '\0';
        if (number_from_string(v4, 0, 32, &a) < 0 || (colon && number_from_string(colon + 1, 0, 128, &b) < 0))
                return config_error(ctx, "invalid value for %s: \"%s\" (IPV4BITS[:IPV6BITS], 0 to 32 and 0 to "
                                    "128)", kw->name, s);
        if (field)
                *(NetBlockSize *) field = (NetBlockSize) { (unsigned) a, (unsigned) b };
        return 0;
}

/*
 * "PerSourcePenalties yes|no" alone, or any of crash:, authfail:, noauth:, grace-exceeded:, max:, min:
 * (times), max-sources4:, max-sources6: (numbers), overflow:, overflow6: (deny-all|permissive). As in
 * OpenSSH, each sub-option keeps its first value over all lines, and storing one turns penalties on
 * even after "no" (OpenSSH 9.8 servconf.c: "any option implicitly enables penalties").
 */
static int parse_penalties(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        static const struct {
                const char *prefix;
                size_t offset;
                int kind;       /* 0 time, 1 number, 2 overflow */
        } subs[] = {
                { "crash:",          offsetof(PerSourcePenalties, crash),          0 },
                { "authfail:",       offsetof(PerSourcePenalties, authfail),       0 },
                { "noauth:",         offsetof(PerSourcePenalties, noauth),         0 },
                { "grace-exceeded:", offsetof(PerSourcePenalties, grace_exceeded), 0 },
                { "max:",            offsetof(PerSourcePenalties, max),            0 },
                { "min:",            offsetof(PerSourcePenalties, min),            0 },
                { "max-sources4:",   offsetof(PerSourcePenalties, max_sources4),   1 },
                { "max-sources6:",   offsetof(PerSourcePenalties, max_sources6),   1 },
                { "overflow:",       offsetof(PerSourcePenalties, overflow_deny_all), 2 },
                { "overflow6:",      offsetof(PerSourcePenalties, overflow6_deny_all), 2 },
        };
        enum { GIVEN_ENABLED = 1u << ELEMENTSOF(subs) };
        PerSourcePenalties *p = field;

        for (size_t i = 0; i < n; i++) {
                const char *a = args[i];
                int b = yes_no_from_string(a);
                if (b >= 0) {
                        if (n > 1)
                                return config_error(ctx, "%s \"%s\" must appear alone", kw->name, a);
                        if (!(p->given & GIVEN_ENABLED))
                                p->enabled = b;
                        p->given |= GIVEN_ENABLED;
                        continue;
                }
                size_t k;
                for (k = 0; k < ELEMENTSOF(subs); k++)
                        if (strneq(a, subs[k].prefix, strlen(subs[k].prefix)))
                                break;
                if (k == ELEMENTSOF(subs))
                        return config_error(ctx, "unsupported %s keyword \"%s\"", kw->name, a);
                const char *v = a + strlen(subs[k].prefix);
                long long x;
                int r;
                if (subs[k].kind == 0)
                        r = time_from_string(v, INT32_MAX, &x);
                else if (subs[k].kind == 1)
                        r = number_from_string(v, 1, kw->max, &x);
                else {
                        r = streq(v, "deny-all") || streq(v, "permissive") ? 0 : -EINVAL;
                        x = streq(v, "deny-all");
                }
                if (r == -ERANGE && subs[k].kind == 1)
                        return config_error(ctx, "value out of range for %s: \"%s\" (allowed: 1 to %lld)",
                                            kw->name, a, kw->max);
                if (r < 0)
                        return config_error(ctx, "invalid value for %s: \"%s\"", kw->name, a);
                if (p->given & (1u << k))
                        continue;
                p->given |= 1u << k;
                if (subs[k].kind == 2)
                        *(bool *) ((uint8_t *) p + subs[k].offset) = x;
                else
                        *(unsigned *) ((uint8_t *) p + subs[k].offset) = (unsigned) x;
                p->enabled = true;
        }
        return 0;
}

/* An OpenSSH address list (ADDR[/BITS],!ADDR[/BITS],...) or "none". */
static int parse_address_list(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        bool none = strcasecmp(args[0], "none") == 0;
        NetAddr any = { .family = AF_INET };
        if (!none && net_addr_match_list(&any, args[0]) < -1)
                return config_error(ctx, "invalid address list for %s: \"%s\" (ADDRESS[/BITS], comma-separated)",
                                    kw->name, args[0]);
        if (!field)
                return 0;
        return replace_unless_none(field, args[0], none);
}

/* Ciphers, KexAlgorithms, MACs, HostKeyAlgorithms, PubkeyAcceptedAlgorithms, CASignatureAlgorithms:
 * OpenSSH's list syntax, checked against what privsshd's libssh supports (common/algorithms.h) and
 * stored as the final list. The errors start with OpenSSH's wording; names OpenSSH knows and privsshd
 * does not offer are left out with a warning. */
static int parse_algorithms(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        static const char *const what[_ALGORITHMS_MAX] = {
                [ALGORITHMS_KEX] = "Bad SSH2 KexAlgorithms",
                [ALGORITHMS_CIPHERS] = "Bad SSH2 cipher spec",
                [ALGORITHMS_MACS] = "Bad SSH2 mac spec",
                [ALGORITHMS_HOSTKEY] = "Bad key types",
                [ALGORITHMS_PUBKEY] = "Bad key types",
                [ALGORITHMS_CA_SIGNATURE] = "Bad key types",
        };
        int cls = algorithm_class_by_keyword(kw->name);
        if (cls < 0)
                return config_error(ctx, "%s: not an algorithm keyword", kw->name);
        _cleanup_free_ char *list = NULL, *bad = NULL, *ignored = NULL;
        int r = algorithms_assemble((AlgorithmClass) cls, args[0], &list, &bad, &ignored);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && bad)
                return config_error(ctx, "%s '%s': %s \"%s\" is not one privsshd supports (supported: %s)",
                                    what[cls], args[0], kw->name, bad, algorithms_supported((AlgorithmClass) cls));
        if (r < 0 && ignored)
                return config_error(ctx, "%s '%s': %s leaves no algorithm privsshd offers (not offered: %s)",
                                    what[cls], args[0], kw->name, ignored);
        if (r < 0)
                return config_error(ctx, "%s '%s': %s leaves no algorithm", what[cls], args[0], kw->name);
        /* Known to OpenSSH, not offered by privsshd: leaving it out allows less than written. */
        if (ignored)
                config_warning(ctx, "%s: %s: known to OpenSSH, not offered by privsshd; ignored", kw->name,
                               ignored);
        if (field) {
                free(*(char **) field);
                *(char **) field = TAKE_PTR(list);
        }
        return 0;
}

/* A size as OpenSSH's scan_scaled takes it for RekeyLimit: digits, optionally K, M, G or T (powers of 1024). */
static int size_from_string(const char *s, uint64_t *ret) {
        errno = 0;
        char *end;
        if (!isdigit((unsigned char) s[0]))
                return -EINVAL;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno)
                return -ERANGE;
        unsigned shift = 0;
        if (*end) {
                const char *units = "KMGT", *u = strchr(units, toupper((unsigned char) *end));
                if (!u || end[1])
                        return -EINVAL;
                shift = 10 * (unsigned) (u - units + 1);
        }
        if (shift && v > (UINT64_MAX >> shift))
                return -ERANGE;
        *ret = (uint64_t) v << shift;
        return 0;
}

/* RekeyLimit DATA [TIME]: DATA "default" or a size (at least 16 bytes), TIME "none" or an sshd time. */
/* "AllowTcpForwarding yes|all|no|local|remote" */
static int parse_forward_directions(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                    void *field) {
        static const struct {
                const char *name;
                ForwardDirections value;
        } table[] = {
                { "yes", FORWARD_DIRECTION_ALL },     { "all", FORWARD_DIRECTION_ALL },
                { "no", FORWARD_DIRECTION_NONE },     { "local", FORWARD_DIRECTION_LOCAL },
                { "remote", FORWARD_DIRECTION_REMOTE },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcasecmp(args[0], table[i].name) == 0) {
                        if (field)
                                *(ForwardDirections *) field = table[i].value;
                        return 0;
                }
        return invalid_value(ctx, kw->name, args[0]);
}

/* "StreamLocalBindMask 0177": an octal mask, as OpenSSH (which reads it with strtol(..., 8) up to 0777);
 * we also refuse trailing characters, which OpenSSH ignores. */
static int parse_octal_mask(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        const char *s = args[0];
        unsigned v = 0;
        if (*s == '\0')
                return invalid_value(ctx, kw->name, s);
        for (; *s; s++) {
                if (*s < '0' || *s > '7' || v > 0777)
                        return invalid_value(ctx, kw->name, args[0]);
                v = v * 8 + (unsigned) (*s - '0');
        }
        if (v > 0777)
                return invalid_value(ctx, kw->name, args[0]);
        if (field)
                *(unsigned *) field = v;
        return 0;
}

static int parse_gateway_ports(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        static const char *const names[_GATEWAY_PORTS_MAX] = {
                [GATEWAY_PORTS_NO] = "no",
                [GATEWAY_PORTS_YES] = "yes",
                [GATEWAY_PORTS_CLIENTSPECIFIED] = "clientspecified",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcasecmp(args[0], names[i]) == 0) {
                        if (field)
                                *(GatewayPorts *) field = (GatewayPorts) i;
                        return 0;
                }
        return invalid_value(ctx, kw->name, args[0]);
}

/* One PermitOpen/PermitListen entry: "host:port", "[v6]:port", "*" for either; PermitListen also a
 * port alone. */
static bool permit_entry_valid(const char *e, bool listen) {
        const char *colon = strrchr(e, ':');
        const char *port = colon ? colon + 1 : e;
        if (!colon && !listen)
                return false;
        if (colon) {
                size_t hl = (size_t) (colon - e);
                if (hl == 0)
                        return false;
                if (e[0] == '[' ? e[hl - 1] != ']' || hl < 3 : memchr(e, ':', hl) != NULL)
                        return false;
        }
        if (streq(port, "*"))
                return true;
        char *end;
        errno = 0;
        unsigned long v = strtoul(port, &end, 10);
        return *port >= '0' && *port <= '9' && *end == '\0' && errno == 0 && v <= 65535 &&
               (v > 0 || listen);
}

/* "PermitOpen any|none|host:port ...", "PermitListen any|none|[host:]port ...": the first line wins. */
static int parse_permit_list(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        bool listen = streq(kw->name, "PermitListen");
        for (size_t i = 0; i < n; i++) {
                bool special = (strcasecmp(args[i], "any") == 0) || (strcasecmp(args[i], "none") == 0);
                if (special && n > 1)
                        return config_error(ctx, "%s: \"%s\" must be the only entry", kw->name, args[i]);
                if (!special && !permit_entry_valid(args[i], listen))
                        return config_error(ctx, "%s: invalid entry \"%s\"", kw->name, args[i]);
        }
        if (n > CONFIG_MAX_PERMIT)
                return config_error(ctx, "too many %s entries (at most %u)", kw->name, CONFIG_MAX_PERMIT);
        if (!field || n == 0)
                return n == 0 ? config_error(ctx, "missing argument for %s", kw->name) : 0;
        PermitList *l = field;
        if ((strcasecmp(args[0], "any") == 0))
                return 0;       /* no entries: anything */
        for (size_t i = 0; i < n; i++) {
                l->entries[i] = strdup((strcasecmp(args[i], "none") == 0) ? "none" : args[i]);
                if (!l->entries[i])
                        return -ENOMEM;
                l->n = i + 1;
        }
        return 0;
}

static int parse_rekey_limit(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        RekeyLimit v = {};
        if (n > 2)
                return config_error(ctx, "too many arguments for %s (DATA [TIME])", kw->name);
        if (strcasecmp(args[0], "default") != 0) {
                int r = size_from_string(args[0], &v.data);
                if (r < 0)
                        return config_error(ctx, "Bad %s value '%s': %s", kw->name, args[0],
                                            r == -ERANGE ? "too large" : "not a size (a number, K, M, G or T)");
                if (v.data != 0 && v.data < 16)
                        return config_error(ctx, "%s too small", kw->name);
        }
        if (n == 2 && strcasecmp(args[1], "none") != 0) {
                long long t;
                int r = time_from_string(args[1], INT32_MAX, &t);
                if (r < 0)
                        return invalid_value(ctx, kw->name, args[1]);
                v.interval = (unsigned) t;
        }
        if (field)
                *(RekeyLimit *) field = v;
        return 0;
}

/* PubkeyAuthOptions: any of none, touch-required, verify-required (OpenSSH: case-insensitive, "none"
 * adds nothing, anything else is an error; no argument at all is none and, being the first value, wins). */
static int parse_pubkey_auth_options(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                     void *field) {
        unsigned v = 0;
        for (size_t i = 0; i < n; i++) {
                if (strcasecmp(args[i], "none") == 0)
                        continue;
                if (strcasecmp(args[i], "touch-required") == 0)
                        v |= PUBKEY_AUTH_TOUCH_REQUIRED;
                else if (strcasecmp(args[i], "verify-required") == 0)
                        v |= PUBKEY_AUTH_VERIFY_REQUIRED;
                else
                        return config_error(ctx, "unsupported %s option %s", kw->name, args[i]);
        }
        if (field)
                *(unsigned *) field = v;
        return 0;
}

static int load_file(Config *c, const char *path, unsigned depth);

static int include_one(ConfigContext *ctx, const char *pattern) {
        const char *root = ctx->config->include_root;
        _cleanup_free_ char *full = NULL;
        glob_t g = {};
        int r;

        if (asprintf(&full, "%s%s%s", root ?: "", pattern[0] == '/' ? "" : CONFIG_INCLUDE_DIR "/", pattern) < 0)
                return -ENOMEM;

        r = glob(full, 0, NULL, &g);
        if (r == GLOB_NOMATCH) {
                /* As in OpenSSH: a pattern that matches nothing is fine (an empty sshd_config.d). */
                log_debug("%s:%u: Include \"%s\" matched no files", ctx->file ?: "command line", ctx->line,
                          full);
                globfree(&g);
                return 0;
        }
        if (r != 0) {
                globfree(&g);
                if (r == GLOB_NOSPACE)
                        return -ENOMEM;
                return config_error(ctx, "Include \"%s\": cannot read the directory", full);
        }

        r = 0;
        for (size_t i = 0; i < g.gl_pathc; i++) {
                if (ctx->depth >= CONFIG_MAX_INCLUDE_DEPTH) {
                        r = config_error(ctx, "Include nested too deeply (at most %d levels): \"%s\"",
                                         CONFIG_MAX_INCLUDE_DEPTH, g.gl_pathv[i]);
                        break;
                }
                r = load_file(ctx->config, g.gl_pathv[i], ctx->depth + 1);
                if (r < 0)
                        break;
        }
        globfree(&g);
        return r;
}

static int parse_include(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        for (size_t i = 0; i < n; i++) {
                if (isempty(args[i]))
                        return invalid_value(ctx, kw->name, args[i]);
                if (ctx->replay)
                        continue;       /* the image holds the files' lines right after this one */
                int r = include_one(ctx, args[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- printers (-T) --------------------------------------------------------------------------------- */

static void dump_keyword(const ConfigKeyword *kw, FILE *f) {
        for (const char *p = kw->name; *p; p++)
                fputc(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p, f);
        fputc(' ', f);
}

static void dump_flag(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        fprintf(f, "%s\n", *(const bool *) field ? "yes" : "no");
}

static void dump_pubkey_auth_options(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        unsigned v = *(const unsigned *) field;
        bool touch = v & PUBKEY_AUTH_TOUCH_REQUIRED, verify = v & PUBKEY_AUTH_VERIFY_REQUIRED;
        dump_keyword(kw, f);
        fprintf(f, "%s%s%s%s\n", v == 0 ? "none" : "", touch ? "touch-required" : "",
                touch && verify ? " " : "", verify ? "verify-required" : "");
}

static void dump_int(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        fprintf(f, "%d\n", *(const int *) field);
}

static void dump_unsigned(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        fprintf(f, "%u\n", *(const unsigned *) field);
}

static void dump_string(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const char *s = *(char *const *) field;
        dump_keyword(kw, f);
        fprintf(f, "%s\n", s ?: "none");
}

static void dump_ports(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        for (size_t i = 0; i < c->n_ports; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%u\n", c->ports[i]);
        }
}

static void dump_listen_one(const ConfigKeyword *kw, const char *host, uint16_t port, FILE *f) {
        dump_keyword(kw, f);
        if (strchr(host, ':'))
                fprintf(f, "[%s]:%u\n", host, port);
        else
                fprintf(f, "%s:%u\n", host, port);
}

/* As OpenSSH: one line per address and port; no ListenAddress means the wildcards of AddressFamily. */
static void dump_listen_addresses(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        if (c->n_listen == 0)
                for (size_t p = 0; p < c->n_ports; p++) {
                        if (c->address_family != AF_INET)
                                dump_listen_one(kw, "::", c->ports[p], f);
                        if (c->address_family != AF_INET6)
                                dump_listen_one(kw, "0.0.0.0", c->ports[p], f);
                }
        for (size_t i = 0; i < c->n_listen; i++) {
                if (c->listen[i].port != 0)
                        dump_listen_one(kw, c->listen[i].host, c->listen[i].port, f);
                else
                        for (size_t p = 0; p < c->n_ports; p++)
                                dump_listen_one(kw, c->listen[i].host, c->ports[p], f);
        }
}

static void dump_host_keys(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        for (size_t i = 0; i < c->n_hostkeys; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%s\n", c->hostkeys[i]);
        }
}

static void dump_access_list(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        size_t n = *access_list_count((Config *) c, field);
        char *const *list = field;
        for (size_t i = 0; i < n; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%s\n", list[i]);
        }
}

static void dump_authentication_methods(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        if (c->n_authentication_methods == 0)
                fputs("any", f);
        for (size_t i = 0; i < c->n_authentication_methods; i++)
                fprintf(f, "%s%s", i > 0 ? " " : "", c->authentication_methods[i]);
        fputc('\n', f);
}

static void dump_authorized_keys_files(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        if (c->n_authorized_keys_files == 0)
                fputs("none", f);
        for (size_t i = 0; i < c->n_authorized_keys_files; i++)
                fprintf(f, "%s%s", i > 0 ? " " : "", c->authorized_keys_files[i]);
        fputc('\n', f);
}

static void dump_address_family(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        int family = *(const int *) field;
        const char *name = "unknown";
        for (size_t i = 0; i < ELEMENTSOF(address_families); i++)
                if (address_families[i].family == family)
                        name = address_families[i].name;
        dump_keyword(kw, f);
        fprintf(f, "%s\n", name);
}

static void dump_permit_root_login(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        PermitRootLogin p = *(const PermitRootLogin *) field;
        dump_keyword(kw, f);
        /* OpenSSH 9.2's -T still prints prohibit-password by its old name. */
        fprintf(f, "%s\n", p == PERMIT_ROOT_PROHIBIT_PASSWORD ? "without-password" :
                           permit_root_login_to_string(p) ?: "unknown");
}

static void dump_log_level(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        LogLevel l = *(const LogLevel *) field;
        dump_keyword(kw, f);
        /* OpenSSH's spellings in -T: QUIET is SILENT, DEBUG1 is DEBUG. */
        fprintf(f, "%s\n", l == LOG_LEVEL_QUIET ? "SILENT" : l == LOG_LEVEL_DEBUG1 ? "DEBUG" :
                           log_level_to_string(l) ?: "unknown");
}

static void dump_subsystems(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        for (size_t i = 0; i < c->n_subsystems; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%s %s\n", c->subsystems[i].name, c->subsystems[i].command);
        }
}

static void dump_accept_env(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        for (size_t i = 0; i < c->n_accept_env; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%s\n", c->accept_env[i]);
        }
}

static void dump_set_env(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        if (c->n_set_env == 0)
                return;
        dump_keyword(kw, f);
        for (size_t i = 0; i < c->n_set_env; i++) {
                bool quote = strpbrk(c->set_env[i], " \t") != NULL;   /* so that -T reads back */
                fprintf(f, "%s%s%s%s", i > 0 ? " " : "", quote ? "\"" : "", c->set_env[i], quote ? "\"" : "");
        }
        fputc('\n', f);
}

static void dump_permit_user_environment(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const char *v = *(char *const *) field;
        dump_keyword(kw, f);
        fprintf(f, "%s\n", v ?: "no");
}

static void dump_channel_timeouts(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const ChannelTimeouts *t = field;
        dump_keyword(kw, f);
        if (t->n == 0)
                fputs("none", f);
        for (size_t i = 0; i < t->n; i++)
                fprintf(f, "%s%s", i > 0 ? " " : "", t->entries[i]);
        fputc('\n', f);
}

static void dump_max_startups(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const MaxStartups *m = field;
        dump_keyword(kw, f);
        fprintf(f, "%u:%u:%u\n", m->begin, m->rate, m->full);
}

static void dump_per_source_max_startups(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        unsigned v = *(const unsigned *) field;
        dump_keyword(kw, f);
        if (v == CONFIG_UNLIMITED)
                fputs("none\n", f);
        else
                fprintf(f, "%u\n", v);
}

static void dump_net_block_size(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const NetBlockSize *b = field;
        dump_keyword(kw, f);
        fprintf(f, "%u:%u\n", b->ipv4, b->ipv6);
}

/* OpenSSH 9.8's -T line, in its order. */
static void dump_penalties(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const PerSourcePenalties *p = field;
        dump_keyword(kw, f);
        if (!p->enabled) {
                fputs("no\n", f);
                return;
        }
        fprintf(f, "crash:%u authfail:%u noauth:%u grace-exceeded:%u max:%u min:%u max-sources4:%u "
                "max-sources6:%u overflow:%s overflow6:%s\n", p->crash, p->authfail, p->noauth, p->grace_exceeded,
                p->max, p->min, p->max_sources4, p->max_sources6, p->overflow_deny_all ? "deny-all" : "permissive",
                p->overflow6_deny_all ? "deny-all" : "permissive");
}

static void dump_algorithms(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const char *s = *(char *const *) field;
        int cls = algorithm_class_by_keyword(kw->name);
        dump_keyword(kw, f);
        fprintf(f, "%s\n", s ?: cls >= 0 ? algorithms_default((AlgorithmClass) cls) : "");
}

/* OpenSSH's -T line: "streamlocalbindmask 0177" (dump_cfg_oct). */
static void dump_octal_mask(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        dump_keyword(kw, f);
        fprintf(f, "0%o\n", *(const unsigned *) field);
}

/* OpenSSH's -T line: "rekeylimit BYTES SECONDS". */
static void dump_forward_directions(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        static const char *const names[] = { "no", "local", "remote", "yes" };
        dump_keyword(kw, f);
        fprintf(f, "%s\n", names[*(const ForwardDirections *) field & FORWARD_DIRECTION_ALL]);
}

static void dump_gateway_ports(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        static const char *const names[_GATEWAY_PORTS_MAX] = { "no", "yes", "clientspecified" };
        GatewayPorts g = *(const GatewayPorts *) field;
        dump_keyword(kw, f);
        fprintf(f, "%s\n", g < _GATEWAY_PORTS_MAX ? names[g] : "unknown");
}

static void dump_permit_list(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const PermitList *l = field;
        dump_keyword(kw, f);
        if (l->n == 0)
                fputs("any", f);
        for (size_t i = 0; i < l->n; i++)
                fprintf(f, "%s%s", i > 0 ? " " : "", l->entries[i]);
        fputc('\n', f);
}

static void dump_rekey_limit(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        const RekeyLimit *l = field;
        dump_keyword(kw, f);
        fprintf(f, "%llu %u\n", (unsigned long long) l->data, l->interval);
}

/* ---- AuthorizedKeysCommand, AuthorizedKeysCommandUser (keysrc; monitor/keys-command.h) --------------- */

/* "AuthorizedKeysCommand /path [args with %tokens]": the rest of the line as written (split into
 * arguments when it runs, as OpenSSH); "none" for none. The program must be named by an absolute
 * path, as OpenSSH requires. */
static int parse_authorized_keys_command(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                         void *field) {
        const char *command = ctx->rest;
        if (!command || isempty(command))
                return config_error(ctx, "missing argument for %s", kw->name);
        bool none = n == 1 && strcasecmp(args[0], "none") == 0;
        if (!none && command[0] != '/')
                return config_error(ctx, "%s must be an absolute path", kw->name);
        if (!field)
                return 0;
        return replace_unless_none(field, command, none);
}

/* A user name, in which %u (the user logging in) and %% may appear, as OpenSSH expands it. Stored as
 * written (OpenSSH has no "none" here: a user of that name is looked up, and is normally missing). */
static int parse_authorized_keys_command_user(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                              void *field) {
        const char *s = args[0];
        bool ok = !isempty(s) && strlen(s) <= AUTH_MAX_USER_LEN && s[0] != '-';
        for (const char *p = s; ok && *p; p++) {
                if (*p == '%') {
                        ok = p[1] == 'u' || p[1] == '%';
                        p++;
                        continue;
                }
                ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                     *p == '.' || *p == '-' || *p == '_';
        }
        if (!ok)
                return invalid_value(ctx, kw->name, s);
        if (!field)
                return 0;
        return replace_unless_none(field, s, false);
}

/* As sshd at start-up: a command without a user to run it as is a configuration error. */
static int config_finish_keys_command(const Config *c) {
        if (c->authorized_keys_command && !c->authorized_keys_command_user) {
                log_error("AuthorizedKeysCommand set without AuthorizedKeysCommandUser");
                return -EINVAL;
        }
        return 0;
}

/* ---- HostCertificate ------------------------------------------------------------------------------ */

/* HostCertificate: a path, made absolute as HostKey's; accumulates (OpenSSH's servconf.c); the monitor
 * loads the files and pairs each with its HostKey (monitor/hostcert.c). */
static int parse_host_certificate(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                  void *field) {
        Config *c = ctx->config;
        _cleanup_free_ char *path = NULL;
        int r = path_make_absolute(ctx, kw->name, args[0], &path);
        if (r < 0)
                return r;
        if (c->n_host_certificates >= CONFIG_MAX_HOSTKEYS)
                return config_error(ctx, "too many host certificates (at most %u)", CONFIG_MAX_HOSTKEYS);
        c->host_certificates[c->n_host_certificates++] = TAKE_PTR(path);
        return 0;
}

/* -T: one "hostcertificate PATH" line each, none when there is none (OpenSSH's dump_cfg_strarray). */
static void dump_host_certificates(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f) {
        for (size_t i = 0; i < c->n_host_certificates; i++) {
                dump_keyword(kw, f);
                fprintf(f, "%s\n", c->host_certificates[i]);
        }
}

/* ---- unsupported keywords ------------------------------------------------------------------------- */

static bool word_in_list(const char *word, const char *list) {
        size_t len = strlen(word);
        for (const char *p = list; p; p = strchr(p, '|'), p = p ? p + 1 : NULL) {
                size_t l = strcspn(p, "|");
                if (l == len && strncasecmp(p, word, len) == 0)
                        return true;
        }
        return false;
}

/* The arguments, joined by one space, equal `value` (case-insensitively)? */
static bool args_equal(char **args, size_t n, const char *value) {
        const char *v = value;
        for (size_t i = 0; i < n; i++) {
                if (i > 0 && *v++ != ' ')
                        return false;
                size_t len = strlen(args[i]);
                if (strncasecmp(v, args[i], len) != 0)
                        return false;
                v += len;
        }
        return *v == '\0';
}

static int unsupported_check_syntax(ConfigContext *ctx, const ConfigUnsupported *u, char **args, size_t n) {
        long long v;

        if (!u->syntax)
                return 0;
        if (n > 1)
                return config_error(ctx, "extra argument for %s: \"%s\"", u->name, args[1]);
        if (streq(u->syntax, "<one>"))
                return 0;
        bool ok;
        if (streq(u->syntax, "<int>"))
                ok = number_from_string(args[0], 0, INT32_MAX, &v) == 0;
        else if (streq(u->syntax, "<time>"))
                ok = time_from_string(args[0], INT32_MAX, &v) == 0;
        else
                ok = word_in_list(args[0], u->syntax);
        return ok ? 0 : invalid_value(ctx, u->name, args[0]);
}

static int apply_unsupported(ConfigContext *ctx, const ConfigUnsupported *u, char **args, size_t n) {
        int r;

        if (u->policy == CONFIG_DEPRECATED) {
                config_warning(ctx, "%s is deprecated; ignored, as OpenSSH does", u->name);
                return 0;
        }
        if (n == 0)
                return config_error(ctx, "missing argument for %s", u->name);
        r = unsupported_check_syntax(ctx, u, args, n);
        if (r < 0)
                return r;
        if (u->honoured && args_equal(args, n, u->honoured)) {
                log_debug("%s:%u: %s %s is what privsshd does anyway", ctx->file ?: "command line", ctx->line,
                          u->name, u->honoured);
                return 0;
        }

        switch (u->policy) {
        case CONFIG_WARN:
                config_warning(ctx, "%s is not supported by privsshd yet; ignored", u->name);
                return 0;
        case CONFIG_REFUSE:
                return config_error(ctx, "%s is not supported by privsshd yet and ignoring it could allow more "
                                    "than configured", u->name);
        case CONFIG_DEPRECATED:
        default:
                return 0;
        }
}

/* ---- lines ------------------------------------------------------------------------------------------ */

static const ConfigKeyword *keyword_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(config_keywords); i++)
                if (strcasecmp(config_keywords[i].name, name) == 0)
                        return &config_keywords[i];
        for (size_t i = 0; i < ELEMENTSOF(config_aliases); i++)
                if (strcasecmp(config_aliases[i].alias, name) == 0)
                        return keyword_find(config_aliases[i].name);
        return NULL;
}

static const ConfigUnsupported *unsupported_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(config_unsupported); i++)
                if (strcasecmp(config_unsupported[i].name, name) == 0)
                        return &config_unsupported[i];
        return NULL;
}

static bool keyword_seen(const Config *c, const ConfigKeyword *kw) {
        size_t i = (size_t) (kw - config_keywords);
        return c->seen[i / 64] & (UINT64_C(1) << (i % 64));
}

static void keyword_set_seen(Config *c, const ConfigKeyword *kw) {
        size_t i = (size_t) (kw - config_keywords);
        c->seen[i / 64] |= UINT64_C(1) << (i % 64);
}

static int apply_keyword(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n) {
        Config *c = ctx->config;
        void *field = NULL;
        int r;

        if (n == 0 && !(kw->flags & CONFIG_NO_ARG_OK))
                return config_error(ctx, "missing argument for %s", kw->name);
        if ((kw->flags & CONFIG_ONE_ARG) && n > 1)
                return config_error(ctx, "extra argument for %s: \"%s\"", kw->name, args[1]);

        /* The first obtained value wins (sshd_config(5)); later ones are still checked. */
        if (kw->offset != CONFIG_NO_FIELD && ((kw->flags & CONFIG_MULTI) || !keyword_seen(c, kw)))
                field = (uint8_t *) c + kw->offset;
        r = kw->parse(ctx, kw, args, n, field);
        if (r < 0)
                return r;
        keyword_set_seen(c, kw);
        return 0;
}

/*
 * Split `s` in place into arguments (see the top of the file for the rules). `args` must have room
 * for strlen(s) / 2 + 1 entries. -EINVAL for an unterminated quote.
 */
static int split_args(char *s, char **args, size_t *ret_n) {
        char *r = s, *w = s;
        size_t n = 0;

        for (;;) {
                while (is_blank(*r))
                        r++;
                if (*r == '\0' || *r == '#')
                        break;

                char quote = 0;
                args[n++] = w;
                for (;;) {
                        char ch = *r;
                        if (ch == '\0') {
                                if (quote)
                                        return -EINVAL;
                                break;
                        }
                        if (!quote && is_blank(ch))
                                break;
                        if (ch == '\\' && (r[1] == '\\' || r[1] == '"' || r[1] == '\'' ||
                                           (!quote && r[1] != '\0' && is_blank(r[1])))) {
                                *w++ = r[1];
                                r += 2;
                        } else if (quote && ch == quote) {
                                quote = 0;
                                r++;
                        } else if (!quote && (ch == '"' || ch == '\'')) {
                                quote = ch;
                                r++;
                        } else
                                *w++ = *r++;
                }
                /* w <= r: the terminator overwrites a consumed character or the final NUL. */
                bool end = *r == '\0';
                *w++ = '\0';
                if (end)
                        break;
                r++;
        }
        *ret_n = n;
        return 0;
}

static int parse_line(ConfigContext *ctx, char *line, size_t len) {
        char *p = line;

        while (is_blank(*p))
                p++;
        if (*p == '\0' || *p == '#')
                return 0;

        char *keyword = p;
        while (*p && !is_blank(*p) && *p != '=')
                p++;
        if (p == keyword)
                return config_error(ctx, "missing keyword before \"=\"");
        if (*p) {
                bool equals = *p == '=';
                *p++ = '\0';
                while (is_blank(*p))
                        p++;
                if (!equals && *p == '=') {
                        p++;
                        while (is_blank(*p))
                                p++;
                }
        }

        _cleanup_free_ char **args = calloc(len / 2 + 2, sizeof(char *));
        _cleanup_free_ char *rest = strdup(p);
        if (!args || !rest)
                return -ENOMEM;
        for (size_t l = strlen(rest); l > 0 && is_blank(rest[l - 1]); l--)
                rest[l - 1] = '\0';
        ctx->rest = rest;
        size_t n = 0;
        if (split_args(p, args, &n) < 0)
                return config_error(ctx, "unterminated quote");

        const ConfigKeyword *kw = keyword_find(keyword);
        if (kw) {
                int r = apply_keyword(ctx, kw, args, n);
                ctx->rest = NULL;
                return r;
        }
        ctx->rest = NULL;
        const ConfigUnsupported *u = unsupported_find(keyword);
        if (u)
                return apply_unsupported(ctx, u, args, n);
        return config_error(ctx, "Bad configuration option: %s", keyword);
}

/* Add one line of the file numbered `file` (a FILE record first when the last stretch was another's). */
static void record_line(ConfigRecorder *rec, unsigned file, const char *path, unsigned line, const char *text,
                        size_t len) {
        const char *p = text;
        while (p < text + len && is_blank(*p))
                p++;
        if (p == text + len || *p == '#')
                return;         /* parse_line() ignores it */
        if (rec->current != file) {
                (void) wire_put_u8(&rec->w, CONFIG_IMAGE_FILE);
                (void) wire_put_string(&rec->w, path);
                rec->current = file;
        }
        (void) wire_put_u8(&rec->w, CONFIG_IMAGE_LINE);
        (void) wire_put_u32(&rec->w, line);
        (void) wire_put_blob(&rec->w, text, len);       /* the writer remembers a failure */
}

/* A command-line option or -p: the next file line names its file again. */
static void record_command_line(ConfigRecorder *rec, uint8_t tag, const char *text) {
        (void) wire_put_u8(&rec->w, tag);
        (void) wire_put_string(&rec->w, text);
        rec->current = 0;
}

static int load_file(Config *c, const char *path, unsigned depth) {
        ConfigContext ctx = { .config = c, .file = path, .depth = depth };
        ConfigRecorder *record = c->record;
        unsigned number = record ? ++record->n_files : 0;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = negative_errno();
                log_error("%s: cannot open: %s", path, strerror(-r));
                return r;
        }
        r = read_full_fd(fd, CONFIG_MAX_FILE_SIZE, &data, &size);
        if (r == -EFBIG) {
                log_error("%s: file too large (more than %u bytes)", path, CONFIG_MAX_FILE_SIZE);
                return r;
        }
        if (r < 0) {
                log_error("%s: cannot read: %s", path, strerror(-r));
                return r;
        }

        for (char *p = data, *end = data + size; p < end;) {
                char *eol = memchr(p, '\n', (size_t) (end - p)) ?: end;
                size_t len = (size_t) (eol - p);

                ctx.line++;
                if (memchr(p, '\0', len))
                        return config_error(&ctx, "NUL byte in line");
                if (len > CONFIG_MAX_LINE)
                        return config_error(&ctx, "line too long (more than %u bytes)", CONFIG_MAX_LINE);
                *eol = '\0';    /* at `end` this is read_full_fd's terminator */
                if (record)
                        record_line(record, number, path, ctx.line, p, len);
                r = parse_line(&ctx, p, len);
                if (r < 0)
                        return r;
                p = eol + 1;
        }
        return 0;
}

/* ---- API ------------------------------------------------------------------------------------------- */

int config_init(Config *c) {
        *c = (Config) {
                .strict_modes = true,
                .pubkey_authentication = true,
                .password_authentication = true,
                .kbd_interactive_authentication = true,
                .permit_root_login = PERMIT_ROOT_PROHIBIT_PASSWORD,
                .max_auth_tries = 6,
                .login_grace_time = 120,
                .use_pam = true,
                .max_sessions = 10,
                .permit_tty = true,
                .allow_tcp_forwarding = FORWARD_DIRECTION_ALL,
                .allow_agent_forwarding = true,
                .allow_streamlocal_forwarding = FORWARD_DIRECTION_ALL,
                .streamlocal_bind_mask = 0177,
                .print_motd = true,
                .print_last_log = true,
                .client_alive_count_max = 3,
                .required_rsa_size = 1024,
                .log_level = LOG_LEVEL_INFO,
                .max_startups = { .begin = 10, .rate = 30, .full = 100 },
                /* Not OpenSSH's "none": half of MaxStartups' start, so that one source alone can never
                 * bring random early drop upon everybody else (doc/SECURITY.md). */
                .per_source_max_startups = 5,
                .per_source_net_block_size = { .ipv4 = 32, .ipv6 = 128 },
                .per_source_penalties = {
                        .enabled = true,
                        .crash = 90,
                        .authfail = 5,
                        .noauth = 1,
                        .grace_exceeded = 10,
                        .max = 600,
                        .min = 15,
                        .max_sources4 = 65536,
                        .max_sources6 = 65536,
                },
        };
        c->pid_file = strdup("/run/privsshd.pid");
        c->pam_service_name = strdup("privsshd");
        c->sandbox_user = strdup("privsshd");
        c->sandbox_directory = strdup("/run/privsshd/empty");
        if (!c->pid_file || !c->pam_service_name || !c->sandbox_user || !c->sandbox_directory) {
                config_done(c);
                return -ENOMEM;
        }
        return 0;
}

void config_done(Config *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->n_listen; i++)
                free(c->listen[i].host);
        for (size_t i = 0; i < c->n_hostkeys; i++)
                free(c->hostkeys[i]);
        for (size_t i = 0; i < c->n_host_certificates; i++)
                free(c->host_certificates[i]);
        for (size_t i = 0; i < c->n_authorized_keys_files; i++)
                free(c->authorized_keys_files[i]);
        for (size_t i = 0; i < c->n_authentication_methods; i++)
                free(c->authentication_methods[i]);
        for (size_t i = 0; i < c->n_allow_users; i++)
                free(c->allow_users[i]);
        for (size_t i = 0; i < c->n_deny_users; i++)
                free(c->deny_users[i]);
        for (size_t i = 0; i < c->n_allow_groups; i++)
                free(c->allow_groups[i]);
        for (size_t i = 0; i < c->n_deny_groups; i++)
                free(c->deny_groups[i]);
        for (size_t i = 0; i < c->n_subsystems; i++) {
                free(c->subsystems[i].name);
                free(c->subsystems[i].command);
        }
        for (size_t i = 0; i < c->n_accept_env; i++)
                free(c->accept_env[i]);
        for (size_t i = 0; i < c->n_set_env; i++)
                free(c->set_env[i]);
        for (size_t i = 0; i < c->permit_open.n; i++)
                free(c->permit_open.entries[i]);
        for (size_t i = 0; i < c->permit_listen.n; i++)
                free(c->permit_listen.entries[i]);
        for (size_t i = 0; i < c->channel_timeouts.n; i++)
                free(c->channel_timeouts.entries[i]);
        free(c->force_command);
        free(c->authorized_keys_command);
        free(c->authorized_keys_command_user);
        free(c->revoked_keys);
        free(c->permit_user_environment);
        free(c->banner);
        free(c->trusted_user_ca_keys);
        free(c->authorized_principals_file);
        free(c->chroot_directory);
        free(c->pid_file);
        free(c->pam_service_name);
        free(c->sandbox_user);
        free(c->sandbox_directory);
        free(c->per_source_penalty_exempt);
        free(c->kex_algorithms);
        free(c->ciphers);
        free(c->macs);
        free(c->hostkey_algorithms);
        free(c->pubkey_accepted_algorithms);
        free(c->ca_signature_algorithms);
#if ENABLE_TEST_HOOKS
        free(c->test_worker_inject);
#endif
        recorder_free(c->record);
        *c = (Config) {};
}

int config_load_file(Config *c, const char *path) {
        return load_file(c, path, 0);
}

static ConfigRecorder *recorder_free(ConfigRecorder *rec) {
        if (rec) {
                wire_writer_done(&rec->w);
                free(rec);
        }
        return NULL;
}

int config_image_begin(Config *c) {
        if (c->record)
                return -EBUSY;
        ConfigRecorder *rec = calloc(1, sizeof *rec);
        if (!rec)
                return -ENOMEM;
        rec->w = wire_writer(CONFIG_MAX_IMAGE_SIZE);
        (void) wire_put_string(&rec->w, CONFIG_IMAGE_MAGIC);
        c->record = rec;
        return 0;
}

int config_image_end(Config *c, char **ret_image, size_t *ret_size) {
        ConfigRecorder *rec = TAKE_PTR(c->record);
        if (!rec)
                return -EINVAL;
        int r = rec->w.error;
        if (r == -EMSGSIZE) {
                log_error("The configuration, with what it includes, is too large to hand to connections "
                          "(more than %u bytes).", CONFIG_MAX_IMAGE_SIZE);
                r = -EFBIG;
        }
        if (r >= 0) {
                *ret_image = (char *) TAKE_PTR(rec->w.data);
                *ret_size = rec->w.size;
        }
        recorder_free(rec);
        return r < 0 ? r : 0;
}

/* -p: a port, and every Port line of the files ignored. */
static int apply_port(ConfigContext *ctx, const char *port) {
        int r = add_port(ctx, keyword_find("Port"), port, true);
        if (r < 0)
                return r;
        ctx->config->ports_from_command_line = true;
        return 0;
}

/* A malformed image is not the operator's doing: the listener and this program disagree (an upgrade
 * between them) or something else stands in for the listener. */
static int image_malformed(const char *what) {
        log_error("the configuration handed over by the listener is malformed (%s)", what);
        return -EBADMSG;
}

int config_load_image(Config *c, const void *image, size_t size) {
        WireReader rd = wire_reader(image, size);
        _cleanup_free_ char *magic = NULL, *file = NULL;
        int r;

        if (wire_get_string(&rd, sizeof CONFIG_IMAGE_MAGIC, &magic) < 0 || !streq(magic, CONFIG_IMAGE_MAGIC))
                return image_malformed("not an image of this version of privsshd");
        while (rd.error == 0 && rd.pos < rd.size) {
                uint8_t tag;
                if (wire_get_u8(&rd, &tag) < 0)
                        break;
                if (tag == CONFIG_IMAGE_FILE) {
                        free(file);
                        file = NULL;
                        if (wire_get_string(&rd, CONFIG_MAX_IMAGE_SIZE, &file) < 0)
                                break;
                        continue;
                }
                if (tag == CONFIG_IMAGE_OPTION || tag == CONFIG_IMAGE_PORT) {
                        _cleanup_free_ char *option = NULL;
                        if (wire_get_string(&rd, CONFIG_MAX_LINE, &option) < 0)
                                break;
                        ConfigContext ctx = { .config = c, .replay = true };
                        r = tag == CONFIG_IMAGE_PORT ? apply_port(&ctx, option) :
                                                       parse_line(&ctx, option, strlen(option));
                        if (r < 0)
                                return r;
                        continue;
                }
                if (tag != CONFIG_IMAGE_LINE)
                        return image_malformed("unknown record");
                uint32_t line;
                _cleanup_free_ char *text = NULL;
                if (wire_get_u32(&rd, &line) < 0 || wire_get_string(&rd, CONFIG_MAX_LINE, &text) < 0)
                        break;
                if (!file || !text)
                        return image_malformed("a line without a file");
                ConfigContext ctx = { .config = c, .file = file, .line = line, .replay = true };
                r = parse_line(&ctx, text, strlen(text));
                if (r < 0)
                        return r;
        }
        if (wire_end(&rd) < 0)
                return image_malformed("truncated");
        return 0;
}

int config_apply_option(Config *c, const char *option) {
        ConfigContext ctx = { .config = c };

        size_t len = strlen(option);
        if (len > CONFIG_MAX_LINE)
                return config_error(&ctx, "option too long (more than %u bytes)", CONFIG_MAX_LINE);
        const char *p = option + strspn(option, " \t\r\n");
        if (*p == '\0' || *p == '#')
                return config_error(&ctx, "empty option");

        _cleanup_free_ char *copy = strdup(option);
        if (!copy)
                return -ENOMEM;
        if (c->record)
                record_command_line(c->record, CONFIG_IMAGE_OPTION, option);
        return parse_line(&ctx, copy, len);
}

int config_apply_port(Config *c, const char *port) {
        ConfigContext ctx = { .config = c };
        if (c->record)
                record_command_line(c->record, CONFIG_IMAGE_PORT, port);
        return apply_port(&ctx, port);
}

/* AddressFamily inet or inet6 and a ListenAddress of the other family: the error OpenSSH gives when it
 * resolves the address with that family. Only numeric addresses are checked here, without a lookup; a
 * host name is resolved with the family when the listener binds (monitor/listener.c). */
static int check_listen_families(const Config *c) {
        if (c->address_family == AF_UNSPEC)
                return 0;
        for (size_t i = 0; i < c->n_listen; i++) {
                struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_flags = AI_NUMERICHOST }, *res = NULL;
                if (getaddrinfo(c->listen[i].host, NULL, &hints, &res) != 0)
                        continue;               /* a name, not an address */
                int family = res->ai_family;
                freeaddrinfo(res);
                if (family != c->address_family) {
                        log_error("bad addr or host: %s (%s)", c->listen[i].host,
                                  gai_strerror(EAI_ADDRFAMILY));
                        return -EINVAL;
                }
        }
        return 0;
}

uint32_t config_auth_methods_enabled(const Config *c) {
        return (c->pubkey_authentication ? AUTH_METHOD_PUBLICKEY : 0) |
                (c->password_authentication ? AUTH_METHOD_PASSWORD : 0) |
                (c->kbd_interactive_authentication ? AUTH_METHOD_KBDINT : 0);
}

int config_finish(Config *c) {
        int r;

        if (c->n_ports == 0)
                c->ports[c->n_ports++] = CONFIG_DEFAULT_PORT;

        r = check_listen_families(c);
        if (r < 0)
                return r;

        /* Every ListenAddress without a port gets each Port, in order (as OpenSSH). Count first, so that a
         * failure leaves the Config as it was. */
        size_t total = 0;
        for (size_t i = 0; i < c->n_listen; i++)
                total += c->listen[i].port != 0 ? 1 : c->n_ports;
        if (total > CONFIG_MAX_LISTEN) {
                log_error("too many listen addresses: %zu after giving each ListenAddress without a port every "
                          "Port (at most %u)", total, CONFIG_MAX_LISTEN);
                return -EINVAL;
        }
        if (total != c->n_listen) {
                ListenAddress out[CONFIG_MAX_LISTEN] = {};
                size_t k = 0;
                r = 0;
                for (size_t i = 0; i < c->n_listen && r == 0; i++)
                        for (size_t p = 0; p < (c->listen[i].port != 0 ? 1 : c->n_ports); p++) {
                                out[k].host = strdup(c->listen[i].host);
                                if (!out[k].host) {
                                        r = -ENOMEM;
                                        break;
                                }
                                out[k++].port = c->listen[i].port ?: c->ports[p];
                        }
                if (r < 0) {
                        for (size_t i = 0; i < k; i++)
                                free(out[i].host);
                        return r;
                }
                for (size_t i = 0; i < c->n_listen; i++)
                        free(c->listen[i].host);
                memcpy(c->listen, out, sizeof out);
                c->n_listen = k;
        }

        if (c->n_hostkeys == 0)
                for (size_t i = 0; i < ELEMENTSOF(default_host_keys); i++) {
                        char *p = strdup(default_host_keys[i]);
                        if (!p)
                                return -ENOMEM;
                        c->hostkeys[c->n_hostkeys++] = p;
                }

        /* As OpenSSH at start-up: some list must be possible with the methods enabled. */
        if (c->n_authentication_methods > 0) {
                AuthLists l;
                r = auth_lists_init(&l, c->authentication_methods, c->n_authentication_methods);
                if (r < 0)
                        return r;
                uint32_t enabled = config_auth_methods_enabled(c);
                bool possible = false;
                for (size_t i = 0; i < l.n_lists; i++) {
                        bool all = true;
                        for (size_t k = 0; k < l.n_steps[i]; k++)
                                all = all && (l.steps[i][k] & enabled);
                        possible = possible || all;
                }
                if (!possible) {
                        log_error("AuthenticationMethods cannot be satisfied by enabled authentication methods");
                        return -EINVAL;
                }
        }

        if (!keyword_seen(c, keyword_find("AuthorizedKeysFile")) && c->n_authorized_keys_files == 0)
                for (size_t i = 0; i < ELEMENTSOF(default_authorized_keys_files); i++) {
                        char *p = strdup(default_authorized_keys_files[i]);
                        if (!p)
                                return -ENOMEM;
                        c->authorized_keys_files[c->n_authorized_keys_files++] = p;
                }
        return config_finish_keys_command(c);
}

void config_dump(const Config *c, FILE *f) {
        for (size_t i = 0; i < ELEMENTSOF(config_keywords); i++) {
                const ConfigKeyword *kw = &config_keywords[i];
                if (!kw->dump)
                        continue;
                kw->dump(c, kw, kw->offset == CONFIG_NO_FIELD ? NULL : (const uint8_t *) c + kw->offset, f);
        }
}

const char *permit_root_login_to_string(PermitRootLogin p) {
        static const char *const names[_PERMIT_ROOT_MAX] = {
                [PERMIT_ROOT_NO] = "no",
                [PERMIT_ROOT_YES] = "yes",
                [PERMIT_ROOT_PROHIBIT_PASSWORD] = "prohibit-password",
                [PERMIT_ROOT_FORCED_COMMANDS_ONLY] = "forced-commands-only",
        };
        if (p < 0 || p >= _PERMIT_ROOT_MAX)
                return NULL;
        return names[p];
}

/* Never passed from a client, whatever AcceptEnv says: they act before the user's own code runs. */
static bool env_name_dangerous(const char *name) {
        static const char *const prefixes[] = { "LD_", "MALLOC_", "GLIBC_", "BASH_FUNC_" };
        static const char *const names[] = {
                "BASH_ENV", "BASHOPTS", "ENV", "GCONV_PATH", "GETCONF_DIR", "HOSTALIASES", "IFS",
                "LOCALDOMAIN", "LOCPATH", "NIS_PATH", "NLSPATH", "PS4", "RESOLV_HOST_CONF", "RES_OPTIONS",
                "SHELLOPTS", "TMPDIR", "TZDIR", "PYTHONSTARTUP", "PERL5OPT", "PERL5LIB", "PYTHONPATH",
        };
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (strneq(name, prefixes[i], strlen(prefixes[i])))
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(name, names[i]))
                        return true;
        return false;
}

static bool accept_env_names(const Config *c, const char *name) {
        for (size_t i = 0; i < c->n_accept_env; i++)
                if (match_pattern(name, c->accept_env[i]))
                        return true;
        return false;
}

static bool env_name_never_passed(const char *name) {
        return !env_name_valid(name, strlen(name)) || env_name_dangerous(name);
}

bool config_accept_env(const Config *c, const char *name) {
        return name && !env_name_never_passed(name) && accept_env_names(c, name);
}

bool config_accept_env_overruled(const Config *c, const char *name) {
        return name && env_name_never_passed(name) && accept_env_names(c, name);
}

static bool user_env_names(const Config *c, const char *name) {
        const char *v = c->permit_user_environment;
        if (!v)
                return false;
        return streq(v, "yes") || match_pattern_in_list(name, v, false) == 1;
}

bool config_user_env_allowed(const Config *c, const char *name) {
        return name && !env_name_never_passed(name) && user_env_names(c, name);
}

bool config_user_env_overruled(const Config *c, const char *name) {
        return name && env_name_never_passed(name) && user_env_names(c, name);
}

int config_keyword_at(size_t i, const char **ret_name, const char **ret_status) {
        const char *name, *status;

        if (i < ELEMENTSOF(config_keywords)) {
                name = config_keywords[i].name;
                status = "implemented";
        } else if ((i -= ELEMENTSOF(config_keywords)) < ELEMENTSOF(config_aliases)) {
                name = config_aliases[i].alias;
                status = "implemented";
        } else if ((i -= ELEMENTSOF(config_aliases)) < ELEMENTSOF(config_unsupported)) {
                const ConfigUnsupported *u = &config_unsupported[i];
                name = u->name;
                switch (u->policy) {
                case CONFIG_WARN:
                        status = "warned";
                        break;
                case CONFIG_REFUSE:
                        status = "refused";
                        break;
                case CONFIG_DEPRECATED:
                        status = "deprecated";
                        break;
                default:
                        return -EINVAL;
                }
        } else
                return -ENOENT;

        if (ret_name)
                *ret_name = name;
        if (ret_status)
                *ret_status = status;
        return 0;
}
