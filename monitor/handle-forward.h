#pragma once
/*
 * FORWARD_CONNECT and FORWARD_LISTEN (common/ipc-messages.h): policy (forward-policy.h), then an opener
 * as the user (forward-opener.h), whose socket goes to the worker in FORWARD_READY. The monitor's
 * loop polls the openers with forward_poll_fill()/forward_poll_handle() and kills late ones.
 */

#include <poll.h>

#include "monitor/forward-opener.h"
#include "monitor/monitor.h"

int handle_forward_connect(Monitor *m, const IpcForwardConnect *p);
int handle_forward_listen(Monitor *m, const IpcForwardListen *p);
/* Takes fd (the worker's listener): an opener as the user accepts on it. */
int handle_forward_accept(Monitor *m, const IpcForwardAccept *p, int fd);

/* Answer the worker's request `id` with FORWARD_FAILED (the comment above its definition says what
 * `prohibited` and `reason` become for the client). Returns 0: a refusal is not the worker's fault. */
int forward_reply_failed(Monitor *m, uint32_t id, bool prohibited, const char *reason);
/* Start an opener as the user for the TCP or unix-socket target t; a failure to start is logged and
 * answered with forward_reply_failed(). */
int forward_start(Monitor *m, const ForwardTarget *t, uint32_t id);

/* Fill at most FORWARD_MAX_PENDING pollfds; returns how many. */
size_t forward_poll_fill(Monitor *m, struct pollfd *p);
/* Answer the worker for every opener whose socketpair has something in p[0..n). */
void forward_poll_handle(Monitor *m, const struct pollfd *p, size_t n);
/* Kill openers past their deadline; their requests fail. */
void forward_expire(Monitor *m, uint64_t now);
