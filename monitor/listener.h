#pragma once
/*
 * The listener (root): binds every ListenAddress/Port, accepts, and starts one fresh process per
 * connection by fork + exec of this binary in inetd mode (-i), so that every connection gets its own
 * address-space layout, as OpenSSH's sshd-session does. It never reads a byte of SSH.
 */

#include <stdbool.h>

#include "common/config.h"

/* config_fd: the sealed image of the configuration c was loaded from (monitor/config-fd.h), handed to
 * every connection's monitor. reexec_argv: the argv to exec per connection (argv[0] = absolute path of
 * privsshd, ends with -R -i). */
int listener_run(const Config *c, int config_fd, char *const *reexec_argv, bool foreground);

/* Create the SandboxDirectory if missing and check it is safe (root-owned, not writable by others). */
int sandbox_directory_prepare(const char *path);
