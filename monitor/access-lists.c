/* See access-lists.h. */

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/match-pattern.h"
#include "common/net-addr.h"
#include "monitor/access-lists.h"

/* OpenSSH's match_user(): USER, or USER@HOST with HOST matched as from= does (address, CIDR, or a
 * host pattern against the address: no DNS). Malformed patterns were refused at load. */
static bool user_matches(const char *user, const char *address, const char *pattern) {
        const char *at = strrchr(pattern, '@');
        if (!at)
                return match_pattern(user, pattern);
        _cleanup_free_ char *name = strndup(pattern, (size_t) (at - pattern));
        if (!name || !match_pattern(user, name))
                return false;
        return net_addr_match_host_and_ip(address, address, at + 1) == 1;
}

static bool any_user_matches(const char *user, const char *address, char *const *list, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (user_matches(user, address, list[i]))
                        return true;
        return false;
}

/* The names of the user's groups (primary and supplementary), or NULL when there are none or on error. */
static char **group_names(const UserCreds *u, size_t *ret_n) {
        int n = 64;
        _cleanup_free_ gid_t *gids = NULL;
        for (;;) {
                gid_t *g = realloc(gids, (size_t) n * sizeof(gid_t));
                if (!g)
                        return NULL;
                gids = g;
                int want = n;
                if (getgrouplist(u->name, u->gid, gids, &want) >= 0) {
                        n = want;
                        break;
                }
                if (want <= n || want > 65536)
                        return NULL;
                n = want;
        }
        char **names = calloc((size_t) n + 1, sizeof(char *));
        if (!names)
                return NULL;
        size_t k = 0;
        for (int i = 0; i < n; i++) {
                struct group *gr = getgrgid(gids[i]);
                if (gr && gr->gr_name && (names[k] = strdup(gr->gr_name)))
                        k++;
        }
        *ret_n = k;
        return names;
}

static bool any_group_matches(char *const *groups, size_t n_groups, char *const *list, size_t n) {
        for (size_t g = 0; g < n_groups; g++)
                for (size_t i = 0; i < n; i++)
                        if (match_pattern(groups[g], list[i]))
                                return true;
        return false;
}

bool access_user_allowed(const Config *c, const UserCreds *u, const char *address) {
        /* The shell, as OpenSSH: an empty one is /bin/sh. */
        const char *shell = isempty(u->shell) ? "/bin/sh" : u->shell;
        struct stat st;
        if (stat(shell, &st) < 0) {
                log_info("User %s not allowed because shell %s does not exist", u->name, shell);
                return false;
        }
        if (!S_ISREG(st.st_mode) || !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
                log_info("User %s not allowed because shell %s is not executable", u->name, shell);
                return false;
        }

        if (any_user_matches(u->name, address, c->deny_users, c->n_deny_users)) {
                log_info("User %s from %s not allowed because listed in DenyUsers", u->name, address);
                return false;
        }
        if (c->n_allow_users > 0 && !any_user_matches(u->name, address, c->allow_users, c->n_allow_users)) {
                log_info("User %s from %s not allowed because not listed in AllowUsers", u->name, address);
                return false;
        }
        if (c->n_deny_groups == 0 && c->n_allow_groups == 0)
                return true;

        size_t n_groups = 0;
        char **groups = group_names(u, &n_groups);
        bool allowed = true;
        if (!groups || n_groups == 0) {
                log_info("User %s from %s not allowed because not in any group", u->name, address);
                allowed = false;
        } else if (any_group_matches(groups, n_groups, c->deny_groups, c->n_deny_groups)) {
                log_info("User %s from %s not allowed because a group is listed in DenyGroups", u->name, address);
                allowed = false;
        } else if (c->n_allow_groups > 0 && !any_group_matches(groups, n_groups, c->allow_groups, c->n_allow_groups)) {
                log_info("User %s from %s not allowed because none of user's groups are listed in AllowGroups",
                         u->name, address);
                allowed = false;
        }
        strv_free(groups);
        return allowed;
}
