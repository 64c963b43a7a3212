#pragma once
/*
 * FORWARD_CONNECT and FORWARD_LISTEN (common/ipc-messages.h): policy (forward-policy.h), then an opener
 * as the user (forward-opener.h), whose socket goes to the worker in FORWARD_READY. The monitor's
 * loop polls the openers with forward_poll_fill()/forward_poll_handle() and kills late ones.
 */

#include <poll.h>

#include "monitor/monitor.h"

int handle_forward_connect(Monitor *m, const IpcForwardConnect *p);
int handle_forward_listen(Monitor *m, const IpcForwardListen *p);
/* Takes fd (the worker's listener): an opener as the user accepts on it. */
int handle_forward_accept(Monitor *m, const IpcForwardAccept *p, int fd);

/* Fill at most FORWARD_MAX_PENDING pollfds; returns how many. */
size_t forward_poll_fill(Monitor *m, struct pollfd *p);
/* Answer the worker for every opener whose socketpair has something in p[0..n). */
void forward_poll_handle(Monitor *m, const struct pollfd *p, size_t n);
/* Kill openers past their deadline; their requests fail. */
void forward_expire(Monitor *m, uint64_t now);
