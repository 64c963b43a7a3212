/* See pam-kbdint.h. */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "common/macro.h"
#include "pam/pam-kbdint.h"

/* What the thread and the main thread say over their socketpair (one byte each). */
enum {
        MSG_ROUND = 'r',        /* thread: k->round is ready */
        MSG_DONE = 'd',         /* thread: the operation has returned, k->rc set */
        MSG_ANSWERS = 'a',      /* main: k->answers are ready */
        MSG_ABORT = 'x',        /* main: fail the conversation */
};

struct PamKbdint {
        PamContext *pam;
        PamKbdintOp op;
        pthread_t thread;
        int fds[2];             /* [0] main (non-blocking), [1] thread */
        pthread_mutex_t lock;   /* round, answers, aborted, rc: handed over with the bytes above */
        PamKbdintRound round;
        char **answers;
        size_t n_answers;
        bool aborted;
        bool done;
        bool account;           /* rc is pam_acct_mgmt's */
        int rc;
};

static void round_clear(PamKbdintRound *r) {
        free(r->instruction);
        for (size_t i = 0; i < r->n_prompts; i++)
                free(r->prompts[i]);
        *r = (PamKbdintRound) {};
}

static void answers_clear(PamKbdint *k) {
        for (size_t i = 0; i < k->n_answers; i++)
                erase_and_free(k->answers[i]);
        free(k->answers);
        k->answers = NULL;
        k->n_answers = 0;
}

/* Appends `text` as a line of the round's instruction, bounded (a longer text is cut). */
static int instruction_add(PamKbdintRound *r, const char *text) {
        size_t have = r->instruction ? strlen(r->instruction) : 0;
        size_t n = strnlen(text, KBDINT_MAX_TEXT);
        if (have + n + 2 > KBDINT_MAX_INSTRUCTION)
                return 0;
        char *s = realloc(r->instruction, have + n + 2);
        if (!s)
                return -ENOMEM;
        memcpy(s + have, text, n);
        s[have + n] = '\n';
        s[have + n + 1] = '\0';
        r->instruction = s;
        return 0;
}

/* Thread side: hand the round over and sleep until the answers or an abort. */
static int thread_exchange(PamKbdint *k) {
        char c = MSG_ROUND;
        if (write(k->fds[1], &c, 1) != 1)
                return -EIO;
        ssize_t n;
        while ((n = read(k->fds[1], &c, 1)) < 0 && errno == EINTR)
                ;
        if (n != 1 || c != MSG_ANSWERS)
                return -ECANCELED;
        return 0;
}

static int conversation(int n, const struct pam_message **msg, struct pam_response **resp, void *userdata) {
        PamKbdint *k = userdata;
        if (n <= 0 || n > (int) KBDINT_MAX_PROMPTS)
                return PAM_CONV_ERR;
        struct pam_response *r = calloc((size_t) n, sizeof *r);
        if (!r)
                return PAM_BUF_ERR;

        pthread_mutex_lock(&k->lock);
        bool aborted = k->aborted;
        round_clear(&k->round);
        int ret = aborted ? PAM_CONV_ERR : PAM_SUCCESS;
        for (int i = 0; i < n && ret == PAM_SUCCESS; i++) {
                const char *text = msg[i]->msg ? msg[i]->msg : "";
                switch (msg[i]->msg_style) {
                case PAM_PROMPT_ECHO_OFF:
                case PAM_PROMPT_ECHO_ON:
                        k->round.echo[k->round.n_prompts] = msg[i]->msg_style == PAM_PROMPT_ECHO_ON;
                        k->round.prompts[k->round.n_prompts] = strndup(text, KBDINT_MAX_TEXT);
                        if (!k->round.prompts[k->round.n_prompts])
                                ret = PAM_BUF_ERR;
                        else
                                k->round.n_prompts++;
                        break;
                case PAM_ERROR_MSG:
                case PAM_TEXT_INFO:
                        if (instruction_add(&k->round, text) < 0)
                                ret = PAM_BUF_ERR;
                        break;
                default:
                        ret = PAM_CONV_ERR;
                }
        }
        if (ret == PAM_SUCCESS && !k->round.instruction && !(k->round.instruction = strdup("")))
                ret = PAM_BUF_ERR;
        pthread_mutex_unlock(&k->lock);
        if (ret != PAM_SUCCESS)
                goto fail;

        /* Messages alone are a round too (no prompts, answered with nothing): they reach the user now. */
        if (thread_exchange(k) < 0) {
                ret = PAM_CONV_ERR;
                goto fail;
        }
        pthread_mutex_lock(&k->lock);
        if (k->aborted || k->n_answers != k->round.n_prompts)
                ret = PAM_CONV_ERR;
        for (int i = 0, a = 0; i < n && ret == PAM_SUCCESS; i++) {
                if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF && msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
                        continue;
                r[i].resp = k->answers[a];      /* PAM frees it */
                k->answers[a++] = NULL;
        }
        answers_clear(k);
        pthread_mutex_unlock(&k->lock);
        if (ret != PAM_SUCCESS)
                goto fail;
        *resp = r;
        return PAM_SUCCESS;
fail:
        for (int i = 0; i < n; i++)
                erase_and_free(r[i].resp);
        free(r);
        return ret;
}

static void *thread_main(void *userdata) {
        PamKbdint *k = userdata;
        pam_handle_t *h = pam_context_handle(k->pam);
        const struct pam_conv *saved = NULL;
        struct pam_conv ours = { .conv = conversation, .appdata_ptr = k };
        bool account = false;
        int rc = pam_get_item(h, PAM_CONV, (const void **) &saved);
        struct pam_conv restore = saved ? *saved : (struct pam_conv) {};
        if (rc == PAM_SUCCESS)
                rc = pam_set_item(h, PAM_CONV, &ours);
        if (rc == PAM_SUCCESS) {
                if (k->op == PAM_KBDINT_AUTHENTICATE) {
                        rc = pam_authenticate(h, pam_context_auth_flags(k->pam));
                        /* As with the password method: the account stack decides next, here, while the
                         * conversation can still tell the user why (and ask for a new password). */
                        if (rc == PAM_SUCCESS) {
                                rc = pam_acct_mgmt(h, pam_context_auth_flags(k->pam));
                                account = true;
                        }
                } else {
                        rc = pam_chauthtok(h, PAM_CHANGE_EXPIRED_AUTHTOK);
                }
                (void) pam_set_item(h, PAM_CONV, &restore);
        }
        pthread_mutex_lock(&k->lock);
        k->rc = rc;
        k->account = account;
        k->done = true;
        pthread_mutex_unlock(&k->lock);
        char c = MSG_DONE;
        (void) !write(k->fds[1], &c, 1);
        return NULL;
}

int pam_kbdint_start(PamContext *p, PamKbdintOp op, PamKbdint **ret) {
        PamKbdint *k = calloc(1, sizeof *k);
        if (!k)
                return -ENOMEM;
        k->pam = p;
        k->op = op;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, k->fds) < 0) {
                free(k);
                return negative_errno();
        }
        int r = fd_set_nonblock(k->fds[0], true);
        if (r >= 0)
                r = -pthread_mutex_init(&k->lock, NULL);
        if (r >= 0) {
                r = -pthread_create(&k->thread, NULL, thread_main, k);
                if (r < 0)
                        pthread_mutex_destroy(&k->lock);
        }
        if (r < 0) {
                safe_close(k->fds[0]);
                safe_close(k->fds[1]);
                free(k);
                return r;
        }
        *ret = k;
        return 0;
}

int pam_kbdint_fd(const PamKbdint *k) {
        return k->fds[0];
}

int pam_kbdint_next(PamKbdint *k, const PamKbdintRound **round) {
        char c;
        ssize_t n = read(k->fds[0], &c, 1);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? -EAGAIN : negative_errno();
        if (n == 0)
                return -EIO;
        if (c == MSG_DONE)
                return 0;
        if (c != MSG_ROUND)
                return -EIO;
        *round = &k->round;
        return 1;
}

int pam_kbdint_answer(PamKbdint *k, char *const *answers, size_t n) {
        pthread_mutex_lock(&k->lock);
        answers_clear(k);
        int r = 0;
        k->answers = calloc(n ? n : 1, sizeof(char *));
        if (!k->answers)
                r = -ENOMEM;
        for (size_t i = 0; r == 0 && i < n; i++) {
                k->answers[i] = strdup(answers[i]);
                if (!k->answers[i])
                        r = -ENOMEM;
                else
                        k->n_answers++;
        }
        if (r < 0)
                k->aborted = true;
        pthread_mutex_unlock(&k->lock);
        char c = r < 0 ? MSG_ABORT : MSG_ANSWERS;
        if (write(k->fds[0], &c, 1) != 1)
                return -EIO;
        return r;
}

void pam_kbdint_abort(PamKbdint *k) {
        pthread_mutex_lock(&k->lock);
        k->aborted = true;
        pthread_mutex_unlock(&k->lock);
        char c = MSG_ABORT;
        (void) !write(k->fds[0], &c, 1);
}

int pam_kbdint_finish(PamKbdint *k) {
        pthread_mutex_lock(&k->lock);
        bool done = k->done;
        int rc = k->rc;
        pthread_mutex_unlock(&k->lock);
        if (!done) {
                /* A round may be waiting for its answers: fail it, and give the module a moment. */
                pam_kbdint_abort(k);
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_sec += 2;
                if (pthread_timedjoin_np(k->thread, NULL, &until) != 0) {
                        log_error("PAM: a module did not return from the conversation; left to the exit");
                        return -EBUSY;  /* k and the PamContext stay with the thread */
                }
                rc = k->rc;
        } else {
                pthread_join(k->thread, NULL);
        }
        bool account = k->account;
        pam_context_set_last(k->pam, rc);
        pthread_mutex_destroy(&k->lock);
        safe_close(k->fds[0]);
        safe_close(k->fds[1]);
        round_clear(&k->round);
        answers_clear(k);
        free(k);
        switch (rc) {
        case PAM_SUCCESS:
                return 0;
        case PAM_NEW_AUTHTOK_REQD:
                return -EKEYEXPIRED;
        default:
                return account ? -EPERM : -EACCES;
        }
}
