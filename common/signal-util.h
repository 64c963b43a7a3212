#pragma once
/* Signals the root processes wait for through a signalfd (listener and monitor alike). */

/*
 * Block SIGCHLD, SIGTERM, SIGINT and SIGHUP, ignore SIGPIPE, and return a non-blocking CLOEXEC
 * signalfd for the blocked ones (or -errno). Children must unblock before exec.
 */
int signalfd_for_daemon(void);

/*
 * In a child between fork() and exec(): unblock every signal and put every disposition back to its
 * default, so that what signalfd_for_daemon() blocked and ignored does not reach the program run.
 * Async-signal-safe.
 */
void signal_reset_for_exec(void);
