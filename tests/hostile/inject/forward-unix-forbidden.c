/*
 * Injected scenario (worker/test-inject.h): a worker taken over after authentication asks the monitor
 * for Unix-socket forwards directly. A listener that policy forbids (AllowStreamLocalForwarding local in
 * the test's config) is refused with FORWARD_FAILED; the allowed connection (the control) gets
 * FORWARD_READY with a socket; then a request no client could have made (an empty path) is a protocol
 * violation that ends the connection. Each answer is logged, so the test can see all of them in order.
 */

#include <errno.h>

#include "inject-answer.h"

int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

static void await_answer(const WorkerInjectContext *ctx) {
        inject_log_answer(ctx, "forward-unix-forbidden", true, IPC_FORWARD_READY, "FORWARD_READY",
                          IPC_FORWARD_FAILED, "FORWARD_FAILED");
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
