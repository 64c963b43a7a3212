#pragma once
/*
 * The monitor's PAM glue: the only code that includes <security/pam_appl.h>. One PamContext per
 * connection (pam_start with the authenticating user). The conversation answers echo-off prompts with
 * the password being checked and collects informational messages for the user; it never blocks.
 */

#include <stdbool.h>

typedef struct PamContext PamContext;

/* pam_start(service, user) with PAM_RHOST = rhost and PAM_TTY = "ssh". Unless permit_empty_passwords
 * (PermitEmptyPasswords yes), pam_authenticate and pam_acct_mgmt get PAM_DISALLOW_NULL_AUTHTOK, as
 * OpenSSH passes them. */
int pam_context_new(const char *service, const char *user, const char *rhost, bool permit_empty_passwords,
                    PamContext **ret);

/* Closes an open session and deletes credentials when they were established, then pam_end. */
PamContext *pam_context_free(PamContext *p);
static inline void pam_context_freep(PamContext **p) {
        *p = pam_context_free(*p);
}

/* pam_authenticate with `password` as the answer to echo-off prompts. 0, or -EACCES on failure. */
int pam_context_authenticate(PamContext *p, const char *password);

/* pam_acct_mgmt. 0, -EACCES (refused), -EKEYEXPIRED (the password must be changed first). */
int pam_context_account(PamContext *p);

/* pam_setcred(ESTABLISH) + pam_open_session, once. 0 or -EACCES. */
int pam_context_open_session(PamContext *p);
bool pam_context_session_is_open(const PamContext *p);

/* pam_putenv("NAME=value"). 0, -ENOMEM or -EIO. */
int pam_context_putenv(PamContext *p, const char *name, const char *value);

/* The PAM environment (NULL-terminated, caller frees with strv_free), or NULL on OOM. */
char **pam_context_getenv(PamContext *p);

/* The informational messages PAM modules gave so far (pam_motd, expiry warnings), one per line, and
 * forget them; NULL when none. Caller frees. */
char *pam_context_take_messages(PamContext *p);

/* For pam-kbdint.c, which runs pam_authenticate/pam_chauthtok with its own conversation: the
 * pam_handle_t, the flags pam_authenticate takes, and the return code to remember. */
void *pam_context_handle(PamContext *p);
int pam_context_auth_flags(const PamContext *p);
void pam_context_set_last(PamContext *p, int rc);

/* The last PAM error as text (for log lines), never NULL. */
const char *pam_context_last_error(const PamContext *p);
