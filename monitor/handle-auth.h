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
