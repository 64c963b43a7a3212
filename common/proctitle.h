#pragma once
/*
 * Process titles for ps(1): "privsshd: alice [monitor]", "privsshd-worker: alice [net]". The title
 * overwrites the argv area (extended over the environment strings, which are moved away first), as
 * OpenSSH's setproctitle does; it makes no system calls, so it works inside the worker's sandbox.
 * /proc/PID/comm is left alone.
 */

#include "common/macro.h"

/* Call once, first thing in main(), before anything keeps pointers into argv or environ. */
void proctitle_init(int argc, char **argv);
void proctitle_set(const char *fmt, ...) _printf_(1, 2);
