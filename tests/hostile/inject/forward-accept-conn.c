/*
 * Injected scenario (worker/test-inject.h) for issue 10: a worker taken over after authentication hands
 * the monitor its client connection in FORWARD_ACCEPT, as if it were a listener, to have an opener
 * accept() on it as the user. The monitor accepts on listening TCP sockets only: this is a protocol
 * violation and the connection ends.
 */

#include "worker/test-inject.h"

int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

int privsshd_inject_authenticated(const WorkerInjectContext *ctx) {
        IpcPayload p = { .FORWARD_ACCEPT = { .id = 1 } };
        ctx->log(LOG_LEVEL_INFO, "inject forward-accept-conn: handing over the client connection");
        return ctx->ipc_send(ctx->ipc_fd, IPC_FORWARD_ACCEPT, &p, &ctx->connection_fd, 1);
}
