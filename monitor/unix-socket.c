/* See unix-socket.h. Runs in a child that has become the user; never in the monitor itself. */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/macro.h"
#include "monitor/unix-socket.h"

static int address(const char *path, struct sockaddr_un *sun, socklen_t *len) {
        size_t n = strlen(path);
        if (n == 0)
                return -EINVAL;
        if (n >= sizeof sun->sun_path)
                return -ENAMETOOLONG;
        *sun = (struct sockaddr_un) { .sun_family = AF_UNIX };
        memcpy(sun->sun_path, path, n + 1);
        *len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + 1);
        return 0;
}

int unix_socket_connect(const char *path) {
        struct sockaddr_un sun;
        socklen_t len;
        int r = address(path, &sun, &len);
        if (r < 0)
                return r;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        if (connect(fd, (struct sockaddr *) &sun, len) < 0) {
                r = negative_errno();
                safe_close(fd);
                return r;
        }
        return fd;
}

/* Is what is at path a socket nobody listens on? 0: yes (*st is its identity), -ENOTSOCK: not a
 * socket, -EADDRINUSE: a live socket, or -errno. The probe does not block: a listener whose backlog
 * is full (EAGAIN) is as alive as one that accepts. */
static int stale(const char *path, const struct sockaddr_un *sun, socklen_t len, struct stat *st) {
        if (lstat(path, st) < 0)
                return negative_errno();
        if (!S_ISSOCK(st->st_mode))
                return -ENOTSOCK;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return negative_errno();
        int r = connect(fd, (const struct sockaddr *) sun, len) < 0 ? negative_errno() : 0;
        safe_close(fd);
        if (r == 0 || r == -EAGAIN)
                return -EADDRINUSE;
        return r == -ECONNREFUSED ? 0 : r;
}

static int bind_listen(const struct sockaddr_un *sun, socklen_t len, unsigned mask) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        /* The mode of the socket file is 0777 & ~umask: the umask is the only way to set it at birth
         * (a chmod() afterwards would leave a window with the wider mode). */
        mode_t old = umask((mode_t) (mask & 0777));
        int r = bind(fd, (const struct sockaddr *) sun, len);
        (void) umask(old);
        if (r < 0 || listen(fd, SOMAXCONN) < 0) {
                r = negative_errno();
                safe_close(fd);
                return r;
        }
        return fd;
}

int unix_socket_listen(const char *path, unsigned mask, bool unlink_stale, uint64_t *ret_dev,
                       uint64_t *ret_ino) {
        struct sockaddr_un sun;
        socklen_t len;
        int r = address(path, &sun, &len);
        if (r < 0)
                return r;
        int fd = bind_listen(&sun, len, mask);
        if (fd == -EADDRINUSE && unlink_stale) {
                struct stat st, again;
                r = stale(path, &sun, len, &st);
                if (r < 0)
                        return r;
                /* Still the same stale socket (not replaced since the check): remove it, bind again. A
                 * replacement in between can only be the user's own doing, and we are the user. */
                if (lstat(path, &again) < 0)
                        return negative_errno();
                if (again.st_dev != st.st_dev || again.st_ino != st.st_ino || !S_ISSOCK(again.st_mode))
                        return -EADDRINUSE;
                if (unlink(path) < 0)
                        return negative_errno();
                fd = bind_listen(&sun, len, mask);
        }
        if (fd < 0)
                return fd;
        struct stat st;
        if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
                r = -EIO;       /* replaced already: nothing of ours to name */
                safe_close(fd);
                return r;
        }
        *ret_dev = (uint64_t) st.st_dev;
        *ret_ino = (uint64_t) st.st_ino;
        return fd;
}

int unix_socket_remove(const char *path, uint64_t dev, uint64_t ino) {
        struct stat st;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!S_ISSOCK(st.st_mode) || (uint64_t) st.st_dev != dev || (uint64_t) st.st_ino != ino)
                return -ESTALE;
        if (unlink(path) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        return 0;
}
