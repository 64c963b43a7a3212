/*
 * The worker's side of the IPC: sending requests, and handling the monitor's answers as they arrive
 * (the main loop polls the socket). The monitor is trusted, but its messages are still decoded
 * strictly and must be monitor-to-worker rows with the right number of descriptors.
 */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/ipc-socket.h"
#include "common/log.h"
#include "worker/forward-agent.h"
#include "worker/forward.h"
#include "worker/worker.h"

/* The socket is non-blocking (the main loop polls it) and its send buffer is shared with the worker's
 * log lines: a monitor slow to read them (a loaded machine, LogLevel DEBUG3 with libssh's lines) leaves
 * it full for a moment. A request then waits for room, as monitor_client_wait() waits for an answer:
 * the monitor is trusted and never waits on the worker, so it drains the socket; a monitor gone makes
 * sendmsg() fail at once. Log lines alone are dropped when there is no room (log_to_monitor). */
int monitor_client_send_fds(Worker *w, IpcType type, const IpcPayload *p, const int *fds, size_t n_fds) {
        int r;
        for (;;) {
                r = ipc_send(w->ipc_fd, type, p, fds, n_fds);
                if (r != -EAGAIN)
                        break;
                struct pollfd q = { .fd = w->ipc_fd, .events = POLLOUT };
                if (poll(&q, 1, -1) < 0 && errno != EINTR) {
                        r = -errno;
                        break;
                }
        }
        if (r == -EMSGSIZE)
                return r;       /* nothing was sent and the socket is fine: that request alone fails */
        if (r < 0) {
                w->done = true;
                w->exit_code = 1;
        }
        return r;
}

int monitor_client_send(Worker *w, IpcType type, const IpcPayload *p) {
        return monitor_client_send_fds(w, type, p, NULL, 0);
}

static void log_to_monitor(LogLevel level, const char *line, void *userdata) {
        Worker *w = userdata;
        IpcPayload p = {};
        p.LOG.level = (uint8_t) level;
        p.LOG.line = (char *) line;
        /* When the monitor is gone, the line is lost: fd 2 is /dev/null (common/fd-layout.h). */
        (void) ipc_send(w->ipc_fd, IPC_LOG, &p, NULL, 0);
}

void monitor_client_install_logging(Worker *w) {
        log_set_callback(log_to_monitor, w);
}

static int dispatch(Worker *w, IpcMessage *m) {
        switch (m->type) {
        case IPC_AUTH_RESULT:
                return auth_handle_result(w, &m->payload.AUTH_RESULT);
        case IPC_KBDINT_PROMPTS:
                return auth_handle_kbdint_prompts(w, &m->payload.KBDINT_PROMPTS);
        case IPC_USER_CONFIG:
                return user_config_apply(w, &m->payload.USER_CONFIG);
        case IPC_SESSION_STARTED: {
                int fds[3] = { m->fds[0], m->fds[1], m->fds[2] };
                m->n_fds = 0;   /* ownership moves to the channel */
                return channel_session_started(w, &m->payload.SESSION_STARTED, fds);
        }
        case IPC_SESSION_STARTED_PTY: {
                int fd = m->fds[0];
                m->n_fds = 0;   /* ownership moves to the channel */
                return channel_session_started_pty(w, &m->payload.SESSION_STARTED_PTY, fd);
        }
        case IPC_PTY_RESULT:
                return channel_pty_result(w, &m->payload.PTY_RESULT);
        case IPC_SESSION_FAILED:
                return channel_session_failed(w, &m->payload.SESSION_FAILED);
        case IPC_SESSION_EXITED:
                return channel_session_exited(w, &m->payload.SESSION_EXITED);
        case IPC_FORWARD_READY: {
                int fd = m->fds[0];
                m->n_fds = 0;   /* ownership moves to the forward */
                return forward_ready(w, &m->payload.FORWARD_READY, fd);
        }
        case IPC_FORWARD_FAILED:
                return forward_failed(w, &m->payload.FORWARD_FAILED);
        case IPC_FORWARD_LISTENING_ALSO: {
                int fd = m->fds[0];
                m->n_fds = 0;   /* ownership moves to the listener */
                return forward_listening_also(w, &m->payload.FORWARD_LISTENING_ALSO, fd);
        }
        case IPC_AGENT_LISTENING: {
                int fd = m->fds[0];
                m->n_fds = 0;   /* ownership moves to the worker */
                return agent_listening(w, &m->payload.AGENT_LISTENING, fd);
        }
        case IPC_AGENT_REFUSED:
                return agent_refused(w, &m->payload.AGENT_REFUSED);
        case IPC_AGENT_CONNECTION: {
                int fd = m->fds[0];
                m->n_fds = 0;   /* ownership moves to the forward */
                return agent_connection(w, &m->payload.AGENT_CONNECTION, fd);
        }
        case IPC_AGENT_ACCEPT_FAILED:
                return agent_accept_failed(w, &m->payload.AGENT_ACCEPT_FAILED);
        case IPC_SETUP:
        case IPC_READY:
        case IPC_LOG:
        case IPC_AUTH_NONE:
        case IPC_AUTH_PASSWORD:
        case IPC_AUTH_PUBKEY:
        case IPC_AUTH_KBDINT:
        case IPC_KBDINT_ANSWERS:
        case IPC_HOSTKEY_SIGN:
        case IPC_HOSTKEY_SIGNATURE:
        case IPC_HOSTKEYS_PROVE:
        case IPC_HOSTKEYS_PROOF:       /* only ever waited for (hostkey-rotate.c) */
        case IPC_PTY_REQUEST:
        case IPC_PTY_RELEASE:
        case IPC_SESSION_START:
        case IPC_SESSION_SIGNAL:
        case IPC_SESSION_CLOSE:
        case IPC_EVENT:
        case IPC_FORWARD_CONNECT:
        case IPC_FORWARD_LISTEN:
        case IPC_FORWARD_ACCEPT:
        case IPC_AGENT_REQUEST:
        case IPC_AGENT_ACCEPT:
        case IPC_FORWARD_CONNECT_UNIX:
        case IPC_FORWARD_LISTEN_UNIX:
        case IPC_FORWARD_CANCEL_UNIX:
        case _IPC_TYPE_MAX:
        default:
                return -EPROTO;
        }
}

void monitor_client_drop_deferred(Worker *w) {
        for (size_t i = 0; i < w->n_deferred; i++)
                ipc_message_done(&w->deferred[i]);
        free(w->deferred);
        w->deferred = NULL;
        w->n_deferred = 0;
}

int monitor_client_wait(Worker *w, IpcType type, IpcMessage *ret) {
        for (;;) {
                IpcMessage m;
                int r = ipc_receive(w->ipc_fd, M2W, NULL, NULL, &m, NULL);
                if (r == -EAGAIN) {
                        struct pollfd p = { .fd = w->ipc_fd, .events = POLLIN };
                        if (poll(&p, 1, -1) < 0 && errno != EINTR)
                                return -errno;
                        continue;
                }
                if (r < 0)
                        return r;
                if (m.type == type) {
                        *ret = m;
                        return 0;
                }
                /* Bounded by what the monitor may send unasked plus its answers to our requests, which
                 * its queue bounds (IPC_MAX_QUEUED_MESSAGES); more is a broken monitor. */
                if (w->n_deferred >= 2 * IPC_MAX_QUEUED_MESSAGES) {
                        ipc_message_done(&m);
                        return -ENOBUFS;
                }
                IpcMessage *d = reallocarray(w->deferred, w->n_deferred + 1, sizeof *d);
                if (!d) {
                        ipc_message_done(&m);
                        return -ENOMEM;
                }
                w->deferred = d;
                w->deferred[w->n_deferred++] = m;
        }
}

int monitor_client_receive(Worker *w) {
        /* What arrived during a key exchange first, in order. */
        for (size_t i = 0; i < w->n_deferred; i++) {
                int r = dispatch(w, &w->deferred[i]);
                ipc_message_done(&w->deferred[i]);
                if (r < 0) {
                        for (size_t j = i + 1; j < w->n_deferred; j++)
                                ipc_message_done(&w->deferred[j]);
                        w->n_deferred = 0;
                        return r;
                }
        }
        w->n_deferred = 0;
        for (;;) {
                IpcMessage m;
                int r = ipc_receive(w->ipc_fd, M2W, NULL, NULL, &m, NULL);
                if (r == -EAGAIN)
                        return 0;
                if (r < 0)
                        return r;       /* the monitor went away, or spoke nonsense: end */
                r = dispatch(w, &m);
                ipc_message_done(&m);
                if (r >= 0 && (m.type == IPC_FORWARD_READY || m.type == IPC_FORWARD_FAILED))
                        forward_send_queued(w);         /* a slot is free */
                if (r < 0)
                        return r;
        }
}
