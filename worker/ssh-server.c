/* See ssh-server.h. */

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fd-layout.h"
#include "common/fd-util.h"
#include "common/log.h"
#include "worker/forward-agent.h"
#include "worker/forward.h"
#include "worker/handshake-log.h"
#include "worker/ssh-server.h"

/* The algorithm lists come from the monitor (SETUP), which checked them against what this libssh
 * supports (common/algorithms.h); its defaults are OpenSSH 10's order, post-quantum key exchange first. */
static int set_bind_list(Worker *w, enum ssh_bind_options_e opt, const char *what, const char *list) {
        if (isempty(list))
                return log_error_errno(-EINVAL, "no %s list in SETUP", what);
        if (ssh_bind_options_set(w->bind, opt, list) != SSH_OK)
                return log_error_errno(-EINVAL, "%s \"%s\": %s", what, list, ssh_get_error(w->bind));
        return 0;
}

static int apply_algorithms(Worker *w) {
        const IpcSetup *s = &w->setup;
        int r;
        if ((r = set_bind_list(w, SSH_BIND_OPTIONS_KEY_EXCHANGE, "KexAlgorithms", s->kex_algorithms)) < 0 ||
            (r = set_bind_list(w, SSH_BIND_OPTIONS_CIPHERS_C_S, "Ciphers", s->ciphers)) < 0 ||
            (r = set_bind_list(w, SSH_BIND_OPTIONS_CIPHERS_S_C, "Ciphers", s->ciphers)) < 0 ||
            (r = set_bind_list(w, SSH_BIND_OPTIONS_HMAC_C_S, "MACs", s->macs)) < 0 ||
            (r = set_bind_list(w, SSH_BIND_OPTIONS_HMAC_S_C, "MACs", s->macs)) < 0 ||
            (r = set_bind_list(w, SSH_BIND_OPTIONS_HOSTKEY_ALGORITHMS, "HostKeyAlgorithms",
                               s->hostkey_algorithms)) < 0 ||
            (r = set_bind_list(w, SSH_BIND_OPTIONS_PUBKEY_ACCEPTED_KEY_TYPES, "PubkeyAcceptedAlgorithms",
                               s->pubkey_accepted_algorithms)) < 0)
                return r;
        int rsa = (int) s->required_rsa_size;
        if (ssh_bind_options_set(w->bind, SSH_BIND_OPTIONS_RSA_MIN_SIZE, &rsa) != SSH_OK)
                return log_error_errno(-EINVAL, "RequiredRSASize %d: %s", rsa, ssh_get_error(w->bind));
        return 0;
}

/* RekeyLimit, on the session (libssh has no bind option for it): 0 data keeps libssh's default. */
int ssh_server_apply_rekey_limit(Worker *w) {
        uint64_t data = ((uint64_t) w->setup.rekey_data_high << 32) | w->setup.rekey_data_low;
        uint32_t interval = w->setup.rekey_interval;
        if (data != 0 && ssh_options_set(w->session, SSH_OPTIONS_REKEY_DATA, &data) != SSH_OK)
                return log_error_errno(-EINVAL, "RekeyLimit %llu: %s", (unsigned long long) data,
                                       ssh_get_error(w->session));
        if (interval != 0 && ssh_options_set(w->session, SSH_OPTIONS_REKEY_TIME, &interval) != SSH_OK)
                return log_error_errno(-EINVAL, "RekeyLimit time %u: %s", interval, ssh_get_error(w->session));
        return 0;
}

static void libssh_log(int priority, const char *function, const char *buffer, void *userdata) {
        LogLevel l = priority <= SSH_LOG_WARN ? LOG_LEVEL_DEBUG1 :
                     priority <= SSH_LOG_PROTOCOL ? LOG_LEVEL_DEBUG2 : LOG_LEVEL_DEBUG3;
        log_internal(l, "libssh: %s", buffer);
}

int ssh_server_prepare(Worker *w) {
        int r;
        if (ssh_init() < 0)
                return log_error_errno(-EIO, "ssh_init failed");
        ssh_set_log_callback(libssh_log);
        LogLevel ll = log_get_level();
        ssh_set_log_level(ll >= LOG_LEVEL_DEBUG3 ? SSH_LOG_FUNCTIONS : ll >= LOG_LEVEL_DEBUG2 ? SSH_LOG_PROTOCOL :
                          ll >= LOG_LEVEL_DEBUG1 ? SSH_LOG_WARN : SSH_LOG_NOLOG);

        /* Seed OpenSSL's RNG now: it reads its config and the kernel's randomness the first time. */
        uint8_t seed[32];
        (void) ssh_get_random(seed, sizeof seed, 1);
        explicit_bzero(seed, sizeof seed);

        w->bind = ssh_bind_new();
        if (!w->bind)
                return -ENOMEM;
        bool no = false;
        ssh_bind_options_set(w->bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
        r = apply_algorithms(w);
        if (r < 0)
                return r;

        r = hostkeys_import(w);
        if (r < 0)
                return r;

        w->session = ssh_new();
        if (!w->session)
                return -ENOMEM;
        r = hostkeys_install_callback(w);
        if (r < 0)
                return r;

        int one = 1;
        (void) setsockopt(WORKER_FD_CONNECTION, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        (void) setsockopt(WORKER_FD_CONNECTION, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);

        if (ssh_bind_accept_fd(w->bind, w->session, WORKER_FD_CONNECTION) != SSH_OK)
                return log_error_errno(-EIO, "ssh_bind_accept_fd: %s", ssh_get_error(w->bind));
        ssh_options_set(w->session, SSH_OPTIONS_COMPRESSION_C_S, "none");
        ssh_options_set(w->session, SSH_OPTIONS_COMPRESSION_S_C, "none");
        r = ssh_server_apply_rekey_limit(w);
        if (r < 0)
                return r;
        r = idle_timeout_setup(w);
        if (r < 0)
                return r;

        w->auth_methods = w->setup.auth_methods;
        ssh_set_auth_methods(w->session, auth_methods_offered(w));
        ssh_set_blocking(w->session, 0);
        /* Global requests all come to us, answered in their order (global-reply.c) */
        ssh_set_server_global_requests_all(w->session, 1);
        return 0;
}

/* Every global request takes its place in the order of replies first (global-reply.c); OpenSSH's sshd
 * (server_input_global_request) accepts no-more-sessions@openssh.com and refuses what it does not
 * know, keepalive@openssh.com among them (ssh's ServerAliveInterval: any reply is a sign of life). */
static void handle_global_request(Worker *w, ssh_message msg) {
        if (global_reply_enqueue(w, msg) < 0) {
                log_error("more than %u global requests wait for their replies: disconnecting",
                          GLOBAL_MAX_UNANSWERED);
                ssh_message_free(msg);
                w->done = true;
                w->exit_code = 1;
                return;
        }
        switch (ssh_message_subtype(msg)) {
        case SSH_GLOBAL_REQUEST_HOSTKEYS_PROVE:
                hostkeys_handle_prove(w, msg);          /* takes msg */
                return;
        case SSH_GLOBAL_REQUEST_NO_MORE_SESSIONS:       /* libssh has set its flag */
        case SSH_GLOBAL_REQUEST_KEEPALIVE:
        case SSH_GLOBAL_REQUEST_UNKNOWN:
                log_debug("server_input_global_request: rtype %s want_reply %d",
                          ssh_message_global_request_name(msg) ?: "?",
                          ssh_message_global_request_want_reply(msg));
                global_reply(w, msg, ssh_message_subtype(msg) == SSH_GLOBAL_REQUEST_NO_MORE_SESSIONS,
                             NULL, 0);
                break;
        default:
                forward_handle_global(w, msg);          /* takes msg */
                return;
        }
        ssh_message_free(msg);
}

static void handle_ssh_messages(Worker *w) {
        ssh_message msg;
        while (!w->done && (msg = ssh_message_get(w->session))) {
                switch (ssh_message_type(msg)) {
                case SSH_REQUEST_SERVICE:
                        ssh_message_reply_default(msg);         /* SERVICE_ACCEPT for ssh-userauth */
                        ssh_message_free(msg);
                        break;
                case SSH_REQUEST_AUTH:
                        auth_handle_message(w, msg);            /* takes msg */
                        break;
                case SSH_REQUEST_CHANNEL_OPEN:
                        if (ssh_message_subtype(msg) == SSH_CHANNEL_DIRECT_TCPIP)
                                forward_handle_open(w, msg);    /* takes msg */
                        else if (ssh_message_subtype(msg) == SSH_CHANNEL_DIRECT_STREAMLOCAL)
                                forward_unix_handle_open(w, msg);       /* takes msg */
                        else
                                channel_handle_open(w, msg);    /* takes msg */
                        break;
                case SSH_REQUEST_GLOBAL:
                        handle_global_request(w, msg);          /* takes msg */
                        break;
                case SSH_REQUEST_CHANNEL:
                        channel_handle_request(w, msg);         /* takes msg */
                        break;
                default:
                        ssh_message_reply_default(msg);         /* global requests: refused for now */
                        ssh_message_free(msg);
                        break;
                }
        }
}

/* ClientAliveInterval: when an interval passes in which the client sent nothing, ask it for a sign
 * of life (keepalive@openssh.com, which OpenSSH clients answer); after ClientAliveCountMax such
 * intervals in a row, give up on it, as OpenSSH's sshd does. Returns false when the client is gone. */
static bool client_alive_check(Worker *w) {
        if (w->alive_next == 0 || !w->authenticated)
                return true;    /* before authentication, LoginGraceTime applies (in the monitor) */
        uint64_t now = worker_now_usec();
        if (now < w->alive_next)
                return true;
        w->alive_next = now + (uint64_t) w->setup.client_alive_interval * 1000000u;
        if (w->socket_counter.in_bytes != w->alive_seen_bytes) {
                w->alive_seen_bytes = w->socket_counter.in_bytes;
                w->alive_missed = 0;
                return true;
        }
        if (++w->alive_missed > w->setup.client_alive_count_max) {
                /* The monitor logs it with the user and address it knows (monitor/handle-log.c). */
                IpcPayload p = { .EVENT = { .kind = IPC_EVENT_CLIENT_TIMEOUT } };
                (void) monitor_client_send(w, IPC_EVENT, &p);
                return false;
        }
        /* libssh 0.10 in non-blocking mode sends only when the previous keepalive's answer has been
         * collected, which the first call does; the second then sends. */
        (void) ssh_send_keepalive(w->session);
        (void) ssh_send_keepalive(w->session);
        w->messages_maybe_queued = true;    /* collecting the answer reads packets */
        return true;
}

static int poll_timeout(Worker *w) {
        if (forward_needs_pump(w) || pump_needs_run(w))
                return 0;
        int t = channel_poll_timeout(w);
        if (w->alive_next != 0 && w->authenticated) {
                int a = worker_ms_until(w->alive_next);
                if (t < 0 || a < t)
                        t = a;
        }
        int i = idle_timeout_poll(w);
        if (i >= 0 && (t < 0 || i < t))
                t = i;
        /* RekeyLimit's time part: libssh checks it only when a packet moves, so an idle connection would
         * keep its keys past it (patches/libssh/0010); OpenSSH's sshd wakes for it too. */
        int k = w->authenticated ? ssh_session_get_rekey_timeout(w->session) : -1;
        if (k >= 0 && (t < 0 || k < t))
                t = k;
        return t;
}

static bool connection_alive(Worker *w) {
        return ssh_is_connected(w->session) && !(ssh_get_status(w->session) & (SSH_CLOSED | SSH_CLOSED_ERROR));
}

int ssh_server_run(Worker *w) {
        w->event = ssh_event_new();
        if (!w->event)
                return 1;

        /* libssh creates the session's poll context on the first call: only then can it join the event. */
        int rc = ssh_handle_key_exchange(w->session);
        if (rc != SSH_ERROR && ssh_event_add_session(w->event, w->session) != SSH_OK) {
                log_error("ssh_event_add_session failed");
                return 1;
        }
        while (rc == SSH_AGAIN) {
                if (ssh_event_dopoll(w->event, 1000) == SSH_ERROR)
                        break;
                rc = ssh_handle_key_exchange(w->session);
        }
        if (rc != SSH_OK) {
                log_debug("key exchange failed: %s", ssh_get_error(w->session));
                handshake_log_failure(w);
                return 1;
        }

        /* The exchange may have read past NEWKEYS: a client that pipelines its SERVICE_REQUEST (or
         * more) after NEWKEYS has it queued already, and poll() would never report it again. */
        w->messages_maybe_queued = true;

        int sfd = ssh_get_fd(w->session);
        ssh_set_counters(w->session, &w->socket_counter, NULL);
        if (w->setup.client_alive_interval > 0)
                w->alive_next = worker_now_usec() + (uint64_t) w->setup.client_alive_interval * 1000000u;
        while (!w->done) {
                if (w->n_deferred > 0 && monitor_client_receive(w) < 0) {
                        w->done = true;
                        break;
                }
                if (w->messages_maybe_queued) {
                        w->messages_maybe_queued = false;
                        handle_ssh_messages(w);
                        if (w->done)
                                break;
                }
                /* ssh_message_get() above reads the socket: a fatal error there (a packet that fails
                 * its MAC) leaves nothing for poll() to report, so the loop would wait forever. */
                if (!connection_alive(w))
                        break;
                struct pollfd p[2 + 3 * SESSION_MAX_PER_CONN + FORWARD_MAX_LISTENERS + FORWARD_MAX_CHANNELS +
                                1 /* the agent listener */];
                size_t n = 0;
                p[n] = (struct pollfd) { .fd = sfd, .events = POLLIN };
                if (ssh_get_status(w->session) & SSH_WRITE_PENDING)
                        p[n].events |= POLLOUT;
                n++;
                p[n] = (struct pollfd) { .fd = w->ipc_fd, .events = POLLIN };
                n++;
                bool write_pending = ssh_get_status(w->session) & SSH_WRITE_PENDING;
                for (Channel *c = w->channels; c && n + 3 <= ELEMENTSOF(p); c = c->next) {
                        if (!c->has_session || c->finished)
                                continue;
                        bool window = ssh_channel_window_size(c->ch) > 0 && !write_pending;
                        if (c->out.fd >= 0 && c->out.len == 0 && window) {
                                p[n] = (struct pollfd) { .fd = c->out.fd, .events = POLLIN };
                                n++;
                        }
                        if (c->err.fd >= 0 && c->err.len == 0 && window) {
                                p[n] = (struct pollfd) { .fd = c->err.fd, .events = POLLIN };
                                n++;
                        }
                        if (c->in_fd >= 0 && c->in_len > 0) {
                                p[n] = (struct pollfd) { .fd = c->in_fd, .events = POLLOUT };
                                n++;
                        }
                }

                size_t forward_first = n;
                n += forward_poll_fill(w, p + n, ELEMENTSOF(p) - n - 1);
                size_t agent_first = n;
                n += agent_poll_fill(w, p + n);

                if (poll(p, n, poll_timeout(w)) < 0) {
                        if (errno == EINTR)
                                continue;
                        log_error("poll: %m");
                        break;
                }
                if (p[0].revents) {
                        if (ssh_event_dopoll(w->event, 0) == SSH_ERROR && !connection_alive(w))
                                break;
                }
                handle_ssh_messages(w);
                if (p[1].revents) {
                        int r = monitor_client_receive(w);
                        if (r < 0) {
                                log_debug("monitor connection ended: %s", strerror(-r));
                                w->done = true;
                                break;
                        }
                }
                for (Channel *c = w->channels; c; c = c->next)
                        pump_channel(c);
                /* As for forwards: ssh_channel_write() may read packets while it waits for window
                 * space, and queue a message (a new channel open) that poll() will not report. */
                if (w->channels)
                        w->messages_maybe_queued = true;
                channel_collect(w);
                forward_poll_handle(w, p + forward_first, agent_first - forward_first);
                agent_poll_handle(w, p + agent_first, n - agent_first);
                forward_pump_all(w);
                forward_collect(w);
                if (!connection_alive(w))
                        break;
                if (!client_alive_check(w)) {
                        ssh_disconnect(w->session);
                        break;
                }
                if (!idle_timeout_check(w)) {
                        ssh_disconnect(w->session);
                        break;
                }
                if (w->authenticated && ssh_session_get_rekey_timeout(w->session) == 0 &&
                    ssh_session_rekey_if_due(w->session) != SSH_OK) {
                        log_debug("cannot start the key re-exchange RekeyLimit asks for: %s",
                                  ssh_get_error(w->session));
                        break;
                }
        }

        channel_abandon_all(w);
        forward_abandon_all(w);
        agent_abandon(w);
        auth_drop_all(w);
        hostkeys_prove_drop(w);
        global_reply_drop(w);
        return w->exit_code;
}
