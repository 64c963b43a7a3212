/* See fd-util.h. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/fd-util.h"

int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                close(fd);
                errno = saved;
        }
        return -EBADF;
}

int fd_set_nonblock(int fd, bool nonblock) {
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0)
                return negative_errno();
        int nflags = nonblock ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
        if (nflags != flags && fcntl(fd, F_SETFL, nflags) < 0)
                return negative_errno();
        return 0;
}

int fd_set_cloexec(int fd, bool cloexec) {
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0)
                return negative_errno();
        int nflags = cloexec ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
        if (nflags != flags && fcntl(fd, F_SETFD, nflags) < 0)
                return negative_errno();
        return 0;
}

int fd_move_to(int fd, int target) {
        if (fd < 0 || target < 0)
                return -EBADF;
        if (fd == target)
                return fd_set_cloexec(fd, false);
        if (dup2(fd, target) < 0)       /* dup2 leaves CLOEXEC clear on the new fd */
                return negative_errno();
        return 0;
}

static bool in_list(int fd, const int *keep, size_t n_keep) {
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] == fd)
                        return true;
        return false;
}

int close_all_fds_except(const int *keep, size_t n_keep) {
        DIR *d = opendir("/proc/self/fd");
        if (!d) {
                /* No /proc: walk the whole table. */
                long max = sysconf(_SC_OPEN_MAX);
                if (max < 0)
                        max = 65536;
                for (int fd = 3; fd < max; fd++)
                        if (!in_list(fd, keep, n_keep))
                                close(fd);
                return 0;
        }
        int dfd = dirfd(d);
        struct dirent *de;
        while ((de = readdir(d))) {
                char *end;
                long fd = strtol(de->d_name, &end, 10);
                if (de->d_name[0] == '.' || *end != '\0' || fd < 3 || fd == dfd)
                        continue;
                if (!in_list((int) fd, keep, n_keep))
                        close((int) fd);
        }
        closedir(d);
        return 0;
}

int read_full_fd(int fd, size_t max, char **ret_data, size_t *ret_size) {
        size_t size = 0, alloc = 4096;
        char *buf = malloc(alloc + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (size == alloc) {
                        if (alloc >= max) {
                                free(buf);
                                return -EFBIG;
                        }
                        alloc = MIN(alloc * 2, max);
                        char *n = realloc(buf, alloc + 1);
                        if (!n) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = n;
                }
                ssize_t r = read(fd, buf + size, alloc - size);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = negative_errno();
                        free(buf);
                        return e;
                }
                if (r == 0)
                        break;
                size += (size_t) r;
        }
        buf[size] = '\0';
        *ret_data = buf;
        if (ret_size)
                *ret_size = size;
        return 0;
}

int open_regular_file(const char *path, int not_regular, struct stat *ret_st) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return not_regular;
        if (ret_st)
                *ret_st = st;
        return TAKE_FD(fd);
}

int read_full_file(const char *path, size_t max, char **ret_data, size_t *ret_size) {
        _cleanup_close_ int fd = open_regular_file(path, -EINVAL, NULL);
        if (fd < 0)
                return fd;
        return read_full_fd(fd, max, ret_data, ret_size);
}

int loop_write(int fd, const void *buf, size_t n) {
        const char *p = buf;
        while (n > 0) {
                ssize_t r = write(fd, p, n);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                p += r;
                n -= (size_t) r;
        }
        return 0;
}
