/* See secure-path.h. */

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/macro.h"
#include "monitor/secure-path.h"

static bool bad(const struct stat *st, uid_t uid) {
        return (st->st_uid != 0 && st->st_uid != uid) || (st->st_mode & 022) != 0;
}

static int fail(char **ret_reason, const char *what, const char *path) {
        if (ret_reason && asprintf(ret_reason, "bad ownership or modes for %s %s", what, path) < 0)
                *ret_reason = NULL;
        return -EPERM;
}

int secure_path_check(int fd, const char *path, uid_t uid, const char *home, char **ret_reason) {
        struct stat st;
        if (ret_reason)
                *ret_reason = NULL;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode) || bad(&st, uid))
                return fail(ret_reason, "file", path);

        /* Resolve the path, so that ".." and symlinks cannot make us check the wrong directories. */
        _cleanup_free_ char *real = realpath(path, NULL);
        _cleanup_free_ char *real_home = home ? realpath(home, NULL) : NULL;
        if (!real)
                return negative_errno();
        bool in_home = real_home && strneq(real, real_home, strlen(real_home)) &&
                (real[strlen(real_home)] == '/' || streq(real_home, "/"));

        for (;;) {
                char *slash = strrchr(real, '/');
                if (!slash)
                        break;
                if (slash == real)
                        slash[1] = '\0';        /* "/" itself */
                else
                        *slash = '\0';
                if (stat(real, &st) < 0)
                        return negative_errno();
                if (!S_ISDIR(st.st_mode) || bad(&st, uid))
                        return fail(ret_reason, "directory", real);
                /* Past the home directory we stop, as OpenSSH does. */
                if (in_home && streq(real, real_home))
                        break;
                if (streq(real, "/"))
                        break;
        }
        return 0;
}
