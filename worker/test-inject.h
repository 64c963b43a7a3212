#pragma once
/*
 * Test builds only (-Dtest_hooks=true; compiled out otherwise, and the TestWorkerInject keyword does not
 * exist): run arbitrary code inside the real, sandboxed worker, so that a hostile-worker test uses the
 * worker's real descriptors, credentials, chroot and seccomp filter rather than an imitation of them.
 *
 * "TestWorkerInject /abs/path/scenario.so" in the config: the monitor passes the path in SETUP, the worker
 * dlopen()s it before it enters the sandbox (the file is outside the chroot, and opening files is what the
 * sandbox forbids) and calls the scenario's entry points, when it defines them, at these points:
 *
 *   privsshd_inject_sandboxed(ctx)       right after sandbox_enter(), before READY: the state of a worker
 *                                        taken over by a client's first bytes (state INIT in the monitor:
 *                                        only LOG is allowed before READY)
 *   privsshd_inject_preauth(ctx)         right after READY (state PREAUTH), before any network byte is read
 *   privsshd_inject_authenticated(ctx)   right after the worker accepted the monitor's AUTH_RESULT success
 *                                        (state AUTHED): a worker taken over by an authenticated client
 *
 * An entry point returns 0 to let the worker carry on normally, or a negative errno to end the worker.
 * The scenario is a shared module built from a file in tests/hostile/inject/; see tests/hostile/README.md.
 */

#include <stddef.h>
#include <stdint.h>

#include "build-config.h"
#include "common/ipc-payloads.h"
#include "common/log.h"

#define WORKER_INJECT_ABI 1u

typedef struct WorkerInjectContext {
        unsigned abi;                   /* WORKER_INJECT_ABI */
        const char *point;              /* "sandboxed", "preauth" or "authenticated" */
        int connection_fd;              /* the client's TCP connection (WORKER_FD_CONNECTION) */
        int ipc_fd;                     /* the socket to the monitor (WORKER_FD_IPC) */
        const char *peer_address;       /* as the monitor told the worker in SETUP */
        unsigned peer_port;
        const char *user;               /* the authenticated user, or NULL */
        /* The worker's own log path (LOG messages to the monitor), as worker code logs. */
        void (*log)(LogLevel level, const char *fmt, ...) _printf_(2, 3);
        /* The worker's own codec and framing: send any message of the table, well-formed or not. */
        int (*ipc_send)(int fd, IpcType type, const IpcPayload *p, const int *fds, size_t n_fds);
        /* SETUP's host public key blobs, in its order, as the worker decoded them after authentication
         * for hostkeys-00 (worker/hostkey-rotate.c); none before. */
        uint8_t *const *hostkey_blobs;
        const size_t *hostkey_blob_lens;
        size_t n_hostkey_blobs;
} WorkerInjectContext;

typedef int (*WorkerInjectFunction)(const WorkerInjectContext *ctx);

#if ENABLE_TEST_HOOKS
typedef struct Worker Worker;

/* dlopen() the scenario named in SETUP, if any; before sandbox_enter(). Returns 0 or a negative errno
 * (logged). */
int test_inject_load(Worker *w);
/* Call the scenario's entry point for `point`, if it has one. Returns what it returns (0 without one). */
int test_inject_run(Worker *w, const char *point);
#endif
