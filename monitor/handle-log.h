#pragma once
/*
 * What the worker asks the monitor to log. A taken-over worker must never be able to write a line that
 * looks like one of the monitor's own: fail2ban bans the address in "Failed password for root from ADDR",
 * whoever wrote it. So the worker has two ways to the log, and neither lets it choose such a line:
 *
 *  - LOG (free text, budgeted): always written behind WORKER_LOG_MARKER, in every state, which no
 *    failregex of fail2ban's sshd filter can match (each is anchored at the start of the message, and the
 *    marker is two words so that even the optional hostname and daemon groups of fail2ban's common.conf
 *    cannot swallow it; tests/hostile/test_injected.py runs the stock filter over forged lines).
 *  - EVENT (a kind from a small table, bounded parameters): the monitor composes OpenSSH's line itself,
 *    with the peer address and user it knows, for the few lines operators and fail2ban's ddos and extra
 *    modes rely on ("banner exchange: Connection from ADDR ...", "Unable to negotiate with ADDR ...").
 *    The worst a taken-over worker can do with them is get its own peer banned.
 *
 * The daemon's stderr is not a third way: the worker's fd 2 is /dev/null (common/fd-layout.h).
 */

#include "monitor/monitor.h"

/* Written in front of every LOG line from the worker. */
#define WORKER_LOG_MARKER "worker (untrusted): "

int handle_log(Monitor *m, const IpcLog *p);
int handle_event(Monitor *m, const IpcEvent *p);
