/*
 * The per-connection monitor: starts the worker, then serves its requests until the connection
 * ends. See monitor.h. Its loop waits on two things only: the worker's IPC socket and a signalfd
 * (SIGCHLD for the worker and the user's processes; SIGTERM/SIGINT/SIGHUP end the connection).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build-config.h"
#include "common/fd-util.h"
#include "common/fd-layout.h"
#include "common/ipc-socket.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/signal-util.h"
#include "common/proctitle.h"
#include "monitor/auth-info.h"
#include "monitor/forward-agent.h"
#include "monitor/handle-auth.h"
#include "monitor/handle-forward.h"
#include "monitor/handle-kbdint.h"
#include "monitor/handle-forward-unix.h"
#include "monitor/handle-log.h"
#include "monitor/handle-session.h"
#include "monitor/hostcert.h"
#include "monitor/hostkey-prove.h"
#include "monitor/hostkey-sign.h"
#include "monitor/krl.h"
#include "monitor/log-journal.h"
#include "monitor/monitor-state.h"
#include "monitor/monitor.h"
#include "monitor/srclimit.h"
#include "monitor/worker-spawn.h"

uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

int monitor_send(Monitor *m, IpcType type, const IpcPayload *p, const int *fds, size_t n_fds) {
        if (m->ipc_fd < 0)
                return -ENOTCONN;
        bool was_pending = ipc_queue_pending(&m->outq);
        int r = ipc_queue_send(&m->outq, m->ipc_fd, type, p, fds, n_fds);
        if (r == -ENOBUFS) {
                if (!m->worker_not_reading)
                        log_error("monitor: the worker for %s port %u does not read its replies (%zu messages, "
                                  "%zu bytes waiting): protocol violation", m->peer_address, m->peer_port,
                                  m->outq.n_messages, m->outq.n_bytes);
                m->worker_not_reading = true;
        } else if (r < 0)
                log_debug("monitor: sending %s to the worker failed: %s", ipc_type_name(type), strerror(-r));
        else if (r > 0 && !was_pending)
                log_debug("monitor: the socket to the worker is full; queueing %s", ipc_type_name(type));
        return r < 0 ? r : 0;
}

static const char *signal_label(int sig) {
        const char *d = sigabbrev_np(sig);
        static char buf[32];
        if (d) {
                snprintf(buf, sizeof buf, "SIG%s", d);
                return buf;
        }
        snprintf(buf, sizeof buf, "%d", sig);
        return buf;
}

void monitor_startup_done(Monitor *m) {
        if (m->startup_fd < 0)
                return;
        char byte = SRCLIMIT_STARTUP_AUTHENTICATED;
        if (write(m->startup_fd, &byte, 1) != 1) {
                log_debug("monitor: cannot tell the listener about the authentication: %m");
                m->startup_fd = safe_close(m->startup_fd);
                return;
        }
        /* Kept for the session figures (srclimit.h); never waited on: a full pipe drops an update. */
        if (fd_set_nonblock(m->startup_fd, true) < 0)
                m->startup_fd = safe_close(m->startup_fd);
        m->sessions_reported = -1;
}

/* The listener's STATUS= figures: this connection's open sessions, when they changed. */
static void monitor_report_sessions(Monitor *m) {
        if (m->startup_fd < 0 || m->state != IPC_ST_AUTHED || (int) m->n_sessions_live == m->sessions_reported)
                return;
        uint8_t n = m->n_sessions_live > 255 ? 255 : (uint8_t) m->n_sessions_live;
        ssize_t r = write(m->startup_fd, &n, 1);
        if (r == 1)
                m->sessions_reported = (int) m->n_sessions_live;
        else if (r < 0 && errno != EAGAIN && errno != EINTR)
                m->startup_fd = safe_close(m->startup_fd);      /* the listener is gone (or re-executed) */
}

/* Called for every status of the worker that the monitor did not cause by its own SIGKILL. */
static void worker_report_status(Monitor *m, int status) {
        if (srclimit_penalty_from_status(status) == SRCLIMIT_PENALTY_CRASH && WIFSIGNALED(status))
                m->worker_crashed = true;
        if (WIFSIGNALED(status))
                log_error("worker (pid %d) for %s port %u was killed by signal %s%s", (int) m->worker_pid,
                          m->peer_address, m->peer_port, signal_label(WTERMSIG(status)),
                          WCOREDUMP(status) ? " (core dumped)" : "");
        else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
                log_debug("worker (pid %d) exited with status %d", (int) m->worker_pid, WEXITSTATUS(status));
}

/* Reap the worker if it has exited. Returns true when it is gone. */
static bool worker_try_reap(Monitor *m) {
        if (m->worker_pid <= 0)
                return true;
        int status;
        pid_t r = waitpid(m->worker_pid, &status, WNOHANG);
        if (r == m->worker_pid || (r < 0 && errno == ECHILD)) {
                if (r == m->worker_pid)
                        worker_report_status(m, status);
                m->worker_pid = 0;
                return true;
        }
        return false;
}

/* Give an exiting worker a moment to finish on its own, then kill it. Always reaps it. */
static void worker_stop(Monitor *m, uint64_t grace_usec) {
        uint64_t until = now_usec() + grace_usec;
        while (!worker_try_reap(m) && now_usec() < until) {
                struct pollfd p = { .fd = m->signal_fd, .events = POLLIN };
                (void) poll(&p, 1, 20);
                if (p.revents & POLLIN) {
                        struct signalfd_siginfo si;
                        while (read(m->signal_fd, &si, sizeof si) == sizeof si)
                                ;
                }
        }
        if (m->worker_pid > 0) {
                int status;
                kill(m->worker_pid, SIGKILL);
                while (waitpid(m->worker_pid, &status, 0) < 0 && errno == EINTR)
                        ;
                if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
                        worker_report_status(m, status);
                m->worker_pid = 0;
        }
}

/* The relay's status: a clean end says nothing, anything else is logged and ends the connection. */
static void relay_report_status(Monitor *m, int status) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == RELAY_EXIT_DONE)
                return;
        m->relay_failed = true;
        if (WIFSIGNALED(status))
                log_error("relay (pid %d) for %s port %u was killed by signal %s", (int) m->relay_pid,
                          m->peer_address, m->peer_port, signal_label(WTERMSIG(status)));
        else
                log_error("relay (pid %d) for %s port %u exited with status %d", (int) m->relay_pid,
                          m->peer_address, m->peer_port, WEXITSTATUS(status));
}

static void relay_try_reap(Monitor *m) {
        int status;
        if (m->relay_pid > 0 && waitpid(m->relay_pid, &status, WNOHANG) == m->relay_pid) {
                relay_report_status(m, status);
                m->relay_pid = 0;
        }
}

/* After the worker: the relay reads its end of file, hands the last bytes to stdout and exits by itself;
 * one that cannot (a client that stopped reading) is killed after RELAY_STOP_GRACE_USEC. Always reaps. */
static void relay_stop(Monitor *m, uint64_t grace_usec) {
        uint64_t until = now_usec() + grace_usec;
        while (m->relay_pid > 0 && now_usec() < until) {
                relay_try_reap(m);
                if (m->relay_pid > 0)
                        (void) poll(NULL, 0, 10);
        }
        if (m->relay_pid > 0) {
                int status;
                kill(m->relay_pid, SIGKILL);
                while (waitpid(m->relay_pid, &status, 0) < 0 && errno == EINTR)
                        ;
                m->relay_pid = 0;
        }
}

void monitor_teardown(Monitor *m, const char *reason) {
        if (m->ipc_fd < 0 && m->worker_pid <= 0 && m->relay_pid <= 0 && !m->pam && !m->sessions &&
            m->signal_senders.n == 0 && m->forward_openers.n == 0 && !m->auth_info_path &&
            !agent_active(m))
                return;
        if (reason)
                log_debug("monitor: tearing down: %s", reason);

        /* The worker first: nothing more from it, and the connection closes with it. What it never
         * read goes (queued descriptors are closed). */
        m->ipc_fd = safe_close(m->ipc_fd);
        ipc_queue_clear(&m->outq);
        worker_stop(m, reason ? 0 : 2000000);
        relay_stop(m, m->relay_failed ? 0 : RELAY_STOP_GRACE_USEC);

        sessions_hangup_all(m);
        signal_senders_stop_all(&m->signal_senders);
        forward_openers_stop_all(&m->forward_openers);
        agent_teardown(m);      /* after the worker: the listener is gone with it */
        forward_unix_teardown(m);

        kbdint_stop(m);
        if (m->pam) {
                m->pam = pam_context_free(m->pam);
        }
        if (m->auth_info_path) {
                int r = m->user ? auth_info_file_remove(m->user, m->auth_info_path) : -ESRCH;
                if (r < 0)
                        log_error("ExposeAuthInfo: cannot remove %s: %s", m->auth_info_path, strerror(-r));
                free(m->auth_info_path);
                m->auth_info_path = NULL;
        }
        const LogFields disconnected = { .message_id = LOG_MESSAGE_ID_DISCONNECTED };
        const LogFields closed = { .message_id = LOG_MESSAGE_ID_CLOSED_PREAUTH };
        if (m->state == IPC_ST_AUTHED && m->user)
                log_fields(LOG_LEVEL_INFO, &disconnected, "Disconnected from user %s %s port %u", m->user->name,
                           m->peer_address, m->peer_port);
        else if (m->state == IPC_ST_PREAUTH && m->auth_user)
                log_fields(LOG_LEVEL_INFO, &closed, "Connection closed by %s user %s %s port %u [preauth]",
                           m->user ? "authenticating" : "invalid", m->auth_user, m->peer_address, m->peer_port);
        else if (m->state == IPC_ST_PREAUTH)
                log_fields(LOG_LEVEL_INFO, &closed, "Connection closed by %s port %u [preauth]", m->peer_address,
                           m->peer_port);
        else if (m->state == IPC_ST_REFUSED)
                log_info("Disconnecting %s %s %s port %u: Too many authentication failures [preauth]",
                         m->user ? "authenticating user" : "invalid user", m->auth_user ? m->auth_user : "",
                         m->peer_address, m->peer_port);
}

static int dispatch(Monitor *m, IpcMessage *msg) {
        switch (msg->type) {
        case IPC_USER_CONFIG:
                return -EPROTO;         /* the monitor's own message */
        case IPC_READY:
                if (!msg->payload.READY.sandboxed)
                        return -EPROTO;
                monitor_state_set(m, IPC_ST_PREAUTH);
                return 0;
        case IPC_LOG:
                return handle_log(m, &msg->payload.LOG);
        case IPC_AUTH_NONE:
                if (m->kbdint)
                        return -EPROTO;
                return handle_auth_none(m, &msg->payload.AUTH_NONE);
        case IPC_AUTH_PASSWORD:
                if (m->kbdint)
                        return -EPROTO;
                return handle_auth_password(m, &msg->payload.AUTH_PASSWORD);
        case IPC_AUTH_PUBKEY:
                if (m->kbdint)
                        return -EPROTO;         /* the worker holds requests while a conversation runs */
                return handle_auth_pubkey(m, &msg->payload.AUTH_PUBKEY);
        case IPC_AUTH_KBDINT:
                return handle_auth_kbdint(m, &msg->payload.AUTH_KBDINT);
        case IPC_KBDINT_ANSWERS:
                return handle_kbdint_answers(m, &msg->payload.KBDINT_ANSWERS);
        case IPC_PTY_REQUEST:
                return handle_pty_request(m, &msg->payload.PTY_REQUEST);
        case IPC_PTY_RELEASE:
                return handle_pty_release(m, &msg->payload.PTY_RELEASE);
        case IPC_SESSION_START:
                return handle_session_start(m, &msg->payload.SESSION_START);
        case IPC_SESSION_SIGNAL:
                return handle_session_signal(m, &msg->payload.SESSION_SIGNAL);
        case IPC_SESSION_CLOSE:
                return handle_session_close(m, &msg->payload.SESSION_CLOSE);
        case IPC_EVENT:
                return handle_event(m, &msg->payload.EVENT);
        case IPC_HOSTKEY_SIGN:
                return handle_hostkey_sign(m, &msg->payload.HOSTKEY_SIGN);
        case IPC_HOSTKEYS_PROVE:
                return handle_hostkeys_prove(m, &msg->payload.HOSTKEYS_PROVE);
        case IPC_FORWARD_CONNECT:
                return handle_forward_connect(m, &msg->payload.FORWARD_CONNECT);
        case IPC_FORWARD_LISTEN:
                return handle_forward_listen(m, &msg->payload.FORWARD_LISTEN);
        case IPC_FORWARD_ACCEPT: {
                int fd = msg->fds[0];
                msg->n_fds = 0;         /* the handler takes it */
                return handle_forward_accept(m, &msg->payload.FORWARD_ACCEPT, fd);
        }
        case IPC_AGENT_REQUEST:
                return agent_handle_request(m, &msg->payload.AGENT_REQUEST);
        case IPC_AGENT_ACCEPT: {
                int fd = msg->fds[0];
                msg->n_fds = 0;         /* the handler takes it */
                return agent_handle_accept(m, &msg->payload.AGENT_ACCEPT, fd);
        }
        case IPC_FORWARD_CONNECT_UNIX:
                return handle_forward_connect_unix(m, &msg->payload.FORWARD_CONNECT_UNIX);
        case IPC_FORWARD_LISTEN_UNIX:
                return handle_forward_listen_unix(m, &msg->payload.FORWARD_LISTEN_UNIX);
        case IPC_FORWARD_CANCEL_UNIX:
                return handle_forward_cancel_unix(m, &msg->payload.FORWARD_CANCEL_UNIX);
        /* Monitor-to-worker rows and reserved rows never get here: the framing and the gate refuse them. */
        case IPC_SETUP:
        case IPC_AUTH_RESULT:
        case IPC_KBDINT_PROMPTS:
        case IPC_HOSTKEY_SIGNATURE:
        case IPC_PTY_RESULT:
        case IPC_SESSION_STARTED:
        case IPC_SESSION_STARTED_PTY:
        case IPC_SESSION_FAILED:
        case IPC_SESSION_EXITED:
        case IPC_FORWARD_READY:
        case IPC_FORWARD_FAILED:
        case IPC_AGENT_LISTENING:
        case IPC_AGENT_REFUSED:
        case IPC_AGENT_CONNECTION:
        case IPC_AGENT_ACCEPT_FAILED:
        case IPC_FORWARD_LISTENING_ALSO:
        case IPC_HOSTKEYS_PROOF:
        case _IPC_TYPE_MAX:
        default:
                return -EPROTO;
        }
}

static int handle_signal(Monitor *m) {
        struct signalfd_siginfo si;
        ssize_t n;
        while ((n = read(m->signal_fd, &si, sizeof si)) == sizeof si) {
                switch (si.ssi_signo) {
                case SIGCHLD:
                        if (!worker_try_reap(m)) {
                                /* still running */
                        }
                        relay_try_reap(m);
                        sessions_check_exits(m);
                        signal_senders_reap(&m->signal_senders);
                        break;
                case SIGTERM:
                case SIGINT:
                case SIGHUP:
                        log_info("Received signal %d; terminating.", (int) si.ssi_signo);
                        return -EINTR;
                default:
                        break;
                }
        }
        return 0;
}

static void peer_names(Monitor *m, int fd);

/* What the listener learns from the exit status of a connection that never authenticated (OpenSSH's
 * EXIT_CHILD_CRASH, EXIT_LOGIN_GRACE, EXIT_AUTH_ATTEMPTED; anything else non-zero is "noauth"). */
static int exit_code_preauth(const Monitor *m) {
        if (m->worker_crashed)
                return MONITOR_EXIT_WORKER_CRASH;
        if (m->grace_exceeded)
                return MONITOR_EXIT_LOGIN_GRACE;
        if (m->auth_failures > 0)
                return MONITOR_EXIT_AUTH_ATTEMPTED;
        return MONITOR_EXIT_NOAUTH;
}

/* The journal's fields for every line of this connection (monitor/log-journal.h). */
static void log_context_set_peer(const Monitor *m) {
        char port[8];
        snprintf(port, sizeof port, "%u", m->peer_port);
        log_set_context(LOG_CONTEXT_REMOTE_ADDR, m->peer_address);
        log_set_context(LOG_CONTEXT_REMOTE_PORT, port);
        if (log_new_session_id() < 0)
                log_set_context(LOG_CONTEXT_SESSION, NULL);
}

int monitor_run(const Config *config, int conn_fd, int startup_fd, pid_t relay_pid) {
        Monitor m = {
                .config = config,
                .relay_pid = relay_pid,
                .ipc_fd = -EBADF,
                .signal_fd = -EBADF,
                .startup_fd = startup_fd,
                .state = IPC_ST_INIT,
                .next_session_id = 1,
                .exit_code = 0,
        };
        int r;

        peer_names(&m, conn_fd);
        proctitle_set("privsshd: %s [monitor]", m.peer_address);
        log_context_set_peer(&m);

        r = signalfd_for_daemon();
        if (r < 0) {
                log_error("monitor: cannot set up signals: %s", strerror(-r));
                safe_close(conn_fd);
                safe_close(startup_fd);
                return 255;
        }
        m.signal_fd = r;
#if ENABLE_TEST_HOOKS
        signal_senders_test_stop(&m.signal_senders, config->test_signal_sender_stops);
#endif

        r = worker_spawn(conn_fd, &m.ipc_fd, &m.worker_pid);
        conn_fd = safe_close(conn_fd);          /* only the worker holds the connection now */
        if (r < 0) {
                log_error("monitor: cannot start the worker: %s", strerror(-r));
                m.exit_code = 255;
                goto out;
        }
        r = worker_send_setup(&m);
        if (r < 0) {
                log_error("monitor: cannot set up the worker: %s", strerror(-r));
                m.exit_code = 255;
                goto out;
        }
        if (config->login_grace_time > 0)
                m.deadline_usec = now_usec() + (uint64_t) config->login_grace_time * 1000000u;

        for (;;) {
                int timeout = -1;
                if (m.deadline_usec && m.state != IPC_ST_AUTHED) {
                        uint64_t now = now_usec();
                        if (now >= m.deadline_usec) {
                                log_info("Timeout before authentication for %s port %u", m.peer_address,
                                         m.peer_port);
                                monitor_teardown(&m, "login grace time");
                                m.grace_exceeded = true;
                                m.exit_code = 255;
                                break;
                        }
                        timeout = (int) ((m.deadline_usec - now + 999) / 1000);
                }
                int senders = signal_senders_timeout_ms(&m.signal_senders, now_usec());
                if (senders >= 0 && (timeout < 0 || senders < timeout))
                        timeout = senders;
                int openers = forward_openers_timeout_ms(&m.forward_openers, now_usec());
                if (openers >= 0 && (timeout < 0 || openers < timeout))
                        timeout = openers;
                int agent = agent_timeout_ms(&m, now_usec());
                if (agent >= 0 && (timeout < 0 || agent < timeout))
                        timeout = agent;

                struct pollfd p[3 + FORWARD_MAX_PENDING + 1] = {
                        { .fd = m.ipc_fd, .events = POLLIN | (ipc_queue_pending(&m.outq) ? POLLOUT : 0) },
                        { .fd = m.signal_fd, .events = POLLIN },
                };
                monitor_report_sessions(&m);
                kbdint_poll_fill(&m, &p[2]);
                size_t n_openers = forward_poll_fill(&m, p + 3);
                size_t n_agent = agent_poll_fill(&m, p + 3 + n_openers);
                if (poll(p, 3 + n_openers + n_agent, timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        log_error("monitor: poll: %m");
                        monitor_teardown(&m, "poll failed");
                        m.exit_code = 255;
                        break;
                }
                signal_senders_expire(&m.signal_senders, now_usec());
                forward_poll_handle(&m, p + 3, n_openers);
                r = kbdint_poll_handle(&m, &p[2]);
                if (r < 0 || m.worker_not_reading) {
                        log_error("monitor: keyboard-interactive for %s port %u failed: %s", m.peer_address,
                                  m.peer_port, r < 0 ? strerror(-r) : "worker not reading");
                        monitor_teardown(&m, "keyboard-interactive");
                        m.exit_code = 255;
                        break;
                }
                forward_expire(&m, now_usec());
                agent_poll_handle(&m, p + 3 + n_openers, n_agent);
                agent_expire(&m, now_usec());
                if (m.worker_not_reading) {     /* logged by monitor_send() */
                        monitor_teardown(&m, "worker not reading");
                        m.exit_code = 255;
                        break;
                }
                if (p[0].revents & POLLOUT) {
                        r = ipc_queue_flush(&m.outq, m.ipc_fd);
                        if (r < 0 && r != -EPIPE && r != -ECONNRESET) {
                                log_error("monitor: sending to the worker for %s port %u failed: %s",
                                          m.peer_address, m.peer_port, strerror(-r));
                                monitor_teardown(&m, "send failed");
                                m.exit_code = 255;
                                break;
                        }
                        /* A worker that went away: its end of file is read below. */
                }
                if (p[1].revents & POLLIN) {
                        if (handle_signal(&m) < 0) {
                                monitor_teardown(&m, "signal");
                                break;
                        }
                        if (m.relay_failed) {           /* logged by relay_report_status() */
                                monitor_teardown(&m, "relay failed");
                                m.exit_code = 255;
                                break;
                        }
                        if (m.worker_not_reading) {     /* SESSION_EXITED found the queue full */
                                monitor_teardown(&m, "worker not reading");
                                m.exit_code = 255;
                                break;
                        }
                }
                if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        IpcMessage msg;
                        uint32_t type;
                        r = ipc_receive(m.ipc_fd, W2M, monitor_state_gate, &m, &msg, &type);
                        if (r == -EAGAIN)
                                continue;
                        if (r == -ECONNRESET) {
                                monitor_teardown(&m, NULL);     /* the worker finished */
                                break;
                        }
                        if (r < 0) {
                                log_error("monitor: protocol violation by the worker for %s port %u "
                                          "(message %s): %s", m.peer_address, m.peer_port,
                                          ipc_type_name(type), strerror(-r));
                                monitor_teardown(&m, "protocol violation");
                                m.exit_code = 255;
                                break;
                        }
                        r = dispatch(&m, &msg);
                        ipc_message_done(&msg);
                        if (m.worker_not_reading) {     /* logged by monitor_send() */
                                monitor_teardown(&m, "worker not reading");
                                m.exit_code = 255;
                                break;
                        }
                        if (r < 0) {
                                log_error("monitor: refused %s from the worker for %s port %u: %s",
                                          ipc_type_name(type), m.peer_address, m.peer_port, strerror(-r));
                                monitor_teardown(&m, "handler refused");
                                m.exit_code = 255;
                                break;
                        }
                }
        }

out:
        monitor_teardown(&m, m.exit_code ? "error" : NULL);
        safe_close(m.signal_fd);
        /* A connection that never authenticated ends with 255, as OpenSSH's sshd -i (inetd and
         * ProxyCommand users, and its regression suite's proto-mismatch, look at it); under the
         * listener (-R), with the reason the listener's penalties need. */
        if (m.state != IPC_ST_AUTHED)
                m.exit_code = m.startup_fd >= 0 ? exit_code_preauth(&m) : 255;
        m.startup_fd = safe_close(m.startup_fd);
        hostkeys_free(&m);
        hostcerts_free(&m);
        m.config = config;
        m.own_config = config_free(m.own_config);
        free(m.auth_user);
        free(m.auth_info);
        free(m.forced_command);
        free(m.key_permit_open);
        free(m.key_permit_listen);
        strv_free(m.key_env);
        krl_free(m.revoked_keys);
        user_creds_free(m.user);
        return m.exit_code;
}

static void sockaddr_name(const struct sockaddr_storage *sa, char *buf, size_t size, uint16_t *port) {
        *port = 0;
        snprintf(buf, size, "UNKNOWN");
        if (sa->ss_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
                inet_ntop(AF_INET, &in->sin_addr, buf, (socklen_t) size);
                *port = ntohs(in->sin_port);
        } else if (sa->ss_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
                if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
                        inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], buf, (socklen_t) size);
                else
                        inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t) size);
                *port = ntohs(in6->sin6_port);
        } else if (sa->ss_family == AF_UNIX) {
                snprintf(buf, size, "UNKNOWN");
                *port = 65535;  /* OpenSSH's convention for non-IP peers */
        }
}

static void peer_names(Monitor *m, int fd) {
        struct sockaddr_storage sa = {};
        socklen_t len = sizeof sa;
        if (getpeername(fd, (struct sockaddr *) &sa, &len) == 0)
                sockaddr_name(&sa, m->peer_address, sizeof m->peer_address, &m->peer_port);
        else
                snprintf(m->peer_address, sizeof m->peer_address, "UNKNOWN");
        len = sizeof sa;
        memset(&sa, 0, sizeof sa);
        if (getsockname(fd, (struct sockaddr *) &sa, &len) == 0)
                sockaddr_name(&sa, m->local_address, sizeof m->local_address, &m->local_port);
        else
                snprintf(m->local_address, sizeof m->local_address, "UNKNOWN");
        /* Match RDomain: Linux's routing domains are VRF devices, as OpenSSH's sys_get_rdomain(). */
        char dev[IFNAMSIZ + 1] = {};
        len = IFNAMSIZ;
        if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &len) == 0 && len > 0 && dev[0] != '\0')
                snprintf(m->rdomain, sizeof m->rdomain, "%s", dev);
}
