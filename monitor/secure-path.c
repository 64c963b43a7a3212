/* See secure-path.h. Written from sshd(8) and sshd_config(5) (StrictModes). */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/macro.h"
#include "monitor/secure-path.h"

#define READLINK_MAX 65536u

/* Owned by someone other than root and the user, or writable by group or others. */
static bool stat_is_unsafe(const struct stat *st, uid_t uid) {
        return (st->st_uid != 0 && st->st_uid != uid) || (st->st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

_printf_(2, 3)
static int refuse(char **ret_reason, const char *fmt, ...) {
        if (ret_reason) {
                va_list ap;
                va_start(ap, fmt);
                if (vasprintf(ret_reason, fmt, ap) < 0)
                        *ret_reason = NULL;
                va_end(ap);
        }
        return -EPERM;
}

/*
 * Where the open fd lives, as an absolute path without symlinks. /proc/self/fd names the inode we
 * hold, not whatever `path` resolves to now; without /proc, realpath(path), which the walk in
 * secure_path_check() then ties back to the fd by device and inode.
 */
static int fd_canonical_path(int fd, const char *path, char **ret) {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);

        for (size_t size = 256; size <= READLINK_MAX; size *= 2) {
                _cleanup_free_ char *buf = malloc(size);
                if (!buf)
                        return -ENOMEM;
                ssize_t n = readlink(link, buf, size);
                if (n < 0)
                        break;
                if ((size_t) n < size) {
                        buf[n] = '\0';
                        if (buf[0] != '/')
                                break;
                        *ret = TAKE_PTR(buf);
                        return 0;
                }
        }

        char *real = realpath(path, NULL);
        if (!real)
                return negative_errno();
        if (real[0] != '/') {
                free(real);
                return -EINVAL;
        }
        *ret = real;
        return 0;
}

int secure_path_check(int fd, const char *path, uid_t uid, const char *home, char **ret_reason) {
        int r;

        if (fd < 0 || isempty(path))
                return -EINVAL;

        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();

        _cleanup_free_ char *real = NULL;
        r = fd_canonical_path(fd, path, &real);
        if (r < 0)
                return r;

        if (!S_ISREG(st.st_mode))
                return refuse(ret_reason, "%s is not a regular file", real);
        if (stat_is_unsafe(&st, uid))
                return refuse(ret_reason, "bad ownership or modes for file %s", real);

        /* The topmost directory to check, as a length of a prefix of `real` (0 stands for "/"): the
         * home directory when the file is below it, else the root. A home that cannot be resolved
         * (nonexistent) means "check up to /", as OpenSSH does. */
        size_t top = 0;
        _cleanup_free_ char *real_home = home ? realpath(home, NULL) : NULL;
        if (real_home && !streq(real_home, "/")) {
                size_t hl = strlen(real_home);
                if (strneq(real, real_home, hl) && real[hl] == '/')
                        top = hl;
        }

        char *slash = strrchr(real, '/');
        size_t parent = (size_t) (slash - real);        /* length of the parent's path; 0 is "/" */
        const char *base = slash + 1;
        if (isempty(base))
                return -EINVAL;

        /* Walk down from /. Each step opens the next component with O_NOFOLLOW: `real` has no symlinks,
         * so meeting one means the tree changed under us, and we stop rather than follow it. All
         * directories are checked and the deepest bad one is reported, as OpenSSH's upward walk does. */
        _cleanup_close_ int dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return negative_errno();
        _cleanup_free_ char *bad_dir = NULL;
        size_t cur = 0;
        for (;;) {
                struct stat dst;
                if (fstat(dir, &dst) < 0)
                        return negative_errno();
                if (cur >= top && (!S_ISDIR(dst.st_mode) || stat_is_unsafe(&dst, uid))) {
                        free(bad_dir);
                        bad_dir = cur == 0 ? strdup("/") : strndup(real, cur);
                        if (!bad_dir)
                                return -ENOMEM;
                }
                if (cur >= parent)
                        break;

                const char *c = real + cur + 1;
                const char *c_end = strchr(c, '/');
                if (!c_end || c_end == c || c_end > slash)
                        return -EINVAL;         /* not canonical: cannot happen */
                _cleanup_free_ char *name = strndup(c, (size_t) (c_end - c));
                if (!name)
                        return -ENOMEM;

                int next = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0) {
                        if (bad_dir)
                                break;          /* already refused; that is the better reason */
                        return negative_errno();
                }
                safe_close(dir);
                dir = next;
                cur = (size_t) (c_end - real);
        }
        if (bad_dir)
                return refuse(ret_reason, "bad ownership or modes for directory %s", bad_dir);

        /* The directories checked hold the file we have open, not one put there by a rename since. */
        struct stat fst;
        if (fstatat(dir, base, &fst, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (fst.st_dev != st.st_dev || fst.st_ino != st.st_ino)
                return refuse(ret_reason, "%s changed while it was being checked", real);
        return 0;
}
