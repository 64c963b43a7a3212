#pragma once
/*
 * A client's "signal" request (RFC 4254 6.9), delivered with the user's credentials.
 *
 * The monitor is root, so kill() from it reaches every process of the session's group, including
 * ones the user could never signal (a sudo or su child whose real uid changed). A signal request is
 * the user asking, so it must reach what the user could reach and nothing more: it is sent from a
 * child whose real, effective and saved uids are all the user's (OpenSSH changes only the
 * effective uid, which leaves the real uid 0 and so still passes the kernel's check for a root
 * target). The hang-up on disconnect is different and stays root's: see session_hangup().
 *
 * Once the child is the user's, the user can stop it (SIGSTOP). So the monitor never waits for it:
 * each sender is tracked with a deadline, reaped on SIGCHLD, and killed (SIGKILL works on a stopped
 * process) and reaped when the deadline passes or the connection ends. At most
 * SESSION_MAX_PENDING_SIGNALS are in flight; a request beyond that is refused, so a user who stops
 * every sender gets nothing but refusals, and no process outlives its deadline.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/limits.h"
#include "monitor/user-creds.h"

typedef struct SignalSenders {
        pid_t pid[SESSION_MAX_PENDING_SIGNALS];
        uint64_t deadline_usec[SESSION_MAX_PENDING_SIGNALS];
        unsigned n;
        bool test_stop;                 /* TestSignalSenderStops */
} SignalSenders;

/* Fork a sender of `sig` to process group `pgid` as user `u`. 0; -EBUSY when SESSION_MAX_PENDING_SIGNALS
 * are in flight; other -errno when the fork failed. */
int signal_senders_start(SignalSenders *s, const UserCreds *u, pid_t pgid, int sig, uint64_t now_usec);

/* Test builds only (TestSignalSenderStops): senders stop themselves once they are the user's, as a
 * user who stops them would. */
void signal_senders_test_stop(SignalSenders *s, bool stop);

/* Reap the senders that have exited (on SIGCHLD). */
void signal_senders_reap(SignalSenders *s);

/* Kill the senders whose deadline has passed, and reap them. */
void signal_senders_expire(SignalSenders *s, uint64_t now_usec);

/* Milliseconds until the next deadline (for poll), or -1 when none is in flight. */
int signal_senders_timeout_ms(const SignalSenders *s, uint64_t now_usec);

/* Kill and reap every sender (teardown). */
void signal_senders_stop_all(SignalSenders *s);
