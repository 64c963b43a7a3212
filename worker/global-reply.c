/*
 * Replies to the client's global requests, in the order of the requests (RFC 4254 section 4: the client
 * matches them so; OpenSSH's client_global_request_reply() takes its oldest callback). Some answers are
 * known at once (keepalive@openssh.com, unknown requests, a cancel), others only when the monitor has
 * answered (tcpip-forward and streamlocal-forward: a listening socket; hostkeys-prove-00: signatures),
 * so every request that wants a reply takes a place in one queue when it arrives, its answer is kept
 * there when it is known, and answers leave only from the head. libssh hands us every global request
 * (ssh_set_server_global_requests_all(), our patch 0019) rather than answering some itself while it
 * reads packets, ahead of ours.
 *
 * A place is found by the request's ssh_message: the handlers answer with global_reply() where they
 * answered with libssh's reply functions, and may free the message as before, since the reply leaves
 * by ssh_send_global_request_reply(), which needs only the session. A freed message's address may come
 * back for a later request; only a place still waiting matches, and a request is answered once.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/macro.h"
#include "worker/worker.h"

/* The queue is a ring: the i-th oldest place. */
static GlobalReply *place(Worker *w, size_t i) {
        return &w->global_replies[(w->global_reply_head + i) % ELEMENTSOF(w->global_replies)];
}

/* Enqueue (by the dispatcher) every global request the client sent, before its handler runs. */
int global_reply_enqueue(Worker *w, ssh_message msg) {
        if (ssh_message_global_request_want_reply(msg) != 1)
                return 0;               /* wants no reply: nothing to keep in order */
        if (w->n_global_replies >= ELEMENTSOF(w->global_replies))
                return -ENOBUFS;
        *place(w, w->n_global_replies++) = (GlobalReply) { .msg = msg };
        return 0;
}

static void flush(Worker *w) {
        while (w->n_global_replies > 0 && place(w, 0)->answered && !w->done) {
                GlobalReply *g = place(w, 0);
                if (ssh_send_global_request_reply(w->session, g->success, g->data, g->len) != SSH_OK) {
                        log_debug("global request reply: %s", ssh_get_error(w->session));
                        w->done = true;         /* the connection is broken, or memory is gone */
                }
                free(g->data);
                *g = (GlobalReply) {};
                w->global_reply_head = (w->global_reply_head + 1) % ELEMENTSOF(w->global_replies);
                w->n_global_replies--;
        }
}

void global_reply(Worker *w, ssh_message msg, bool success, const void *data, size_t len) {
        GlobalReply *g = NULL;
        for (size_t i = 0; i < w->n_global_replies && !g; i++)
                if (place(w, i)->msg == msg && !place(w, i)->answered)
                        g = place(w, i);
        if (!g)
                return;                 /* wants no reply */
        g->msg = NULL;
        g->answered = true;
        g->success = success;
        if (success && len > 0) {
                /* It may wait behind an earlier request: a copy, since the caller frees msg and data. */
                g->data = malloc(len);
                if (!g->data) {
                        log_error("global request reply: %s", strerror(ENOMEM));
                        w->done = true;
                        return;
                }
                memcpy(g->data, data, len);
                g->len = len;
        }
        flush(w);
}

void global_reply_success_port(Worker *w, ssh_message msg, uint32_t port) {
        /* RFC 4254 7.1: a tcpip-forward to port 0 is answered with the port allocated, others with
         * nothing. */
        uint8_t be[4] = { (uint8_t) (port >> 24), (uint8_t) (port >> 16), (uint8_t) (port >> 8),
                          (uint8_t) port };
        bool port_zero = ssh_message_subtype(msg) == SSH_GLOBAL_REQUEST_TCPIP_FORWARD &&
                         ssh_message_global_request_port(msg) == 0;
        global_reply(w, msg, true, be, port_zero ? sizeof be : 0);
}

void global_reply_drop(Worker *w) {
        for (size_t i = 0; i < w->n_global_replies; i++)
                free(place(w, i)->data);
        w->n_global_replies = 0;
}
