/*
 * The relay's copy loop (see relay.h). Two directions, each a bounded buffer between a source and a sink:
 *
 *   up:   RELAY_FD_IN         -> RELAY_FD_CONNECTION   (client to worker)
 *   down: RELAY_FD_CONNECTION -> RELAY_FD_OUT          (worker to client)
 *
 * All three descriptors are non-blocking and one poll() waits for all of them, so a sink that does not
 * read stops only its own direction (its buffer fills and its source is no longer polled: backpressure),
 * never the other one. A direction ends when its source has reached end of file and its buffer is empty:
 * up then shuts the socket down for writing (the worker reads end of file, as it would from a TCP peer
 * that half-closed), down closes stdout (the client reads end of file). A sink that went away (EPIPE,
 * ECONNRESET) ends its direction too; what was buffered for it is dropped, since nobody can read it.
 *
 * Runs inside the relay's seccomp filter: read, write, poll, shutdown, close and exit, nothing else. No
 * allocation (the buffers are static), no logging (fd 2 is closed); the exit status says what happened.
 */

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fd-layout.h"
#include "common/limits.h"
#include "relay/relay.h"

typedef struct Direction {
        int from;
        int to;
        bool eof;               /* the source said end of file */
        bool done;              /* ended: nothing more is read or written */
        size_t start, end;      /* bytes [start, end) of buf are waiting for the sink */
        unsigned char buf[RELAY_BUFFER];
} Direction;

static Direction up = { .from = RELAY_FD_IN, .to = RELAY_FD_CONNECTION };
static Direction down = { .from = RELAY_FD_CONNECTION, .to = RELAY_FD_OUT };

static bool errno_is_gone(int e) {
        return e == EPIPE || e == ECONNRESET || e == ENOTCONN;
}

static void direction_finish(Direction *d) {
        d->done = true;
        d->start = d->end = 0;
        if (d->to == RELAY_FD_CONNECTION)
                (void) shutdown(RELAY_FD_CONNECTION, SHUT_WR);
        else
                (void) close(d->to);
}

/* Read what the source has (once: poll said it is readable, or it is not and we get EAGAIN). */
static int direction_read(Direction *d) {
        if (d->done || d->eof)
                return 0;
        if (d->end == sizeof d->buf && d->start > 0) {
                /* Room at the front only: move what waits there (no system call, no allocation). */
                memmove(d->buf, d->buf + d->start, d->end - d->start);
                d->end -= d->start;
                d->start = 0;
        }
        if (d->end == sizeof d->buf)
                return 0;
        ssize_t n = read(d->from, d->buf + d->end, sizeof d->buf - d->end);
        if (n > 0)
                d->end += (size_t) n;
        else if (n == 0 || errno_is_gone(errno))
                /* A reset socket is an end of file too: what came before it was delivered. */
                d->eof = true;
        else if (errno != EAGAIN && errno != EINTR)
                return -errno;
        return 0;
}

static int direction_write(Direction *d) {
        if (d->done || d->start == d->end)
                return 0;
        ssize_t n = write(d->to, d->buf + d->start, d->end - d->start);
        if (n > 0) {
                d->start += (size_t) n;
                if (d->start == d->end)
                        d->start = d->end = 0;
        } else if (n < 0 && errno_is_gone(errno)) {
                direction_finish(d);            /* nobody left to read it */
                return 0;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR)
                return -errno;
        return 0;
}

static void direction_events(Direction *d, struct pollfd *in, struct pollfd *out) {
        in->fd = out->fd = -1;
        in->events = out->events = 0;
        if (d->done)
                return;
        if (!d->eof && (d->end < sizeof d->buf || d->start > 0)) {
                in->fd = d->from;
                in->events = POLLIN;
        }
        if (d->start < d->end) {
                out->fd = d->to;
                out->events = POLLOUT;
        }
}

int relay_loop(void) {
        Direction *dirs[2] = { &up, &down };

        while (!up.done || !down.done) {
                struct pollfd p[4];
                direction_events(&up, &p[0], &p[1]);
                direction_events(&down, &p[2], &p[3]);
                if (poll(p, 4, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return RELAY_EXIT_IO;
                }
                for (size_t i = 0; i < 2; i++) {
                        Direction *d = dirs[i];
                        /* Any event on the source (data, hang-up, error) is answered by read(). */
                        if (p[2 * i].revents && direction_read(d) < 0)
                                return RELAY_EXIT_IO;
                        /* Write as soon as there is something: often the sink has room right away. */
                        if ((p[2 * i + 1].revents || d->start < d->end) && direction_write(d) < 0)
                                return RELAY_EXIT_IO;
                        if (!d->done && d->eof && d->start == d->end)
                                direction_finish(d);
                }
        }
        return RELAY_EXIT_DONE;
}
