#pragma once
/*
 * keyboard-interactive: the PAM conversation, relayed round by round to the client through the
 * worker (pam/pam-kbdint.h runs PAM in a thread so that the monitor's loop never waits). One
 * conversation at a time; each ends with exactly one AUTH_RESULT, and a failed one counts against
 * MaxAuthTries once. Logged as OpenSSH does: "Accepted keyboard-interactive/pam for ...".
 * When it is the last step of AuthenticationMethods, the conversation's thread runs the account stack
 * after pam_authenticate (an earlier step runs pam_authenticate alone: the account stack comes after
 * the last step, whatever its method). An expired password (PAM_NEW_AUTHTOK_REQD from the account
 * stack) is changed in the same conversation (pam_chauthtok), as OpenSSH does over keyboard-interactive.
 */

#include <poll.h>

#include "monitor/monitor.h"

int handle_auth_kbdint(Monitor *m, const IpcAuthKbdint *p);
int handle_kbdint_answers(Monitor *m, IpcKbdintAnswers *p);

/* The conversation's descriptor for the monitor's poll (fd -1 when none). */
void kbdint_poll_fill(const Monitor *m, struct pollfd *p);
/* After poll: a round for the client, or the end of the operation. Negative: tear down. */
int kbdint_poll_handle(Monitor *m, const struct pollfd *p);
/* Teardown: ends a conversation still running. */
void kbdint_stop(Monitor *m);
