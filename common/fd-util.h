#pragma once
/*
 * File-descriptor helpers: close that keeps errno, cleanup attributes, flag setters, and closing every
 * fd except a given set (used before exec of the worker and of user processes).
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "common/macro.h"

int safe_close(int fd);
static inline void closep(int *fd) {
        safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void close_pair(int p[2]) {
        p[0] = safe_close(p[0]);
        p[1] = safe_close(p[1]);
}
static inline void close_pairp(int (*p)[2]) {
        close_pair(*p);
}
#define _cleanup_close_pair_ _cleanup_(close_pairp)

int fd_set_nonblock(int fd, bool nonblock);
int fd_set_cloexec(int fd, bool cloexec);

/* Move fd to exactly `target` (dup2 when they differ) and clear CLOEXEC on it. */
int fd_move_to(int fd, int target);

/* Close every fd >= 3 that is not listed in keep[]. */
int close_all_fds_except(const int *keep, size_t n_keep);

/* Open path read-only if it is a regular file, and let nothing else hang us or take us over on the way:
 * O_NONBLOCK so that open() of a FIFO with no writer cannot wait forever, O_NOCTTY so that a tty cannot
 * become our controlling terminal (the fd keeps O_NONBLOCK, which does nothing to a regular file).
 * Returns the fd, its stat in *ret_st if given; `not_regular` (a negative errno: each caller has its
 * documented one) for anything but a regular file. */
int open_regular_file(const char *path, int not_regular, struct stat *ret_st);

/* Read the whole of a small regular file (at most max bytes) into a NUL-terminated buffer. */
int read_full_fd(int fd, size_t max, char **ret_data, size_t *ret_size);
/* The same for a path: a regular file only (-EINVAL otherwise, so a FIFO cannot block us). */
int read_full_file(const char *path, size_t max, char **ret_data, size_t *ret_size);

/* write() until done, retrying on EINTR. */
int loop_write(int fd, const void *buf, size_t n);
