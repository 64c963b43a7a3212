/*
 * privsshd-worker: the only process that parses network input. It receives its parameters from the
 * monitor, sets up libssh, enters the sandbox before reading a byte from the client, and then runs
 * the SSH session, relaying every decision to the monitor. See doc/ARCHITECTURE.md.
 */

#include <errno.h>
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
#include "worker/ssh-server.h"
#include "worker/worker.h"

static bool is_socket(int fd) {
        struct stat st;
        return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

int main(int argc, char **argv) {
        Worker w = { .ipc_fd = WORKER_FD_IPC, .next_channel_id = 0 };
        IpcMessage setup = {};
        int r;

        proctitle_init(argc, argv);
        log_set_ident("privsshd-worker");
        if (!is_socket(WORKER_FD_CONNECTION) || !is_socket(WORKER_FD_IPC)) {
                fprintf(stderr, "privsshd-worker: not started by privsshd (fds 3 and 4 must be sockets)\n");
                return 2;
        }
        r = sandbox_prepare_before_chroot();
        if (r < 0)
                return 2;

        r = ipc_receive(WORKER_FD_IPC, M2W, NULL, NULL, &setup, NULL);
        if (r < 0 || setup.type != IPC_SETUP) {
                fprintf(stderr, "privsshd-worker: no SETUP from the monitor\n");
                ipc_message_done(&setup);
                return 2;
        }
        w.setup = setup.payload.SETUP;
        monitor_client_install_logging(&w);
        log_set_level(w.setup.log_level < _LOG_LEVEL_MAX ? (LogLevel) w.setup.log_level : LOG_LEVEL_INFO);
        proctitle_set("privsshd-worker: [preauth]");

        r = ssh_server_prepare(&w);
        for (size_t i = 0; i < w.setup.n_hostkeys; i++)
                explicit_bzero(w.setup.hostkeys[i], strlen(w.setup.hostkeys[i]));
        if (r < 0)
                goto out;

        r = sandbox_enter(&(SandboxParams) {
                .uid = w.setup.sandbox_uid,
                .gid = w.setup.sandbox_gid,
                .root_dir = w.setup.sandbox_dir,
        });
        if (r < 0)
                goto out;

        IpcPayload ready = { .READY = { .sandboxed = true } };
        r = monitor_client_send(&w, IPC_READY, &ready);
        if (r < 0)
                goto out;
        (void) fd_set_nonblock(w.ipc_fd, true);

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
        ipc_payload_free(IPC_SETUP, &setup.payload);
        return r < 0 ? 1 : 0;
}
