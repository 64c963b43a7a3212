#pragma once
/*
 * What the injected scenarios that talk to the monitor directly share: waiting for the monitor's next
 * message on the worker's IPC socket and reading its type, the id in its first field and the
 * descriptor it carries, without the worker's codec (the scenario sees the raw datagram, as a worker
 * taken over would), and logging it in the one form tests/hostile/test_injected.py looks for:
 * "inject SCENARIO: answer[ to ID]: NAME[ with a descriptor]".
 *
 * Header-only: each scenario is a shared module of its own (tests/hostile/meson.build).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "worker/test-inject.h"

typedef struct InjectAnswer {
        uint32_t type;
        uint32_t id;                    /* the first payload field (a request id for the forward answers) */
        int fd;                         /* the descriptor it carries, or -1; the caller's */
} InjectAnswer;

/* 0 and *ret; -ETIMEDOUT when nothing came within timeout_ms; -EBADMSG for fewer than 8 bytes (any
 * descriptor that came is closed). */
static inline int inject_receive(const WorkerInjectContext *ctx, int timeout_ms, InjectAnswer *ret) {
        *ret = (InjectAnswer) { .fd = -1 };
        struct pollfd p = { .fd = ctx->ipc_fd, .events = POLLIN };
        if (poll(&p, 1, timeout_ms) <= 0)
                return -ETIMEDOUT;
        uint8_t buf[1024];
        union {
                struct cmsghdr h;
                char b[CMSG_SPACE(sizeof(int))];
        } u = {};
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                             .msg_controllen = sizeof u.b };
        ssize_t n = recvmsg(ctx->ipc_fd, &mh, MSG_CMSG_CLOEXEC);
        struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
        if (c && c->cmsg_type == SCM_RIGHTS)
                memcpy(&ret->fd, CMSG_DATA(c), sizeof ret->fd);
        if (n < 8) {
                if (ret->fd >= 0)
                        close(ret->fd);
                ret->fd = -1;
                return -EBADMSG;
        }
        memcpy(&ret->type, buf, 4);
        memcpy(&ret->id, buf + 4, 4);
        ret->type = ntohl(ret->type);
        ret->id = ntohl(ret->id);
        return 0;
}

/* Wait up to 10 s for the answer, close its descriptor and log it: with_id names the request it
 * answers; yes/no are the two answers the scenario expects (anything else is "other"). */
static inline void inject_log_answer(const WorkerInjectContext *ctx, const char *scenario, bool with_id,
                                     IpcType yes, const char *yes_name, IpcType no, const char *no_name) {
        InjectAnswer a;
        int r = inject_receive(ctx, 10000, &a);
        if (r < 0) {
                ctx->log(LOG_LEVEL_INFO, "inject %s: %s", scenario,
                         r == -ETIMEDOUT ? "no answer" : "short answer");
                return;
        }
        if (a.fd >= 0)
                close(a.fd);
        char to[32] = "";
        if (with_id)
                snprintf(to, sizeof to, " to %u", a.id);
        ctx->log(LOG_LEVEL_INFO, "inject %s: answer%s: %s%s", scenario, to,
                 a.type == yes ? yes_name : a.type == no ? no_name : "other",
                 a.fd >= 0 ? " with a descriptor" : "");
}
