/*
 * Channels: "session" channels only for now (forwarding comes later and gets its own kind). A channel
 * asks the monitor for a session (exec, shell or subsystem), receives the child's pipes, and lives
 * until both sides have closed it; only then is it freed (libssh 0.10 may still call callbacks on a
 * channel the application closed, so the callbacks are removed before ssh_channel_free).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "common/fd-util.h"
#include "common/log.h"
#include "common/tty-modes.h"
#include "common/winsize.h"
#include "worker/forward-agent.h"
#include "worker/worker.h"

uint64_t worker_now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

int worker_ms_until(uint64_t deadline_usec) {
        uint64_t now = worker_now_usec();
        return deadline_usec <= now ? 0 : (int) MIN((deadline_usec - now + 999) / 1000, (uint64_t) INT32_MAX);
}

static Channel *channel_by_ssh(Worker *w, ssh_channel ch) {
        for (Channel *c = w->channels; c; c = c->next)
                if (c->ch == ch)
                        return c;
        return NULL;
}

static Channel *channel_by_id(Worker *w, uint32_t id) {
        for (Channel *c = w->channels; c; c = c->next)
                if (c->id == id)
                        return c;
        return NULL;
}

static Channel *channel_by_session(Worker *w, uint32_t session) {
        for (Channel *c = w->channels; c; c = c->next)
                if (c->has_session && c->session == session)
                        return c;
        return NULL;
}

/* ---- libssh callbacks: record, never free --------------------------------------------------- */

static int on_data(ssh_session s, ssh_channel ch, void *data, uint32_t len, int is_stderr, void *userdata) {
        Channel *c = userdata;
        if (is_stderr)
                return (int) len;       /* extended data from a client has no meaning for a session */
        if (c->in_reading || c->client_eof)
                return 0;
        if (c->in_fd < 0 && c->has_session)
                return (int) len;       /* the child's stdin is closed: discard, as OpenSSH does */
        size_t space = PUMP_STDIN_BUFFER - c->in_len;
        size_t take = MIN((size_t) len, space);
        if (take > 0) {
                if (!c->in_buf) {
                        c->in_buf = malloc(PUMP_STDIN_BUFFER);
                        if (!c->in_buf)
                                return 0;
                }
                if (c->in_off > 0 && c->in_off + c->in_len + take > PUMP_STDIN_BUFFER) {
                        memmove(c->in_buf, c->in_buf + c->in_off, c->in_len);
                        c->in_off = 0;
                }
                memcpy(c->in_buf + c->in_off + c->in_len, data, take);
                c->in_len += take;
        }
        if (take < len)
                c->in_stalled = true;
        return (int) take;
}

static void on_eof(ssh_session s, ssh_channel ch, void *userdata) {
        Channel *c = userdata;
        c->client_eof = true;
}

static void on_close(ssh_session s, ssh_channel ch, void *userdata) {
        Channel *c = userdata;
        c->peer_closed = true;
}

static void on_signal(ssh_session s, ssh_channel ch, const char *signal, void *userdata) {
        Channel *c = userdata;
        /* Only for a running session; the monitor decides whether and what to send. */
        if (!signal || !c->has_session || c->session_closed || c->finished || strlen(signal) > SESSION_MAX_SIGNAL_NAME)
                return;
        IpcPayload p = {};
        p.SESSION_SIGNAL.session = c->session;
        p.SESSION_SIGNAL.signal = (char *) signal;
        (void) monitor_client_send(c->worker, IPC_SESSION_SIGNAL, &p);
}

/* ---- lifetime -------------------------------------------------------------------------------- */

void channel_open_refuse(ssh_message msg, uint32_t reason, const char *description) {
        if (ssh_message_channel_request_open_reply_failure(msg, reason, description) != SSH_OK)
                log_debug("cannot send the refusal of a channel open");
        ssh_message_free(msg);
}

void channel_handle_open(Worker *w, ssh_message msg) {
        /* A client may open a channel in the packet right after its CLOSE of another (asyncssh does,
         * as soon as our CLOSE arrives): that one is done, and its slot must count as free. */
        if (w->n_channels >= w->setup.max_sessions)
                channel_collect(w);
        if (!w->authenticated) {
                channel_open_refuse(msg, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, CHANNEL_OPEN_FAILED);
                return;
        }
        /* Session, direct-tcpip and direct-streamlocal are all a client may open here (ssh-server.c);
         * tun@openssh.com, x11 and the types only a server opens are not served. */
        if (ssh_message_subtype(msg) != SSH_CHANNEL_SESSION) {
                channel_open_refuse(msg, SSH_OPEN_UNKNOWN_CHANNEL_TYPE, CHANNEL_OPEN_FAILED);
                return;
        }
        /* Over MaxSessions: OpenSSH's session_new() fails, and its sshd answers as for any session
         * it cannot open. */
        if (w->n_channels >= w->setup.max_sessions || w->n_channels >= SESSION_MAX_PER_CONN) {
                channel_open_refuse(msg, SSH_OPEN_CONNECT_FAILED, CHANNEL_OPEN_FAILED);
                return;
        }
        Channel *c = calloc(1, sizeof *c);
        if (!c) {
                channel_open_refuse(msg, SSH_OPEN_RESOURCE_SHORTAGE, CHANNEL_OPEN_FAILED);
                return;
        }
        c->ch = ssh_message_channel_request_open_reply_accept(msg);
        ssh_message_free(msg);
        if (!c->ch) {
                free(c);
                return;
        }
        c->worker = w;
        c->id = w->next_channel_id++;
        c->in_fd = c->out.fd = c->err.fd = -EBADF;
        c->err.is_stderr = true;
        c->cb = (struct ssh_channel_callbacks_struct) {
                .userdata = c,
                .channel_data_function = on_data,
                .channel_eof_function = on_eof,
                .channel_close_function = on_close,
                .channel_signal_function = on_signal,
        };
        ssh_callbacks_init(&c->cb);
        ssh_set_channel_callbacks(c->ch, &c->cb);
        c->next = w->channels;
        w->channels = c;
        w->n_channels++;
}

static void request_reply(ssh_message msg, bool ok) {
        if (ok)
                ssh_message_channel_request_reply_success(msg);
        else
                ssh_message_reply_default(msg);
        ssh_message_free(msg);
}

static void set_window_size(Channel *c) {
        struct winsize ws = winsize_from_wire(c->cols, c->rows, c->xpixels, c->ypixels);
        if (c->pty && c->out.fd >= 0)
                (void) ioctl(c->out.fd, TIOCSWINSZ, &ws);
}

static void store_size(Channel *c, ssh_message msg) {
        int cols = ssh_message_channel_request_pty_width(msg), rows = ssh_message_channel_request_pty_height(msg);
        int xpixels = ssh_message_channel_request_pty_pxwidth(msg);
        int ypixels = ssh_message_channel_request_pty_pxheight(msg);
        c->cols = cols > 0 ? (uint32_t) cols : 0;
        c->rows = rows > 0 ? (uint32_t) rows : 0;
        c->xpixels = xpixels > 0 ? (uint32_t) xpixels : 0;
        c->ypixels = ypixels > 0 ? (uint32_t) ypixels : 0;
}

/*
 * A session request (exec, shell, subsystem) that ends before the user's command is reached: the
 * reply, then why on the channel's stderr, exit status 255, EOF and CLOSE. The connection and its
 * other channels go on. `accepted`: reply success, so that the client shows the reason (OpenSSH's
 * `ssh` exits at a failed exec reply, often before it has written the stderr that came with it);
 * that is also what OpenSSH's own server does with a command the kernel will not run (it accepts
 * the request and the exec fails in the child).
 */
static void session_request_end(Channel *c, ssh_message msg, bool accepted, const char *reason) {
        request_reply(msg, accepted);
        if (c->peer_closed)
                return;
        char line[1100];
        int n = snprintf(line, sizeof line, "privsshd: %s\r\n", reason);
        if (n > 0)
                (void) ssh_channel_write_stderr(c->ch, line, (uint32_t) MIN((size_t) n, sizeof line - 1));
        (void) ssh_channel_request_send_exit_status(c->ch, 255);
        (void) ssh_channel_send_eof(c->ch);
        (void) ssh_channel_close(c->ch);
        c->finished = true;
}

/* env: kept for SESSION_START; the monitor applies AcceptEnv (policy is not the worker's). */
static bool store_env(Channel *c, ssh_message msg) {
        const char *name = ssh_message_channel_request_env_name(msg);
        const char *value = ssh_message_channel_request_env_value(msg);
        if (c->has_session || isempty(name) || !value || strchr(name, '='))
                return false;
        size_t len = strlen(name) + strlen(value) + 1;
        /* The limits that keep SESSION_START within one IPC datagram (common/ipc-payloads.h). */
        if (c->n_env >= SESSION_MAX_ENV_REQUESTS || len > SESSION_MAX_ENV_REQUEST ||
            len > SESSION_MAX_ENV_TOTAL - c->env_bytes) {
                if (!c->env_refused_logged)     /* once per channel: a client may send any number */
                        log_info("channel %u: env request %.64s refused: %s", c->id, name,
                                 c->n_env >= SESSION_MAX_ENV_REQUESTS ? "too many (SESSION_MAX_ENV_REQUESTS)" :
                                 len > SESSION_MAX_ENV_REQUEST ? "too long (SESSION_MAX_ENV_REQUEST)" :
                                 "too much environment on this channel (SESSION_MAX_ENV_TOTAL)");
                c->env_refused_logged = true;
                return false;
        }
        char **env = realloc(c->env, (c->n_env + 2) * sizeof(char *));
        if (!env)
                return false;
        c->env = env;
        env[c->n_env] = NULL;           /* a list strv_free() can walk, whatever happens next */
        char *entry;
        if (asprintf(&entry, "%s=%s", name, value) < 0)
                return false;           /* entry is undefined then */
        env[c->n_env++] = entry;
        env[c->n_env] = NULL;
        c->env_bytes += len;
        return true;
}

/* Handle one request; returns false when it went to the monitor (the channel waits for the answer). */
static bool request_process(Worker *w, Channel *c, ssh_message msg) {
        int sub = ssh_message_subtype(msg);
        bool open = !c->finished && !c->peer_closed;

        switch (sub) {
        case SSH_CHANNEL_REQUEST_PTY: {
                const char *term = ssh_message_channel_request_pty_term(msg);
                if (!open || c->has_session || c->pty_allocated || (term && strlen(term) > SESSION_MAX_TERM)) {
                        request_reply(msg, false);
                        return true;
                }
                /* The monitor parses the modes again and applies them; checking them here makes a
                 * client's malformed modes a refused pty-req rather than a violation that ends the
                 * connection. */
                size_t modes_len = 0;
                const unsigned char *modes = ssh_message_channel_request_pty_modes(msg, &modes_len);
                struct termios scratch = {};
                int r = tty_modes_apply(modes, modes_len, &scratch, NULL);
                if (r < 0) {
                        log_info("channel %u: pty-req refused: %s terminal modes (%zu bytes)", c->id,
                                 r == -EMSGSIZE ? "too long (SESSION_MAX_TTY_MODES)" : "malformed",
                                 modes_len);
                        request_reply(msg, false);
                        return true;
                }
                store_size(c, msg);
                IpcPayload p = {};
                p.PTY_REQUEST.channel = c->id;
                p.PTY_REQUEST.term = (char *) (term ?: "");
                p.PTY_REQUEST.cols = c->cols;
                p.PTY_REQUEST.rows = c->rows;
                p.PTY_REQUEST.xpixels = c->xpixels;
                p.PTY_REQUEST.ypixels = c->ypixels;
                p.PTY_REQUEST.modes = (uint8_t *) modes;
                p.PTY_REQUEST.modes_len = modes_len;
                r = monitor_client_send(w, IPC_PTY_REQUEST, &p);
                if (r == -EMSGSIZE) {
                        log_info("channel %u: pty-req refused: too long for the monitor", c->id);
                        request_reply(msg, false);
                        return true;
                }
                if (r < 0) {
                        ssh_message_free(msg);
                        return true;
                }
                c->pending_request = msg;
                return false;
        }
        case SSH_CHANNEL_REQUEST_WINDOW_CHANGE:
                /* No reply is wanted; the worker holds the master, so it sets the size itself. */
                if (c->pty || c->pty_allocated) {
                        store_size(c, msg);
                        if (c->pty)
                                set_window_size(c);
                        else
                                c->size_dirty = true;
                }
                request_reply(msg, c->pty || c->pty_allocated);
                return true;
        case SSH_CHANNEL_REQUEST_ENV:
                request_reply(msg, open && store_env(c, msg));
                return true;
        case SSH_CHANNEL_REQUEST_AUTH_AGENT:
                /* Before the session starts, as OpenSSH's sshd; the monitor decides. */
                if (!open || c->has_session) {
                        request_reply(msg, false);
                        return true;
                }
                return agent_channel_request(w, c, msg);
        case SSH_CHANNEL_REQUEST_EXEC:
        case SSH_CHANNEL_REQUEST_SHELL:
        case SSH_CHANNEL_REQUEST_SUBSYSTEM:
                break;
        default:
                /* x11-req, break, unknown: not supported. */
                request_reply(msg, false);
                return true;
        }
        if (!open || c->has_session) {
                request_reply(msg, false);
                return true;
        }

        IpcPayload p = {};
        p.SESSION_START.channel = c->id;
        if (sub == SSH_CHANNEL_REQUEST_EXEC) {
                p.SESSION_START.kind = IPC_SESSION_EXEC;
                p.SESSION_START.command = (char *) ssh_message_channel_request_command(msg);
        } else if (sub == SSH_CHANNEL_REQUEST_SUBSYSTEM) {
                p.SESSION_START.kind = IPC_SESSION_SUBSYSTEM;
                p.SESSION_START.command = (char *) ssh_message_channel_request_subsystem(msg);
        } else {
                p.SESSION_START.kind = IPC_SESSION_SHELL;
        }
        if (sub != SSH_CHANNEL_REQUEST_SHELL && !p.SESSION_START.command) {
                request_reply(msg, false);
                return true;
        }
        /* The kernel runs no longer command (it is one execve() string), and SESSION_MAX_COMMAND keeps
         * SESSION_START within one IPC datagram: past it, this channel fails, nothing else. */
        size_t len = p.SESSION_START.command ? strlen(p.SESSION_START.command) : 0;
        if (len > SESSION_MAX_COMMAND) {
                log_info("channel %u: %s request not run: command of %zu bytes, longer than "
                         "SESSION_MAX_COMMAND (%u)", c->id, sub == SSH_CHANNEL_REQUEST_EXEC ? "exec" : "subsystem",
                         len, SESSION_MAX_COMMAND);
                char reason[128];
                snprintf(reason, sizeof reason, "command too long (%zu bytes, at most %u)", len, SESSION_MAX_COMMAND);
                session_request_end(c, msg, true, reason);
                return true;
        }
        p.SESSION_START.env = c->env;
        p.SESSION_START.n_env = c->n_env;
        int r = monitor_client_send(w, IPC_SESSION_START, &p);
        if (r == -EMSGSIZE) {
                /* Cannot happen within the limits above (asserted at build time); if it does, the
                 * channel fails alone all the same. */
                log_error("channel %u: session request not run: too long for one IPC message", c->id);
                session_request_end(c, msg, true, "request too long");
                return true;
        }
        if (r < 0) {
                ssh_message_free(msg);
                return true;
        }
        c->pty_allocated = false;       /* the monitor hands it to the session (or frees it) */
        c->pending_request = msg;
        return false;
}

/* Work through the queued requests until one has to wait for the monitor. */
static void request_queue_run(Worker *w, Channel *c) {
        while (!c->pending_request && c->n_queue > 0) {
                ssh_message msg = c->queue[0];
                memmove(c->queue, c->queue + 1, (c->n_queue - 1) * sizeof(ssh_message));
                c->n_queue--;
                (void) request_process(w, c, msg);
        }
}

void channel_handle_request(Worker *w, ssh_message msg) {
        Channel *c = channel_by_ssh(w, ssh_message_channel_request_channel(msg));
        if (!c) {
                ssh_message_reply_default(msg);
                ssh_message_free(msg);
                return;
        }
        /* Replies go out in the order the requests came (RFC 4254 5.4), so a request that arrives while
         * an earlier one is with the monitor waits behind it. */
        if (c->n_queue >= CHANNEL_MAX_QUEUED_REQUESTS) {
                log_info("channel %u: too many requests waiting; closing it", c->id);
                ssh_message_free(msg);
                (void) ssh_channel_close(c->ch);
                c->finished = true;
                return;
        }
        c->queue[c->n_queue++] = msg;
        request_queue_run(w, c);
}

static void request_done(Worker *w, Channel *c, bool ok) {
        if (c->pending_request)
                request_reply(c->pending_request, ok);
        c->pending_request = NULL;
        request_queue_run(w, c);
}

void channel_agent_answered(Worker *w, uint32_t channel, bool granted) {
        for (Channel *c = w->channels; c; c = c->next)
                if (c->pending_request &&
                    ssh_message_subtype(c->pending_request) == SSH_CHANNEL_REQUEST_AUTH_AGENT)
                        request_done(w, c, granted && c->id == channel);
}

int channel_pty_result(Worker *w, const IpcPtyResult *p) {
        Channel *c = channel_by_id(w, p->channel);
        if (!c || !c->pending_request || ssh_message_subtype(c->pending_request) != SSH_CHANNEL_REQUEST_PTY)
                return -EPROTO;
        c->pty_allocated = p->allocated;
        request_done(w, c, p->allocated);
        return 0;
}

static void session_close(Channel *c, bool abandoned) {
        if (!c->has_session || c->session_closed)
                return;
        IpcPayload p = {};
        p.SESSION_CLOSE.session = c->session;
        p.SESSION_CLOSE.abandoned = abandoned;
        (void) monitor_client_send(c->worker, IPC_SESSION_CLOSE, &p);
        c->session_closed = true;
}

static void close_fds(Channel *c) {
        if (c->pty)
                c->in_fd = -EBADF;      /* the same descriptor as out.fd */
        c->in_fd = safe_close(c->in_fd);
        c->out.fd = safe_close(c->out.fd);
        c->err.fd = safe_close(c->err.fd);
}

static bool waits_for_session(Channel *c) {
        if (!c->pending_request || c->has_session)
                return false;
        int sub = ssh_message_subtype(c->pending_request);
        return sub == SSH_CHANNEL_REQUEST_EXEC || sub == SSH_CHANNEL_REQUEST_SHELL ||
               sub == SSH_CHANNEL_REQUEST_SUBSYSTEM;
}

static void session_started(Worker *w, Channel *c, uint32_t session);

int channel_session_started_pty(Worker *w, const IpcSessionStartedPty *p, int master) {
        Channel *c = channel_by_id(w, p->channel);
        if (!c || !waits_for_session(c)) {
                safe_close(master);
                return -EPROTO;
        }
        c->pty = true;
        c->in_fd = c->out.fd = master;
        c->err.eof = true;              /* a terminal has one output stream */
        (void) fd_set_nonblock(master, true);
        if (c->size_dirty)
                set_window_size(c);
        session_started(w, c, p->session);
        return 0;
}

int channel_session_started(Worker *w, const IpcSessionStarted *p, int fds[3]) {
        Channel *c = channel_by_id(w, p->channel);
        if (!c || !waits_for_session(c)) {
                for (int i = 0; i < 3; i++)
                        safe_close(fds[i]);
                return -EPROTO;
        }
        c->in_fd = fds[0];
        c->out.fd = fds[1];
        c->err.fd = fds[2];
        for (int i = 0; i < 3; i++)
                (void) fd_set_nonblock(fds[i], true);
        session_started(w, c, p->session);
        return 0;
}

static void session_started(Worker *w, Channel *c, uint32_t session) {
        c->has_session = true;
        c->session = session;
        if (c->peer_closed) {
                /* The client gave up while the monitor was starting the command. */
                ssh_message_free(c->pending_request);
                c->pending_request = NULL;
                close_fds(c);
                session_close(c, true);
                return;
        }
        idle_timeout_start_session(w, c);       /* its kind is the pending request's */
        request_done(w, c, true);

#if ENABLE_TEST_HOOKS
        if (w->setup.test_forbidden_syscall && !w->test_hook_fired) {
                /* Test builds only: prove that the sandbox kills a worker that steps out of line. */
                w->test_hook_fired = true;
                log_info("test hook: calling a forbidden system call (ptrace)");
                (void) syscall(SYS_ptrace, 0, 0, 0, 0);
        }
        if (w->setup.test_bogus_session_close && !w->test_hook_fired) {
                /* Test builds only: act like a compromised worker that names someone else's session. */
                w->test_hook_fired = true;
                log_info("test hook: sending SESSION_CLOSE for a session that is not ours");
                IpcPayload bogus = {};
                bogus.SESSION_CLOSE.session = c->session + 1000;
                bogus.SESSION_CLOSE.abandoned = true;
                (void) monitor_client_send(w, IPC_SESSION_CLOSE, &bogus);
        }
#endif
}

int channel_session_failed(Worker *w, const IpcSessionFailed *p) {
        Channel *c = channel_by_id(w, p->channel);
        if (!c || !waits_for_session(c))
                return -EPROTO;
        /* The user's command was never reached: the request fails, and the client is told why. */
        ssh_message msg = TAKE_PTR(c->pending_request);
        session_request_end(c, msg, false, p->reason);
        return 0;
}

int channel_session_exited(Worker *w, const IpcSessionExited *p) {
        Channel *c = channel_by_session(w, p->session);
        if (!c)
                return 0;       /* the channel is already gone */
        if (c->exited)
                return -EPROTO;
        c->exited = true;
        if (c->pty)
                c->drain_deadline = worker_now_usec() + PTY_DRAIN_USEC;
        c->signaled = p->signaled;
        c->exit_code = p->exit_code;
        c->core_dumped = p->core_dumped;
        return 0;
}

static void channel_destroy(Worker *w, Channel *c) {
        for (Channel **p = &w->channels; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        break;
                }
        w->n_channels--;
        close_fds(c);
        if (c->pty_allocated && !c->has_session) {
                IpcPayload p = {};
                p.PTY_RELEASE.channel = c->id;
                (void) monitor_client_send(w, IPC_PTY_RELEASE, &p);
        }
        if (c->pending_request)
                ssh_message_free(c->pending_request);
        for (size_t i = 0; i < c->n_queue; i++)
                ssh_message_free(c->queue[i]);
        strv_free(c->env);
        if (c->ch) {
                ssh_remove_channel_callbacks(c->ch, &c->cb);
                ssh_channel_free(c->ch);
        }
        free(c->in_buf);
        free(c->out.buf);
        free(c->err.buf);
        free(c);
}

int channel_poll_timeout(Worker *w) {
        uint64_t next = UINT64_MAX;
        /* libssh may run on_eof() in any call that reads packets (ssh_channel_write() waiting, the
         * message queue before poll()), after this iteration's pump: an EOF not yet handed on to the
         * child's stdin must not wait in poll() for an event that never comes (a child that reads its
         * stdin to the end, such as an sftp server, would then never exit). */
        for (Channel *c = w->channels; c; c = c->next)
                if (c->client_eof && c->in_fd >= 0 && c->in_len == 0 && !c->in_stalled && !c->pty &&
                    c->has_session && !c->finished)
                        return 0;
        for (Channel *c = w->channels; c; c = c->next)
                if (c->pty && c->exited && !c->finished && c->out.fd >= 0 && c->drain_deadline < next)
                        next = c->drain_deadline;
        if (next == UINT64_MAX)
                return -1;
        return worker_ms_until(next);
}

void channel_collect(Worker *w) {
        Channel *next;
        for (Channel *c = w->channels; c; c = next) {
                next = c->next;
                if (!c->peer_closed)
                        continue;
                if (!c->finished) {
                        /* The client closed the channel first: the session is abandoned. */
                        close_fds(c);
                        session_close(c, true);
                        if (!c->pending_request) {
                                (void) ssh_channel_close(c->ch);
                                c->finished = true;
                        }
                }
                if (c->pending_request)
                        continue;       /* wait for the monitor's answer */
                session_close(c, false);
                channel_destroy(w, c);
        }
}

void channel_abandon_all(Worker *w) {
        while (w->channels) {
                Channel *c = w->channels;
                close_fds(c);
                session_close(c, !c->finished);
                c->ch = NULL;   /* the session is going away; libssh frees its channels with it */
                channel_destroy(w, c);
        }
}

/* ChannelTimeout (idle-timeout.c): no exit status, EOF and CLOSE now, what is buffered dropped, the
 * session abandoned, as when the client closes first. */
void channel_close_idle(Channel *c) {
        if (c->finished)
                return;
        close_fds(c);
        (void) ssh_channel_close(c->ch);
        c->finished = true;
        session_close(c, true);
}

/* ---- used by the pump ------------------------------------------------------------------------ */

void pump_finish_if_done(Channel *c) {
        if (c->finished || !c->has_session || !c->exited || !c->out.eof || !c->err.eof ||
            c->out.len > 0 || c->err.len > 0)
                return;
        /* Every byte is on the wire: exit status, then EOF, then CLOSE, always in this order. */
        if (c->signaled) {
                static const char *const names[] = {
                        [1] = "HUP",  [2] = "INT",   [3] = "QUIT", [4] = "ILL",   [6] = "ABRT",
                        [8] = "FPE",  [9] = "KILL",  [10] = "USR1", [11] = "SEGV", [12] = "USR2",
                        [13] = "PIPE", [14] = "ALRM", [15] = "TERM",
                };
                const char *name = c->exit_code < ELEMENTSOF(names) && names[c->exit_code] ?
                        names[c->exit_code] : "SIG@openssh.com";
                (void) ssh_channel_request_send_exit_signal(c->ch, name, c->core_dumped ? 1 : 0, "", "");
        } else {
                (void) ssh_channel_request_send_exit_status(c->ch, (int) c->exit_code);
        }
        (void) ssh_channel_send_eof(c->ch);
        (void) ssh_channel_close(c->ch);
        c->finished = true;
        close_fds(c);
        session_close(c, false);
}
