/*
 * Keyword parsers, rows of config_keywords[] (config-keywords.h): the plain types (flag, number, time,
 * path, command, name) and the listener, authentication and session keywords. Each checks its
 * arguments as OpenSSH does and stores them into `field`, or only checks them when `field` is NULL (a
 * later occurrence of a keyword whose first value wins).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "common/auth-methods.h"
#include "common/channel-timeout.h"
#include "common/config-internal.h"
#include "common/config.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/net-addr.h"

/* ---- keyword parsers (rows of config_keywords[]) --------------------------------------------------- */

int config_parse_flag(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        int b = config_yes_no_from_string(args[0]);
        if (b < 0)
                return config_invalid_value(ctx, kw->name, args[0]);
        if (field)
                *(bool *) field = b;
        return 0;
}

int config_number_value(ConfigContext *ctx, const ConfigKeyword *kw, const char *s, long long *ret) {
        int r = config_number_from_string(s, kw->min, kw->max, ret);
        if (r == -ERANGE)
                return config_error(ctx, "value out of range for %s: \"%s\" (allowed: %lld to %lld)", kw->name,
                                    s, kw->min, kw->max);
        if (r < 0)
                return config_invalid_value(ctx, kw->name, s);
        return 0;
}

int config_parse_int(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        long long v;
        int r = config_number_value(ctx, kw, args[0], &v);
        if (r < 0)
                return r;
        if (field)
                *(int *) field = (int) v;
        return 0;
}

int config_parse_unsigned(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        long long v;
        int r = config_number_value(ctx, kw, args[0], &v);
        if (r < 0)
                return r;
        if (field)
                *(unsigned *) field = (unsigned) v;
        return 0;
}

int config_parse_time(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        long long v;
        int r = config_time_from_string(args[0], kw->max, &v);
        if (r == -ERANGE)
                return config_error(ctx, "value out of range for %s: \"%s\" (at most %lld seconds)", kw->name,
                                    args[0], kw->max);
        if (r < 0)
                return config_invalid_value(ctx, kw->name, args[0]);
        if (field)
                *(unsigned *) field = (unsigned) v;
        return 0;
}

/* A time, or "none" (= 0): UnusedConnectionTimeout, as OpenSSH. */
int config_parse_time_or_none(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        if (strcasecmp(args[0], "none") == 0) {
                if (field)
                        *(unsigned *) field = 0;
                return 0;
        }
        return config_parse_time(ctx, kw, args, n, field);
}

/*
 * "ChannelTimeout TYPE=INTERVAL ..." or "ChannelTimeout none" (alone), as OpenSSH 9.5+: the first line
 * wins, with all its entries. TYPE is a channel type pattern or "global" (common/channel-timeout.h);
 * one that can match no channel type is allowed, as OpenSSH allows it, with a warning.
 */
int config_parse_channel_timeout(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
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
                int r = config_time_from_string(interval, INT32_MAX, &v);
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

int config_add_port(ConfigContext *ctx, const ConfigKeyword *kw, const char *s, bool from_p) {
        Config *c = ctx->config;
        uint16_t port;
        int r = config_port_value(ctx, kw->name, s, &port);
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

int config_parse_port(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        return config_add_port(ctx, kw, args[0], false);
}

/* "host", "host:port", "[host]", "[host]:port", or a bare IPv6 address (two colons or more). */
int config_parse_listen_address(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
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
                        return config_invalid_value(ctx, kw->name, s);
                host = strndup(s + 1, (size_t) (close - s - 1));
                if (!host)
                        return -ENOMEM;
                if (close[1] == ':') {
                        r = config_port_value(ctx, kw->name, close + 2, &port);
                        if (r < 0)
                                return r;
                } else if (close[1] != '\0')
                        return config_invalid_value(ctx, kw->name, s);
        } else {
                const char *colon = strchr(s, ':');
                if (colon && !strchr(colon + 1, ':')) {
                        host = strndup(s, (size_t) (colon - s));
                        if (!host)
                                return -ENOMEM;
                        r = config_port_value(ctx, kw->name, colon + 1, &port);
                        if (r < 0)
                                return r;
                } else {
                        host = strdup(s);
                        if (!host)
                                return -ENOMEM;
                }
        }
        if (!config_host_is_valid(host))
                return config_invalid_value(ctx, kw->name, s);

        if (c->n_listen >= CONFIG_MAX_LISTEN)
                return config_error(ctx, "too many listen addresses (at most %u)", CONFIG_MAX_LISTEN);
        c->listen[c->n_listen++] = (ListenAddress) { .host = TAKE_PTR(host), .port = port };
        return 0;
}

int config_parse_host_key(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        Config *c = ctx->config;
        _cleanup_free_ char *path = NULL;
        int r = config_path_make_absolute(ctx, kw->name, args[0], &path);
        if (r < 0)
                return r;
        if (c->n_hostkeys >= CONFIG_MAX_HOSTKEYS)
                return config_error(ctx, "too many host keys (at most %u)", CONFIG_MAX_HOSTKEYS);
        c->hostkeys[c->n_hostkeys++] = TAKE_PTR(path);
        return 0;
}

/* AuthenticationMethods: "any" alone, or lists of methods (common/auth-methods.h), checked here. */
int config_parse_authentication_methods(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
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
size_t *config_access_list_count(Config *c, const void *field) {
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
int config_parse_access_list(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        Config *c = ctx->config;
        size_t *count = config_access_list_count(c, field);
        char **list = field;
        bool groups = field == c->allow_groups || field == c->deny_groups;
        for (size_t i = 0; i < n; i++) {
                const char *at = strrchr(args[i], '@');
                if (isempty(args[i]) || (at && (at == args[i] || at[1] == '\0' || groups)))
                        return config_invalid_value(ctx, kw->name, args[i]);
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

int config_parse_pid_file(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        _cleanup_free_ char *path = NULL;
        if (strcasecmp(args[0], "none") != 0) {
                int r = config_path_make_absolute(ctx, kw->name, args[0], &path);
                if (r < 0)
                        return r;
        }
        if (field)
                config_string_replace(field, TAKE_PTR(path));
        return 0;
}

/* Paths relative to the home directory, with %h, %u and %% (what the monitor expands); "none" alone
 * means no file. */
int config_parse_authorized_keys_file(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                      void *field) {
        Config *c = ctx->config;
        if (n > AUTHKEYS_MAX_FILES)
                return config_error(ctx, "too many files for %s (at most %u)", kw->name, AUTHKEYS_MAX_FILES);
        for (size_t i = 0; i < n; i++) {
                if (isempty(args[i]))
                        return config_invalid_value(ctx, kw->name, args[i]);
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

const ConfigAddressFamily config_address_families[CONFIG_N_ADDRESS_FAMILIES] = {
        { "any", AF_UNSPEC },
        { "inet", AF_INET },
        { "inet6", AF_INET6 },
};

/* AddressFamily any|inet|inet6 (case-insensitive, as OpenSSH's multistate options). */
int config_parse_address_family(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                void *field) {
        for (size_t i = 0; i < ELEMENTSOF(config_address_families); i++)
                if (strcasecmp(args[0], config_address_families[i].name) == 0) {
                        if (field)
                                *(int *) field = config_address_families[i].family;
                        return 0;
                }
        return config_invalid_value(ctx, kw->name, args[0]);
}

int config_parse_permit_root_login(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
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
        return config_invalid_value(ctx, kw->name, args[0]);
}

int config_parse_log_level(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        /* OpenSSH accepts SILENT for QUIET (and prints QUIET as SILENT). */
        LogLevel l = strcasecmp(args[0], "SILENT") == 0 ? LOG_LEVEL_QUIET : log_level_from_string(args[0]);
        if (l < 0 || l >= _LOG_LEVEL_MAX)
                return config_invalid_value(ctx, kw->name, args[0]);
        if (field)
                *(LogLevel *) field = l;
        return 0;
}

int config_parse_use_pam(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        int b = config_yes_no_from_string(args[0]);
        if (b < 0)
                return config_invalid_value(ctx, kw->name, args[0]);
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
int config_parse_subsystem(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        Config *c = ctx->config;
        const char *name = args[0];

        if (isempty(name))
                return config_invalid_value(ctx, kw->name, name);
        if (n < 2)
                return config_error(ctx, "missing command for Subsystem \"%s\"", name);
        if (isempty(args[1]))
                return config_invalid_value(ctx, kw->name, args[1]);
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

bool config_env_name_valid(const char *name, size_t len) {
        if (len == 0 || (name[0] >= '0' && name[0] <= '9'))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!(name[i] == '_' || (name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= 'a' && name[i] <= 'z') ||
                      (name[i] >= '0' && name[i] <= '9')))
                        return false;
        return true;
}

/* "AcceptEnv PATTERN...": accumulates; a pattern may use * and ? but never '=' (as OpenSSH). */
int config_parse_accept_env(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
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
int config_parse_set_env(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        Config *c = ctx->config;
        for (size_t i = 0; i < n; i++) {
                const char *eq = strchr(args[i], '=');
                if (!eq || !config_env_name_valid(args[i], (size_t) (eq - args[i])))
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
int config_parse_permit_user_environment(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                         void *field) {
        if (isempty(args[0]))
                return config_invalid_value(ctx, kw->name, args[0]);
        if (!field)
                return 0;
        char *v = NULL;
        if (!streq(args[0], "no")) {
                v = strdup(args[0]);
                if (!v)
                        return -ENOMEM;
        }
        config_string_replace(field, v);
        return 0;
}

/* Store a copy of value in the string field, or NULL when the keyword said "none". */
int config_replace_unless_none(void *field, const char *value, bool none) {
        char *s = NULL;
        if (!none) {
                s = strdup(value);
                if (!s)
                        return -ENOMEM;
        }
        config_string_replace(field, s);
        return 0;
}

/* "ForceCommand COMMAND...": the rest of the line as written, for the user's shell (as OpenSSH);
 * "none" for none. */
int config_parse_command(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        const char *command = ctx->rest;
        if (!command || isempty(command))
                return config_error(ctx, "missing argument for %s", kw->name);
        if (!field)
                return 0;
        return config_replace_unless_none(field, command, n == 1 && streq(args[0], "none"));
}

/* A file name, or "none" (stored as NULL). Not resolved here: read when it is used. */
int config_parse_path_or_none(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        if (isempty(args[0]))
                return config_invalid_value(ctx, kw->name, args[0]);
        if (!field)
                return 0;
        return config_replace_unless_none(field, args[0], streq(args[0], "none"));
}

int config_parse_name(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        if (!config_name_is_valid(args[0]))
                return config_invalid_value(ctx, kw->name, args[0]);
        if (field) {
                char *s = strdup(args[0]);
                if (!s)
                        return -ENOMEM;
                config_string_replace(field, s);
        }
        return 0;
}

int config_parse_sandbox_directory(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                   void *field) {
        const char *s = args[0];
        if (s[0] != '/' || s[strspn(s, "/")] == '\0')
                return config_error(ctx, "%s must be an absolute path other than \"/\": \"%s\"", kw->name, s);
        if (field) {
                char *p = strdup(s);
                if (!p)
                        return -ENOMEM;
                config_string_replace(field, p);
        }
        return 0;
}
