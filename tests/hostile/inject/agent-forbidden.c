/*
 * Injected scenario (worker/test-inject.h) for issue 10, agent forwarding: a worker taken over after
 * authentication asks the monitor for an agent socket directly (AGENT_REQUEST). Where policy forbids
 * it (the test's config: AllowAgentForwarding no, or DisableForwarding yes) the answer is AGENT_REFUSED
 * and no socket is made; where it allows it (the control) the answer is AGENT_LISTENING with the
 * listener. Then the scenario asks again, which the gate allows once per connection: the connection
 * is torn down. Each answer is logged, so the test can see them in order.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "worker/test-inject.h"

int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

static void await_answer(const WorkerInjectContext *ctx) {
        struct pollfd p = { .fd = ctx->ipc_fd, .events = POLLIN };
        if (poll(&p, 1, 10000) <= 0) {
                ctx->log(LOG_LEVEL_INFO, "inject agent-forbidden: no answer");
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
                ctx->log(LOG_LEVEL_INFO, "inject agent-forbidden: short answer");
                return;
        }
        uint32_t type;
        memcpy(&type, buf, 4);
        type = ntohl(type);
        ctx->log(LOG_LEVEL_INFO, "inject agent-forbidden: answer: %s%s",
                 type == IPC_AGENT_LISTENING ? "AGENT_LISTENING" :
                 type == IPC_AGENT_REFUSED ? "AGENT_REFUSED" : "other",
                 fd >= 0 ? " with a descriptor" : "");
}

int privsshd_inject_authenticated(const WorkerInjectContext *ctx) {
        IpcPayload p = { .AGENT_REQUEST = { .channel = 0 } };
        if (ctx->ipc_send(ctx->ipc_fd, IPC_AGENT_REQUEST, &p, NULL, 0) < 0)
                return -EIO;
        await_answer(ctx);
        ctx->log(LOG_LEVEL_INFO, "inject agent-forbidden: asking again");
        (void) ctx->ipc_send(ctx->ipc_fd, IPC_AGENT_REQUEST, &p, NULL, 0);
        return 0;
}
