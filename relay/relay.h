#pragma once
/*
 * The relay: `privsshd -i` on anything that is not one connected stream socket (two pipes, a FIFO, a
 * tty). The worker must own the only descriptor it talks SSH on, and that descriptor must be a socket
 * (worker/main.c); so the monitor makes a socketpair, gives the worker one end as if it were the TCP
 * connection, and forks a relay that copies bytes between the other end and the original stdin/stdout.
 *
 * The relay only ever sees bytes the network sent, so it is treated like the worker: it chroots into
 * SandboxDirectory, becomes SandboxUser with no groups, sets no_new_privs, holds only the descriptors of
 * common/fd-layout.h (RELAY_FD_*) and runs under its own seccomp filter (relay-seccomp.c) before it reads
 * a byte. It is forked, not exec'd: it is started before the monitor has read a host key or spoken to
 * PAM, so its copy of the monitor's memory holds the configuration and nothing secret.
 *
 * Wire guarantees (relay-loop.c): no byte lost or reordered; half-close kept both ways (end of file on
 * stdin -> shutdown(SHUT_WR) of the socket, the worker's end of file -> stdout closed; the other direction
 * flows on until its own end); bounded buffers (RELAY_BUFFER per direction) with backpressure.
 */

#include <stdbool.h>
#include <sys/types.h>

/* Whether stdin and stdout are one connected stream socket: then the monitor hands it to the worker
 * directly and no relay runs (socket mode costs nothing). */
bool relay_needed(int in_fd, int out_fd);

/* Fork the relay for in_fd/out_fd (both taken over: closed in the caller on success and failure). On
 * success *ret_conn_fd is the worker's end of the socketpair (CLOEXEC) and *ret_pid the relay. The
 * sandbox identity and directory come from the configuration; a missing user is an error here, as it
 * is for the worker. */
int relay_start(int in_fd, int out_fd, const char *sandbox_user, const char *sandbox_dir, int *ret_conn_fd,
                pid_t *ret_pid);

/* In the relay (relay-loop.c): copy until both directions have ended. Returns a RELAY_EXIT_* status. */
int relay_loop(void);

/* In the relay (relay-seccomp.c): load the filter. 0 or -errno. */
int relay_seccomp_load(void);
