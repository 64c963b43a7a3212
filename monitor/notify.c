/* See notify.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/fd-util.h"
#include "common/macro.h"
#include "monitor/notify.h"

int notify_nonblocking(const char *text) {
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || !*path)
                return 0;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t len = strlen(path);
        if ((path[0] != '/' && path[0] != '@') || len >= sizeof sa.sun_path)
                return -EINVAL;
        memcpy(sa.sun_path, path, len);
        if (path[0] == '@')
                sa.sun_path[0] = '\0';          /* abstract namespace */
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return negative_errno();
        socklen_t salen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/'));
        if (sendto(fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *) &sa, salen) < 0)
                return errno == EWOULDBLOCK ? -EAGAIN : negative_errno();
        return 0;
}
