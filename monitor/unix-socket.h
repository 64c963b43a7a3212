#pragma once
/*
 * Unix-domain sockets for streamlocal forwarding, made by a child that has already become the user
 * (monitor/forward-opener.c, and the remover in monitor/handle-forward-unix.c): connecting, binding
 * and removing all happen with the user's uid and groups, so the kernel's permission checks on every
 * directory of the path are the user's, a socket file belongs to the user, and a symlink planted in
 * the path can only lead to what the user could reach anyway. Nothing here runs as root.
 *
 * StreamLocalBindUnlink, done better than OpenSSH (which unlinks whatever is at the path before it
 * binds): only a *stale socket* is removed, that is a path whose lstat() says socket and where a
 * connect() is refused (ECONNREFUSED: nobody listens). A regular file, a directory, a symlink, a
 * FIFO, a device, or a socket someone still listens on is never removed.
 */

#include <stdbool.h>
#include <stdint.h>

#include "common/limits.h"

/* Connect to the socket at path: the socket (CLOEXEC, blocking) or -errno. */
int unix_socket_connect(const char *path);

/*
 * Bind a listening socket at path with umask `mask` (StreamLocalBindMask), and if `unlink_stale`,
 * replace a stale socket there. Returns the socket (CLOEXEC) with ret_dev and ret_ino the identity of
 * the socket file, or -errno: -EADDRINUSE when something is at the path (with unlink_stale: a
 * socket that accepts connections), -ENOTSOCK when unlink_stale found something that is not a
 * socket (kept), -ENAMETOOLONG, or what bind()/listen() said.
 */
int unix_socket_listen(const char *path, unsigned mask, bool unlink_stale, uint64_t *ret_dev,
                       uint64_t *ret_ino);

/* Remove the socket file at path if it is still the one we bound (a socket with this identity):
 * 0 (removed, or already gone), -ESTALE (something else is there now: kept) or -errno. */
int unix_socket_remove(const char *path, uint64_t dev, uint64_t ino);

/* The socket files a connection's remote forwards created (Monitor.forward_unix), each removed on
 * cancel and when the connection ends (monitor/handle-forward-unix.h). */
typedef struct UnixSocketFile {
        char *path;
        uint64_t dev, ino;
} UnixSocketFile;

typedef struct UnixSocketFiles {
        UnixSocketFile f[FORWARD_MAX_LISTENERS];
        unsigned n;
} UnixSocketFiles;
