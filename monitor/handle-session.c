/* See handle-session.h. */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "common/safe-chroot.h"
#include "monitor/internal-sftp.h"
#include "common/tty-modes.h"
#include "monitor/authorized-keys.h"
#include "monitor/handle-auth.h"
#include "monitor/handle-session.h"
#include "monitor/session-signal.h"
#include "monitor/log-journal.h"
#include "monitor/login-record.h"
#include "monitor/pty.h"
#include "monitor/session-spawn.h"

static Session *session_find(Monitor *m, uint32_t id) {
        for (Session *s = m->sessions; s; s = s->next)
                if (s->id == id)
                        return s;
        return NULL;
}

/* The end of a pty session's login record, once: when its leader has exited or it is torn down. */
static void session_logout(Session *s) {
        if (!s->tty || s->logged_out)
                return;
        s->logged_out = true;
        LoginRecord r = { .tty = s->tty, .pid = s->pid };
        (void) login_record_logout(&r);
}

/* OpenSSH's line (VERBOSE) when a session's channel goes, whether or not its command has ended. */
static void session_log_close(const Monitor *m, const Session *s) {
        char id[16];
        snprintf(id, sizeof id, "%u", s->id);
        const LogFields closed = { .message_id = LOG_MESSAGE_ID_SESSION_CLOSED, .channel = id };
        log_fields(LOG_LEVEL_VERBOSE, &closed, "Close session: user %s from %s port %u id %u", m->user ? m->user->name : "",
                   m->peer_address, m->peer_port, s->id);
}

static void session_unlink(Monitor *m, Session *s) {
        for (Session **p = &m->sessions; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        break;
                }
        if (!s->closed && m->n_sessions_live > 0)
                m->n_sessions_live--;
        session_logout(s);
        free(s->tty);
        free(s);
}

/* SIGHUP, then SIGCONT so that stopped jobs see the hang-up, to the session's process group.
 * Sent as root, unlike a client's signal request (session-signal.h): this stands for the kernel's
 * terminal hang-up, which reaches every process of the session whatever its uid, so that a sudo
 * child left in the group is hung up with the rest when the connection or channel goes (as with
 * OpenSSH, whose pty hang-up is the kernel's). The client chooses neither the moment nor the signal. */
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

/* The link that points at the channel's pty (*link is NULL when it has none). */
static Pty **pty_link(Monitor *m, uint32_t channel) {
        Pty **p = &m->ptys;
        while (*p && (*p)->channel != channel)
                p = &(*p)->next;
        return p;
}

static Pty *pty_take(Monitor *m, uint32_t channel) {
        Pty **p = pty_link(m, channel), *t = *p;
        if (!t)
                return NULL;
        *p = t->next;
        t->next = NULL;
        m->n_ptys--;
        return t;
}

static bool channel_has_live_session(Monitor *m, uint32_t channel) {
        for (Session *s = m->sessions; s; s = s->next)
                if (!s->closed && s->channel == channel)
                        return true;
        return false;
}

static int pty_reply(Monitor *m, uint32_t channel, bool allocated) {
        IpcPayload p = {};
        p.PTY_RESULT.channel = channel;
        p.PTY_RESULT.allocated = allocated;
        return monitor_send(m, IPC_PTY_RESULT, &p, NULL, 0);
}

int handle_pty_request(Monitor *m, const IpcPtyRequest *p) {
        if (m->state != IPC_ST_AUTHED || !m->user)
                return -EPROTO;
        /* The worker forwards pty-req only for a channel without a session. */
        if (channel_has_live_session(m, p->channel))
                return -EPROTO;
        /* The worker forwards only modes it checked: malformed ones come from a worker that lies. */
        struct termios scratch = {};
        if (tty_modes_apply(p->modes, p->modes_len, &scratch, NULL) < 0)
                return -EPROTO;
        if (!pty_term_valid(p->term)) {
                log_info("refusing pty for %s: unusable TERM value", m->user->name);
                return pty_reply(m, p->channel, false);
        }
        if (*pty_link(m, p->channel)) {
                log_debug("refusing a second pty-req on channel %u", p->channel);
                return pty_reply(m, p->channel, false);
        }
        if (!m->config->permit_tty || (m->key_flags & AUTHKEY_NO_PTY)) {
                log_verbose("pty allocation for %s refused: %s", m->user->name,
                            m->config->permit_tty ? "no-pty in authorized_keys" : "PermitTTY no");
                return pty_reply(m, p->channel, false);
        }
        if (m->n_ptys >= m->config->max_sessions) {
                log_info("refusing pty for %s: MaxSessions (%u) reached", m->user->name, m->config->max_sessions);
                return pty_reply(m, p->channel, false);
        }
        Pty *t = NULL;
        int r = pty_allocate(m->user, p->term, p->cols, p->rows, p->xpixels, p->ypixels, p->modes,
                             p->modes_len, &t);
        if (r < 0)
                return pty_reply(m, p->channel, false);
        t->channel = p->channel;
        t->next = m->ptys;
        m->ptys = t;
        m->n_ptys++;
        log_debug("allocated %s for channel %u", t->name, p->channel);
        return pty_reply(m, p->channel, true);
}

int handle_pty_release(Monitor *m, const IpcPtyRelease *p) {
        Pty *t = pty_take(m, p->channel);
        if (!t)
                return -EPROTO;         /* only a pty this connection holds, once */
        pty_free(t);
        return 0;
}

/* Signals a client may send, with OpenSSH's names (RFC 4254 6.10). */
static int signal_from_name(const char *name) {
        static const struct {
                const char *name;
                int sig;
        } table[] = {
                { "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "FPE", SIGFPE },   { "HUP", SIGHUP },
                { "ILL", SIGILL },   { "INT", SIGINT },   { "KILL", SIGKILL }, { "PIPE", SIGPIPE },
                { "QUIT", SIGQUIT }, { "SEGV", SIGSEGV }, { "TERM", SIGTERM }, { "USR1", SIGUSR1 },
                { "USR2", SIGUSR2 },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(table[i].name, name))
                        return table[i].sig;
        return 0;
}

int handle_session_signal(Monitor *m, const IpcSessionSignal *p) {
        Session *s = session_find(m, p->session);
        /* Only this connection's sessions, while their channel lasts (the leader, exited or not, is not
         * reaped before that, so the group id is still ours). */
        if (!s || s->closed)
                return -EPROTO;
        if (s->forced || s->subsystem) {
                log_debug("session %u: refusing signal request for a %s", s->id,
                          s->forced ? "forced command" : "subsystem");
                return 0;
        }
        int sig = signal_from_name(p->signal);
        if (sig == 0) {
                log_debug("session %u: unsupported signal \"%s\"", s->id, p->signal);
                return 0;
        }
        if (s->exited)
                return 0;
        log_debug("session %u: signal %s", s->id, p->signal);
        /* The leader called setsid(): its pid is the group's id. As the user, never as root. */
        int r = signal_senders_start(&m->signal_senders, m->user, s->pid, sig, now_usec());
        if (r == -EBUSY)
                log_info("session %u: signal %s for %s refused: %u signals still in flight", s->id, p->signal,
                         m->user->name, SESSION_MAX_PENDING_SIGNALS);
        else if (r < 0)
                log_error("session %u: cannot send signal %s for %s: %s", s->id, p->signal, m->user->name,
                          strerror(-r));
        return 0;
}

/* AcceptEnv: the client's NAME=VALUE pairs that may pass, in a new list (NULL when none). */
static char **accepted_env(Monitor *m, char **env, size_t n) {
        char **out = calloc(n + 1, sizeof(char *));
        size_t k = 0;
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                const char *eq = strchr(env[i], '=');
                if (!eq || eq == env[i])
                        continue;
                _cleanup_free_ char *name = strndup(env[i], (size_t) (eq - env[i]));
                if (!name)
                        return strv_free(out);
                if (!config_accept_env(m->config, name)) {
                        if (config_accept_env_overruled(m->config, name))
                                log_info("refused env request %s from %s: a loader or shell-startup "
                                         "variable never passes, whatever AcceptEnv says", name, m->user->name);
                        else
                                log_debug("Ignored env %s", name);
                        continue;
                }
                out[k] = strdup(env[i]);
                if (!out[k])
                        return strv_free(out);
                k++;
        }
        return out;
}

/* PermitUserEnvironment: the environment= values of the key that let the user in, as far as the
 * configuration lets them through, in a new list (NULL when none or on -ENOMEM: *ret_oom tells). */
static char **permitted_key_env(Monitor *m, bool *ret_oom) {
        *ret_oom = false;
        if (!m->key_env || !m->config->permit_user_environment)
                return NULL;    /* as OpenSSH: without it, environment= options are ignored */
        size_t n = 0;
        while (m->key_env[n])
                n++;
        char **out = calloc(n + 1, sizeof(char *));
        if (!out) {
                *ret_oom = true;
                return NULL;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const char *eq = strchr(m->key_env[i], '=');
                if (!eq)
                        continue;       /* pubkey-check.c lets none through */
                _cleanup_free_ char *name = strndup(m->key_env[i], (size_t) (eq - m->key_env[i]));
                if (!name) {
                        *ret_oom = true;
                        return strv_free(out);
                }
                if (!config_user_env_allowed(m->config, name)) {
                        if (config_user_env_overruled(m->config, name))
                                log_info("refused environment=\"%s=...\" in the key of %s: a loader or "
                                         "shell-startup variable never passes, whatever PermitUserEnvironment "
                                         "says", name, m->user->name);
                        else
                                log_debug("Ignored key option environment %s (PermitUserEnvironment)", name);
                        continue;
                }
                out[k] = strdup(m->key_env[i]);
                if (!out[k]) {
                        *ret_oom = true;
                        return strv_free(out);
                }
                k++;
        }
        return out;
}

/* What a login shell on a terminal shows first, as OpenSSH does: PAM's messages, "Last login",
 * then /etc/motd (PrintMotd). NULL when there is nothing. */
static char *login_message(Monitor *m) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        _cleanup_free_ char *pam = m->pam ? pam_context_take_messages(m->pam) : NULL;
        if (pam)
                fputs(pam, f);
        if (m->config->print_last_log) {
                _cleanup_free_ char *last = NULL;
                if (lastlog_previous_message(m->user->uid, &last) >= 0 && last)
                        fputs(last, f);
        }
        if (m->config->print_motd) {
                _cleanup_free_ char *motd = NULL;
                size_t n = 0;
                int r = read_full_file("/etc/motd", SESSION_MAX_MOTD, &motd, &n);
                if (r >= 0)
                        fwrite(motd, 1, n, f);
                else if (r != -ENOENT)
                        log_error("/etc/motd: %s (at most %u bytes)", strerror(-r), SESSION_MAX_MOTD);
        }
        if (fclose(f) != 0)
                return NULL;
        if (len == 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

int handle_session_start(Monitor *m, const IpcSessionStart *p) {
        /* Preconditions the gate already checked, restated: only an authenticated user gets processes. */
        if (m->state != IPC_ST_AUTHED || !m->user)
                return -EPROTO;
        if (p->kind >= _IPC_SESSION_KIND_MAX)
                return -EBADMSG;
        if (channel_has_live_session(m, p->channel))
                return -EPROTO;         /* one session per channel */
        _cleanup_(pty_freep) Pty *pty = pty_take(m, p->channel);

        if (m->n_sessions_live >= m->config->max_sessions) {
                log_info("refusing session for %s: MaxSessions (%u) reached", m->user->name,
                         m->config->max_sessions);
                return session_failed(m, p->channel, "too many sessions (MaxSessions)");
        }

        const char *command = NULL, *original = NULL;
        bool forced = false;
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
        /* ForceCommand in the configuration wins over command= in authorized_keys, as in OpenSSH. */
        const char *force = m->config->force_command ?: m->forced_command;
        if (force) {
                original = command;     /* the client's command, or the subsystem's; NULL for a shell */
                command = force;
                forced = true;
                log_debug("Forced command (%s) '%.900s'", m->config->force_command ? "config" : "key-option",
                          command);
        }

        /* The PAM session opens with the first process of the connection and closes at its end. */
        if (!pam_context_session_is_open(m->pam)) {
                auth_pam_expose_info(m);        /* every method now (do_pam_session) */
                int r = m->pam ? pam_context_open_session(m->pam) : -EIO;
                if (r < 0) {
                        log_error("PAM: pam_open_session(): %s",
                                  m->pam ? pam_context_last_error(m->pam) : "no PAM handle");
                        return session_failed(m, p->channel, "PAM session could not be opened");
                }
        }

        _cleanup_strv_free_ char **pam_env = pam_context_getenv(m->pam);
        _cleanup_strv_free_ char **client_env = accepted_env(m, p->env, p->n_env);
        bool oom = false;
        _cleanup_strv_free_ char **key_env = permitted_key_env(m, &oom);
        if (!pam_env || !client_env || oom)
                return -ENOMEM;
        /* A login shell on a terminal gets the login messages, and the terminal a login record. */
        _cleanup_free_ char *message = pty && !command ? login_message(m) : NULL;
        SessionSpawnParams sp = {
                .user = m->user,
                .command = command,
                .original_command = original,
                .pam_env = pam_env,
                .client_env = client_env,
                .set_env = m->config->set_env,
                .key_env = key_env,
                .user_env = m->config->permit_user_environment ? m->config : NULL,
                .auth_info_path = m->auth_info_path,
                .pty_slave = pty ? pty->slave : -EBADF,
                .tty = pty ? pty->name : NULL,
                .term = pty ? pty->term : NULL,
                .auth_sock = agent_socket_path(m),
                .login_message = message,
                .peer_address = m->peer_address,
                .peer_port = m->peer_port,
                .local_address = m->local_address,
                .local_port = m->local_port,
                .subsystem = p->kind == IPC_SESSION_SUBSYSTEM,
                .forced = forced,
        };
        /* ChrootDirectory: expanded and checked here, where the log is the daemon's (OpenSSH's wording);
         * the child only enters it. A bad root fails the session, as OpenSSH's fatal() in its child. */
        _cleanup_free_ char *chroot_dir = NULL;
        if (m->config->chroot_directory && !streq(m->config->chroot_directory, "none")) {
                if (chroot_path_expand(m->config->chroot_directory, m->user->name, m->user->home, &chroot_dir) < 0 ||
                    safe_chroot_check(chroot_dir) < 0)
                        return session_failed(m, p->channel, "bad ChrootDirectory");
                sp.chroot_directory = chroot_dir;
        }
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
        s->forced = forced;
        s->subsystem = p->kind == IPC_SESSION_SUBSYSTEM;
        if (pty) {
                /* The slave now belongs to the child alone; the master goes to the worker. */
                pty->slave = safe_close(pty->slave);
                s->tty = strdup(pty->name);
                if (s->tty) {
                        LoginRecord lr = {
                                .user = m->user->name, .uid = m->user->uid, .tty = s->tty, .pid = s->pid,
                                .host = m->peer_address,
                        };
                        (void) login_record_login(&lr);
                }
        }
        /* Logged here at the daemon's LogLevel, as OpenSSH's session child does, for privsshd-sftp too
         * (whose own log level is -l's). */
        if (chroot_dir)
                log_verbose("Changed root directory to \"%s\"", chroot_dir);
        s->next = m->sessions;
        m->sessions = s;
        m->n_sessions_live++;

        char id[16];
        snprintf(id, sizeof id, "%u", s->id);
        const LogFields opened = { .message_id = LOG_MESSAGE_ID_SESSION_OPENED, .channel = id };
        if (p->kind == IPC_SESSION_SUBSYSTEM)
                log_fields(LOG_LEVEL_VERBOSE, &opened,
                           "Starting session: subsystem '%s' for %s from %s port %u id %u", p->command,
                           m->user->name, m->peer_address, m->peer_port, s->id);
        else
                log_fields(LOG_LEVEL_VERBOSE, &opened, "Starting session: %s for %s from %s port %u id %u",
                           p->kind == IPC_SESSION_SHELL ? "shell" : "command", m->user->name,
                           m->peer_address, m->peer_port, s->id);

        IpcPayload reply = {};
        if (pty) {
                reply.SESSION_STARTED_PTY.channel = p->channel;
                reply.SESSION_STARTED_PTY.session = s->id;
                r = monitor_send(m, IPC_SESSION_STARTED_PTY, &reply, &pty->master, 1);
                pty->master = safe_close(pty->master);  /* only the worker keeps it: closing it hangs up */
                return r;
        }
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
        session_log_close(m, s);
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
                session_logout(s);
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
                if (!s->closed)
                        session_log_close(m, s);
                s->closed = true;
                session_unlink(m, s);
        }
        m->n_sessions_live = 0;
        while (m->ptys)
                pty_free(pty_take(m, m->ptys->channel));
}
