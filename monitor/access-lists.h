#pragma once
/*
 * OpenSSH's allowed_user(): whether a user who exists may log in at all, from where the client is.
 * In OpenSSH's order: the login shell must exist and be executable; then DenyUsers, AllowUsers,
 * DenyGroups, AllowGroups (USER or USER@HOST patterns, HOST an address, CIDR or host pattern matched
 * against the address, as UseDNS no does). A user refused here is treated as an invalid user from
 * then on ("Failed password for invalid user ..."), and the reason is logged in OpenSSH's words,
 * which fail2ban's sshd filter matches:
 *   User bob from 192.0.2.1 not allowed because listed in DenyUsers
 */

#include <stdbool.h>

#include "common/config.h"
#include "monitor/user-creds.h"

bool access_user_allowed(const Config *c, const UserCreds *u, const char *address);
