#pragma once
/*
 * Authentication log lines, worded exactly as OpenSSH's sshd words them, so that fail2ban's stock
 * sshd filter and operators' habits keep working:
 *   Invalid user bob from 192.0.2.1 port 51234
 *   Failed password for invalid user bob from 192.0.2.1 port 51234 ssh2
 *   Accepted publickey for alice from 192.0.2.1 port 51234 ssh2: ED25519 SHA256:...
 *   maximum authentication attempts exceeded for alice from 192.0.2.1 port 51234 ssh2
 */

#include <stdbool.h>

#include "monitor/monitor.h"

void auth_log_invalid_user(const Monitor *m, const char *user);
/* method: "none", "password", "publickey"; key_info: "ED25519 SHA256:..." or NULL. */
void auth_log_attempt(const Monitor *m, bool accepted, const char *method, const char *key_info);
void auth_log_partial(const Monitor *m, const char *method, const char *key_info);
void auth_log_max_tries(const Monitor *m);
void auth_log_root_refused(const Monitor *m);

/* "ED25519", "ECDSA", "RSA" for an SSH key algorithm name; NULL for unknown. */
const char *auth_key_type_label(const char *algorithm);
