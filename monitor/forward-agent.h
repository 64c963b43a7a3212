#pragma once
/*
 * Agent forwarding (`ssh -A`, auth-agent-req@openssh.com), the monitor's side: the policy
 * (AllowAgentForwarding, DisableForwarding, the key's no-agent-forwarding / restrict), the listening
 * socket and its directory, and their removal (doc/ARCHITECTURE.md, "Agent forwarding").
 *
 * Nothing here runs as root on a path: a short-lived helper child that has become the user (groups,
 * gid, uid) makes a fresh directory /tmp/ssh-XXXXXXXXXX (mode 0700, mkdtemp) and the socket
 * agent.PID in it (PID: the monitor's, as OpenSSH's sshd names it after its own process), listens and
 * sends the listener back; the monitor hands it to the worker and keeps no copy. For each connection
 * to it the worker hands the listener back (AGENT_ACCEPT) and another helper accepts it as the user,
 * as for TCP remote forwards. When the connection ends, however it ends, monitor_teardown() has one
 * more helper remove the socket and the directory, as the user, and waits for it (bounded).
 *
 * One helper at a time: the setup happens once per connection (the worker may ask once, the gate's
 * budget), and the worker asks for one accept at a time (a second while one is in flight is a
 * violation). The monitor never waits for a helper in its loop: it polls the helper's socketpair and
 * kills one still there after AGENT_HELPER_USEC.
 */

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/ipc-payloads.h"

typedef struct Monitor Monitor;

typedef struct AgentForward {
        char *socket_path;              /* the listening socket, once made; NULL before and after */
        dev_t listener_dev;             /* the listener's identity (its socket inode), to recognise it */
        ino_t listener_ino;             /*   when the worker hands it back */
        bool granted;
        uint32_t channel;               /* the channel whose request made it (logs) */

        pid_t helper_pid;               /* 0: none in flight */
        int helper_fd;                  /* the monitor's end of the helper's socketpair */
        uint64_t helper_deadline_usec;
        bool helper_accepts;            /* accepting a connection, else making the listener */
        uint32_t accept_id;
} AgentForward;

/* AGENT_REQUEST: policy, then a helper makes the socket (answered when it is done: AGENT_LISTENING or
 * AGENT_REFUSED). */
int agent_handle_request(Monitor *m, const IpcAgentRequest *p);

/* AGENT_ACCEPT: `fd` must be the listener this connection was given; a helper accepts on it as the
 * user (AGENT_CONNECTION or AGENT_ACCEPT_FAILED). Takes fd. */
int agent_handle_accept(Monitor *m, const IpcAgentAccept *p, int fd);

/* The monitor's loop: the helper's socketpair (0 or 1 entries), its deadline. */
size_t agent_poll_fill(Monitor *m, struct pollfd *p);
void agent_poll_handle(Monitor *m, const struct pollfd *p, size_t n);
void agent_expire(Monitor *m, uint64_t now_usec);
int agent_timeout_ms(const Monitor *m, uint64_t now_usec);      /* -1: none */

/* SSH_AUTH_SOCK for the sessions started from now on, or NULL. */
const char *agent_socket_path(const Monitor *m);

/* Teardown: kill a helper in flight, remove the socket and its directory as the user (waiting at most
 * AGENT_CLEANUP_USEC). Idempotent. */
void agent_teardown(Monitor *m);
bool agent_active(const Monitor *m);                            /* anything left for agent_teardown() */
