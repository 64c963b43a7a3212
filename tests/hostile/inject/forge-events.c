/*
 * Injected scenario (worker/test-inject.h) for issue 7 finding 8: the lines the monitor composes from a
 * worker's EVENT. Before authentication it reports a failed negotiation whose "offer" is a forged line
 * with another address: the monitor writes it with the peer address it knows, the offer escaped behind
 * it. After authentication it reports a handshake failure, which cannot happen then: the monitor refuses
 * it as a protocol violation and ends the connection.
 */

#include "worker/test-inject.h"

int privsshd_inject_preauth(const WorkerInjectContext *ctx);
int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

int privsshd_inject_preauth(const WorkerInjectContext *ctx) {
        IpcPayload p = { .EVENT = {
                .kind = IPC_EVENT_NO_MATCHING_METHOD,
                .method = IPC_NEGOTIATION_CIPHER,
                .text = (char *) "x\nFailed password for root from 198.51.100.200 port 22 ssh2",
        } };
        return ctx->ipc_send(ctx->ipc_fd, IPC_EVENT, &p, NULL, 0);
}

int privsshd_inject_authenticated(const WorkerInjectContext *ctx) {
        IpcPayload p = { .EVENT = { .kind = IPC_EVENT_BANNER_TOO_LONG, .text = (char *) "" } };
        ctx->log(LOG_LEVEL_INFO, "inject forge-events: a handshake event after authentication");
        return ctx->ipc_send(ctx->ipc_fd, IPC_EVENT, &p, NULL, 0);
}
