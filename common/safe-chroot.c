/* See safe-chroot.h. */

#include <errno.h>
#include <stdlib.h>
#include <linux/limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/macro.h"
#include "common/safe-chroot.h"

int safe_chroot_check(const char *path) {
        char component[PATH_MAX];
        size_t len = strlen(path);

        if (path[0] != '/') {
                log_error("chroot path does not begin at root");
                return -EINVAL;
        }
        if (len >= sizeof component) {
                log_error("chroot path too long");
                return -ENAMETOOLONG;
        }
        /* "/", then each prefix up to and with the next "/", then the whole path: OpenSSH's components. */
        for (size_t i = 0;; i++) {
                bool last = i >= len;
                if (!last && path[i] != '/')
                        continue;
                size_t n = last ? len : i + 1;
                memcpy(component, path, n);
                component[n] = '\0';
                struct stat st;
                if (stat(component, &st) < 0) {
                        int e = errno;
                        log_error("safely_chroot: stat(\"%s\"): %s", component, strerror(e));
                        return -e;
                }
                if (st.st_uid != 0 || (st.st_mode & 022) != 0) {
                        log_error("bad ownership or modes for chroot directory %s\"%s\"", last ? "" : "component ",
                                  component);
                        return -EPERM;
                }
                if (!S_ISDIR(st.st_mode)) {
                        log_error("chroot path %s\"%s\" is not a directory", last ? "" : "component ", component);
                        return -ENOTDIR;
                }
                if (last)
                        return 0;
        }
}

int chroot_enter(const char *path) {
        if (chdir(path) < 0 || chroot(path) < 0 || chdir("/") < 0)
                return negative_errno();
        return 0;
}

int safe_chroot(const char *path) {
        int r = safe_chroot_check(path);
        if (r < 0)
                return r;
        r = chroot_enter(path);
        if (r < 0) {
                log_error("chroot(\"%s\"): %s", path, strerror(-r));
                return r;
        }
        log_verbose("Changed root directory to \"%s\"", path);
        return 0;
}

/* OpenSSH's tokens for ChrootDirectory: %h the home directory, %u the user name, %% a percent sign. */
int chroot_path_expand(const char *pattern, const char *user, const char *home, char **ret) {
        size_t cap = strlen(pattern) + 1;
        for (const char *p = pattern; *p; p++)
                if (*p == '%')
                        cap += strlen(user) + strlen(home);
        _cleanup_free_ char *out = malloc(cap);
        char *o = out;
        if (!out)
                return -ENOMEM;
        for (const char *p = pattern; *p; p++) {
                if (*p != '%') {
                        *o++ = *p;
                        continue;
                }
                switch (*++p) {
                case 'h':
                        o = stpcpy(o, home);
                        break;
                case 'u':
                        o = stpcpy(o, user);
                        break;
                case '%':
                        *o++ = '%';
                        break;
                default:
                        log_error("percent_expand: unknown key %%%c", *p ? *p : '?');
                        return -EINVAL;
                }
        }
        *o = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}
