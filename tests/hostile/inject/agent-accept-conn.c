/*
 * Injected scenario (worker/test-inject.h) for issue 10, agent forwarding: a worker taken over after
 * authentication gets the agent listener (AGENT_REQUEST; the test's config allows it), hands the
 * listener back with AGENT_ACCEPT (the control: the monitor's helper accepts on it as the user and,
 * nothing waiting, answers AGENT_ACCEPT_FAILED), then hands over the client connection instead of the
 * listener, which must be refused and end the connection: the monitor accepts on nothing but the
 * listener it made for this connection.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "worker/test-inject.h"

int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

/* The type of the monitor's answer; *ret_fd the descriptor it carries (or -1). */
static uint32_t await_answer(const WorkerInjectContext *ctx, int *ret_fd) {
        *ret_fd = -1;
        struct pollfd p = { .fd = ctx->ipc_fd, .events = POLLIN };
        if (poll(&p, 1, 15000) <= 0)
                return 0;
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
        if (c && c->cmsg_type == SCM_RIGHTS)
                memcpy(ret_fd, CMSG_DATA(c), sizeof *ret_fd);
        uint32_t type = 0;
        if (n >= 4)
                memcpy(&type, buf, 4);
        return ntohl(type);
}

int privsshd_inject_authenticated(const WorkerInjectContext *ctx) {
        IpcPayload p = { .AGENT_REQUEST = { .channel = 0 } };
        if (ctx->ipc_send(ctx->ipc_fd, IPC_AGENT_REQUEST, &p, NULL, 0) < 0)
                return -EIO;
        int listener;
        uint32_t t = await_answer(ctx, &listener);
        if (t != IPC_AGENT_LISTENING || listener < 0) {
                ctx->log(LOG_LEVEL_INFO, "inject agent-accept-conn: no listener (%u)", t);
                return -EIO;
        }
        IpcPayload a = { .AGENT_ACCEPT = { .id = 1 } };
        if (ctx->ipc_send(ctx->ipc_fd, IPC_AGENT_ACCEPT, &a, &listener, 1) < 0)
                return -EIO;
        int fd;
        t = await_answer(ctx, &fd);
        if (fd >= 0)
                close(fd);
        ctx->log(LOG_LEVEL_INFO, "inject agent-accept-conn: the listener handed back: %s",
                 t == IPC_AGENT_ACCEPT_FAILED ? "AGENT_ACCEPT_FAILED" :
                 t == IPC_AGENT_CONNECTION ? "AGENT_CONNECTION" : "other");
        close(listener);
        ctx->log(LOG_LEVEL_INFO, "inject agent-accept-conn: handing over the client connection");
        a.AGENT_ACCEPT.id = 2;
        (void) ctx->ipc_send(ctx->ipc_fd, IPC_AGENT_ACCEPT, &a, &ctx->connection_fd, 1);
        return 0;
}
