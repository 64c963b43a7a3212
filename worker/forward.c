/*
 * TCP forwarding requests and the lifetime of forwarded connections (see forward.h). The byte pump
 * is forward-pump.c.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/ipc-socket.h"
#include "common/log.h"
#include "worker/forward.h"

static void forward_link(Worker *w, Forward *f) {
        f->next = w->forwards;
        w->forwards = f;
        w->n_forwards++;
}

Forward *forward_new(Worker *w) {
        Forward *f = calloc(1, sizeof *f);
        if (!f)
                return NULL;
        f->worker = w;
        f->fd = -EBADF;
        forward_link(w, f);
        return f;
}

static void forward_destroy(Worker *w, Forward *f, bool free_channel) {
        for (Forward **p = &w->forwards; *p; p = &(*p)->next)
                if (*p == f) {
                        *p = f->next;
                        break;
                }
        w->n_forwards--;
        safe_close(f->fd);
        if (f->open_msg)        /* not answered otherwise: OpenSSH's sshd's answer when it has no reason */
                channel_open_refuse(f->open_msg, SSH_OPEN_CONNECT_FAILED, CHANNEL_OPEN_FAILED);
        if (f->ch) {
                ssh_remove_channel_callbacks(f->ch, &f->cb);
                if (free_channel)
                        ssh_channel_free(f->ch);
        }
        free(f->rf_host);
        free(f->to_sock);
        free(f->to_ch);
        free(f);
}

/* ---- direct-tcpip (ssh -L, -D) ----------------------------------------------------------------- */

void forward_handle_open(Worker *w, ssh_message msg) {
        const char *host = ssh_message_channel_request_open_destination(msg);
        int port = ssh_message_channel_request_open_destination_port(msg);
        int orig_port = ssh_message_channel_request_open_originator_port(msg);
        if (!w->authenticated || w->n_forwards >= FORWARD_MAX_CHANNELS || isempty(host) ||
            strlen(host) > FORWARD_MAX_HOST || port <= 0 || port > 65535 || orig_port < 0 ||
            orig_port > 65535) {
                log_debug("direct-tcpip to %s port %d refused in the worker", host ?: "?", port);
                /* OpenSSH's sshd refuses an out-of-range port so; our limits are a shortage. */
                channel_open_refuse(msg, w->n_forwards >= FORWARD_MAX_CHANNELS ? SSH_OPEN_RESOURCE_SHORTAGE :
                                    SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, CHANNEL_OPEN_FAILED);
                return;
        }
        forward_queue_open(w, msg, "direct-tcpip", false);
}

void forward_queue_open(Worker *w, ssh_message msg, const char *idle_type, bool unix_socket) {
        Forward *f = forward_new(w);
        if (!f) {
                channel_open_refuse(msg, SSH_OPEN_RESOURCE_SHORTAGE, CHANNEL_OPEN_FAILED);
                return;
        }
        f->id = ++w->next_forward_id;
        f->open_msg = msg;
        f->unix_socket = unix_socket;
        f->idle.type = idle_type;
        f->queued = true;
        forward_send_queued(w);
}

static void listener_destroy(Worker *w, Listener *l);

static void send_listen(Worker *w, Listener *l) {
        l->queued = false;
        IpcPayload p = {};
        p.FORWARD_LISTEN.id = l->id;
        p.FORWARD_LISTEN.address = l->address;
        p.FORWARD_LISTEN.port = l->port;
        if (monitor_client_send(w, IPC_FORWARD_LISTEN, &p) < 0)
                listener_destroy(w, l);         /* refuses the request */
        else
                w->forward_in_flight++;
}

/* A tcpip-forward request older than request `id` still waits for its listening socket. */
static bool listen_unanswered_before(Worker *w, uint32_t id) {
        for (Listener *l = w->listeners; l; l = l->next)
                if (l->pending && l->id < id)
                        return true;
        return false;
}

/*
 * The monitor makes at most FORWARD_MAX_PENDING sockets at once for a connection (each is a fork):
 * requests beyond that wait here rather than fail, and leave in the order the client sent them
 * (direct-tcpip opens and tcpip-forward requests share one id sequence). The monitor's openers run
 * side by side, so a direct-tcpip open also waits until every tcpip-forward request sent before it
 * is answered: OpenSSH handles a connection's requests one after the other, and clients rely on
 * it (ssh -f -N -R B:...:C -L A:...:B connects through A at once, without waiting for the
 * replies; OpenSSH's forwarding regression script does that), where a connect racing the bind of the
 * same port would be refused.
 */
void forward_send_queued(Worker *w) {
        while (w->forward_in_flight < FORWARD_MAX_PENDING && !w->done) {
                Forward *f = NULL;
                Listener *l = NULL;
                for (Forward *g = w->forwards; g; g = g->next)
                        if (g->queued && (!f || g->id < f->id))
                                f = g;
                for (Listener *m = w->listeners; m; m = m->next)
                        if (m->queued && (!l || m->id < l->id))
                                l = m;
                if (l && (!f || l->id < f->id)) {
                        send_listen(w, l);
                        continue;
                }
                if (!f || listen_unanswered_before(w, f->id))
                        return;
                f->queued = false;
                if (f->unix_socket) {
                        if (forward_unix_send_connect(w, f) < 0)
                                forward_destroy(w, f, true);    /* refuses the open */
                        else
                                w->forward_in_flight++;
                        continue;
                }
                const char *orig = ssh_message_channel_request_open_originator(f->open_msg);
                IpcPayload p = {};
                p.FORWARD_CONNECT.id = f->id;
                p.FORWARD_CONNECT.host = (char *) ssh_message_channel_request_open_destination(f->open_msg);
                p.FORWARD_CONNECT.port =
                        (uint32_t) ssh_message_channel_request_open_destination_port(f->open_msg);
                if (!orig || strlen(orig) > FORWARD_MAX_HOST)
                        orig = "";
                p.FORWARD_CONNECT.originator = (char *) orig;
                p.FORWARD_CONNECT.originator_port =
                        (uint32_t) ssh_message_channel_request_open_originator_port(f->open_msg);
                if (monitor_client_send(w, IPC_FORWARD_CONNECT, &p) < 0) {
                        forward_destroy(w, f, true);    /* refuses the open */
                        continue;
                }
                w->forward_in_flight++;
        }
}

/* ---- tcpip-forward / cancel-tcpip-forward (ssh -R) ----------------------------------------------- */

static void listener_destroy(Worker *w, Listener *l) {
        for (Listener **p = &w->listeners; *p; p = &(*p)->next)
                if (*p == l) {
                        *p = l->next;
                        break;
                }
        w->n_listeners--;
        safe_close(l->fd);
        safe_close(l->fd_also);
        if (l->pending) {
                global_reply(w, l->pending, false, NULL, 0);
                ssh_message_free(l->pending);
        }
        free(l->address);
        free(l);
}

Listener *forward_listener_new(Worker *w, const char *address, ssh_message pending) {
        Listener *l = calloc(1, sizeof *l);
        if (l)
                l->address = strdup(address);
        if (!l || !l->address) {
                free(l);
                return NULL;
        }
        l->id = ++w->next_forward_id;
        l->fd = -EBADF;
        l->fd_also = -EBADF;
        l->pending = pending;
        l->next = w->listeners;
        w->listeners = l;
        w->n_listeners++;
        return l;
}

static void global_tcpip_forward(Worker *w, ssh_message msg) {
        const char *address = ssh_message_global_request_address(msg);
        int port = ssh_message_global_request_port(msg);
        if (!address)
                address = "";
        if (w->n_listeners >= FORWARD_MAX_LISTENERS || strlen(address) > FORWARD_MAX_HOST || port < 0 ||
            port > 65535) {
                global_reply(w, msg, false, NULL, 0);
                ssh_message_free(msg);
                return;
        }
        Listener *l = forward_listener_new(w, address, msg);
        if (!l) {
                global_reply(w, msg, false, NULL, 0);
                ssh_message_free(msg);
                return;
        }
        l->port = (uint32_t) port;
        l->queued = true;
        forward_send_queued(w);
}

static void global_cancel(Worker *w, ssh_message msg) {
        const char *address = ssh_message_global_request_address(msg) ?: "";
        int port = ssh_message_global_request_port(msg);
        for (Listener *l = w->listeners; l; l = l->next) {
                if (l->fd < 0 || l->unix_socket || !streq(l->address, address) ||
                    (port != (int) l->port && port != (int) l->bound_port))
                        continue;
                log_debug("cancel-tcpip-forward %s port %d", address, port);
                listener_destroy(w, l);
                global_reply(w, msg, true, NULL, 0);
                ssh_message_free(msg);
                return;
        }
        global_reply(w, msg, false, NULL, 0);
        ssh_message_free(msg);
}

void forward_handle_global(Worker *w, ssh_message msg) {
        int sub = ssh_message_subtype(msg);
        if (w->authenticated && sub == SSH_GLOBAL_REQUEST_TCPIP_FORWARD) {
                global_tcpip_forward(w, msg);
                return;
        }
        if (w->authenticated && sub == SSH_GLOBAL_REQUEST_CANCEL_TCPIP_FORWARD) {
                global_cancel(w, msg);
                return;
        }
        if (w->authenticated && (sub == SSH_GLOBAL_REQUEST_STREAMLOCAL_FORWARD ||
                                 sub == SSH_GLOBAL_REQUEST_CANCEL_STREAMLOCAL_FORWARD)) {
                forward_unix_handle_global(w, msg);
                return;
        }
        global_reply(w, msg, false, NULL, 0);
        ssh_message_free(msg);
}

static void accepted(Worker *w, Listener *l, int fd);

void forward_listener_destroy(Worker *w, Listener *l) {
        listener_destroy(w, l);         /* for forward-unix.c */
}

/* ---- the monitor's answers ------------------------------------------------------------------------ */

static void answered(Worker *w) {
        if (w->forward_in_flight > 0)
                w->forward_in_flight--;
}

int forward_ready(Worker *w, const IpcForwardReady *p, int fd) {
        answered(w);
        for (Forward *f = w->forwards; f; f = f->next) {
                if (!f->open_msg || f->queued || f->id != p->id)
                        continue;
                ssh_message msg = TAKE_PTR(f->open_msg);
                f->fd = fd;
                (void) fd_set_nonblock(fd, true);
                f->ch = ssh_message_channel_request_open_reply_accept(msg);
                ssh_message_free(msg);
                if (!f->ch) {
                        forward_destroy(w, f, true);
                        return 0;
                }
                forward_set_callbacks(f);
                return 0;
        }
        for (Listener *l = w->listeners; l; l = l->next) {
                if (l->accepting && l->id == p->id) {
                        l->accepting = false;
                        if (p->port != 0) {
                                safe_close(fd);
                                return -EPROTO;
                        }
                        accepted(w, l, fd);
                        return 0;
                }
                if (!l->pending || l->queued || l->id != p->id)
                        continue;
                if (l->unix_socket)
                        return forward_unix_listening(w, l, p, fd);
                if (p->port == 0 || p->port > 65535 || (l->port != 0 && p->port != l->port)) {
                        safe_close(fd);
                        return -EPROTO;
                }
                l->fd = fd;
                l->bound_port = p->port;
                (void) fd_set_nonblock(fd, true);
                log_debug("tcpip-forward %s port %u: listening on port %u", l->address, l->port,
                          l->bound_port);
                ssh_message msg = TAKE_PTR(l->pending);
                global_reply_success_port(w, msg, l->bound_port);
                ssh_message_free(msg);
                return 0;
        }
        /* A listener cancelled while an opener was accepting on it: the connection has no forward. */
        log_debug("forward request %u is gone; closing what the monitor sent for it", p->id);
        safe_close(fd);
        return 0;
}

int forward_listening_also(Worker *w, const IpcForwardListeningAlso *p, int fd) {
        for (Listener *l = w->listeners; l; l = l->next) {
                if (!l->pending || l->queued || l->unix_socket || l->id != p->id)
                        continue;
                if (l->fd_also >= 0) {
                        safe_close(fd);
                        return -EPROTO;         /* one second listener per request */
                }
                l->fd_also = fd;
                (void) fd_set_nonblock(fd, true);
                return 0;               /* FORWARD_READY follows with the first */
        }
        log_debug("forward request %u is gone; closing its second listener", p->id);
        safe_close(fd);
        return 0;
}

int forward_failed(Worker *w, const IpcForwardFailed *p) {
        answered(w);
        for (Forward *f = w->forwards; f; f = f->next)
                if (f->open_msg && !f->queued && f->id == p->id) {
                        /* The monitor's words, as OpenSSH's sshd's (monitor/handle-forward.c). */
                        log_debug("%s %u refused: %s%s",
                                  f->unix_socket ? "direct-streamlocal" : "direct-tcpip", p->id,
                                  p->prohibited ? "administratively prohibited: " : "", p->reason ?: "");
                        channel_open_refuse(TAKE_PTR(f->open_msg), p->prohibited ?
                                            SSH_OPEN_ADMINISTRATIVELY_PROHIBITED : SSH_OPEN_CONNECT_FAILED,
                                            isempty(p->reason) ? CHANNEL_OPEN_FAILED : p->reason);
                        forward_destroy(w, f, true);
                        return 0;
                }
        for (Listener *l = w->listeners; l; l = l->next) {
                if (l->accepting && l->id == p->id) {
                        l->accepting = false;   /* the connection went away before the opener took it */
                        return 0;
                }
                if (l->pending && !l->queued && l->id == p->id) {
                        log_debug("tcpip-forward %s port %u refused: %s", l->address, l->port,
                                  p->reason ?: "");
                        listener_destroy(w, l);
                        return 0;
                }
        }
        return 0;       /* a cancelled listener's accept (see forward_ready) */
}

/* ---- connections to a listener: forwarded-tcpip channels ----------------------------------------- */

void forward_accept(Worker *w, Listener *l, int fd) {
        if (l->fd < 0 || (fd != l->fd && fd != l->fd_also) || l->pending || l->accepting ||
            w->n_forwards >= FORWARD_MAX_CHANNELS || w->forward_in_flight >= FORWARD_MAX_PENDING)
                return;
        /* The worker never accepts itself: the accepted socket would be the sandbox user's. */
        IpcPayload p = {};
        p.FORWARD_ACCEPT.id = l->id;
        if (monitor_client_send_fds(w, IPC_FORWARD_ACCEPT, &p, &fd, 1) < 0) {
                w->done = true;         /* EMSGSIZE cannot be: the message is a number */
                w->exit_code = 1;
                return;
        }
        l->accepting = true;
        w->forward_in_flight++;
}

static void accepted(Worker *w, Listener *l, int fd) {
        struct sockaddr_storage ss = {};
        socklen_t len = sizeof ss;
        char ip[INET6_ADDRSTRLEN] = "";
        uint16_t port = 0;
        if (getpeername(fd, (struct sockaddr *) &ss, &len) < 0)
                ss.ss_family = AF_UNSPEC;
        if (ss.ss_family == AF_INET) {
                struct sockaddr_in *in = (struct sockaddr_in *) &ss;
                inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
                port = ntohs(in->sin_port);
        } else if (ss.ss_family == AF_INET6) {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ss;
                if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
                        inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], ip, sizeof ip);
                else
                        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
                port = ntohs(in6->sin6_port);
        }
        Forward *f = w->n_forwards < FORWARD_MAX_CHANNELS ? forward_new(w) : NULL;
        if (!f) {
                safe_close(fd);
                return;
        }
        f->fd = fd;
        f->idle.type = l->unix_socket ? "forwarded-streamlocal@openssh.com" : "forwarded-tcpip";
        (void) fd_set_nonblock(fd, true);
        f->ch = ssh_channel_new(w->session);
        f->rf_host = strdup(l->address);
        snprintf(f->rf_orig, sizeof f->rf_orig, "%s", ip);
        f->rf_port = l->bound_port;
        f->rf_orig_port = port;
        f->unix_socket = l->unix_socket;
        if (!f->ch || !f->rf_host) {
                forward_destroy(w, f, true);
                return;
        }
        forward_set_callbacks(f);
        f->opening = true;
        log_debug("connection from %s port %u to forward %s port %u", ip, port, l->address, l->bound_port);
}

/* ---- end of life ---------------------------------------------------------------------------------- */

void forward_collect(Worker *w) {
        Forward *next;
        for (Forward *f = w->forwards; f; f = next) {
                next = f->next;
                if (f->dead) {
                        forward_destroy(w, f, true);
                        continue;
                }
                if (f->drained)
                        forward_destroy(w, f, true);    /* both CLOSEs went, the socket is written out */
        }
}

void forward_abandon_all(Worker *w) {
        while (w->forwards) {
                Forward *f = w->forwards;
                if (f->open_msg) {
                        ssh_message_free(f->open_msg);
                        f->open_msg = NULL;
                }
                forward_destroy(w, f, false);   /* libssh frees the channels with the session */
        }
        while (w->listeners) {
                Listener *l = w->listeners;
                if (l->pending) {
                        ssh_message_free(l->pending);
                        l->pending = NULL;
                }
                listener_destroy(w, l);
        }
}
