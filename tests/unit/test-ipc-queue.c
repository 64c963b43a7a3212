/*
 * The monitor's outgoing queue (common/ipc-queue.c) and the message-size limits: a full socket
 * queues instead of blocking, in order, up to the bound and not one message more; queued
 * descriptors are duplicates that arrive working and are closed when the queue is dropped; the
 * largest SESSION_START the worker may send fits in one datagram, and a longer one fails alone.
 */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "common/fd-util.h"
#include "common/ipc-queue.h"
#include "common/ipc-socket.h"
#include "test-helpers.h"

static int make_pair(int sv[2]) {
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        return fd_set_nonblock(sv[0], true);
}

static int queue_pty_result(IpcQueue *q, int sock, uint32_t seq) {
        IpcPayload p = {};
        p.PTY_RESULT.channel = seq;
        p.PTY_RESULT.allocated = true;
        return ipc_queue_send(q, sock, IPC_PTY_RESULT, &p, NULL, 0);
}

/* Read every PTY_RESULT the socket holds, flushing the queue as room appears; the sequence numbers
 * must be next, next+1, ... */
static bool drain_in_order(IpcQueue *q, int sv[2], uint32_t *next) {
        for (;;) {
                if (ipc_queue_flush(q, sv[0]) < 0)
                        return false;
                IpcMessage m;
                int r = ipc_receive(sv[1], M2W, NULL, NULL, &m, NULL);
                if (r == -EAGAIN)
                        return !ipc_queue_pending(q);
                if (r < 0 || m.type != IPC_PTY_RESULT || m.payload.PTY_RESULT.channel != *next)
                        return false;
                ipc_message_done(&m);
                (*next)++;
        }
}

static void test_full_socket_queues_in_order(void) {
        int sv[2];
        IpcQueue q = {};
        CHECK(make_pair(sv) == 0, "socketpair");
        CHECK(fd_set_nonblock(sv[1], true) == 0, "reader non-blocking");

        uint32_t seq = 0;
        int r;
        while ((r = queue_pty_result(&q, sv[0], seq)) == 0)
                seq++;
        CHECK(r == 1 && seq > 0 && q.n_messages == 1, "a full socket queues (%u went straight out)", seq);
        seq++;
        while ((r = queue_pty_result(&q, sv[0], seq)) == 1)
                seq++;
        CHECK(r == -ENOBUFS && q.n_messages == IPC_MAX_QUEUED_MESSAGES,
              "the queue stops at IPC_MAX_QUEUED_MESSAGES (%zu): -ENOBUFS", q.n_messages);
        CHECK(ipc_queue_flush(&q, sv[0]) == 1, "flush with a full socket: still pending");

        uint32_t next = 0;
        CHECK(drain_in_order(&q, sv, &next) && next == seq,
              "everything arrives, in order, once the reader reads (%u of %u)", next, seq);
        CHECK(queue_pty_result(&q, sv[0], seq) == 0 && !ipc_queue_pending(&q), "an empty queue sends directly");
        ipc_queue_clear(&q);
        close_pair(sv);
}

/* Long messages: the byte bound stops the queue before the message bound does. */
static void test_byte_bound(void) {
        int sv[2];
        IpcQueue q = {};
        CHECK(make_pair(sv) == 0, "socketpair");
        char reason[1025];
        memset(reason, 'r', sizeof reason - 1);
        reason[sizeof reason - 1] = '\0';
        IpcPayload p = {};
        p.SESSION_FAILED.reason = reason;
        int r;
        while ((r = ipc_queue_send(&q, sv[0], IPC_SESSION_FAILED, &p, NULL, 0)) >= 0)
                ;
        CHECK(r == -ENOBUFS && q.n_messages < IPC_MAX_QUEUED_MESSAGES && q.n_bytes <= IPC_MAX_QUEUED_BYTES &&
              q.n_bytes + 1036 > IPC_MAX_QUEUED_BYTES,
              "the queue stops at IPC_MAX_QUEUED_BYTES (%zu bytes in %zu messages)", q.n_bytes, q.n_messages);
        ipc_queue_clear(&q);
        close_pair(sv);
}

static void test_queued_fds(void) {
        int before = lowest_free_fd();
        int sv[2], pipefd[2];
        IpcQueue q = {};
        CHECK(make_pair(sv) == 0, "socketpair");
        CHECK(pipe2(pipefd, O_CLOEXEC) == 0, "pipe");

        uint32_t seq = 0;
        while (queue_pty_result(&q, sv[0], seq) == 0)
                seq++;
        IpcPayload p = {};
        p.SESSION_STARTED_PTY.channel = 7;
        CHECK(ipc_queue_send(&q, sv[0], IPC_SESSION_STARTED_PTY, &p, &pipefd[1], 1) == 1, "queued with an fd");
        pipefd[1] = safe_close(pipefd[1]);      /* the caller's copy goes, as the handlers do */

        /* Read until the SESSION_STARTED_PTY arrives: its fd is the pipe's write end. */
        IpcMessage m = {};
        bool got = false;
        for (;;) {
                if (ipc_queue_flush(&q, sv[0]) < 0)
                        break;
                if (ipc_receive(sv[1], M2W, NULL, NULL, &m, NULL) < 0)
                        break;
                if (m.type == IPC_SESSION_STARTED_PTY) {
                        got = m.n_fds == 1 && write(m.fds[0], "x", 1) == 1;
                        ipc_message_done(&m);
                        break;
                }
                ipc_message_done(&m);
        }
        char c = 0;
        CHECK(got && read(pipefd[0], &c, 1) == 1 && c == 'x', "a queued descriptor arrives and works");

        /* Dropped with descriptors in it: none of them leaks. */
        while (queue_pty_result(&q, sv[0], seq) == 0)
                seq++;
        for (int i = 0; i < 3; i++)
                (void) ipc_queue_send(&q, sv[0], IPC_SESSION_STARTED_PTY, &p, &pipefd[0], 1);
        CHECK(q.n_messages >= 4, "descriptors queued (%zu messages)", q.n_messages);
        ipc_queue_clear(&q);
        CHECK(!ipc_queue_pending(&q) && q.n_bytes == 0, "clear empties the queue");
        pipefd[0] = safe_close(pipefd[0]);
        close_pair(sv);
        CHECK(lowest_free_fd() == before, "no descriptor leaked (lowest free fd %d)", before);
}

static char *repeat(char c, size_t n) {
        char *s = malloc(n + 1);
        if (s) {
                memset(s, c, n);
                s[n] = '\0';
        }
        return s;
}

static void test_largest_session_start_fits(void) {
        int sv[2];
        CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
        CHECK(ipc_socket_set_buffer(sv[0]) == 0, "the send buffer takes the largest message");

        /* The command and the env requests at their limits, the env total at its limit too. */
        _cleanup_free_ char *command = repeat('c', SESSION_MAX_COMMAND);
        char *env[SESSION_MAX_ENV_REQUESTS + 1] = {};
        size_t each = SESSION_MAX_ENV_TOTAL / SESSION_MAX_ENV_REQUESTS;
        for (size_t i = 0; i < SESSION_MAX_ENV_REQUESTS; i++)
                env[i] = repeat('e', each);
        IpcPayload p = {};
        p.SESSION_START.channel = 1;
        p.SESSION_START.kind = IPC_SESSION_EXEC;
        p.SESSION_START.command = command;
        p.SESSION_START.env = env;
        p.SESSION_START.n_env = SESSION_MAX_ENV_REQUESTS;
        CHECK(ipc_send(sv[0], IPC_SESSION_START, &p, NULL, 0) == 0, "the largest SESSION_START is sent");
        IpcMessage m;
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == 0 &&
              strlen(m.payload.SESSION_START.command) == SESSION_MAX_COMMAND &&
              m.payload.SESSION_START.n_env == SESSION_MAX_ENV_REQUESTS, "and received whole");
        ipc_message_done(&m);

        /* A field past its bound, or the message past IPC_MAX_MESSAGE: the encoder refuses (the
         * receiver's decoder would call it a violation), nothing is sent, the socket stays usable. */
        _cleanup_free_ char *over = repeat('o', SESSION_MAX_COMMAND + 1);
        p.SESSION_START.command = over;
        CHECK(ipc_send(sv[0], IPC_SESSION_START, &p, NULL, 0) == -EMSGSIZE, "a command over its bound: -EMSGSIZE");
        p.SESSION_START.command = command;
        p.SESSION_START.n_env = SESSION_MAX_ENV_REQUESTS + 1;
        env[SESSION_MAX_ENV_REQUESTS] = (char *) "X=1";
        CHECK(ipc_send(sv[0], IPC_SESSION_START, &p, NULL, 0) == -EMSGSIZE, "too many env entries: -EMSGSIZE");
        env[SESSION_MAX_ENV_REQUESTS] = NULL;
        _cleanup_free_ char *huge = repeat('h', IPC_MAX_MESSAGE);
        IpcPayload b = {};
        b.SETUP.banner = huge;
        CHECK(ipc_send(sv[0], IPC_SETUP, &b, NULL, 0) == -EMSGSIZE, "a banner over its bound: -EMSGSIZE");
        IpcPayload c = {};
        c.SESSION_CLOSE.session = 3;
        CHECK(ipc_send(sv[0], IPC_SESSION_CLOSE, &c, NULL, 0) == 0 &&
              ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == 0 && m.type == IPC_SESSION_CLOSE,
              "nothing of those was sent; the next message goes through");
        ipc_message_done(&m);
        for (size_t i = 0; i < SESSION_MAX_ENV_REQUESTS; i++)
                free(env[i]);
        close_pair(sv);
}

int main(void) {
        test_full_socket_queues_in_order();
        test_byte_bound();
        test_queued_fds();
        test_largest_session_start_fits();
        return test_summary();
}
