#pragma once
/*
 * A copy of a user's passwd entry, taken once per connection (getpwnam_r), so later NSS changes or
 * static buffers cannot change who we act for mid-connection.
 */

#include <stdbool.h>
#include <sys/types.h>

typedef struct UserCreds {
        char *name;
        uid_t uid;
        gid_t gid;
        char *home;
        char *shell;
} UserCreds;

/* 0 with *ret set, -ESRCH when there is no such user, other -errno on failure. */
int user_creds_lookup(const char *name, UserCreds **ret);
UserCreds *user_creds_free(UserCreds *u);
static inline void user_creds_freep(UserCreds **u) {
        *u = user_creds_free(*u);
}

/*
 * In a forked child: become the user for good (initgroups, setresgid, setresuid, and a check that
 * root cannot be regained). 0 or -errno.
 */
int user_creds_become(const UserCreds *u);

/* The same after the caller set the supplementary groups itself (initgroups before a chroot, where NSS
 * can no longer answer). */
int user_creds_become_keep_groups(const UserCreds *u);
