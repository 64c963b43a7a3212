/* See forward-agent.h. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/ipc-socket.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "monitor/authorized-keys.h"
#include "monitor/forward-agent.h"
#include "monitor/monitor.h"
#include "monitor/sanitizer-hooks.h"

/* OpenSSH's sshd (up to 10.0) puts the socket in a fresh directory of this form. */
#define AGENT_DIR_TEMPLATE "/tmp/ssh-XXXXXXXXXX"

/* What a helper sends back: 0 or an errno, and (setup) the socket's path; the socket is attached on
 * success. */
typedef struct HelperAnswer {
        int32_t error;
        char path[sizeof(((struct sockaddr_un *) 0)->sun_path)];
} HelperAnswer;

typedef enum HelperJob {
        HELPER_LISTEN,
        HELPER_ACCEPT,
        HELPER_REMOVE,
} HelperJob;

/* ---- the helper (a child that has become the user) ------------------------------------------------ */

static void helper_answer(int chan, int error, int fd, const char *path) {
        HelperAnswer a = { .error = error };
        if (path)
                snprintf(a.path, sizeof a.path, "%s", path);
        (void) ipc_send_datagram(chan, &a, sizeof a, &fd, fd >= 0 ? 1 : 0, 0);
}

/* mkdtemp() makes the directory 0700; the socket is 0700 too (umask 077), whatever the daemon's umask. */
static int helper_listen(pid_t monitor_pid, char *path, size_t size) {
        char dir[] = AGENT_DIR_TEMPLATE;
        if (!mkdtemp(dir))
                return negative_errno();
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int n = snprintf(sa.sun_path, sizeof sa.sun_path, "%s/agent.%ld", dir, (long) monitor_pid);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int r = fd < 0 ? negative_errno() : 0;
        if (r == 0 && (n < 0 || (size_t) n >= sizeof sa.sun_path || (size_t) n >= size))
                r = -ENAMETOOLONG;
        if (r == 0 && (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, SOMAXCONN) < 0))
                r = negative_errno();
        if (r < 0) {
                safe_close(fd);
                (void) unlink(sa.sun_path);
                (void) rmdir(dir);
                return r;
        }
        snprintf(path, size, "%s", sa.sun_path);
        return fd;
}

/* The listener is non-blocking (the worker set it so): nothing waiting is EAGAIN, not a hang. */
static int helper_accept(int listener) {
        int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

/* Remove the socket, then the directory (OpenSSH's auth_sock_cleanup_proc()); as the user, so that
 * whatever the user has put at these paths meanwhile is removed only where the user could have. */
static int helper_remove(const char *path) {
        char dir[sizeof(((struct sockaddr_un *) 0)->sun_path)];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir)
                return -EINVAL;
        *slash = '\0';
        int r = 0;
        if (unlink(path) < 0 && errno != ENOENT)
                r = negative_errno();
        if (rmdir(dir) < 0 && errno != ENOENT)
                r = r ?: negative_errno();
        return r;
}

_noreturn_ static void helper(const UserCreds *u, HelperJob job, int chan, int listener, const char *path,
                             pid_t monitor_pid) {
        int keep[2] = { chan, listener };
        if (close_all_fds_except(keep, listener >= 0 ? 2 : 1) < 0)
                _exit(2);
        (void) signal(SIGPIPE, SIG_IGN);
        umask(0077);
        if (user_creds_become(u) < 0) {
                helper_answer(chan, EPERM, -EBADF, NULL);
                _exit(2);
        }
        char made[sizeof(((HelperAnswer *) 0)->path)] = "";
        int r = job == HELPER_LISTEN ? helper_listen(monitor_pid, made, sizeof made) :
                job == HELPER_ACCEPT ? helper_accept(listener) : helper_remove(path);
        if (r < 0)
                helper_answer(chan, -r, -EBADF, NULL);
        else
                helper_answer(chan, 0, job == HELPER_REMOVE ? -EBADF : r, made);
        _exit(0);
}

static int helper_start(Monitor *m, HelperJob job, int listener) {
        AgentForward *a = &m->agent;
        if (a->helper_pid > 0)
                return -EBUSY;
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return negative_errno();
        pid_t monitor_pid = getpid();
        pid_t pid = fork();
        if (pid < 0) {
                int r = negative_errno();
                close_pair(sp);
                return r;
        }
        if (pid == 0) {
                sanitizer_child_no_leak_check();
                helper(m->user, job, sp[1], listener, a->socket_path, monitor_pid);
        }
        safe_close(sp[1]);
        (void) fd_set_nonblock(sp[0], true);
        a->helper_pid = pid;
        a->helper_fd = sp[0];
        a->helper_deadline_usec = now_usec() + AGENT_HELPER_USEC;
        a->helper_accepts = job == HELPER_ACCEPT;
        return 0;
}

static void helper_stop(AgentForward *a) {
        if (a->helper_pid <= 0)
                return;
        (void) kill(a->helper_pid, SIGKILL);
        /* Our own child, killed: it is gone at once. */
        while (waitpid(a->helper_pid, NULL, 0) < 0 && errno == EINTR)
                ;
        a->helper_pid = 0;
        a->helper_fd = safe_close(a->helper_fd);
}

/* The helper's answer: the socket (CLOEXEC; a SOCK_STREAM AF_UNIX socket, checked) or -errno, or 0 for
 * HELPER_REMOVE (want_fd false); the helper is killed, reaped and forgotten. */
static int helper_collect(AgentForward *a, HelperAnswer *ans, bool want_fd) {
        *ans = (HelperAnswer) {};
        int fd;
        int n = ipc_receive_datagram(a->helper_fd, ans, sizeof *ans, &fd);
        helper_stop(a);

        int r;
        if (n < 0)
                r = -EPROTO;
        else if (ans->error != 0)
                r = ans->error > 0 && ans->error < 4096 ? -ans->error : -EPROTO;
        else
                r = (fd >= 0) == want_fd ? 0 : -EPROTO;
        ans->path[sizeof ans->path - 1] = '\0';
        if (r == 0 && want_fd) {
                struct stat st;
                int type = 0, domain = 0;
                socklen_t tl = sizeof type, dl = sizeof domain;
                if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
                    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM ||
                    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0 || domain != AF_UNIX)
                        r = -EPROTO;
        }
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        return want_fd ? fd : 0;
}

/* ---- requests from the worker ----------------------------------------------------------------------- */

static void reply_refused(Monitor *m, uint32_t channel, const char *reason) {
        IpcPayload r = {};
        r.AGENT_REFUSED.channel = channel;
        r.AGENT_REFUSED.reason = (char *) reason;
        (void) monitor_send(m, IPC_AGENT_REFUSED, &r, NULL, 0);
}

static bool policy_allows(const Monitor *m) {
        return m->config->allow_agent_forwarding && !m->config->disable_forwarding &&
               !(m->key_flags & AUTHKEY_NO_AGENT_FORWARDING);
}

int agent_handle_request(Monitor *m, const IpcAgentRequest *p) {
        AgentForward *a = &m->agent;
        /* The gate lets one through per connection; nothing can be in place before it. */
        if (!m->user || a->granted || a->helper_pid > 0)
                return -EPROTO;
        if (!policy_allows(m)) {
                /* OpenSSH's session_auth_agent_req(), at the same level. */
                log_debug("session_auth_agent_req: agent forwarding disabled");
                reply_refused(m, p->channel, "agent forwarding disabled");
                return 0;
        }
        a->channel = p->channel;
        int r = helper_start(m, HELPER_LISTEN, -EBADF);
        if (r < 0) {
                log_error("agent forwarding: cannot start the helper: %s", strerror(-r));
                reply_refused(m, p->channel, "failed");
        }
        return 0;
}

int agent_handle_accept(Monitor *m, const IpcAgentAccept *p, int fd) {
        _cleanup_close_ int listener = fd;
        AgentForward *a = &m->agent;
        struct stat st;
        int accepting = 0;
        socklen_t al = sizeof accepting;
        /* Only the listener this connection was given, recognised by its socket inode: never the client's
         * connection, a TCP listener or anything else the worker holds. One accept at a time. */
        if (!m->user || !a->granted || a->helper_pid > 0 || fstat(listener, &st) < 0 ||
            !S_ISSOCK(st.st_mode) || st.st_dev != a->listener_dev || st.st_ino != a->listener_ino ||
            getsockopt(listener, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &al) < 0 || !accepting)
                return -EPROTO;
        a->accept_id = p->id;
        int r = helper_start(m, HELPER_ACCEPT, listener);
        if (r < 0) {
                log_info("agent forwarding: cannot accept a connection now: %s", strerror(-r));
                IpcPayload f = {};
                f.AGENT_ACCEPT_FAILED.id = p->id;
                (void) monitor_send(m, IPC_AGENT_ACCEPT_FAILED, &f, NULL, 0);
        }
        return 0;
}

/* ---- the helpers' answers ------------------------------------------------------------------------- */

static void listener_made(Monitor *m, int fd, const char *path) {
        AgentForward *a = &m->agent;
        struct stat st;
        char *copy = NULL;
        if (fstat(fd, &st) < 0 || !(copy = strdup(path)) || path[0] != '/') {
                free(copy);
                safe_close(fd);
                reply_refused(m, a->channel, "failed");
                return;
        }
        a->socket_path = copy;
        a->listener_dev = st.st_dev;
        a->listener_ino = st.st_ino;
        a->granted = true;
        log_debug("agent forwarding: listening on %s for %s", a->socket_path, m->user->name);
        IpcPayload r = {};
        r.AGENT_LISTENING.channel = a->channel;
        (void) monitor_send(m, IPC_AGENT_LISTENING, &r, &fd, 1);
        safe_close(fd);         /* the worker holds the only copy */
}

static void collect(Monitor *m) {
        AgentForward *a = &m->agent;
        bool accepts = a->helper_accepts;
        HelperAnswer ans;
        int fd = helper_collect(a, &ans, true);
        if (accepts) {
                IpcPayload r = {};
                if (fd < 0) {
                        /* The client went away before the helper took it: nothing to forward. */
                        log_debug("agent forwarding: accept failed: %s", strerror(-fd));
                        r.AGENT_ACCEPT_FAILED.id = a->accept_id;
                        (void) monitor_send(m, IPC_AGENT_ACCEPT_FAILED, &r, NULL, 0);
                        return;
                }
                r.AGENT_CONNECTION.id = a->accept_id;
                (void) monitor_send(m, IPC_AGENT_CONNECTION, &r, &fd, 1);
                safe_close(fd);
                return;
        }
        if (fd < 0) {
                /* OpenSSH logs the reason and tells the client "Agent forwarding disabled: couldn't
                 * create listener socket". */
                log_error("agent forwarding: cannot create the listener socket for %s: %s", m->user->name,
                          strerror(-fd));
                reply_refused(m, a->channel, "couldn't create listener socket");
                return;
        }
        listener_made(m, fd, ans.path);
}

size_t agent_poll_fill(Monitor *m, struct pollfd *p) {
        if (m->agent.helper_pid <= 0)
                return 0;
        p[0] = (struct pollfd) { .fd = m->agent.helper_fd, .events = POLLIN };
        return 1;
}

void agent_poll_handle(Monitor *m, const struct pollfd *p, size_t n) {
        if (n == 1 && p[0].revents && m->agent.helper_pid > 0 && p[0].fd == m->agent.helper_fd)
                collect(m);
}

void agent_expire(Monitor *m, uint64_t now) {
        AgentForward *a = &m->agent;
        if (a->helper_pid <= 0 || now < a->helper_deadline_usec)
                return;
        log_info("agent forwarding: helper timed out");
        bool accepts = a->helper_accepts;
        helper_stop(a);
        IpcPayload r = {};
        if (accepts) {
                r.AGENT_ACCEPT_FAILED.id = a->accept_id;
                (void) monitor_send(m, IPC_AGENT_ACCEPT_FAILED, &r, NULL, 0);
        } else
                reply_refused(m, a->channel, "timed out");
}

int agent_timeout_ms(const Monitor *m, uint64_t now) {
        const AgentForward *a = &m->agent;
        if (a->helper_pid <= 0)
                return -1;
        uint64_t left = a->helper_deadline_usec > now ? a->helper_deadline_usec - now : 0;
        return (int) ((left + 999) / 1000);
}

const char *agent_socket_path(const Monitor *m) {
        return m->agent.granted ? m->agent.socket_path : NULL;
}

bool agent_active(const Monitor *m) {
        return m->agent.helper_pid > 0 || m->agent.socket_path;
}

void agent_teardown(Monitor *m) {
        AgentForward *a = &m->agent;
        helper_stop(a);
        if (!a->socket_path)
                return;
        /* The worker is gone (teardown stops it first), and the listener with it. */
        int r = m->user ? helper_start(m, HELPER_REMOVE, -EBADF) : -ESRCH;
        if (r == 0) {
                struct pollfd p = { .fd = a->helper_fd, .events = POLLIN };
                int ms = (int) (AGENT_CLEANUP_USEC / 1000);
                while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
                        ;
                HelperAnswer ans;
                r = r > 0 ? helper_collect(a, &ans, false) : -ETIMEDOUT;
                helper_stop(a);         /* when it timed out */
        }
        if (r < 0)
                log_error("agent forwarding: cannot remove %s: %s", a->socket_path, strerror(-r));
        else
                log_debug("agent forwarding: removed %s", a->socket_path);
        free(a->socket_path);
        a->socket_path = NULL;
        a->granted = false;
}
