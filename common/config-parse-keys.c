/* Keywords of publickey sources and host certificates: AuthorizedKeysCommand, AuthorizedKeysCommandUser
 * (monitor/keys-command.h) and HostCertificate (monitor/hostcert.c). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/config-internal.h"
#include "common/config.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"

/* ---- AuthorizedKeysCommand, AuthorizedKeysCommandUser (keysrc; monitor/keys-command.h) --------------- */

/* "AuthorizedKeysCommand /path [args with %tokens]" (and AuthorizedPrincipalsCommand): the rest of the line as written (split into
 * arguments when it runs, as OpenSSH); "none" for none. The program must be named by an absolute
 * path, as OpenSSH requires. */
int config_parse_authorized_keys_command(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                         void *field) {
        const char *command = ctx->rest;
        if (!command || isempty(command))
                return config_error(ctx, "missing argument for %s", kw->name);
        bool none = n == 1 && strcasecmp(args[0], "none") == 0;
        if (!none && command[0] != '/')
                return config_error(ctx, "%s must be an absolute path", kw->name);
        if (!field)
                return 0;
        return config_replace_unless_none(field, command, none);
}

/* A user name, in which %u (the user logging in) and %% may appear, as OpenSSH expands it. Stored as
 * written (OpenSSH has no "none" here: a user of that name is looked up, and is normally missing). */
int config_parse_authorized_keys_command_user(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
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
                return config_invalid_value(ctx, kw->name, s);
        if (!field)
                return 0;
        return config_replace_unless_none(field, s, false);
}

/* As sshd at start-up: a command without a user to run it as is a configuration error. */
int config_finish_keys_command(const Config *c) {
        if (c->authorized_keys_command && !c->authorized_keys_command_user) {
                log_error("AuthorizedKeysCommand set without AuthorizedKeysCommandUser");
                return -EINVAL;
        }
        if (c->authorized_principals_command && !c->authorized_principals_command_user) {
                log_error("AuthorizedPrincipalsCommand set without AuthorizedPrincipalsCommandUser");
                return -EINVAL;
        }
        return 0;
}

/* ---- HostCertificate ------------------------------------------------------------------------------ */

/* HostCertificate: a path, made absolute as HostKey's; accumulates (OpenSSH's servconf.c); the monitor
 * loads the files and pairs each with its HostKey (monitor/hostcert.c). */
int config_parse_host_certificate(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                  void *field) {
        Config *c = ctx->config;
        _cleanup_free_ char *path = NULL;
        int r = config_path_make_absolute(ctx, kw->name, args[0], &path);
        if (r < 0)
                return r;
        if (c->n_host_certificates >= CONFIG_MAX_HOSTKEYS)
                return config_error(ctx, "too many host certificates (at most %u)", CONFIG_MAX_HOSTKEYS);
        c->host_certificates[c->n_host_certificates++] = TAKE_PTR(path);
        return 0;
}
