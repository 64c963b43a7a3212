/*
 * ChannelTimeout and UnusedConnectionTimeout, with OpenSSH's semantics (sshd_config(5) of OpenSSH 9.5
 * and later; channels.c and serverloop.c for the details):
 *
 *   - A channel's clock starts when it is open (a session has started; a forward's socket is
 *     connected, or the client confirmed our CHANNEL_OPEN) and is reset by every byte moved between
 *     the channel and its descriptor, in either direction. Window adjustments, keepalives and
 *     requests do not count, nor does data the client sends that nobody reads.
 *   - A channel idle for its type's interval is closed: CHANNEL_CLOSE without an exit status, its
 *     descriptors closed, and a session abandoned (the monitor hangs its process group up, which
 *     OpenSSH's sshd leaves running). The connection and its other channels go on.
 *   - "global": when no channel moved a byte for that long (and none opened), every open channel is
 *     closed. Either deadline closes a channel, whichever comes first.
 *   - UnusedConnectionTimeout: from authentication on, a connection that has had no open channel for
 *     the interval ends ("terminating inactive connection from ...", written by the monitor).
 *     Listeners (ssh -R) are not channels; a session channel counts once it has asked for its
 *     command, a forward once its socket is connected or its opening asked for.
 *
 * The clock lives here, in the worker, which sees the traffic; doc/SECURITY.md ("Idle timeouts")
 * says why that is acceptable although the monitor trusts nothing the worker says.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "worker/forward.h"
#include "worker/worker.h"

#define USEC_PER_SEC 1000000u

int idle_timeout_setup(Worker *w) {
        const IpcSetup *s = &w->setup;
        if (s->n_channel_timeouts == 0)
                return 0;
        w->timeout_rules = calloc(s->n_channel_timeouts, sizeof(ChannelTimeoutRule));
        if (!w->timeout_rules)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_channel_timeouts; i++) {
                int r = channel_timeout_rule_parse(s->channel_timeouts[i], &w->timeout_rules[i]);
                if (r < 0)
                        return log_error_errno(r, "ChannelTimeout \"%s\" in SETUP: %s", s->channel_timeouts[i],
                                               strerror(-r));
                w->n_timeout_rules = i + 1;
        }
        w->timeout_global = channel_timeout_global(w->timeout_rules, w->n_timeout_rules);
        return 0;
}

void idle_timeout_done(Worker *w) {
        for (size_t i = 0; i < w->n_timeout_rules; i++)
                channel_timeout_rule_done(&w->timeout_rules[i]);
        free(w->timeout_rules);
        w->timeout_rules = NULL;
        w->n_timeout_rules = 0;
}

void idle_timeout_start(Worker *w, IdleClock *k, const char *subtype) {
        uint64_t now = worker_now_usec();
        k->started = true;
        k->interval = channel_timeout_lookup(w->timeout_rules, w->n_timeout_rules, k->type, subtype);
        k->last_used = now;
        w->channels_last_used = now;    /* a channel opening resets the global clock, as OpenSSH's */
        if (k->interval > 0)
                log_debug2("channel %u: %s%s%s: inactivity timeout %u seconds", k->number, k->type ?: "?",
                           subtype ? " " : "", subtype ?: "", k->interval);
}

/* OpenSSH's names of session kinds, which ChannelTimeout matches (session.c's channel_set_xtype()). */
void idle_timeout_start_session(Worker *w, Channel *c) {
        char kind[32 + CHANNEL_TIMEOUT_MAX_TYPE] = "session:shell";
        ssh_message msg = c->pending_request;
        int sub = msg ? ssh_message_subtype(msg) : SSH_CHANNEL_REQUEST_SHELL;
        if (sub == SSH_CHANNEL_REQUEST_EXEC)
                snprintf(kind, sizeof kind, "session:command");
        else if (sub == SSH_CHANNEL_REQUEST_SUBSYSTEM)
                snprintf(kind, sizeof kind, "session:subsystem:%s", ssh_message_channel_request_subsystem(msg) ?: "");
        c->idle.type = "session";
        c->idle.number = c->id;
        idle_timeout_start(w, &c->idle, kind);
}

void idle_timeout_used(Worker *w, IdleClock *k) {
        if (!k->started)
                return;
        k->last_used = w->channels_last_used = worker_now_usec();
}

/* When the channel times out (usec), or UINT64_MAX for never. */
static uint64_t expiry(Worker *w, const IdleClock *k) {
        uint64_t e = UINT64_MAX;
        if (!k->started)
                return e;
        if (w->timeout_global > 0 && w->channels_last_used > 0)
                e = w->channels_last_used + (uint64_t) w->timeout_global * USEC_PER_SEC;
        if (k->interval > 0)
                e = MIN(e, k->last_used + (uint64_t) k->interval * USEC_PER_SEC);
        return e;
}

static void log_expired(Worker *w, const IdleClock *k, uint64_t now) {
        /* OpenSSH's words, with the interval that ran out (OpenSSH names the channel's own, 0 when
         * the global one closed it). */
        bool own = k->interval > 0 && now >= k->last_used + (uint64_t) k->interval * USEC_PER_SEC;
        log_verbose("channel %u: closing after %u seconds of inactivity", k->number,
                    own ? k->interval : w->timeout_global);
}

static bool session_open(const Channel *c) {
        return c->has_session && !c->finished && !c->peer_closed;
}

/* OpenSSH's channel_still_open(): a session that asked for its command (LARVAL before that, which
 * does not count), a forwarded-tcpip channel being opened, any open channel. */
static bool session_in_use(const Channel *c) {
        return !c->finished && !c->peer_closed && (c->has_session || c->pending_request);
}

static bool forward_open(const Forward *f) {
        return f->ch && !f->opening && !f->dead && !f->drained && !f->close_sent && !f->peer_closed && !f->broken;
}

static bool forward_in_use(const Forward *f) {
        return f->ch && !f->dead && !f->drained && !f->close_sent && !f->peer_closed && !f->broken;
}

/* Close what is idle; true while some channel is still in use. */
static bool expire_channels(Worker *w, uint64_t now) {
        bool in_use = false;
        for (Channel *c = w->channels; c; c = c->next) {
                if (session_open(c) && expiry(w, &c->idle) <= now) {
                        log_expired(w, &c->idle, now);
                        channel_close_idle(c);
                }
                in_use = in_use || session_in_use(c);
        }
        for (Forward *f = w->forwards; f; f = f->next) {
                if (forward_open(f) && !f->idle.started) {
                        f->idle.number = w->next_channel_id++;
                        idle_timeout_start(w, &f->idle, NULL);
                }
                if (forward_open(f) && expiry(w, &f->idle) <= now) {
                        log_expired(w, &f->idle, now);
                        f->broken = true;       /* the pump sends CLOSE and closes the socket */
                }
                in_use = in_use || forward_in_use(f);
        }
        return in_use;
}

bool idle_timeout_check(Worker *w) {
        if (!w->authenticated)
                return true;    /* LoginGraceTime applies before authentication (in the monitor) */
        uint64_t now = worker_now_usec();
        bool in_use = expire_channels(w, now);
        if (w->setup.unused_connection_timeout == 0)
                return true;
        if (in_use) {
                w->unused_deadline = 0;
                return true;
        }
        if (w->unused_deadline == 0) {
                w->unused_deadline = now + (uint64_t) w->setup.unused_connection_timeout * USEC_PER_SEC;
                return true;
        }
        if (now < w->unused_deadline)
                return true;
        /* The monitor writes OpenSSH's line with the user and address it knows (monitor/handle-log.c). */
        IpcPayload p = { .EVENT = { .kind = IPC_EVENT_UNUSED_CONNECTION } };
        (void) monitor_client_send(w, IPC_EVENT, &p);
        return false;
}

int idle_timeout_poll(Worker *w) {
        if (!w->authenticated)
                return -1;
        uint64_t next = w->unused_deadline > 0 ? w->unused_deadline : UINT64_MAX;
        if (w->n_timeout_rules > 0) {
                for (Channel *c = w->channels; c; c = c->next)
                        if (session_open(c))
                                next = MIN(next, expiry(w, &c->idle));
                for (Forward *f = w->forwards; f; f = f->next) {
                        if (forward_open(f) && !f->idle.started)
                                return 0;       /* just opened: start its clock now */
                        if (forward_open(f))
                                next = MIN(next, expiry(w, &f->idle));
                }
        }
        /* No channel in use and the unused clock not yet running: start it on the next pass. */
        if (w->setup.unused_connection_timeout > 0 && w->unused_deadline == 0) {
                bool in_use = false;
                for (Channel *c = w->channels; c && !in_use; c = c->next)
                        in_use = session_in_use(c);
                for (Forward *f = w->forwards; f && !in_use; f = f->next)
                        in_use = forward_in_use(f);
                if (!in_use)
                        return 0;
        }
        return next == UINT64_MAX ? -1 : worker_ms_until(next);
}
