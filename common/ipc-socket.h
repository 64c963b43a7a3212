#pragma once
/*
 * Framing over the SOCK_SEQPACKET socketpair: one message per datagram, a u32 type header, the
 * payload, and its descriptors attached to the same datagram with SCM_RIGHTS. A truncated datagram
 * (MSG_TRUNC) or truncated control data (MSG_CTRUNC) is a violation; received descriptors are
 * always either handed to the caller or closed.
 */

#include <stdbool.h>
#include <stddef.h>

#include "common/ipc-payloads.h"

typedef struct IpcMessage {
        IpcType type;
        IpcPayload payload;
        int fds[IPC_MAX_FDS];
        size_t n_fds;
} IpcMessage;

/* Encode and send. Never blocks forever on a dead peer: EPIPE/ECONNRESET are returned. */
int ipc_send(int sock, IpcType type, const IpcPayload *p, const int *fds, size_t n_fds);

/*
 * Called after the header and generic row checks passed, before decoding: the state machine's
 * chance to refuse (return <0). May be NULL.
 */
typedef int (*IpcGate)(void *userdata, IpcType type, const IpcRow *row);

/*
 * Receive one message sent in direction `dir`. Returns 0 with *ret filled (free with
 * ipc_message_done), -ECONNRESET when the peer closed, -EAGAIN on a non-blocking socket with nothing
 * to read, -EBADMSG/-EMSGSIZE/-EPROTO on any violation (unknown type, wrong direction, wrong number
 * of fds, truncation, malformed payload) or the gate's error. `ret_type` (may be NULL) gets the type
 * as soon as it is known, for logging violations.
 */
int ipc_receive(int sock, IpcDirection dir, IpcGate gate, void *userdata, IpcMessage *ret,
                uint32_t *ret_type);

void ipc_message_done(IpcMessage *m);
