/* See test-inject.h. Test builds only: with -Dtest_hooks=false this file compiles to nothing. */

#include "build-config.h"

#if ENABLE_TEST_HOOKS

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/fd-layout.h"
#include "common/ipc-socket.h"
#include "common/log.h"
#include "common/macro.h"
#include "worker/test-inject.h"
#include "worker/worker.h"

int test_inject_load(Worker *w) {
        const char *path = w->setup.test_inject;
        if (isempty(path))
                return 0;
        if (path[0] != '/') {
                log_error("test hook: TestWorkerInject %s is not an absolute path", path);
                return -EINVAL;
        }
        /* RTLD_NOW: every symbol bound here, before the sandbox forbids opening the libraries. */
        w->test_inject = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!w->test_inject) {
                log_error("test hook: cannot load %s: %s", path, dlerror());
                return -ENOENT;
        }
        log_info("test hook: loaded %s", path);
        return 0;
}

int test_inject_run(Worker *w, const char *point) {
        if (!w->test_inject)
                return 0;
        char name[64];
        snprintf(name, sizeof name, "privsshd_inject_%s", point);
        WorkerInjectFunction f;
        /* POSIX's way from a data pointer to a function pointer (dlsym returns void *). */
        *(void **) &f = dlsym(w->test_inject, name);
        if (!f)
                return 0;
        const WorkerInjectContext ctx = {
                .abi = WORKER_INJECT_ABI,
                .point = point,
                .connection_fd = WORKER_FD_CONNECTION,
                .ipc_fd = w->ipc_fd,
                .peer_address = w->setup.peer_address,
                .peer_port = w->setup.peer_port,
                .user = w->user,
                .log = log_internal,
                .ipc_send = ipc_send,
                .hostkey_blobs = w->hostkey_blobs,
                .hostkey_blob_lens = w->hostkey_blob_lens,
                .n_hostkey_blobs = w->n_hostkey_blobs,
        };
        int r = f(&ctx);
        if (r < 0) {
                log_info("test hook: %s ended the worker: %s", name, strerror(-r));
                w->done = true;
                w->exit_code = 1;
        }
        return r;
}

#endif
