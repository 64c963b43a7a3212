/* See auth-methods.h. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth-methods.h"
#include "common/macro.h"

static const struct {
        const char *name;
        AuthMethod method;
} names[] = {
        { "publickey", AUTH_METHOD_PUBLICKEY },
        { "password", AUTH_METHOD_PASSWORD },
        { "keyboard-interactive", AUTH_METHOD_KBDINT },
        { "keyboard-interactive:pam", AUTH_METHOD_KBDINT },
        { "none", AUTH_METHOD_NONE },
};

const char *auth_method_name(AuthMethod m) {
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i].method == m)
                        return names[i].name;
        return "?";
}

int auth_methods_parse_list(const char *list, AuthLists *into, const char **bad) {
        static char last_bad[128];
        if (into->n_lists >= AUTH_METHODS_MAX_LISTS) {
                *bad = "(too many lists)";
                return -EINVAL;
        }
        size_t k = into->n_lists, n = 0;
        const char *p = list;
        for (;;) {
                size_t len = strcspn(p, ",");
                bool found = false;
                for (size_t i = 0; i < ELEMENTSOF(names) && !found; i++)
                        if (strlen(names[i].name) == len && strncmp(names[i].name, p, len) == 0) {
                                if (n >= AUTH_METHODS_MAX_STEPS) {
                                        *bad = "(too many methods in one list)";
                                        return -EINVAL;
                                }
                                into->steps[k][n++] = (uint8_t) names[i].method;
                                found = true;
                        }
                if (!found) {
                        snprintf(last_bad, sizeof last_bad, "%.*s", (int) (len < 100 ? len : 100), p);
                        *bad = last_bad;
                        return -EINVAL;
                }
                if (p[len] == '\0')
                        break;
                p += len + 1;
        }
        into->n_steps[k] = (uint8_t) n;
        into->head[k] = 0;
        into->n_lists++;
        return 0;
}

int auth_lists_init(AuthLists *l, char *const *lists, size_t n) {
        *l = (AuthLists) {};
        if (n == 0 || (n == 1 && streq(lists[0], "any"))) {
                l->any = true;
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                const char *bad;
                int r = auth_methods_parse_list(lists[i], l, &bad);
                if (r < 0)
                        return r;
        }
        return 0;
}

bool auth_lists_allowed(const AuthLists *l, AuthMethod m) {
        if (l->any)
                return true;
        for (size_t i = 0; i < l->n_lists; i++)
                if (l->head[i] < l->n_steps[i] && l->steps[i][l->head[i]] == m)
                        return true;
        return false;
}

int auth_lists_complete(AuthLists *l, AuthMethod m) {
        if (l->any)
                return 1;
        int done = 0;
        for (size_t i = 0; i < l->n_lists; i++)
                if (l->head[i] < l->n_steps[i] && l->steps[i][l->head[i]] == m &&
                    ++l->head[i] == l->n_steps[i])
                        done = 1;
        return done;
}

uint32_t auth_lists_next(const AuthLists *l, uint32_t enabled) {
        if (l->any)
                return enabled;
        uint32_t next = 0;
        for (size_t i = 0; i < l->n_lists; i++)
                if (l->head[i] < l->n_steps[i])
                        next |= l->steps[i][l->head[i]];
        return next & enabled;
}
