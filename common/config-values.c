/*
 * The sshd_config parser's messages ("FILE:LINE: message", as OpenSSH) and the value parsers the
 * keyword parsers share: yes/no, numbers, OpenSSH's time format, ports, host and user names, paths.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/config-internal.h"
#include "common/config.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"

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
int config_error(const ConfigContext *ctx, const char *fmt, ...) _printf_(2, 3);
int config_error(const ConfigContext *ctx, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        config_logv(ctx, LOG_LEVEL_ERROR, "", fmt, ap);
        va_end(ap);
        return -EINVAL;
}

void config_warning(const ConfigContext *ctx, const char *fmt, ...) _printf_(2, 3);
void config_warning(const ConfigContext *ctx, const char *fmt, ...) {
        if (ctx->match || ctx->quiet)
                return;         /* a second pass (Match, a connection's copy): said at load already */
        va_list ap;
        va_start(ap, fmt);
        config_logv(ctx, LOG_LEVEL_INFO, "warning: ", fmt, ap);
        va_end(ap);
}

int config_invalid_value(const ConfigContext *ctx, const char *keyword, const char *value) {
        return config_error(ctx, "invalid value for %s: \"%s\"", keyword, value);
}

/* ---- value parsers ------------------------------------------------------------------------- */

bool config_is_blank(char ch) {
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
int config_yes_no_from_string(const char *s) {
        if (strcasecmp(s, "yes") == 0)
                return 1;
        if (strcasecmp(s, "no") == 0)
                return 0;
        return -EINVAL;
}

/* A decimal number in [min, max]: 0, -EINVAL (not a number) or -ERANGE. */
int config_number_from_string(const char *s, long long min, long long max, long long *ret) {
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
int config_time_from_string(const char *s, long long max, long long *ret) {
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
        int r = config_number_from_string(s, 1, 65535, &v);
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

int config_port_value(const ConfigContext *ctx, const char *keyword, const char *s, uint16_t *ret) {
        int r = port_from_string(s, ret);
        if (r == -ERANGE)
                return config_error(ctx, "value out of range for %s: \"%s\" (allowed: 1 to 65535)", keyword, s);
        if (r < 0)
                return config_invalid_value(ctx, keyword, s);
        return 0;
}

/* A host as ListenAddress takes it: an IPv6 address (with an optional %scope), an IPv4 address or a
 * host name. Resolution happens when the listener binds. */
bool config_host_is_valid(const char *h) {
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
bool config_name_is_valid(const char *s) {
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
int config_path_make_absolute(const ConfigContext *ctx, const char *keyword, const char *path, char **ret) {
        char *p;
        if (isempty(path))
                return config_invalid_value(ctx, keyword, path);
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

void config_string_replace(char **field, char *value) {
        free(*field);
        *field = value;
}
