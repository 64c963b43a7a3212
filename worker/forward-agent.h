#pragma once
/*
 * Agent forwarding in the worker (`ssh -A`; doc/ARCHITECTURE.md, "Agent forwarding"). A session
 * channel's auth-agent-req@openssh.com goes to the monitor (AGENT_REQUEST, once per connection: later
 * ones are refused here, as OpenSSH's sshd grants one per connection), and the channel's requests wait
 * behind it, so that a command started right after it gets SSH_AUTH_SOCK. The monitor decides and, if it
 * allows it, hands over the listening socket that a helper made as the user. The worker polls it; when
 * a connection waits, it hands the listener back (AGENT_ACCEPT) and a helper accepts as the user; the
 * accepted socket becomes an auth-agent@openssh.com channel that the worker opens to the client and
 * pumps like a forwarded TCP connection (worker/forward-pump.c: half-close, bounded buffers).
 * The worker never creates, binds or accepts a socket itself.
 */

#include <poll.h>
#include <stdbool.h>

#include "worker/worker.h"

/* A session channel's auth-agent-req (the caller checked that no session runs on it yet). Takes msg.
 * Returns true when it is answered, false when it waits for the monitor (c->pending_request). */
bool agent_channel_request(Worker *w, Channel *c, ssh_message msg);

int agent_listening(Worker *w, const IpcAgentListening *p, int fd);
int agent_refused(Worker *w, const IpcAgentRefused *p);
int agent_connection(Worker *w, const IpcAgentConnection *p, int fd);
int agent_accept_failed(Worker *w, const IpcAgentAcceptFailed *p);

size_t agent_poll_fill(Worker *w, struct pollfd *p);            /* 0 or 1 entries */
void agent_poll_handle(Worker *w, const struct pollfd *p, size_t n);
void agent_abandon(Worker *w);                                  /* the connection is gone */
