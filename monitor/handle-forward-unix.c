/* See handle-forward-unix.h. */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "monitor/authorized-keys.h"
#include "monitor/handle-forward.h"
#include "monitor/handle-forward-unix.h"
#include "monitor/sanitizer-hooks.h"
#include "monitor/unix-socket.h"

bool forward_unix_policy(const Monitor *m, ForwardDirections d) {
        const Config *c = m->config;
        return !c->disable_forwarding && (c->allow_streamlocal_forwarding & d) == d &&
               !(m->key_flags & AUTHKEY_NO_PORT_FORWARDING);
}

int handle_forward_connect_unix(Monitor *m, const IpcForwardConnectUnix *p) {
        /* The worker checks these too: anything else is a worker out of line. */
        if (!m->user || isempty(p->path) || p->originator_port > 65535)
                return -EPROTO;
        if (!forward_unix_policy(m, FORWARD_DIRECTION_LOCAL)) {
                /* OpenSSH's words (serverloop.c); originator and port are the reserved fields. */
                log_info("refused streamlocal port forward: originator %s port %u, target %s", p->originator,
                         p->originator_port, p->path);
                /* The description the client shows (handle-forward.c, forward_reply_failed()). */
                return forward_reply_failed(m, p->id, true, "open failed");
        }
        ForwardTarget t = { .unix_socket = true, .accept_fd = -EBADF };
        snprintf(t.host, sizeof t.host, "%s", p->path);
        log_debug("monitor: direct-streamlocal to \"%s\"", p->path);
        return forward_start(m, &t, p->id);
}

static unsigned listens_in_flight(const Monitor *m) {
        unsigned n = 0;
        for (unsigned i = 0; i < m->forward_openers.n; i++)
                n += m->forward_openers.o[i].unix_socket && m->forward_openers.o[i].listen;
        return n;
}

int handle_forward_listen_unix(Monitor *m, const IpcForwardListenUnix *p) {
        if (!m->user || isempty(p->path))
                return -EPROTO;
        if (!forward_unix_policy(m, FORWARD_DIRECTION_REMOTE)) {
                /* OpenSSH only tells the client ("Server has disabled port forwarding."); we log it too,
                 * worded like the TCP refusal. */
                log_info("refused streamlocal remote forward: listen path %s", p->path);
                return forward_reply_failed(m, p->id, true, "Server has disabled port forwarding.");
        }
        if (m->forward_unix.n + listens_in_flight(m) >= FORWARD_MAX_LISTENERS) {
                log_info("refused streamlocal remote forward: listen path %s: %u forwards already",
                         p->path, FORWARD_MAX_LISTENERS);
                return forward_reply_failed(m, p->id, false, "too many forwards");
        }
        ForwardTarget t = { .listen = true, .unix_socket = true, .accept_fd = -EBADF,
                            .bind_mask = m->config->streamlocal_bind_mask,
                            .bind_unlink = m->config->streamlocal_bind_unlink };
        snprintf(t.host, sizeof t.host, "%s", p->path);
        log_debug("monitor: streamlocal-forward listen \"%s\"", p->path);
        return forward_start(m, &t, p->id);
}

int forward_unix_opened(Monitor *m, const ForwardOpened *o, int fd) {
        if (fd < 0 && !o->listen) {
                log_info("connect_to path %s: %s", o->path, strerror(-fd));
                return fd;
        }
        if (fd < 0) {
                /* OpenSSH's unix_listener() says "cannot bind to path"; the two refusals of our
                 * StreamLocalBindUnlink say why the file stays. */
                if (fd == -ENOTSOCK)
                        log_info("unix_listener: cannot bind to path %s: it exists and is not a socket; "
                                 "StreamLocalBindUnlink removes only a stale socket, so it is kept", o->path);
                else if (fd == -EADDRINUSE && m->config->streamlocal_bind_unlink)
                        log_info("unix_listener: cannot bind to path %s: a socket there accepts "
                                 "connections; StreamLocalBindUnlink removes only a stale socket, so it is "
                                 "kept", o->path);
                else
                        log_info("unix_listener: cannot bind to path %s: %s", o->path, strerror(-fd));
                return fd;
        }
        if (!o->listen)
                return fd;
        UnixSocketFiles *s = &m->forward_unix;
        char *path = s->n < ELEMENTSOF(s->f) ? strdup(o->path) : NULL;
        if (!path) {
                /* Cannot happen (handle_forward_listen_unix counts), but the file must not outlive us. */
                UnixSocketFile f = { .path = (char *) o->path, .dev = o->dev, .ino = o->ino };
                safe_close(fd);
                forward_unix_remove(m, &f, 1);
                return -ENOMEM;
        }
        s->f[s->n++] = (UnixSocketFile) { .path = path, .dev = o->dev, .ino = o->ino };
        log_debug("monitor: listening on unix socket \"%s\"", path);
        return fd;
}

/* The remover: the user's, with nothing of the monitor's (descriptors) left. */
_noreturn_ static void remover(const UserCreds *u, const UnixSocketFile *f, unsigned n) {
        if (close_all_fds_except(NULL, 0) < 0 || user_creds_become(u) < 0)
                _exit(2);
        int bad = 0;
        for (unsigned i = 0; i < n; i++)
                if (unix_socket_remove(f[i].path, f[i].dev, f[i].ino) < 0)
                        bad = 1;
        _exit(bad);
}

void forward_unix_remove(Monitor *m, const UnixSocketFile *f, unsigned n) {
        if (n == 0 || !m->user)
                return;
        pid_t pid = fork();
        if (pid < 0) {
                log_error("monitor: cannot remove forwarded socket files: fork: %s", strerror(errno));
                return;
        }
        if (pid == 0) {
                sanitizer_child_no_leak_check();
                remover(m->user, f, n);
        }
        /* Our own child, and a short one; a user's path on a hung file system must not hold the
         * connection's end for long, though: killed after FORWARD_UNIX_UNLINK_USEC. */
        uint64_t until = now_usec() + FORWARD_UNIX_UNLINK_USEC;
        int status = 0;
        pid_t r;
        while ((r = waitpid(pid, &status, WNOHANG)) == 0 && now_usec() < until)
                (void) poll(NULL, 0, 5);
        if (r == 0) {
                (void) kill(pid, SIGKILL);
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
                log_info("monitor: removing forwarded socket files timed out (%s ...)", f[0].path);
                return;
        }
        if (r > 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
                log_info("monitor: some forwarded socket files were not removed (%s ...): replaced or "
                         "not removable", f[0].path);
}

int handle_forward_cancel_unix(Monitor *m, const IpcForwardCancelUnix *p) {
        if (!m->user || isempty(p->path))
                return -EPROTO;
        UnixSocketFiles *s = &m->forward_unix;
        for (unsigned i = 0; i < s->n; i++) {
                if (!streq(s->f[i].path, p->path))
                        continue;
                log_debug("monitor: cancel-streamlocal-forward \"%s\"", p->path);
                forward_unix_remove(m, &s->f[i], 1);
                free(s->f[i].path);
                s->f[i] = s->f[--s->n];
                return 0;
        }
        return 0;       /* a listener that never bound: nothing to remove */
}

void forward_unix_teardown(Monitor *m) {
        UnixSocketFiles *s = &m->forward_unix;
        forward_unix_remove(m, s->f, s->n);
        for (unsigned i = 0; i < s->n; i++)
                free(s->f[i].path);
        s->n = 0;
}
