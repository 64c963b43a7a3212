/*
 * The IPC codecs and framing: every message type round-trips; truncated, over-long, trailing-byte,
 * unknown-type, wrong-direction and wrong-fd-count datagrams are refused; stray fds are closed.
 */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "common/fd-util.h"
#include "common/ipc-socket.h"
#include "test-helpers.h"

static int make_pair(int sv[2]) {
        return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

static void test_table(void) {
        for (uint32_t t = 0; t < _IPC_TYPE_MAX; t++) {
                const IpcRow *row = ipc_row(t);
                CHECK(row && row->name && row->fds <= IPC_MAX_FDS, "row %u (%s) is sane", t, ipc_type_name(t));
        }
        CHECK(ipc_row(_IPC_TYPE_MAX) == NULL, "no row past the table");
        CHECK(ipc_row(UINT32_MAX) == NULL, "no row for a huge type");
        CHECK(ipc_row(IPC_HOSTKEY_SIGN)->states == (IPC_ST_PREAUTH | IPC_ST_AUTHED) && ipc_row(IPC_HOSTKEY_SIGN)->budget > 0,
              "HOSTKEY_SIGN: before and after authentication, with a budget");
}

static void test_round_trip_password(void) {
        int sv[2];
        CHECK(make_pair(sv) == 0, "socketpair");
        IpcPayload p = {};
        p.AUTH_PASSWORD.user = (char *) "alice";
        p.AUTH_PASSWORD.password = (char *) "s3cret";
        CHECK(ipc_send(sv[0], IPC_AUTH_PASSWORD, &p, NULL, 0) == 0, "send AUTH_PASSWORD");
        IpcMessage m;
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == 0, "receive AUTH_PASSWORD");
        CHECK(m.type == IPC_AUTH_PASSWORD && streq(m.payload.AUTH_PASSWORD.user, "alice") &&
              streq(m.payload.AUTH_PASSWORD.password, "s3cret"), "fields survive");
        ipc_message_done(&m);
        close_pair(sv);
}

static void test_setup_strv(void) {
        int sv[2];
        CHECK(make_pair(sv) == 0, "socketpair");
        char *keys[] = { (char *) "key-one", (char *) "key-two", NULL };
        IpcPayload p = {};
        p.SETUP.sandbox_uid = 2100;
        p.SETUP.sandbox_dir = (char *) "/run/privsshd/empty";
        p.SETUP.peer_address = (char *) "127.0.0.1";
        p.SETUP.peer_port = 5555;
        p.SETUP.hostkeys = keys;
        p.SETUP.n_hostkeys = 2;
        CHECK(ipc_send(sv[0], IPC_SETUP, &p, NULL, 0) == 0, "send SETUP");
        IpcMessage m;
        CHECK(ipc_receive(sv[1], M2W, NULL, NULL, &m, NULL) == 0, "receive SETUP");
        CHECK(m.payload.SETUP.n_hostkeys == 2 && streq(m.payload.SETUP.hostkeys[1], "key-two") &&
              m.payload.SETUP.hostkeys[2] == NULL && m.payload.SETUP.peer_port == 5555,
              "list and integers survive");
        ipc_message_done(&m);
        close_pair(sv);
}

static void test_fds(void) {
        int sv[2], pipes[3][2];
        int before = lowest_free_fd();
        CHECK(make_pair(sv) == 0, "socketpair");
        for (int i = 0; i < 3; i++)
                CHECK(pipe2(pipes[i], O_CLOEXEC) == 0, "pipe");
        int fds[3] = { pipes[0][1], pipes[1][0], pipes[2][0] };
        IpcPayload p = {};
        p.SESSION_STARTED.channel = 1;
        p.SESSION_STARTED.session = 2;
        CHECK(ipc_send(sv[0], IPC_SESSION_STARTED, &p, fds, 2) == -EINVAL, "sender refuses a wrong fd count");
        CHECK(ipc_send(sv[0], IPC_SESSION_STARTED, &p, fds, 3) == 0, "send with 3 fds");
        IpcMessage m;
        CHECK(ipc_receive(sv[1], M2W, NULL, NULL, &m, NULL) == 0 && m.n_fds == 3, "3 fds received");
        CHECK(fcntl(m.fds[0], F_GETFD) & FD_CLOEXEC, "received fds are CLOEXEC");
        ipc_message_done(&m);

        /* A W2M message must carry no fds: the receiver refuses and closes the stray ones. */
        IpcPayload c = {};
        c.SESSION_CLOSE.session = 1;
        WireWriter w = wire_writer(IPC_MAX_MESSAGE);
        CHECK(ipc_message_encode(IPC_SESSION_CLOSE, &c, &w) == 0, "encode SESSION_CLOSE");
        union { struct cmsghdr a; char buf[CMSG_SPACE(sizeof(int))]; } ctl = {};
        struct iovec iov = { .iov_base = w.data, .iov_len = w.size };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &pipes[0][0], sizeof(int));
        CHECK(sendmsg(sv[0], &mh, 0) == (ssize_t) w.size, "send SESSION_CLOSE with a stray fd");
        wire_writer_done(&w);
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == -EPROTO, "unexpected fd refused");

        for (int i = 0; i < 3; i++)
                close_pair(pipes[i]);
        close_pair(sv);
        CHECK(lowest_free_fd() == before, "no descriptor leaked (lowest free fd %d)", before);
}

/* The helpers' fixed-size answers (ipc_receive_datagram(_fds)): up to max_fds descriptors taken, a
 * datagram with more than the receiver takes, or of the wrong size, refused with every descriptor that
 * came closed; the two-descriptor answer of a loopback listener (monitor/forward-opener.c) whole. */
static void test_datagram_fds(void) {
        int sv[2], pipes[2][2];
        int before = lowest_free_fd();
        CHECK(make_pair(sv) == 0, "socketpair");
        for (int i = 0; i < 2; i++)
                CHECK(pipe2(pipes[i], O_CLOEXEC) == 0, "pipe");
        int send_fds[2] = { pipes[0][0], pipes[1][0] }, got[2];
        uint64_t v = 42, r = 0;
        size_t n = 9;

        CHECK(ipc_receive_datagram_fds(sv[1], &r, sizeof r, got, 2, &n) == -EAGAIN && n == 0 &&
              got[0] == -EBADF && got[1] == -EBADF, "nothing waiting: -EAGAIN, no descriptors");
        CHECK(ipc_send_datagram(sv[0], &v, sizeof v, send_fds, 2, 0) == 0, "send 8 bytes with 2 fds");
        CHECK(ipc_receive_datagram_fds(sv[1], &r, sizeof r, got, 2, &n) == 0 && r == 42 && n == 2 &&
              got[0] >= 0 && got[1] >= 0 && (fcntl(got[1], F_GETFD) & FD_CLOEXEC),
              "both descriptors received, CLOEXEC");
        safe_close(got[0]);
        safe_close(got[1]);

        CHECK(ipc_send_datagram(sv[0], &v, sizeof v, send_fds, 1, 0) == 0, "send 8 bytes with 1 fd");
        CHECK(ipc_receive_datagram_fds(sv[1], &r, sizeof r, got, 2, &n) == 0 && n == 1 && got[0] >= 0 &&
              got[1] == -EBADF, "one descriptor where two may come");
        safe_close(got[0]);

        int one;
        CHECK(ipc_send_datagram(sv[0], &v, sizeof v, send_fds, 2, 0) == 0, "send 2 fds to a 1-fd receiver");
        CHECK(ipc_receive_datagram(sv[1], &r, sizeof r, &one) == -EPROTO && one == -EBADF,
              "more descriptors than the receiver takes: refused");
        CHECK(ipc_send_datagram(sv[0], &v, 4, send_fds, 2, 0) == 0, "send 4 bytes with 2 fds");
        CHECK(ipc_receive_datagram_fds(sv[1], &r, sizeof r, got, 2, &n) == -EPROTO && n == 0 &&
              got[0] == -EBADF && got[1] == -EBADF, "a short answer: refused, its descriptors closed");
        CHECK(ipc_receive_datagram_fds(sv[1], &r, sizeof r, got, IPC_MAX_FDS + 1, &n) == -EINVAL,
              "more than IPC_MAX_FDS asked for: -EINVAL");

        for (int i = 0; i < 2; i++)
                close_pair(pipes[i]);
        close_pair(sv);
        CHECK(lowest_free_fd() == before, "no descriptor leaked (lowest free fd %d)", before);
}

static int send_raw(int fd, const void *data, size_t n) {
        return send(fd, data, n, 0) == (ssize_t) n ? 0 : -1;
}

static void test_malformed(void) {
        int sv[2];
        CHECK(make_pair(sv) == 0, "socketpair");
        IpcMessage m;
        uint32_t type;

        const uint8_t short_hdr[] = { 0, 0 };
        send_raw(sv[0], short_hdr, sizeof short_hdr);
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == -EBADMSG, "short header refused");

        const uint8_t unknown[] = { 0, 0, 0x10, 0 };
        send_raw(sv[0], unknown, sizeof unknown);
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, &type) == -EPROTO && type == 0x1000, "unknown type refused");

        /* AUTH_RESULT is monitor-to-worker: the monitor must refuse it from the worker. */
        IpcPayload p = {};
        p.AUTH_RESULT.result = IPC_AUTH_SUCCESS;
        CHECK(ipc_send(sv[0], IPC_AUTH_RESULT, &p, NULL, 0) == 0, "send AUTH_RESULT");
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == -EPROTO, "wrong direction refused");

        /* Truncated payload: AUTH_NONE whose string length claims more than is there. */
        const uint8_t trunc[] = { 0, 0, 0, IPC_AUTH_NONE, 0, 0, 0, 9, 'b', 'o', 'b' };
        send_raw(sv[0], trunc, sizeof trunc);
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == -EBADMSG, "truncated payload refused");

        /* Trailing bytes after a complete AUTH_NONE. */
        const uint8_t trail[] = { 0, 0, 0, IPC_AUTH_NONE, 0, 0, 0, 3, 'b', 'o', 'b', 'X' };
        send_raw(sv[0], trail, sizeof trail);
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == -EBADMSG, "trailing bytes refused");

        /* A user name over AUTH_MAX_USER_LEN. */
        uint8_t big[4 + 4 + AUTH_MAX_USER_LEN + 1];
        memset(big, 'a', sizeof big);
        big[0] = big[1] = big[2] = 0; big[3] = IPC_AUTH_NONE;
        uint32_t l = AUTH_MAX_USER_LEN + 1;
        big[4] = (uint8_t) (l >> 24); big[5] = (uint8_t) (l >> 16); big[6] = (uint8_t) (l >> 8); big[7] = (uint8_t) l;
        send_raw(sv[0], big, sizeof big);
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == -EMSGSIZE, "over-long field refused");

        /* A datagram larger than IPC_MAX_MESSAGE. */
        static uint8_t huge[IPC_MAX_MESSAGE + 100];
        huge[3] = IPC_LOG;
        CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &(int){ 1 << 20 }, sizeof(int)) == 0, "sndbuf");
        send_raw(sv[0], huge, sizeof huge);
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == -EMSGSIZE, "over-long datagram refused");

        /* Secrets: an AUTH_PASSWORD password with an embedded NUL is malformed. */
        const uint8_t nul[] = { 0, 0, 0, IPC_AUTH_PASSWORD, 0, 0, 0, 1, 'a', 0, 0, 0, 2, 'x', 0 };
        send_raw(sv[0], nul, sizeof nul);
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == -EBADMSG, "NUL in password refused");

        close(sv[0]);
        CHECK(ipc_receive(sv[1], W2M, NULL, NULL, &m, NULL) == -ECONNRESET, "peer close seen as ECONNRESET");
        close(sv[1]);
}

static int refuse_all(void *ud, IpcType t, const IpcRow *row) {
        (*(int *) ud)++;
        return -EPERM;
}

static void test_gate_runs_before_decode(void) {
        int sv[2];
        CHECK(make_pair(sv) == 0, "socketpair");
        int calls = 0;
        IpcPayload p = {};
        p.AUTH_NONE.user = (char *) "bob";
        ipc_send(sv[0], IPC_AUTH_NONE, &p, NULL, 0);
        IpcMessage m;
        CHECK(ipc_receive(sv[1], W2M, refuse_all, &calls, &m, NULL) == -EPERM && calls == 1,
              "the gate's refusal is returned");
        close_pair(sv);
}

int main(void) {
        test_table();
        test_round_trip_password();
        test_setup_strv();
        test_fds();
        test_datagram_fds();
        test_malformed();
        test_gate_runs_before_decode();
        return test_summary();
}
