/* See forward-agent.h. */

#include <errno.h>
#include <stdlib.h>

#include "common/fd-util.h"
#include "common/ipc-socket.h"
#include "common/log.h"
#include "worker/forward-agent.h"
#include "worker/forward.h"

bool agent_channel_request(Worker *w, Channel *c, ssh_message msg) {
        switch (w->agent_state) {
        case WORKER_AGENT_NONE: {
                IpcPayload p = {};
                p.AGENT_REQUEST.channel = c->id;
                if (monitor_client_send(w, IPC_AGENT_REQUEST, &p) < 0)
                        break;
                w->agent_state = WORKER_AGENT_ASKED;
                c->pending_request = msg;
                return false;
        }
        case WORKER_AGENT_ASKED:
                /* Another channel asked first: this one gets its answer then (refused, as OpenSSH's second
                 * request), and its command, queued behind, starts with SSH_AUTH_SOCK if it was granted. */
                c->pending_request = msg;
                return false;
        case WORKER_AGENT_GRANTED:
        case WORKER_AGENT_REFUSED:
        default:
                break;
        }
        ssh_message_reply_default(msg);
        ssh_message_free(msg);
        return true;
}

int agent_listening(Worker *w, const IpcAgentListening *p, int fd) {
        if (w->agent_state != WORKER_AGENT_ASKED) {
                safe_close(fd);
                return -EPROTO;
        }
        w->agent_state = WORKER_AGENT_GRANTED;
        w->agent_listener = fd;
        (void) fd_set_nonblock(fd, true);
        log_debug("agent forwarding: listening (channel %u)", p->channel);
        channel_agent_answered(w, p->channel, true);
        return 0;
}

int agent_refused(Worker *w, const IpcAgentRefused *p) {
        if (w->agent_state != WORKER_AGENT_ASKED)
                return -EPROTO;
        w->agent_state = WORKER_AGENT_REFUSED;
        log_debug("agent forwarding refused: %s", p->reason ?: "");
        channel_agent_answered(w, p->channel, false);
        return 0;
}

size_t agent_poll_fill(Worker *w, struct pollfd *p) {
        if (w->agent_listener < 0 || w->agent_accepting || w->n_forwards >= FORWARD_MAX_CHANNELS)
                return 0;
        p[0] = (struct pollfd) { .fd = w->agent_listener, .events = POLLIN };
        return 1;
}

/* A connection waits: the listener goes to the monitor, whose helper accepts it as the user. */
void agent_poll_handle(Worker *w, const struct pollfd *p, size_t n) {
        if (n != 1 || !p[0].revents || w->agent_listener < 0 || w->agent_accepting)
                return;
        IpcPayload a = {};
        a.AGENT_ACCEPT.id = ++w->agent_accept_id;
        if (monitor_client_send_fds(w, IPC_AGENT_ACCEPT, &a, &w->agent_listener, 1) < 0)
                return;         /* w->done is set */
        w->agent_accepting = true;
}

int agent_connection(Worker *w, const IpcAgentConnection *p, int fd) {
        if (!w->agent_accepting || p->id != w->agent_accept_id) {
                safe_close(fd);
                return -EPROTO;
        }
        w->agent_accepting = false;
        Forward *f = w->n_forwards < FORWARD_MAX_CHANNELS ? forward_new(w) : NULL;
        if (!f) {
                safe_close(fd);
                return 0;
        }
        f->fd = fd;
        f->idle.type = "agent-connection";     /* ChannelTimeout's name for it */
        (void) fd_set_nonblock(fd, true);
        f->agent = true;
        f->ch = ssh_channel_new(w->session);
        if (!f->ch) {
                f->dead = true;         /* freed by forward_collect(), which closes the socket */
                return 0;
        }
        forward_set_callbacks(f);
        f->opening = true;              /* forward-pump.c opens auth-agent@openssh.com */
        log_debug("agent forwarding: connection %u", p->id);
        return 0;
}

int agent_accept_failed(Worker *w, const IpcAgentAcceptFailed *p) {
        if (!w->agent_accepting || p->id != w->agent_accept_id)
                return -EPROTO;
        w->agent_accepting = false;     /* the client of the socket went away before the helper took it */
        return 0;
}

void agent_abandon(Worker *w) {
        w->agent_listener = safe_close(w->agent_listener);
        w->agent_accepting = false;
}
