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

/* Encode and send. Never blocks forever on a dead peer: EPIPE/ECONNRESET are returned. -EMSGSIZE
 * when the message is longer than IPC_MAX_MESSAGE or than the socket's buffer: nothing was sent and
 * the connection is intact. On a non-blocking socket, -EAGAIN when it is full (use an IpcQueue). */
int ipc_send(int sock, IpcType type, const IpcPayload *p, const int *fds, size_t n_fds);

/* The two halves of ipc_send(). ipc_encode() checks the row's fd count and fills *ret (free with
 * wire_writer_done(), which wipes it); ipc_send_datagram() sends encoded bytes with their fds
 * (flags: MSG_DONTWAIT or 0), returning 0, -EAGAIN when the socket is full, or the error. */
int ipc_encode(IpcType type, const IpcPayload *p, size_t n_fds, WireWriter *ret);
int ipc_send_datagram(int sock, const void *data, size_t size, const int *fds, size_t n_fds, int flags);
/* Its counterpart for a fixed-size answer with at most one descriptor (the monitor's helper children):
 * 0 when exactly `size` bytes came, whole; *ret_fd the descriptor (CLOEXEC) or -EBADF; -EPROTO for a
 * short, long or truncated answer, or one with more descriptors (every descriptor that came anyway is
 * closed), -EAGAIN, or the error. */
int ipc_receive_datagram(int sock, void *data, size_t size, int *ret_fd);
/* The same with up to max_fds (<= IPC_MAX_FDS) descriptors: ret_fds[0..*ret_n_fds) (the rest -EBADF). */
int ipc_receive_datagram_fds(int sock, void *data, size_t size, int *ret_fds, size_t max_fds,
                             size_t *ret_n_fds);

/* The send buffer that takes the largest message (the kernel wants a little more than the datagram). */
#define IPC_SOCKET_BUFFER_MIN (IPC_MAX_MESSAGE + 4096u)

/* Size the socket's send buffer (IPC_SOCKET_BUFFER) so that the largest message always fits;
 * -ENOBUFS when the kernel would not give enough (the buffer is then as large as it allowed). */
int ipc_socket_set_buffer(int sock);

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
