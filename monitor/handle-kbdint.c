/* See handle-kbdint.h. */

#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "common/macro.h"
#include "monitor/auth-log.h"
#include "monitor/handle-auth.h"
#include "monitor/handle-kbdint.h"
#include "pam/pam-kbdint.h"

#define METHOD "keyboard-interactive/pam"

static int start(Monitor *m, PamKbdintOp op) {
        m->kbdint_awaiting = false;
        m->kbdint_aborted = false;
        m->kbdint_changing = op == PAM_KBDINT_CHANGE_EXPIRED;
        m->kbdint_rounds = 0;
        /* As OpenSSH's sshpam_init_ctx(): a second factor's modules can see the first one. */
        auth_pam_expose_info(m);
        return pam_kbdint_start(m->pam, op, &m->kbdint);
}

int handle_auth_kbdint(Monitor *m, const IpcAuthKbdint *p) {
        /* The worker holds every other request while a conversation runs. */
        if (m->kbdint)
                return -EPROTO;
        int r = auth_begin(m, p->user);
        if (r < 0)
                return r;
        if (r > 0)
                return auth_reply(m, IPC_AUTH_DISCONNECT);
        if (!m->config->kbd_interactive_authentication || m->pam_lost) {
                auth_log_attempt(m, false, METHOD, NULL);
                return auth_fail(m);
        }
        if (!auth_method_allowed(m, METHOD, NULL))
                return auth_fail(m);
        /* An unknown user, or root where passwords are not allowed, still gets the conversation PAM
         * holds for the name (the same prompts and timing as a real one), and then fails. */
        r = auth_pam_begin(m);
        if (r >= 0)
                r = start(m, PAM_KBDINT_AUTHENTICATE);
        if (r < 0) {
                log_error("keyboard-interactive for %s: cannot start the PAM conversation: %s", m->auth_user,
                          strerror(-r));
                auth_log_attempt(m, false, METHOD, NULL);
                return auth_fail(m);
        }
        return 0;
}

int handle_kbdint_answers(Monitor *m, IpcKbdintAnswers *p) {
        if (!m->kbdint || !m->kbdint_awaiting) {
                /* An abort that crosses the round's end is fine; anything else was not asked for. */
                if (p->abort && m->kbdint)
                        return 0;
                return -EPROTO;
        }
        /* One answer per prompt: an honest worker checks the client's count and sends an abort instead. */
        if (!p->abort && p->n_answers != m->kbdint_prompts)
                return -EPROTO;
        m->kbdint_awaiting = false;
        int r = 0;
        if (p->abort) {
                m->kbdint_aborted = true;
                pam_kbdint_abort(m->kbdint);
        } else {
                r = pam_kbdint_answer(m->kbdint, p->answers, p->n_answers);
        }
        /* The answers are passwords and codes: wiped here, the payload's copies freed by the caller. */
        for (size_t i = 0; i < p->n_answers; i++)
                explicit_bzero(p->answers[i], strlen(p->answers[i]));
        if (r == -EPROTO)
                return r;
        return 0;
}

void kbdint_poll_fill(const Monitor *m, struct pollfd *p) {
        *p = (struct pollfd) { .fd = m->kbdint ? pam_kbdint_fd(m->kbdint) : -1, .events = POLLIN };
}

static int send_round(Monitor *m, const PamKbdintRound *round) {
        if (++m->kbdint_rounds > KBDINT_MAX_ROUNDS) {
                log_info("keyboard-interactive for %s: more than %u rounds, giving up", m->auth_user,
                         KBDINT_MAX_ROUNDS);
                m->kbdint_aborted = true;
                pam_kbdint_abort(m->kbdint);
                return 0;
        }
        IpcPayload p = {};
        uint32_t echo = 0;
        for (size_t i = 0; i < round->n_prompts; i++)
                if (round->echo[i])
                        echo |= 1u << i;
        p.KBDINT_PROMPTS.instruction = round->instruction;
        p.KBDINT_PROMPTS.prompts = (char **) round->prompts;
        p.KBDINT_PROMPTS.n_prompts = round->n_prompts;
        p.KBDINT_PROMPTS.echo = echo;
        m->kbdint_awaiting = true;
        m->kbdint_prompts = round->n_prompts;
        return monitor_send(m, IPC_KBDINT_PROMPTS, &p, NULL, 0);
}

/* The operation returned: the conversation's one AUTH_RESULT. */
static int finished(Monitor *m) {
        bool aborted = m->kbdint_aborted, changing = m->kbdint_changing;
        int r = pam_kbdint_finish(m->kbdint);
        m->kbdint = NULL;
        m->kbdint_awaiting = false;
        if (r == -EBUSY) {
                m->pam_lost = true;     /* the thread still has it */
                m->pam = NULL;
        }
        bool allowed = m->user && auth_root_allowed(m, true, false);
        if (r == 0 && allowed && !aborted) {
                if (changing)
                        log_info("Password of user %s changed over keyboard-interactive", m->user->name);
                /* Its thread ran the account stack after pam_authenticate, whatever the step, as
                 * OpenSSH's sshpam_thread() (so that an expired password is changed in the same
                 * conversation); a change of an expired password followed the account stack's answer. */
                return auth_accept(m, METHOD, NULL, NULL, true);
        }
        if (r == -EKEYEXPIRED && allowed && !aborted && !changing) {
                /* As OpenSSH: the expired password is changed now, in the same conversation. */
                log_info("Password of user %s has expired; asking for a new one", m->user->name);
                r = start(m, PAM_KBDINT_CHANGE_EXPIRED);
                if (r >= 0)
                        return 0;
        }
        if (r == -EPERM && m->user)
                log_error("Access denied for user %s by PAM account configuration: %s", m->user->name,
                          m->pam ? pam_context_last_error(m->pam) : "");
        auth_log_attempt(m, false, METHOD, NULL);
        return auth_fail(m);
}

int kbdint_poll_handle(Monitor *m, const struct pollfd *p) {
        if (!m->kbdint || !(p->revents & (POLLIN | POLLHUP | POLLERR)))
                return 0;
        const PamKbdintRound *round = NULL;
        int r = pam_kbdint_next(m->kbdint, &round);
        if (r == -EAGAIN)
                return 0;
        if (r < 0)
                return r;
        if (r > 0)
                return send_round(m, round);
        return finished(m);
}

void kbdint_stop(Monitor *m) {
        if (!m->kbdint)
                return;
        if (pam_kbdint_finish(m->kbdint) == -EBUSY) {
                m->pam_lost = true;
                m->pam = NULL;  /* left to the thread, and to the exit */
        }
        m->kbdint = NULL;
}
