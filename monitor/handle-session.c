/* See handle-session.h. */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "monitor/handle-session.h"
#include "monitor/session-spawn.h"

static Session *session_find(Monitor *m, uint32_t id) {
        for (Session *s = m->sessions; s; s = s->next)
                if (s->id == id)
                        return s;
        return NULL;
}

static void session_unlink(Monitor *m, Session *s) {
        for (Session **p = &m->sessions; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        break;
                }
        if (!s->closed && m->n_sessions_live > 0)
                m->n_sessions_live--;
        free(s);
}

/* SIGHUP, then SIGCONT so that stopped jobs see the hang-up, to the session's process group. */
static void session_hangup(Session *s) {
        if (kill(-s->pid, SIGHUP) < 0 && errno == ESRCH)
                (void) kill(s->pid, SIGHUP);   /* the child may not have called setsid() yet */
        (void) kill(-s->pid, SIGCONT);
}

static void session_reap(Session *s) {
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

static int session_failed(Monitor *m, uint32_t channel, const char *reason) {
        IpcPayload p = {};
        p.SESSION_FAILED.channel = channel;
        p.SESSION_FAILED.reason = (char *) reason;
        return monitor_send(m, IPC_SESSION_FAILED, &p, NULL, 0);
}

int handle_session_start(Monitor *m, const IpcSessionStart *p) {
        /* Preconditions the gate already checked, restated: only an authenticated user gets processes. */
        if (m->state != IPC_ST_AUTHED || !m->user)
                return -EPROTO;
        if (p->kind >= _IPC_SESSION_KIND_MAX)
                return -EBADMSG;
        for (Session *s = m->sessions; s; s = s->next)
                if (!s->closed && s->channel == p->channel)
                        return -EPROTO;         /* one session per channel */

        if (m->n_sessions_live >= m->config->max_sessions) {
                log_info("refusing session for %s: MaxSessions (%u) reached", m->user->name,
                         m->config->max_sessions);
                return session_failed(m, p->channel, "too many sessions (MaxSessions)");
        }

        const char *command = NULL, *original = NULL;
        switch ((IpcSessionKind) p->kind) {
        case IPC_SESSION_SHELL:
                command = NULL;
                break;
        case IPC_SESSION_EXEC:
                command = p->command;
                break;
        case IPC_SESSION_SUBSYSTEM:
                for (size_t i = 0; i < m->config->n_subsystems; i++)
                        if (streq(m->config->subsystems[i].name, p->command))
                                command = m->config->subsystems[i].command;
                if (!command) {
                        log_info("subsystem request for %s by user %s failed, subsystem not found", p->command,
                                 m->user->name);
                        return session_failed(m, p->channel, "subsystem not found");
                }
                break;
        case _IPC_SESSION_KIND_MAX:
        default:
                return -EBADMSG;
        }
        if (m->forced_command) {
                original = p->kind == IPC_SESSION_SHELL ? NULL : p->command;
                command = m->forced_command;
        }

        /* The PAM session opens with the first process of the connection and closes at its end. */
        if (!pam_context_session_is_open(m->pam)) {
                int r = m->pam ? pam_context_open_session(m->pam) : -EIO;
                if (r < 0) {
                        log_error("PAM: pam_open_session(): %s",
                                  m->pam ? pam_context_last_error(m->pam) : "no PAM handle");
                        return session_failed(m, p->channel, "PAM session could not be opened");
                }
        }

        _cleanup_strv_free_ char **pam_env = pam_context_getenv(m->pam);
        SessionSpawnParams sp = {
                .user = m->user,
                .command = command,
                .original_command = original,
                .pam_env = pam_env,
                .peer_address = m->peer_address,
                .peer_port = m->peer_port,
                .local_address = m->local_address,
                .local_port = m->local_port,
        };
        Session *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        int fds[3];
        int r = session_spawn(&sp, &s->pid, fds);
        if (r < 0) {
                free(s);
                log_error("session for %s: cannot start: %s", m->user->name, strerror(-r));
                return session_failed(m, p->channel, "cannot start the session");
        }
        s->id = m->next_session_id++;
        s->channel = p->channel;
        s->next = m->sessions;
        m->sessions = s;
        m->n_sessions_live++;

        if (p->kind == IPC_SESSION_SUBSYSTEM)
                log_verbose("Starting session: subsystem '%s' for %s from %s port %u id %u", p->command,
                            m->user->name, m->peer_address, m->peer_port, s->id);
        else
                log_verbose("Starting session: %s for %s from %s port %u id %u",
                            p->kind == IPC_SESSION_SHELL ? "shell" : "command", m->user->name,
                            m->peer_address, m->peer_port, s->id);

        IpcPayload reply = {};
        reply.SESSION_STARTED.channel = p->channel;
        reply.SESSION_STARTED.session = s->id;
        r = monitor_send(m, IPC_SESSION_STARTED, &reply, fds, 3);
        for (size_t i = 0; i < 3; i++)
                safe_close(fds[i]);     /* only the worker keeps them */
        return r;
}

int handle_session_close(Monitor *m, const IpcSessionClose *p) {
        Session *s = session_find(m, p->session);
        /* Only this connection's sessions, and each closed once. */
        if (!s || s->closed)
                return -EPROTO;
        s->closed = true;
        if (m->n_sessions_live > 0)
                m->n_sessions_live--;
        if (!s->exited || p->abandoned) {
                /* The channel went away while the command (or a job of it holding its output) runs:
                 * hang its process group up. The leader is reaped when it has exited. */
                session_hangup(s);
                if (!s->exited)
                        return 0;
        }
        session_reap(s);
        session_unlink(m, s);
        return 0;
}

static int send_exited(Monitor *m, Session *s, const siginfo_t *si) {
        IpcPayload p = {};
        p.SESSION_EXITED.session = s->id;
        if (si->si_code == CLD_EXITED) {
                p.SESSION_EXITED.exit_code = (uint32_t) si->si_status;
        } else {
                p.SESSION_EXITED.signaled = true;
                p.SESSION_EXITED.exit_code = (uint32_t) si->si_status;
                p.SESSION_EXITED.core_dumped = si->si_code == CLD_DUMPED;
        }
        return monitor_send(m, IPC_SESSION_EXITED, &p, NULL, 0);
}

void sessions_check_exits(Monitor *m) {
        Session *next;
        for (Session *s = m->sessions; s; s = next) {
                next = s->next;
                if (s->exited)
                        continue;
                siginfo_t si = {};
                /* WNOWAIT: the leader stays a zombie, so its pid (= our process group id) is not reused. */
                if (waitid(P_PID, (id_t) s->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
                        continue;
                s->exited = true;
                if (s->closed) {
                        session_reap(s);
                        session_unlink(m, s);
                        continue;
                }
                if (m->ipc_fd >= 0)
                        (void) send_exited(m, s, &si);
        }
}

void sessions_hangup_all(Monitor *m) {
        while (m->sessions) {
                Session *s = m->sessions;
                if (!s->exited) {
                        siginfo_t si = {};
                        if (waitid(P_PID, (id_t) s->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0)
                                s->exited = true;
                }
                /* The connection ended with the session still open: hang up its process group, whether
                 * or not the leader has exited (its zombie keeps the group id from being reused). A
                 * leader still running is not waited for: it may outlive us (nohup); init adopts it. */
                session_hangup(s);
                if (s->exited)
                        session_reap(s);
                s->closed = true;
                session_unlink(m, s);
        }
        m->n_sessions_live = 0;
}
