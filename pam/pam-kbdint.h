#pragma once
/*
 * keyboard-interactive as the PAM conversation (RFC 4256 over pam_authenticate / pam_chauthtok).
 *
 * PAM is synchronous: a module asks its questions from inside pam_authenticate() and waits for the
 * answers, which come from the client through the worker, which the monitor never waits on. So the
 * call runs in a thread of the monitor, and the conversation hands each round of messages to the
 * monitor's event loop and sleeps until its answers (or an abort) come back. The PAM handle stays in
 * the monitor process (pam_acct_mgmt, pam_setcred and pam_open_session later use the same handle, as
 * modules expect: pam_systemd registers the monitor's own process), and is only ever used by one
 * thread at a time: the main thread does not touch it until the conversation has finished.
 *
 * Every PAM message reaches the client when the module says it: PAM_TEXT_INFO and PAM_ERROR_MSG are
 * sent at once, as the instruction of a round (with the prompts of the same call, or alone in a round
 * without prompts), never queued for a later prompt (OpenSSH's bz#2876: a "touch your key" arrives
 * too late).
 */

#include <stdbool.h>
#include <stddef.h>

#include "common/limits.h"
#include "pam/pam-auth.h"

typedef struct PamKbdint PamKbdint;

typedef enum PamKbdintOp {
        PAM_KBDINT_AUTHENTICATE,        /* pam_authenticate */
        PAM_KBDINT_CHANGE_EXPIRED,      /* pam_chauthtok(PAM_CHANGE_EXPIRED_AUTHTOK) */
} PamKbdintOp;

/* One round for the client: what to show, and what to ask. */
typedef struct PamKbdintRound {
        char *instruction;                      /* the module's messages, one per line; "" for none */
        char *prompts[KBDINT_MAX_PROMPTS];
        bool echo[KBDINT_MAX_PROMPTS];
        size_t n_prompts;
} PamKbdintRound;

/* Starts the operation in a thread. The PamContext must not be used by the caller until
 * pam_kbdint_finish(). */
int pam_kbdint_start(PamContext *p, PamKbdintOp op, PamKbdint **ret);

/* Readable when the conversation has a round for the client or the operation has finished. */
int pam_kbdint_fd(const PamKbdint *k);

/* After pam_kbdint_fd() was readable: 1 and *round (owned by k, valid until the answer) when a round
 * waits for answers; 0 when the operation has finished (then pam_kbdint_finish()); -EAGAIN when
 * nothing happened yet. */
int pam_kbdint_next(PamKbdint *k, const PamKbdintRound **round);

/* The answers to the current round, one per prompt (copied; the caller wipes its own). */
int pam_kbdint_answer(PamKbdint *k, char *const *answers, size_t n);

/* The client gave up (a new request, or too many rounds): the conversation fails at its next call. */
void pam_kbdint_abort(PamKbdint *k);

/* Once finished: joins the thread and frees k. 0 when PAM said yes; -EACCES when it said no;
 * -EPERM when pam_authenticate said yes and the account stack no (PAM_KBDINT_AUTHENTICATE runs both);
 * -EKEYEXPIRED when the account needs a new password. When the thread has not finished (a module
 * stuck outside the conversation, at teardown) it is left to the process's exit and the PamContext
 * must not be used again: -EBUSY. */
int pam_kbdint_finish(PamKbdint *k);
