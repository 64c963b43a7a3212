/*
 * Injected scenario (worker/test-inject.h): a worker taken over after authentication asks the monitor
 * for Unix-socket forwards directly. A listener that policy forbids (AllowStreamLocalForwarding local in
 * the test's config) is refused with FORWARD_FAILED; the allowed connection (the control) gets
 * FORWARD_READY with a socket; then a request no client could have made (an empty path) is a protocol
 * violation that ends the connection. Each answer is logged, so the test can see all of them in order.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "worker/test-inject.h"

int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

/* Wait for the monitor's answer and log its type and id (closing any descriptor it carries). */
static void await_answer(const WorkerInjectContext *ctx) {
        struct pollfd p = { .fd = ctx->ipc_fd, .events = POLLIN };
        if (poll(&p, 1, 10000) <= 0) {
                ctx->log(LOG_LEVEL_INFO, "inject forward-unix-forbidden: no answer");
                return;
        }
        uint8_t buf[1024];
        union {
                struct cmsghdr h;
                char b[CMSG_SPACE(sizeof(int))];
        } u = {};
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                             .msg_controllen = sizeof u.b };
        ssize_t n = recvmsg(ctx->ipc_fd, &mh, MSG_CMSG_CLOEXEC);
        struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
        int fd = -1;
        if (c && c->cmsg_type == SCM_RIGHTS) {
                memcpy(&fd, CMSG_DATA(c), sizeof fd);
                close(fd);
        }
        if (n < 8) {
                ctx->log(LOG_LEVEL_INFO, "inject forward-unix-forbidden: short answer");
                return;
        }
        uint32_t type, id;
        memcpy(&type, buf, 4);
        memcpy(&id, buf + 4, 4);
        type = ntohl(type);
        id = ntohl(id);
        ctx->log(LOG_LEVEL_INFO, "inject forward-unix-forbidden: answer to %u: %s%s", id,
                 type == IPC_FORWARD_READY ? "FORWARD_READY" :
                 type == IPC_FORWARD_FAILED ? "FORWARD_FAILED" : "other",
                 fd >= 0 ? " with a descriptor" : "");
}

int privsshd_inject_authenticated(const WorkerInjectContext *ctx) {
        IpcPayload l = { .FORWARD_LISTEN_UNIX = { .id = 71001, .path = (char *) "/tmp/inject-forbidden.sock" } };
        if (ctx->ipc_send(ctx->ipc_fd, IPC_FORWARD_LISTEN_UNIX, &l, NULL, 0) < 0)
                return -EIO;
        await_answer(ctx);
        IpcPayload p = { .FORWARD_CONNECT_UNIX = { .id = 71002, .path = (char *) "/tmp/inject-svc.sock",
                                                   .originator = (char *) "", .originator_port = 0 } };
        if (ctx->ipc_send(ctx->ipc_fd, IPC_FORWARD_CONNECT_UNIX, &p, NULL, 0) < 0)
                return -EIO;
        await_answer(ctx);
        ctx->log(LOG_LEVEL_INFO, "inject forward-unix-forbidden: now a path no client can name");
        p.FORWARD_CONNECT_UNIX.id = 71003;
        p.FORWARD_CONNECT_UNIX.path = (char *) "";
        (void) ctx->ipc_send(ctx->ipc_fd, IPC_FORWARD_CONNECT_UNIX, &p, NULL, 0);
        return 0;
}
