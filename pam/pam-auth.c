/* See pam-auth.h. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include "common/log.h"
#include "common/macro.h"
#include "pam/pam-auth.h"

#define PAM_MAX_MESSAGES (16u * 1024u)  /* bytes of PAM messages kept for the user */

struct PamContext {
        pam_handle_t *handle;
        struct pam_conv conv;
        const char *password;   /* borrowed during pam_authenticate only */
        int last;               /* last PAM return code */
        int auth_flags;         /* for pam_authenticate and pam_acct_mgmt: PAM_DISALLOW_NULL_AUTHTOK or 0 */
        bool creds;
        bool session;
        char *messages;         /* PAM_TEXT_INFO / PAM_ERROR_MSG texts for the user, one per line */
        size_t messages_len;
};

/* Keep a message for the login banner of a terminal session (as OpenSSH's loginmsg), bounded. */
static void keep_message(PamContext *p, const char *text) {
        size_t n = strlen(text);
        if (n == 0 || p->messages_len + n + 2 > PAM_MAX_MESSAGES)
                return;
        char *m = realloc(p->messages, p->messages_len + n + 2);
        if (!m)
                return;
        memcpy(m + p->messages_len, text, n);
        p->messages_len += n;
        m[p->messages_len++] = '\n';
        m[p->messages_len] = 0;
        p->messages = m;
}

char *pam_context_take_messages(PamContext *p) {
        char *m = p->messages;
        p->messages = NULL;
        p->messages_len = 0;
        return m;
}

static int conversation(int n, const struct pam_message **msg, struct pam_response **resp, void *userdata) {
        PamContext *p = userdata;

        if (n <= 0 || n > PAM_MAX_NUM_MSG)
                return PAM_CONV_ERR;
        struct pam_response *r = calloc((size_t) n, sizeof *r);
        if (!r)
                return PAM_BUF_ERR;

        for (int i = 0; i < n; i++) {
                switch (msg[i]->msg_style) {
                case PAM_PROMPT_ECHO_OFF:
                        /* Only a password check has an answer; anything else cannot be answered. */
                        if (!p->password)
                                goto fail;
                        r[i].resp = strdup(p->password);
                        if (!r[i].resp)
                                goto fail;
                        break;
                case PAM_PROMPT_ECHO_ON:
                        goto fail;
                case PAM_ERROR_MSG:
                case PAM_TEXT_INFO:
                        log_debug("PAM: %s", msg[i]->msg ? msg[i]->msg : "");
                        if (msg[i]->msg)
                                keep_message(p, msg[i]->msg);
                        break;
                default:
                        goto fail;
                }
        }
        *resp = r;
        return PAM_SUCCESS;

fail:
        for (int i = 0; i < n; i++)
                erase_and_free(r[i].resp);
        free(r);
        return PAM_CONV_ERR;
}

int pam_context_new(const char *service, const char *user, const char *rhost, bool permit_empty_passwords,
                    PamContext **ret) {
        PamContext *p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        /* Set once, here, for every call that decides a login: Debian's common-auth has
         * "pam_unix.so nullok", which without this flag accepts anything typed for an account whose
         * shadow password is empty. */
        p->auth_flags = permit_empty_passwords ? 0 : PAM_DISALLOW_NULL_AUTHTOK;
        p->conv = (struct pam_conv) { .conv = conversation, .appdata_ptr = p };
        p->last = pam_start(service, user, &p->conv, &p->handle);
        if (p->last != PAM_SUCCESS) {
                log_error("PAM: pam_start(%s) failed: %s", service, pam_strerror(NULL, p->last));
                free(p);
                return -EIO;
        }
        if (rhost && (p->last = pam_set_item(p->handle, PAM_RHOST, rhost)) != PAM_SUCCESS)
                goto fail;
        if ((p->last = pam_set_item(p->handle, PAM_TTY, "ssh")) != PAM_SUCCESS)
                goto fail;
        *ret = p;
        return 0;
fail:
        log_error("PAM: pam_set_item failed: %s", pam_strerror(p->handle, p->last));
        pam_end(p->handle, p->last);
        free(p);
        return -EIO;
}

PamContext *pam_context_free(PamContext *p) {
        if (!p)
                return NULL;
        if (p->session) {
                p->last = pam_close_session(p->handle, PAM_SILENT);
                if (p->last != PAM_SUCCESS)
                        log_error("PAM: pam_close_session(): %s", pam_strerror(p->handle, p->last));
        }
        if (p->creds) {
                p->last = pam_setcred(p->handle, PAM_DELETE_CRED | PAM_SILENT);
                if (p->last != PAM_SUCCESS)
                        log_debug("PAM: pam_setcred(DELETE): %s", pam_strerror(p->handle, p->last));
        }
        pam_end(p->handle, p->last);
        free(p->messages);
        free(p);
        return NULL;
}

int pam_context_authenticate(PamContext *p, const char *password) {
        p->password = password;
        p->last = pam_authenticate(p->handle, p->auth_flags);
        p->password = NULL;
        if (p->last != PAM_SUCCESS)
                return -EACCES;
        return 0;
}

int pam_context_account(PamContext *p) {
        p->last = pam_acct_mgmt(p->handle, p->auth_flags);
        switch (p->last) {
        case PAM_SUCCESS:
                return 0;
        case PAM_NEW_AUTHTOK_REQD:
                return -EKEYEXPIRED;
        default:
                return -EACCES;
        }
}

int pam_context_open_session(PamContext *p) {
        if (p->session)
                return 0;
        if (!p->creds) {
                p->last = pam_setcred(p->handle, PAM_ESTABLISH_CRED);
                if (p->last != PAM_SUCCESS)
                        return -EACCES;
                p->creds = true;
        }
        p->last = pam_open_session(p->handle, 0);
        if (p->last != PAM_SUCCESS)
                return -EACCES;
        p->session = true;
        return 0;
}

bool pam_context_session_is_open(const PamContext *p) {
        return p && p->session;
}

int pam_context_putenv(PamContext *p, const char *name, const char *value) {
        _cleanup_free_ char *entry = NULL;
        if (asprintf(&entry, "%s=%s", name, value) < 0)
                return -ENOMEM;
        int rc = pam_putenv(p->handle, entry);
        if (rc == PAM_BUF_ERR)
                return -ENOMEM;
        return rc == PAM_SUCCESS ? 0 : -EIO;
}

char **pam_context_getenv(PamContext *p) {
        return pam_getenvlist(p->handle);
}

const char *pam_context_last_error(const PamContext *p) {
        return pam_strerror(p->handle, p->last);
}

void *pam_context_handle(PamContext *p) {
        return p->handle;
}

int pam_context_auth_flags(const PamContext *p) {
        return p->auth_flags;
}

void pam_context_set_last(PamContext *p, int rc) {
        p->last = rc;
}
