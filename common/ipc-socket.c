/* See ipc-socket.h. */

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "common/fd-util.h"
#include "common/ipc-socket.h"
#include "common/macro.h"

int ipc_encode(IpcType type, const IpcPayload *p, size_t n_fds, WireWriter *ret) {
        const IpcRow *row = ipc_row(type);
        if (!row || n_fds != row->fds || n_fds > IPC_MAX_FDS)
                return -EINVAL;

        WireWriter w = wire_writer(IPC_MAX_MESSAGE);
        int e = ipc_message_encode(type, p, &w);
        if (e < 0) {
                wire_writer_done(&w);
                return e;
        }
        *ret = w;
        return 0;
}

int ipc_send_datagram(int sock, const void *data, size_t size, const int *fds, size_t n_fds, int flags) {
        if (n_fds > IPC_MAX_FDS)
                return -EINVAL;
        struct iovec iov = { .iov_base = (void *) data, .iov_len = size };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * IPC_MAX_FDS)];
        } control;
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        if (n_fds > 0) {
                memset(&control, 0, sizeof control);
                mh.msg_control = control.buf;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
        }

        ssize_t r;
        do
                r = sendmsg(sock, &mh, MSG_NOSIGNAL | flags);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return errno == EWOULDBLOCK ? -EAGAIN : negative_errno();
        /* A SOCK_SEQPACKET datagram goes whole or not at all. */
        return (size_t) r == size ? 0 : -EIO;
}

int ipc_receive_datagram_fds(int sock, void *data, size_t size, int *ret_fds, size_t max_fds,
                             size_t *ret_n_fds) {
        struct iovec iov = { .iov_base = data, .iov_len = size };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * IPC_MAX_FDS)];
        } control = {};
        if (max_fds == 0 || max_fds > IPC_MAX_FDS)
                return -EINVAL;
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = CMSG_SPACE(sizeof(int) * max_fds) };
        size_t n_fds = 0;
        for (size_t i = 0; i < max_fds; i++)
                ret_fds[i] = -EBADF;
        *ret_n_fds = 0;
        ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0)
                return errno == EWOULDBLOCK ? -EAGAIN : negative_errno();
        bool extra = false;     /* more descriptors than max_fds came (the buffer can hold a few more) */
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
                        continue;
                size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < k; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                        if (n_fds < max_fds)
                                ret_fds[n_fds++] = fd;
                        else {
                                safe_close(fd);
                                extra = true;
                        }
                }
        }
        if ((size_t) n != size || extra || (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
                for (size_t i = 0; i < n_fds; i++)
                        ret_fds[i] = safe_close(ret_fds[i]);
                return -EPROTO;
        }
        *ret_n_fds = n_fds;
        return 0;
}

int ipc_receive_datagram(int sock, void *data, size_t size, int *ret_fd) {
        size_t n_fds;
        return ipc_receive_datagram_fds(sock, data, size, ret_fd, 1, &n_fds);
}

int ipc_send(int sock, IpcType type, const IpcPayload *p, const int *fds, size_t n_fds) {
        WireWriter w;
        int e = ipc_encode(type, p, n_fds, &w);
        if (e < 0)
                return e;
        e = ipc_send_datagram(sock, w.data, w.size, fds, n_fds, 0);
        wire_writer_done(&w);
        return e;
}

int ipc_socket_set_buffer(int sock) {
        /* One datagram must fit in the sender's buffer (the kernel refuses a datagram longer than
         * SO_SNDBUF less a little with EMSGSIZE). The kernel doubles the value it is given; FORCE lets
         * root go past net.core.wmem_max, which the plain option is capped at. AF_UNIX charges a
         * datagram to its sender until it is read, so the receiver's SO_RCVBUF plays no part. */
        int v = IPC_SOCKET_BUFFER / 2;
        if (setsockopt(sock, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v) < 0 &&
            setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &v, sizeof v) < 0)
                return negative_errno();
        int got = 0;
        socklen_t len = sizeof got;
        if (getsockopt(sock, SOL_SOCKET, SO_SNDBUF, &got, &len) < 0)
                return negative_errno();
        return got >= (int) IPC_SOCKET_BUFFER_MIN ? 0 : -ENOBUFS;
}

static void close_fds(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                fds[i] = safe_close(fds[i]);
}

int ipc_receive(int sock, IpcDirection dir, IpcGate gate, void *userdata, IpcMessage *ret,
                uint32_t *ret_type) {
        /* One byte more than the maximum, so that an over-long datagram shows up as MSG_TRUNC. */
        static _Thread_local uint8_t buf[IPC_MAX_MESSAGE + 1];
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * IPC_MAX_FDS)];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = control.buf,
                .msg_controllen = sizeof control.buf,
        };
        int fds[IPC_MAX_FDS];
        size_t n_fds = 0;
        int e;

        memset(ret, 0, sizeof *ret);
        for (size_t i = 0; i < IPC_MAX_FDS; i++)
                ret->fds[i] = -EBADF;
        if (ret_type)
                *ret_type = UINT32_MAX;

        ssize_t n;
        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : negative_errno();

        /* Collect every descriptor first, so that every error path below closes them. */
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int *p = (int *) CMSG_DATA(c);
                for (size_t i = 0; i < k; i++) {
                        int fd;
                        memcpy(&fd, p + i, sizeof fd);
                        if (n_fds < IPC_MAX_FDS)
                                fds[n_fds++] = fd;
                        else
                                safe_close(fd);
                }
        }

        if (n == 0 && n_fds == 0)
                return -ECONNRESET;
        if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
                e = -EMSGSIZE;
                goto fail;
        }
        if (n < 4) {
                e = -EBADMSG;
                goto fail;
        }

        uint32_t type = ((uint32_t) buf[0] << 24) | ((uint32_t) buf[1] << 16) | ((uint32_t) buf[2] << 8) | buf[3];
        if (ret_type)
                *ret_type = type;
        const IpcRow *row = ipc_row(type);
        if (!row || row->dir != dir || n_fds != row->fds) {
                e = -EPROTO;
                goto fail;
        }
        if (gate) {
                e = gate(userdata, (IpcType) type, row);
                if (e < 0)
                        goto fail;
        }
        e = ipc_payload_decode((IpcType) type, buf + 4, (size_t) n - 4, &ret->payload);
        if (e < 0)
                goto fail;

        explicit_bzero(buf, (size_t) n);       /* may have held a password */
        ret->type = (IpcType) type;
        memcpy(ret->fds, fds, n_fds * sizeof(int));
        ret->n_fds = n_fds;
        return 0;

fail:
        explicit_bzero(buf, n > 0 ? (size_t) n : 0);
        close_fds(fds, n_fds);
        return e;
}

void ipc_message_done(IpcMessage *m) {
        if (!m)
                return;
        ipc_payload_free(m->type, &m->payload);
        close_fds(m->fds, m->n_fds);
        m->n_fds = 0;
}
