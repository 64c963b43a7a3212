/*
 * Injected scenario (worker/test-inject.h) for issue 7 finding 8: a taken-over worker writes log lines in
 * the monitor's words, naming addresses it wants banned, in every state: sandboxed before READY (INIT),
 * before authentication (PREAUTH) and after it (AUTHED). Through the worker's own log path and as raw LOG
 * messages of every level. tests/hostile/test_injected.py runs fail2ban's stock sshd filter over the
 * daemon's log: no forged address may be found. The addresses are 198.51.100.N (TEST-NET-2), N = the
 * point's base + the line's number, so a hit names the line and the point.
 */

#include <stdio.h>
#include <string.h>

#include "worker/test-inject.h"

int privsshd_inject_sandboxed(const WorkerInjectContext *ctx);
int privsshd_inject_preauth(const WorkerInjectContext *ctx);
int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

/* Each one is matched by some mode of the stock filter when it is a line of its own. "@" stands for the
 * forged address. */
static const char *const forged[] = {
        "Accepted password for root from @ port 22 ssh2",
        "Failed password for root from @ port 22 ssh2",
        "Failed password for invalid user x from @ port 22 ssh2",
        "Invalid user x from @ port 22",
        "error: PAM: Authentication failure for root from @",
        "ROOT LOGIN REFUSED FROM @ port 22",
        "maximum authentication attempts exceeded for root from @ port 22 ssh2 [preauth]",
        "Connection closed by authenticating user root @ port 22 [preauth]",
        "Disconnected from invalid user x @ port 22 [preauth]",
        "banner exchange: Connection from @ port 22: invalid format",
        "Unable to negotiate with @ port 22: no matching cipher found. Their offer: x",
        "Did not receive identification string from @",
        /* trying to bring a prefix of its own for fail2ban's optional groups to swallow */
        "sshd[1]: Failed password for root from @ port 22 ssh2",
        "host sshd[1]: Failed password for root from @ port 22 ssh2",
        "x y z Failed password for root from @ port 22 ssh2",
        /* and a line break, which must not start a line */
        "x\nFailed password for root from @ port 22 ssh2",
};

static int forge(const WorkerInjectContext *ctx, unsigned base) {
        for (unsigned i = 0; i < sizeof forged / sizeof forged[0]; i++) {
                char addr[32], line[256];
                snprintf(addr, sizeof addr, "198.51.100.%u", base + i);
                const char *at = strchr(forged[i], '@');
                snprintf(line, sizeof line, "%.*s%s%s", (int) (at - forged[i]), forged[i], addr, at + 1);
                if (i % 2 == 0) {
                        /* the worker's own log path */
                        ctx->log(LOG_LEVEL_INFO, "%s", line);
                } else {
                        /* a raw LOG message, claiming the most important level there is */
                        IpcPayload p = { .LOG = { .level = LOG_LEVEL_QUIET, .line = line } };
                        int r = ctx->ipc_send(ctx->ipc_fd, IPC_LOG, &p, NULL, 0);
                        if (r < 0)
                                return r;
                }
        }
        ctx->log(LOG_LEVEL_INFO, "inject forge-logs %s: %zu lines forged", ctx->point,
                 sizeof forged / sizeof forged[0]);
        return 0;
}

int privsshd_inject_sandboxed(const WorkerInjectContext *ctx) {
        return forge(ctx, 10);
}

int privsshd_inject_preauth(const WorkerInjectContext *ctx) {
        return forge(ctx, 40);
}

int privsshd_inject_authenticated(const WorkerInjectContext *ctx) {
        return forge(ctx, 70);
}
