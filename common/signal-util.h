#pragma once
/* Signals the root processes wait for through a signalfd (listener and monitor alike). */

/*
 * Block SIGCHLD, SIGTERM, SIGINT and SIGHUP, ignore SIGPIPE, and return a non-blocking CLOEXEC
 * signalfd for the blocked ones (or -errno). Children must unblock before exec.
 */
int signalfd_for_daemon(void);
