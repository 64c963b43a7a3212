/*
 * Which environment variables may reach a session: AcceptEnv (from the client) and
 * PermitUserEnvironment (~/.ssh/environment, environment="..."), each narrowed by the names privsshd
 * never passes whatever the configuration says.
 */

#include <string.h>

#include "common/config-internal.h"
#include "common/config.h"
#include "common/macro.h"
#include "common/match-pattern.h"

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
        return !config_env_name_valid(name, strlen(name)) || env_name_dangerous(name);
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
