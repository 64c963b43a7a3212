/* See forward-opener.h. */

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/ipc-socket.h"
#include "common/macro.h"
#include "monitor/forward-opener.h"
#include "monitor/sanitizer-hooks.h"
#include "monitor/unix-socket.h"

/* What an opener sends back: its result (0 or an errno) and the local port, with the socket attached
 * on success. */
typedef struct OpenerAnswer {
        int32_t error;
        int32_t gai_error;              /* a name that did not resolve: getaddrinfo()'s EAI_* (error 0) */
        uint32_t port;
        uint64_t dev, ino;              /* a unix listener's socket file */
} OpenerAnswer;

/* *ret_gai: getaddrinfo()'s error when the name did not resolve (the result is then -ENOENT). */
static int connect_to(const ForwardTarget *t, int *ret_gai) {
        char port[8];
        snprintf(port, sizeof port, "%u", t->port);
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV }, *res = NULL;
        int g = getaddrinfo(t->host, port, &hints, &res);
        if (g == EAI_SYSTEM)
                return -errno;
        if (g != 0) {
                *ret_gai = g;
                return -ENOENT;
        }
        int r = -ECONNREFUSED;
        for (struct addrinfo *a = res; a; a = a->ai_next) {
                int fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                        r = negative_errno();
                        continue;
                }
                if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
                        r = fd;
                        break;
                }
                r = negative_errno();
                safe_close(fd);
        }
        freeaddrinfo(res);
        return r;
}

/* v6only: an IPv6 socket that does not take IPv4 as well (AddressFamily inet6 on the wildcard). */
static int bind_listen(int family, const struct sockaddr *sa, socklen_t len, bool v6only) {
        int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        int one = 1, v6 = v6only;
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (family == AF_INET6)
                (void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof v6);
        if (bind(fd, sa, len) < 0 || listen(fd, SOMAXCONN) < 0) {
                int r = negative_errno();
                safe_close(fd);
                return r;
        }
        return fd;
}

static uint16_t local_port(int fd);

/*
 * GatewayPorts no (and clientspecified with "localhost"): the loopback address of each family that
 * AddressFamily allows, as OpenSSH's getaddrinfo(NULL, ...) loop does: IPv4 first, then IPv6 on the
 * port IPv4 got (port 0: the allocated one). As in OpenSSH, a family that cannot bind (no IPv6 here,
 * the port taken in one family only) is skipped; only none at all is a failure.
 */
static int listen_loopback(const ForwardTarget *t, int *ret_also) {
        int fds[2] = { -EBADF, -EBADF }, n = 0, r = -EADDRNOTAVAIL;
        uint16_t port = t->port;
        if (t->family != AF_INET6) {
                struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port),
                                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                r = bind_listen(AF_INET, (struct sockaddr *) &in, sizeof in, false);
                if (r >= 0) {
                        fds[n++] = r;
                        port = local_port(r);
                }
        }
        if (t->family != AF_INET) {
                struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(port),
                                            .sin6_addr = IN6ADDR_LOOPBACK_INIT };
                int fd = bind_listen(AF_INET6, (struct sockaddr *) &in6, sizeof in6, false);
                if (fd >= 0)
                        fds[n++] = fd;
                else if (n == 0)
                        r = fd;
        }
        *ret_also = n == 2 ? fds[1] : -EBADF;
        return n > 0 ? fds[0] : r;
}

static int listen_on(const ForwardTarget *t, int *ret_also) {
        *ret_also = -EBADF;
        if (t->bind == FORWARD_BIND_LOOPBACK)
                return listen_loopback(t, ret_also);
        /* The wildcard: [::] taking IPv4 too, or, as AddressFamily says, 0.0.0.0 or [::] alone. */
        if (t->bind == FORWARD_BIND_WILDCARD) {
                struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(t->port),
                                            .sin6_addr = IN6ADDR_ANY_INIT };
                if (t->family != AF_INET) {
                        int fd = bind_listen(AF_INET6, (struct sockaddr *) &in6, sizeof in6,
                                             t->family == AF_INET6);
                        if (t->family == AF_INET6 || (fd != -EAFNOSUPPORT && fd != -EADDRNOTAVAIL))
                                return fd;
                }
                struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(t->port),
                                          .sin_addr.s_addr = htonl(INADDR_ANY) };
                return bind_listen(AF_INET, (struct sockaddr *) &in, sizeof in, false);
        }
        char port[8];
        snprintf(port, sizeof port, "%u", t->port);
        struct addrinfo hints = { .ai_family = t->family, .ai_socktype = SOCK_STREAM,
                                  .ai_flags = AI_NUMERICSERV | AI_PASSIVE }, *res = NULL;
        int g = getaddrinfo(t->host, port, &hints, &res);
        if (g != 0)
                return g == EAI_SYSTEM ? -errno : -EADDRNOTAVAIL;
        int r = -EADDRNOTAVAIL;
        for (struct addrinfo *a = res; a; a = a->ai_next) {
                r = bind_listen(a->ai_family, a->ai_addr, a->ai_addrlen, false);
                if (r >= 0)
                        break;
        }
        freeaddrinfo(res);
        return r;
}

static uint16_t local_port(int fd) {
        struct sockaddr_storage ss = {};
        socklen_t len = sizeof ss;
        if (getsockname(fd, (struct sockaddr *) &ss, &len) < 0)
                return 0;
        if (ss.ss_family == AF_INET)
                return ntohs(((struct sockaddr_in *) &ss)->sin_port);
        if (ss.ss_family == AF_INET6)
                return ntohs(((struct sockaddr_in6 *) &ss)->sin6_port);
        return 0;
}

static void answer(int chan, int error, int gai_error, int fd, int fd_also, uint16_t port, uint64_t dev,
                   uint64_t ino) {
        OpenerAnswer a = { .error = error, .gai_error = gai_error, .port = port, .dev = dev, .ino = ino };
        int fds[2] = { fd, fd_also };
        (void) ipc_send_datagram(chan, &a, sizeof a, fds, fd < 0 ? 0 : fd_also < 0 ? 1 : 2, 0);
}

/* The child: nothing of root's survives user_creds_become(); getaddrinfo() runs as the user. */
/* The listener is non-blocking (the worker set it so): nothing waiting is EAGAIN, not a hang. */
static int accept_on(int listener) {
        int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

_noreturn_ static void opener(const UserCreds *u, const ForwardTarget *t, int chan) {
        int keep[2] = { chan, t->accept_fd };
        if (close_all_fds_except(keep, t->accept_fd >= 0 ? 2 : 1) < 0)
                _exit(2);
        (void) signal(SIGPIPE, SIG_IGN);
        if (user_creds_become(u) < 0) {
                answer(chan, EPERM, 0, -EBADF, -EBADF, 0, 0, 0);
                _exit(2);
        }
        uint64_t dev = 0, ino = 0;
        int gai = 0;
        int also = -EBADF;
        int fd = t->accept_fd >= 0 ? accept_on(t->accept_fd) :
                 t->unix_socket ? (t->listen ? unix_socket_listen(t->host, t->bind_mask, t->bind_unlink,
                                                                  &dev, &ino)
                                             : unix_socket_connect(t->host)) :
                 t->listen ? listen_on(t, &also) : connect_to(t, &gai);
        if (fd < 0)
                answer(chan, -fd, gai, -EBADF, -EBADF, 0, 0, 0);
        else
                answer(chan, 0, 0, fd, also, local_port(fd), dev, ino);
        _exit(0);
}

int forward_opener_start(ForwardOpeners *s, const UserCreds *u, const ForwardTarget *t, uint32_t id,
                         uint64_t now_usec) {
        if (!u || !t)
                return -EINVAL;
        if (s->n >= FORWARD_MAX_PENDING)
                return -EBUSY;
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return negative_errno();
        pid_t pid = fork();
        if (pid < 0) {
                int r = negative_errno();
                safe_close(sp[0]);
                safe_close(sp[1]);
                return r;
        }
        if (pid == 0) {
                sanitizer_child_no_leak_check();
                opener(u, t, sp[1]);
        }
        safe_close(sp[1]);
        (void) fd_set_nonblock(sp[0], true);
        s->o[s->n++] = (ForwardOpener) {
                .pid = pid,
                .fd = sp[0],
                .deadline_usec = now_usec + FORWARD_OPENER_USEC,
                .id = id,
                .listen = t->listen,
                .accept = t->accept_fd >= 0,
                .unix_socket = t->unix_socket && t->accept_fd < 0,
                .port = t->listen ? 0 : t->port,
        };
        if (!t->listen && !t->unix_socket && t->accept_fd < 0)
                snprintf(s->o[s->n - 1].host, sizeof s->o[s->n - 1].host, "%s", t->host);
        if (s->o[s->n - 1].unix_socket) {
                /* The handlers bound paths to FORWARD_MAX_UNIX_PATH (the IPC decoder does). */
                size_t n = strnlen(t->host, FORWARD_MAX_UNIX_PATH);
                memcpy(s->o[s->n - 1].path, t->host, n);
                s->o[s->n - 1].path[n] = '\0';
        }
        return 0;
}

void forward_opener_stop(ForwardOpeners *s, unsigned i) {
        ForwardOpener *o = &s->o[i];
        (void) kill(o->pid, SIGKILL);
        /* Our own child, killed: it is gone at once (even inside a connect() or a DNS query). */
        while (waitpid(o->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        safe_close(o->fd);
        s->o[i] = s->o[--s->n];
}

/* Ours, but checked all the same: a stream socket and nothing else goes to the worker. */
static bool is_stream_socket(int fd) {
        struct stat st;
        int type = 0;
        socklen_t tl = sizeof type;
        return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
               getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM;
}

int forward_opener_collect(ForwardOpeners *s, unsigned i, ForwardOpened *ret) {
        ForwardOpener *o = &s->o[i];
        OpenerAnswer a = {};
        int fds[2];
        size_t n_fds = 0;
        /* Two descriptors only from a TCP listener on both loopbacks (listen_loopback()). */
        int n = ipc_receive_datagram_fds(o->fd, &a, sizeof a, fds, 2, &n_fds);
        int fd = fds[0];
        _cleanup_close_ int also = fds[1];
        *ret = (ForwardOpened) { .id = o->id, .listen = o->listen, .unix_socket = o->unix_socket,
                                 .port = (uint16_t) a.port, .dev = a.dev, .ino = a.ino,
                                 .connect_port = o->port, .fd_also = -EBADF };
        snprintf(ret->path, sizeof ret->path, "%s", o->path);
        snprintf(ret->host, sizeof ret->host, "%s", o->host);
        forward_opener_stop(s, i);

        int r;
        if (n < 0)
                r = -EPROTO;
        else if (a.error != 0) {
                r = a.error > 0 && a.error < 4096 ? -a.error : -EPROTO;
                /* Only with the one error that goes with it (EAI_* codes are negative). */
                if (r == -ENOENT && !o->unix_socket && !o->listen && !o->accept && a.gai_error < 0)
                        ret->gai_error = a.gai_error;
        } else
                r = fd >= 0 ? 0 : -EPROTO;
        if (r == 0 && (!is_stream_socket(fd) || (also >= 0 && (!ret->listen || ret->unix_socket ||
                                                                 !is_stream_socket(also)))))
                r = -EPROTO;
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        ret->fd_also = TAKE_FD(also);
        return fd;
}

void forward_openers_stop_all(ForwardOpeners *s) {
        while (s->n > 0)
                forward_opener_stop(s, 0);
}

int forward_openers_timeout_ms(const ForwardOpeners *s, uint64_t now_usec) {
        int best = -1;
        for (unsigned i = 0; i < s->n; i++) {
                uint64_t left = s->o[i].deadline_usec > now_usec ? s->o[i].deadline_usec - now_usec : 0;
                int ms = (int) ((left + 999) / 1000);
                if (best < 0 || ms < best)
                        best = ms;
        }
        return best;
}
