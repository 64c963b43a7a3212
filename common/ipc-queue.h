#pragma once
/*
 * The sending side of a peer we must never wait on. The monitor's end of the socketpair is
 * non-blocking: a worker that stops reading would otherwise stop the monitor in sendmsg() for ever
 * (no LoginGraceTime, no SIGTERM, no teardown, no PAM close). A message the socket does not take now
 * waits here, encoded, with duplicates of its descriptors, and goes out in order when the socket has
 * room again (the owner polls for POLLOUT while ipc_queue_pending()). The queue is bounded
 * (IPC_MAX_QUEUED_MESSAGES, IPC_MAX_QUEUED_BYTES): a peer that lets it fill is not reading, and
 * ipc_queue_send() says so with -ENOBUFS for the caller to tear the connection down.
 */

#include <stdbool.h>
#include <stddef.h>

#include "common/ipc-payloads.h"

typedef struct IpcQueued IpcQueued;

typedef struct IpcQueue {
        IpcQueued *head, *tail;
        size_t n_messages;
        size_t n_bytes;
} IpcQueue;

/*
 * Send now, or queue behind what is already queued. The caller keeps its fds (the queue holds
 * CLOEXEC duplicates). Returns 0 when sent, 1 when queued, -ENOBUFS when the queue is full (nothing
 * queued), -EMSGSIZE for a message that can never be sent, or the socket's error.
 */
int ipc_queue_send(IpcQueue *q, int sock, IpcType type, const IpcPayload *p, const int *fds, size_t n_fds);

/* Send queued messages until the socket is full. 0: the queue is empty; 1: some wait for POLLOUT;
 * <0: the socket's error. */
int ipc_queue_flush(IpcQueue *q, int sock);

static inline bool ipc_queue_pending(const IpcQueue *q) {
        return q->head != NULL;
}

/* Drop everything queued: bytes wiped (SETUP carries host keys), descriptors closed. */
void ipc_queue_clear(IpcQueue *q);
