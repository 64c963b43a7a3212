#pragma once
/*
 * Authentication requests relayed by the worker. The monitor decides everything: which user, whether
 * the user may log in this way (PermitRootLogin, PasswordAuthentication, ...), PAM, authorized_keys,
 * and how many attempts are left (MaxAuthTries). Each handler replies with exactly one AUTH_RESULT.
 */

#include "monitor/monitor.h"

int handle_auth_none(Monitor *m, const IpcAuthNone *p);
int handle_auth_password(Monitor *m, const IpcAuthPassword *p);
int handle_auth_pubkey(Monitor *m, const IpcAuthPubkey *p);

/* Shared with handle-kbdint.c. auth_begin: the first request fixes the user (1: a different name later,
 * disconnect). auth_fail: one failure against MaxAuthTries, and its AUTH_RESULT. auth_accept: a method
 * succeeded; when it is the last step of AuthenticationMethods (auth_step_is_last) and the account
 * stack has not run yet (account_done: keyboard-interactive's thread runs it), pam_acct_mgmt decides
 * first, as OpenSSH does once the user is fully authenticated, never after an earlier step; then the
 * "Accepted" or "Partial" line, the method's line of m->auth_info (key: the publickey request, or
 * NULL), the authenticated state and ExposeAuthInfo's file when no step is left, and its AUTH_RESULT.
 * auth_root_allowed: PermitRootLogin for a password-like (password) method or a key (forced: it
 * carries a forced command). */
int auth_reply(Monitor *m, IpcAuthOutcome o);
int auth_begin(Monitor *m, const char *requested);
int auth_fail(Monitor *m);
int auth_accept(Monitor *m, const char *method, const char *key_info, const IpcAuthPubkey *key,
                bool account_done);
bool auth_step_is_last(const Monitor *m, const char *method);
bool auth_root_allowed(const Monitor *m, bool password, bool forced);
int auth_pam_begin(Monitor *m);
/* SSH_AUTH_INFO_0 in PAM's environment: m->auth_info, the methods that succeeded so far ("" for none),
 * so that modules (pam_exec) see how the user authenticated. Set where OpenSSH's auth-pam.c sets it:
 * before a keyboard-interactive conversation (its auth stack sees the earlier steps), before the
 * account stack, after the last step (the earlier steps: the last one is recorded after it) and before
 * pam_open_session (every method). Nothing without a PAM handle; a failure is logged only. */
void auth_pam_expose_info(Monitor *m);
/* AuthenticationMethods: whether `method` (a log name: "publickey", "password",
 * "keyboard-interactive/pam") is a next step; when not, the failure is logged (the caller counts it). */
bool auth_method_allowed(Monitor *m, const char *method, const char *key_info);
