#pragma once
/*
 * internal-sftp in the session child: OpenSSH's semantics (session.c) with our own server. A subsystem
 * whose command is "internal-sftp [options]" (from `Subsystem`, or forced by ForceCommand) runs
 * privsshd-sftp; a shell or exec request under `ForceCommand internal-sftp` is answered with OpenSSH's
 * "This service allows sftp connections only." and exit status 1.
 */

#include <stdbool.h>

#include "monitor/session-spawn.h"

/* "internal-sftp" alone or followed by a blank and options. */
bool internal_sftp_command(const char *command);

/*
 * In the session child, still root, stdin/stdout already the session's: set the user's groups and exec
 * privsshd-sftp with the chroot directory (or NULL), the user and the options of `command`. Keeps the
 * daemon's stderr as the server's log when the daemon logs to stderr. Never returns.
 */
_noreturn_ void internal_sftp_exec(const SessionSpawnParams *p, const char *chroot_dir, int err);
