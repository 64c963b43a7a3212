#pragma once
/*
 * SIGHUP for the listener, as systemd's reload protocol wants it: RELOADING=1 (with MONOTONIC_USEC),
 * the new configuration checked first by a `privsshd ... -t` child with the same options, and then
 * either the old listener keeps running (bad configuration: the error is logged, READY=1 again) or it
 * re-executes itself with the same options, keeping its listening sockets (LISTEN_FDS/LISTEN_PID, as
 * systemd passes them, plus PRIVSSHD_RELOADED): the new listener reuses each one its configuration
 * still names, binds the new ones, closes the rest, and says READY=1 once it listens. Connections in
 * progress are other processes and are not disturbed; their startup pipes do not survive the exec, so
 * MaxStartups counts from zero again, as after OpenSSH's re-exec.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The value of PRIVSSHD_RELOADED: which sockets the re-executed listener was handed. */
#define LISTENER_RELOADED_ENV "PRIVSSHD_RELOADED"
#define LISTENER_RELOADED_OWN "own"             /* ours: match them against the new configuration */
#define LISTENER_RELOADED_SYSTEMD "systemd"     /* systemd's (socket activation): keep them all */

/* Starts the configuration check: `reexec_argv` is the per-connection argv (path, options, -R, -i);
 * the check runs the same path and options with -t. Returns its pid, or a negative errno. */
pid_t listener_reload_check_start(char *const *reexec_argv);

/* Re-executes the listener (path and options of `reexec_argv`, without -R -i) with `fds` as its
 * listening sockets, and systemd's watchdog interval (WATCHDOG_USEC, 0: none) handed on. Returns only on failure (a negative errno), with the sockets still ours. */
int listener_reload_exec(char *const *reexec_argv, const int *fds, size_t n_fds, bool from_systemd,
                         uint64_t watchdog_usec);
