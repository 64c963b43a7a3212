/* See handle-forward.h. */

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "monitor/forward-policy.h"
#include "monitor/handle-forward-unix.h"
#include "monitor/handle-forward.h"

/*
 * The worker answers a refused channel open with SSH_OPEN_ADMINISTRATIVELY_PROHIBITED when prohibited,
 * else SSH_OPEN_CONNECT_FAILED, and `reason` as the description the client shows ("channel 2: open
 * failed: connect failed: Connection refused"), so reason is OpenSSH's sshd's for the same case
 * (channels.c, serverloop.c): strerror() of the failed connect, gai_strerror() of a name that did not
 * resolve, and "open failed" where it has nothing more to say (a refusal by policy). Our log lines are
 * written here, from what the monitor knows, never from what the worker says.
 */
int forward_reply_failed(Monitor *m, uint32_t id, bool prohibited, const char *reason) {
        IpcPayload r = {};
        r.FORWARD_FAILED.id = id;
        r.FORWARD_FAILED.prohibited = prohibited;
        r.FORWARD_FAILED.reason = (char *) reason;
        (void) monitor_send(m, IPC_FORWARD_FAILED, &r, NULL, 0);
        return 0;
}

int forward_start(Monitor *m, const ForwardTarget *t, uint32_t id) {
        int r = forward_opener_start(&m->forward_openers, m->user, t, id, now_usec());
        if (r < 0) {
                if (t->unix_socket)
                        log_info("monitor: cannot %s unix socket \"%s\" now: %s",
                                 t->listen ? "bind" : "connect to", t->host, strerror(-r));
                else
                        log_info("monitor: cannot %s for %s port %u now: %s", t->listen ? "listen" : "connect",
                                 t->host, t->port, strerror(-r));
                return forward_reply_failed(m, id, false,
                                            r == -EBUSY ? "too many requests at once" : strerror(-r));
        }
        return 0;
}

int handle_forward_connect(Monitor *m, const IpcForwardConnect *p) {
        /* The worker checks these too: anything else is a worker out of line. */
        if (!m->user || p->port == 0 || p->port > 65535 || p->originator_port > 65535 || isempty(p->host))
                return -EPROTO;
        if (!forward_policy_direction(m->config, m->key_flags, FORWARD_DIRECTION_LOCAL)) {
                log_info("refused local port forward: originator %s port %u, target %s port %u",
                         p->originator, p->originator_port, p->host, p->port);
                return forward_reply_failed(m, p->id, true, "open failed");
        }
        if (!forward_policy_open_permitted(&m->config->permit_open, p->host, (uint16_t) p->port) ||
            !forward_policy_key_open_permitted(m->key_permit_open, p->host, (uint16_t) p->port)) {
                log_info("Received request from %.100s port %u to connect to host %.100s port %u, but the "
                         "request was denied.", m->peer_address, m->peer_port, p->host, p->port);
                return forward_reply_failed(m, p->id, true, "open failed");
        }
        ForwardTarget t = { .listen = false, .accept_fd = -EBADF, .port = (uint16_t) p->port };
        snprintf(t.host, sizeof t.host, "%s", p->host);
        log_debug("monitor: direct-tcpip from %s port %u to %s port %u", p->originator, p->originator_port,
                  p->host, p->port);
        return forward_start(m, &t, p->id);
}

int handle_forward_listen(Monitor *m, const IpcForwardListen *p) {
        if (!m->user || p->port > 65535)
                return -EPROTO;
        uint16_t port = (uint16_t) p->port;
        if (!forward_policy_direction(m->config, m->key_flags, FORWARD_DIRECTION_REMOTE) ||
            (port != 0 && port < IPPORT_RESERVED && m->user->uid != 0)) {
                /* OpenSSH says this to the client only ("Server has disabled port forwarding."). */
                log_info("refused remote port forward: listen %s port %u", p->address, port);
                return forward_reply_failed(m, p->id, true, "Server has disabled port forwarding.");
        }
        if (!forward_policy_listen_permitted(&m->config->permit_listen, p->address, port) ||
            !forward_policy_key_listen_permitted(m->key_permit_listen, p->address, port)) {
                log_info("Received request from %.100s port %u to remote forward to host %.100s port %u, but "
                         "the request was denied.", m->peer_address, m->peer_port, p->address, port);
                return forward_reply_failed(m, p->id, true, "port forwarding refused");
        }
        ForwardTarget t = { .listen = true, .accept_fd = -EBADF, .port = port };
        forward_policy_bind_address(m->config->gateway_ports, p->address, &t);
        t.family = m->config->address_family;
        log_debug("monitor: tcpip-forward listen \"%s\" port %u (bind %d \"%s\")", p->address, port,
                  (int) t.bind, t.host);
        return forward_start(m, &t, p->id);
}

int handle_forward_accept(Monitor *m, const IpcForwardAccept *p, int fd) {
        _cleanup_close_ int listener = fd;
        int accepting = 0, type = 0;
        socklen_t l1 = sizeof accepting, l2 = sizeof type;
        struct sockaddr_storage ss = {};
        socklen_t sl = sizeof ss;
        /* Only a listening TCP socket (the ones the openers made): never the client's connection, nor
         * anything else the worker might hand over. */
        if (!m->user || getsockopt(listener, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &l1) < 0 || !accepting ||
            getsockopt(listener, SOL_SOCKET, SO_TYPE, &type, &l2) < 0 || type != SOCK_STREAM ||
            getsockname(listener, (struct sockaddr *) &ss, &sl) < 0 ||
            (ss.ss_family != AF_INET && ss.ss_family != AF_INET6 && ss.ss_family != AF_UNIX))
                return -EPROTO;
        /* The policy that allowed the listener still holds: the direction is checked again all the same. */
        bool allowed = ss.ss_family == AF_UNIX ? forward_unix_policy(m, FORWARD_DIRECTION_REMOTE) :
                       forward_policy_direction(m->config, m->key_flags, FORWARD_DIRECTION_REMOTE);
        if (!allowed)
                return forward_reply_failed(m, p->id, true, "Server has disabled port forwarding.");
        ForwardTarget t = { .listen = false, .accept_fd = listener };
        snprintf(t.host, sizeof t.host, "accept");
        return forward_start(m, &t, p->id);
}

size_t forward_poll_fill(Monitor *m, struct pollfd *p) {
        ForwardOpeners *s = &m->forward_openers;
        for (unsigned i = 0; i < s->n; i++)
                p[i] = (struct pollfd) { .fd = s->o[i].fd, .events = POLLIN };
        return s->n;
}

static void collect(Monitor *m, unsigned i) {
        ForwardOpened o;
        int fd = forward_opener_collect(&m->forward_openers, i, &o);
        if (o.unix_socket)
                fd = forward_unix_opened(m, &o, fd);    /* logs, and records a listener's socket file */
        if (fd < 0 && o.gai_error != 0) {
                /* OpenSSH's connect_to_helper() words it so. */
                log_error("connect_to %.100s: unknown host (%s)", o.host, gai_strerror(o.gai_error));
                (void) forward_reply_failed(m, o.id, false, gai_strerror(o.gai_error));
                return;
        }
        if (fd < 0) {
                if (!o.unix_socket && !o.listen && o.host[0]) {
                        /* OpenSSH's channel_post_connecting(): the reason at debug level, then this. */
                        log_debug("monitor: connect for request %u to %s port %u: %s", o.id, o.host,
                                  o.connect_port, strerror(-fd));
                        log_error("connect_to %.100s port %u: failed.", o.host, o.connect_port);
                } else if (!o.unix_socket)
                        log_info("monitor: %s for request %u failed: %s", o.listen ? "listen" : "connect",
                                 o.id, strerror(-fd));
                (void) forward_reply_failed(m, o.id, false, strerror(-fd));
                return;
        }
        if (o.fd_also >= 0) {
                /* The second loopback listener first, so that the worker has both when it answers. */
                IpcPayload a = {};
                a.FORWARD_LISTENING_ALSO.id = o.id;
                (void) monitor_send(m, IPC_FORWARD_LISTENING_ALSO, &a, &o.fd_also, 1);
                safe_close(o.fd_also);
        }
        IpcPayload r = {};
        r.FORWARD_READY.id = o.id;
        r.FORWARD_READY.port = o.listen && !o.unix_socket ? o.port : 0;
        (void) monitor_send(m, IPC_FORWARD_READY, &r, &fd, 1);
        safe_close(fd);         /* the worker holds the only copy */
}

void forward_poll_handle(Monitor *m, const struct pollfd *p, size_t n) {
        ForwardOpeners *s = &m->forward_openers;
        for (size_t k = 0; k < n; k++) {
                if (!p[k].revents)
                        continue;
                for (unsigned i = 0; i < s->n; i++)
                        if (s->o[i].fd == p[k].fd) {
                                collect(m, i);
                                break;
                        }
        }
}

void forward_expire(Monitor *m, uint64_t now) {
        ForwardOpeners *s = &m->forward_openers;
        for (unsigned i = 0; i < s->n;) {
                if (now < s->o[i].deadline_usec) {
                        i++;
                        continue;
                }
                uint32_t id = s->o[i].id;
                log_info("monitor: forwarding request %u timed out", id);
                forward_opener_stop(s, i);
                (void) forward_reply_failed(m, id, false, strerror(ETIMEDOUT));
        }
}
