#pragma once
/*
 * A client's "signal" request (RFC 4254 6.9), delivered with the user's credentials.
 *
 * The monitor is root, so kill() from it reaches every process of the session's group, including
 * ones the user could never signal (a sudo or su child whose real uid changed). A signal request is
 * the user asking, so it must reach what the user could reach and nothing more: it is sent from a
 * process whose real, effective and saved uids are all the user's (OpenSSH changes only the
 * effective uid, which leaves the real uid 0 and so still passes the kernel's check for a root
 * target). The hang-up on disconnect is different and stays root's: see session_hangup().
 */

#include <sys/types.h>

#include "monitor/user-creds.h"

/*
 * Send `sig` to process group `pgid` as user `u`. Never waits on anything the user controls: a
 * root child forks the sender and exits at once (so the monitor's wait is bounded), and the sender,
 * reparented to init, becomes the user, signals and exits. 0, or -errno when it could not be
 * started (whether the kill succeeded is not reported, as with kill() on a group that just ended).
 */
int session_signal_as_user(const UserCreds *u, pid_t pgid, int sig);
