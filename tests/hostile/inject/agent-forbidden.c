/*
 * Injected scenario (worker/test-inject.h) for issue 10, agent forwarding: a worker taken over after
 * authentication asks the monitor for an agent socket directly (AGENT_REQUEST). Where policy forbids
 * it (the test's config: AllowAgentForwarding no, or DisableForwarding yes) the answer is AGENT_REFUSED
 * and no socket is made; where it allows it (the control) the answer is AGENT_LISTENING with the
 * listener. Then the scenario asks again, which the gate allows once per connection: the connection
 * is torn down. Each answer is logged, so the test can see them in order.
 */

#include <errno.h>

#include "inject-answer.h"

int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

static void await_answer(const WorkerInjectContext *ctx) {
        inject_log_answer(ctx, "agent-forbidden", false, IPC_AGENT_LISTENING, "AGENT_LISTENING",
                          IPC_AGENT_REFUSED, "AGENT_REFUSED");
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
