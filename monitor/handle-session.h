#pragma once
/*
 * Sessions: the monitor spawns the user's command (session-spawn.c) and hands its pipes to the
 * worker; it alone signals, and only the process groups it spawned for this connection. A session
 * leader is not reaped until the worker has closed the channel (it stays a zombie meanwhile), so
 * its process group id cannot be recycled while we might still signal it.
 */

#include "monitor/monitor.h"

int handle_pty_request(Monitor *m, const IpcPtyRequest *p);
int handle_pty_release(Monitor *m, const IpcPtyRelease *p);
int handle_session_start(Monitor *m, const IpcSessionStart *p);
int handle_session_signal(Monitor *m, const IpcSessionSignal *p);
int handle_session_close(Monitor *m, const IpcSessionClose *p);

/* SIGCHLD: tell the worker about leaders that exited (without reaping them). */
void sessions_check_exits(Monitor *m);
/* Teardown: SIGHUP + SIGCONT the group of every leader still running, reap the exited ones. */
void sessions_hangup_all(Monitor *m);
