/*
 * Injected scenario (worker/test-inject.h) for issue 10: a worker taken over after authentication asks
 * the monitor for forwards directly. One that policy forbids (PermitOpen 127.0.0.1:8001 in the test's
 * config, a privileged listening port for a user who is not root) is refused with FORWARD_FAILED; the
 * allowed one (the control) gets FORWARD_READY with a socket; then a request no client could have made
 * (port 70000) is a protocol violation that ends the connection. Each answer is logged, so the test can
 * see all of them in order.
 */

#include <errno.h>

#include "inject-answer.h"

int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

static void await_answer(const WorkerInjectContext *ctx) {
        inject_log_answer(ctx, "forward-forbidden", true, IPC_FORWARD_READY, "FORWARD_READY",
                          IPC_FORWARD_FAILED, "FORWARD_FAILED");
}

int privsshd_inject_authenticated(const WorkerInjectContext *ctx) {
        IpcPayload p = { .FORWARD_CONNECT = { .id = 70001, .host = (char *) "127.0.0.1", .port = 8002,
                                              .originator = (char *) "127.0.0.1", .originator_port = 1 } };
        if (ctx->ipc_send(ctx->ipc_fd, IPC_FORWARD_CONNECT, &p, NULL, 0) < 0)
                return -EIO;
        await_answer(ctx);
        p.FORWARD_CONNECT.id = 70002;
        p.FORWARD_CONNECT.port = 8001;
        if (ctx->ipc_send(ctx->ipc_fd, IPC_FORWARD_CONNECT, &p, NULL, 0) < 0)
                return -EIO;
        await_answer(ctx);
        IpcPayload l = { .FORWARD_LISTEN = { .id = 70003, .address = (char *) "", .port = 900 } };
        if (ctx->ipc_send(ctx->ipc_fd, IPC_FORWARD_LISTEN, &l, NULL, 0) < 0)
                return -EIO;
        await_answer(ctx);
        ctx->log(LOG_LEVEL_INFO, "inject forward-forbidden: now a port no client can name");
        p.FORWARD_CONNECT.id = 70004;
        p.FORWARD_CONNECT.port = 70000;
        (void) ctx->ipc_send(ctx->ipc_fd, IPC_FORWARD_CONNECT, &p, NULL, 0);
        return 0;
}
