/*
 * privsshd-worker: the only process that parses network input. It receives its parameters from the
 * monitor, sets up libssh, enters the sandbox before reading a byte from the client, and then runs
 * the SSH session, relaying every decision to the monitor. See doc/ARCHITECTURE.md.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fd-layout.h"
#include "common/fd-util.h"
#include "common/ipc-socket.h"
#include "common/log.h"
#include "common/proctitle.h"
#include "worker/sandbox.h"
#include "worker/seccomp-policy.h"
#include "worker/ssh-server.h"
#include "worker/test-inject.h"
#include "worker/worker.h"

#if WORKER_BUILT_WITH_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

static bool is_socket(int fd) {
        struct stat st;
        return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* Diagnostic builds only (common/fd-layout.h): sanitizer and seccomp-debug reports go to the descriptor the
 * monitor passed for them, since fd 2 is /dev/null. */
static void diagnostics_redirect(void) {
#if WORKER_HAS_DIAGNOSTICS_FD
        if (fcntl(WORKER_FD_DIAGNOSTICS, F_GETFD) < 0)
                return;
        (void) fd_set_cloexec(WORKER_FD_DIAGNOSTICS, true);
        seccomp_policy_set_report_fd(WORKER_FD_DIAGNOSTICS);
#  if WORKER_BUILT_WITH_ASAN
        __sanitizer_set_report_fd((void *) (intptr_t) WORKER_FD_DIAGNOSTICS);
#  endif
#endif
}

int main(int argc, char **argv) {
        Worker w = { .ipc_fd = WORKER_FD_IPC, .next_channel_id = 0, .agent_listener = -EBADF };
        IpcMessage setup = {};
        int r;

        proctitle_init(argc, argv);
        log_set_ident("privsshd-worker");
        if (!is_socket(WORKER_FD_CONNECTION) || !is_socket(WORKER_FD_IPC)) {
                /* Run by hand: fd 2 is whoever ran us. Under the monitor it is /dev/null, and this cannot
                 * happen. */
                fprintf(stderr, "privsshd-worker: not started by privsshd (fds 3 and 4 must be sockets)\n");
                return WORKER_EXIT_NOT_SPAWNED;
        }
        diagnostics_redirect();
        r = sandbox_prepare_before_chroot();
        if (r < 0)
                return WORKER_EXIT_NO_SETUP;

        r = ipc_receive(WORKER_FD_IPC, M2W, NULL, NULL, &setup, NULL);
        if (r < 0 || setup.type != IPC_SETUP) {
                /* Nobody to tell: the monitor logs why it could not send SETUP, or is gone. */
                ipc_message_done(&setup);
                return WORKER_EXIT_NO_SETUP;
        }
        w.setup = setup.payload.SETUP;
        monitor_client_install_logging(&w);
        log_set_level(w.setup.log_level < _LOG_LEVEL_MAX ? (LogLevel) w.setup.log_level : LOG_LEVEL_INFO);
        proctitle_set("privsshd-worker: [preauth]");

        r = ssh_server_prepare(&w);
        if (r < 0)
                goto out;
#if ENABLE_TEST_HOOKS
        r = test_inject_load(&w);
        if (r < 0)
                goto out;
#endif

        r = sandbox_enter(&(SandboxParams) {
                .uid = w.setup.sandbox_uid,
                .gid = w.setup.sandbox_gid,
                .root_dir = w.setup.sandbox_dir,
        });
        if (r < 0)
                goto out;
#if ENABLE_TEST_HOOKS
        r = test_inject_run(&w, "sandboxed");
        if (r < 0)
                goto out;
#endif

        IpcPayload ready = { .READY = { .sandboxed = true } };
        r = monitor_client_send(&w, IPC_READY, &ready);
        if (r < 0)
                goto out;
        (void) fd_set_nonblock(w.ipc_fd, true);
#if ENABLE_TEST_HOOKS
        r = test_inject_run(&w, "preauth");
        if (r < 0)
                goto out;
#endif

        r = ssh_server_run(&w) == 0 ? 0 : -EIO;

out:
        if (w.session) {
                ssh_disconnect(w.session);
                ssh_free(w.session);
        }
        if (w.event)
                ssh_event_free(w.event);
        if (w.bind)
                ssh_bind_free(w.bind);
        free(w.user);
        hostkeys_drop(&w);
        idle_timeout_done(&w);
        monitor_client_drop_deferred(&w);
        /* A TestWorkerInject module stays loaded: dlclose() would munmap in the sandbox for nothing.
         * w.setup owns the strings now (USER_CONFIG may have replaced some: worker/user-config.c). */
        setup.payload.SETUP = w.setup;
        ipc_payload_free(IPC_SETUP, &setup.payload);
        return r < 0 ? 1 : 0;
}
