/* See user-creds.h. */

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/macro.h"
#include "monitor/user-creds.h"

int user_creds_lookup(const char *name, UserCreds **ret) {
        struct passwd pw, *result = NULL;
        long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
        size_t bufsize = sz > 0 ? (size_t) sz : 16384;
        _cleanup_free_ char *buf = NULL;
        int r;

        for (;;) {
                free(buf);
                buf = malloc(bufsize);
                if (!buf)
                        return -ENOMEM;
                r = getpwnam_r(name, &pw, buf, bufsize, &result);
                if (r != ERANGE || bufsize > 1024 * 1024)
                        break;
                bufsize *= 2;
        }
        if (r != 0)
                return -r;
        if (!result)
                return -ESRCH;

        UserCreds *u = calloc(1, sizeof *u);
        if (!u)
                return -ENOMEM;
        u->name = strdup(pw.pw_name);
        u->home = strdup(isempty(pw.pw_dir) ? "/" : pw.pw_dir);
        u->shell = strdup(isempty(pw.pw_shell) ? "/bin/sh" : pw.pw_shell);
        u->uid = pw.pw_uid;
        u->gid = pw.pw_gid;
        if (!u->name || !u->home || !u->shell) {
                user_creds_free(u);
                return -ENOMEM;
        }
        *ret = u;
        return 0;
}

UserCreds *user_creds_free(UserCreds *u) {
        if (!u)
                return NULL;
        free(u->name);
        free(u->home);
        free(u->shell);
        free(u);
        return NULL;
}

int user_creds_become(const UserCreds *u) {
        if (initgroups(u->name, u->gid) < 0)
                return negative_errno();
        return user_creds_become_keep_groups(u);
}

int user_creds_become_keep_groups(const UserCreds *u) {
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return negative_errno();
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return negative_errno();
        if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
                return -EPERM;
        return 0;
}
