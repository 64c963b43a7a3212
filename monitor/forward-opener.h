#pragma once
/*
 * Forward openers: the short-lived children that create forwarding sockets with the user's
 * credentials (doc/ARCHITECTURE.md, "Forwarding"). Each one is forked by the monitor, drops every
 * descriptor but its end of a socketpair, becomes the user (groups, gid, uid), connects to host:port
 * (a direct-tcpip channel) or binds and listens (a tcpip-forward request), and sends the socket back
 * over the socketpair. The monitor never waits for one: it polls the socketpair with the others, and
 * an opener still there after FORWARD_OPENER_USEC (a slow DNS server, a host that drops SYNs) is
 * killed and its request fails. Blocking connect() and getaddrinfo() are therefore fine in the child.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/limits.h"
#include "monitor/user-creds.h"

typedef enum ForwardBind {
        FORWARD_BIND_LOOPBACK,          /* 127.0.0.1 and ::1, as family allows (two sockets, one port) */
        FORWARD_BIND_WILDCARD,          /* [::] accepting IPv4 too, or 0.0.0.0 without IPv6 */
        FORWARD_BIND_ADDRESS,           /* the address (or name) in host */
} ForwardBind;

typedef struct ForwardTarget {
        bool listen;
        bool unix_socket;               /* host is a socket path (monitor/unix-socket.h) */
        unsigned bind_mask;             /* unix listen: the umask (StreamLocalBindMask) */
        bool bind_unlink;               /* unix listen: remove a stale socket (StreamLocalBindUnlink) */
        int accept_fd;                  /* >= 0: accept a connection on this listener instead */
        ForwardBind bind;               /* listen only */
        int family;                     /* TCP listen: AddressFamily (AF_UNSPEC: both families) */
        char host[FORWARD_MAX_HOST + 1];/* connect: where to; listen: the address for FORWARD_BIND_ADDRESS */
        uint16_t port;                  /* listen: 0 = any free port */
} ForwardTarget;

typedef struct ForwardOpener {
        pid_t pid;
        int fd;                         /* the monitor's end of the socketpair */
        uint64_t deadline_usec;
        uint32_t id;                    /* the worker's request id */
        bool listen;
        bool accept;
        bool unix_socket;
        char path[FORWARD_MAX_UNIX_PATH + 1]; /* unix_socket: the socket path */
        char host[FORWARD_MAX_HOST + 1];/* TCP connect: where to (for the log) */
        uint16_t port;                  /* TCP connect: the port */
} ForwardOpener;

/* What forward_opener_collect() says about the request it answers. */
typedef struct ForwardOpened {
        uint32_t id;
        bool listen;
        bool unix_socket;
        uint16_t port;                  /* TCP listen: the bound port */
        int fd_also;                    /* TCP listen on both loopbacks: the second family's socket, or
                                         * -EBADF (owned by the caller, like the returned socket) */
        uint64_t dev, ino;              /* unix listen: the socket file bound (for its removal) */
        char path[FORWARD_MAX_UNIX_PATH + 1];
        char host[FORWARD_MAX_HOST + 1];/* TCP connect: the host and port it connected to */
        uint16_t connect_port;
        int gai_error;                  /* TCP connect, -ENOENT: the name did not resolve (EAI_*) */
} ForwardOpened;

typedef struct ForwardOpeners {
        ForwardOpener o[FORWARD_MAX_PENDING];
        unsigned n;
} ForwardOpeners;

/* Fork an opener for `t` as user `u`. -EBUSY when FORWARD_MAX_PENDING are in flight. */
int forward_opener_start(ForwardOpeners *s, const UserCreds *u, const ForwardTarget *t, uint32_t id,
                         uint64_t now_usec);

/*
 * Collect the answer of opener i (its socketpair is readable): the opener is killed, reaped and
 * forgotten. Returns the socket (a SOCK_STREAM socket, CLOEXEC) with ret->port its local port (and
 * ret->fd_also the second loopback listener on the same port, if there is one), or a
 * negative errno: the opener's failure (-ECONNREFUSED, -EADDRINUSE, -ENOENT for a name that does
 * not resolve, with getaddrinfo()'s error in ret->gai_error, ...), or -EPROTO when it died without
 * an answer. *ret says which request it was.
 */
int forward_opener_collect(ForwardOpeners *s, unsigned i, ForwardOpened *ret);

/* Kill and reap opener i (deadline passed, or teardown). */
void forward_opener_stop(ForwardOpeners *s, unsigned i);
void forward_openers_stop_all(ForwardOpeners *s);
int forward_openers_timeout_ms(const ForwardOpeners *s, uint64_t now_usec);  /* -1: none */
