/* See ipc-queue.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "common/fd-util.h"
#include "common/ipc-queue.h"
#include "common/ipc-socket.h"
#include "common/macro.h"

/* Whatever is queued, one largest message always fits in an empty queue. */
_Static_assert(IPC_MAX_QUEUED_BYTES >= IPC_MAX_MESSAGE, "IPC_MAX_QUEUED_BYTES below IPC_MAX_MESSAGE");
_Static_assert(IPC_MAX_QUEUED_MESSAGES >= 1, "IPC_MAX_QUEUED_MESSAGES must allow one message");

struct IpcQueued {
        WireWriter data;
        int fds[IPC_MAX_FDS];
        size_t n_fds;
        IpcQueued *next;
};

static IpcQueued *queued_free(IpcQueued *m) {
        if (!m)
                return NULL;
        wire_writer_done(&m->data);
        for (size_t i = 0; i < m->n_fds; i++)
                safe_close(m->fds[i]);
        free(m);
        return NULL;
}

static void queue_pop(IpcQueue *q) {
        IpcQueued *m = q->head;
        q->head = m->next;
        if (!q->head)
                q->tail = NULL;
        q->n_messages--;
        q->n_bytes -= m->data.size;
        queued_free(m);
}

int ipc_queue_flush(IpcQueue *q, int sock) {
        while (q->head) {
                IpcQueued *m = q->head;
                int r = ipc_send_datagram(sock, m->data.data, m->data.size, m->fds, m->n_fds, MSG_DONTWAIT);
                if (r == -EAGAIN)
                        return 1;
                if (r < 0)
                        return r;
                queue_pop(q);
        }
        return 0;
}

/* Takes the encoded message over; duplicates the fds. */
static int queue_push(IpcQueue *q, WireWriter *w, const int *fds, size_t n_fds) {
        if (q->n_messages >= IPC_MAX_QUEUED_MESSAGES || w->size > IPC_MAX_QUEUED_BYTES - q->n_bytes)
                return -ENOBUFS;
        IpcQueued *m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        for (size_t i = 0; i < n_fds; i++) {
                m->fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
                if (m->fds[i] < 0) {
                        int e = negative_errno();
                        m->n_fds = i;
                        queued_free(m);
                        return e;
                }
        }
        m->n_fds = n_fds;
        m->data = *w;
        *w = wire_writer(w->max);
        if (q->tail)
                q->tail->next = m;
        else
                q->head = m;
        q->tail = m;
        q->n_messages++;
        q->n_bytes += m->data.size;
        return 0;
}

int ipc_queue_send(IpcQueue *q, int sock, IpcType type, const IpcPayload *p, const int *fds, size_t n_fds) {
        WireWriter w;
        int r = ipc_encode(type, p, n_fds, &w);
        if (r < 0)
                return r;
        /* In order: only when nothing waits may this one go straight out. */
        r = ipc_queue_flush(q, sock);
        if (r == 0) {
                r = ipc_send_datagram(sock, w.data, w.size, fds, n_fds, MSG_DONTWAIT);
                if (r != -EAGAIN) {
                        wire_writer_done(&w);
                        return r;
                }
        } else if (r < 0) {
                wire_writer_done(&w);
                return r;
        }
        r = queue_push(q, &w, fds, n_fds);
        wire_writer_done(&w);
        return r < 0 ? r : 1;
}

void ipc_queue_clear(IpcQueue *q) {
        while (q->head)
                queue_pop(q);
}
