/*
 * Injected scenario (worker/test-inject.h) for issue 10, agent forwarding: a worker taken over after
 * authentication gets the agent listener (AGENT_REQUEST; the test's config allows it), hands the
 * listener back with AGENT_ACCEPT (the control: the monitor's helper accepts on it as the user and,
 * nothing waiting, answers AGENT_ACCEPT_FAILED), then hands over the client connection instead of the
 * listener, which must be refused and end the connection: the monitor accepts on nothing but the
 * listener it made for this connection.
 */

#include <errno.h>
#include <unistd.h>

#include "inject-answer.h"

int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

/* The type of the monitor's answer (0: none within 15 s); *ret_fd the descriptor it carries (or -1). */
static uint32_t await_answer(const WorkerInjectContext *ctx, int *ret_fd) {
        InjectAnswer a;
        int r = inject_receive(ctx, 15000, &a);
        *ret_fd = a.fd;
        return r < 0 ? 0 : a.type;
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
