/*
 * The byte pump, with backpressure both ways and no unbounded buffer:
 *   child -> client: read a pipe only when the peer's window is open and libssh has nothing waiting
 *   for the socket; read at most what the window takes (and PUMP_READ_CHUNK); what the channel does
 *   not take (a rekey in progress) waits in a per-stream buffer, and the pipe is not read again
 *   until it has gone out.
 *   client -> child: the data callback takes what fits in PUMP_STDIN_BUFFER and leaves the rest in
 *   libssh, which then stops enlarging the client's window; when the child has drained the buffer,
 *   the rest is pulled with ssh_channel_read_nonblocking.
 */

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "worker/worker.h"

static bool session_write_pending(Channel *c) {
        return ssh_get_status(c->worker->session) & SSH_WRITE_PENDING;
}

static int pump_channel_write(Channel *c, OutStream *s, const uint8_t *p, size_t n) {
        uint32_t len = (uint32_t) MIN(n, (size_t) UINT32_MAX);
        return s->is_stderr ? ssh_channel_write_stderr(c->ch, p, len) : ssh_channel_write(c->ch, p, len);
}

static void pump_out(Channel *c, OutStream *s) {
        while (!s->eof || s->len > 0) {
                if (s->len > 0) {
                        int n = pump_channel_write(c, s, s->buf + s->off, s->len);
                        if (n < 0) {
                                /* The channel is gone (closed by the client): drop the rest. */
                                s->len = 0;
                                s->fd = safe_close(s->fd);
                                s->eof = true;
                                return;
                        }
                        s->off += (size_t) n;
                        s->len -= (size_t) n;
                        if (s->len > 0)
                                return;         /* window closed or key exchange: wait */
                        s->off = 0;
                        continue;
                }
                if (s->fd < 0) {
                        s->eof = true;
                        return;
                }
                uint32_t window = ssh_channel_window_size(c->ch);
                if (window == 0 || session_write_pending(c))
                        return;
                if (!s->buf) {
                        s->buf = malloc(PUMP_READ_CHUNK);
                        if (!s->buf)
                                return;
                }
                ssize_t r = read(s->fd, s->buf, MIN((size_t) window, (size_t) PUMP_READ_CHUNK));
                if (r > 0) {
                        idle_timeout_used(c->worker, &c->idle);
                        s->len = (size_t) r;
                        s->off = 0;
                        continue;
                }
                if (r < 0 && errno == EINTR)
                        return;
                if (r < 0 && errno == EAGAIN) {
                        /* A terminal whose shell has exited: what the shell wrote is read by now; a
                         * background job still holding the terminal does not keep the session open. */
                        if (!(c->pty && c->exited && worker_now_usec() >= c->drain_deadline))
                                return;
                }
                /* EOF (EIO on a pty whose other side is closed), or an error that ends the stream
                 * just the same. */
                if (c->pty)
                        c->in_fd = -EBADF;      /* the same descriptor */
                s->fd = safe_close(s->fd);
                s->eof = true;
        }
}

static void pump_in(Channel *c) {
        for (;;) {
                if (c->in_fd >= 0 && c->in_len > 0) {
                        ssize_t r = write(c->in_fd, c->in_buf + c->in_off, c->in_len);
                        if (r < 0) {
                                if (errno == EAGAIN || errno == EINTR)
                                        return;
                                /* The child closed its stdin (EPIPE): discard what the client sends. */
                                if (c->pty)
                                        c->in_fd = -EBADF;      /* out.fd still reads the terminal */
                                else
                                        c->in_fd = safe_close(c->in_fd);
                                c->in_len = c->in_off = 0;
                                return;
                        }
                        idle_timeout_used(c->worker, &c->idle);
                        c->in_off += (size_t) r;
                        c->in_len -= (size_t) r;
                        if (c->in_len == 0)
                                c->in_off = 0;
                        continue;
                }
                if (c->in_len == 0 && c->in_stalled && c->in_buf) {
                        /* Pull what libssh kept back; callbacks take nothing meanwhile, so the
                         * order of bytes is the order they arrived in. */
                        c->in_reading = true;
                        int n = ssh_channel_read_nonblocking(c->ch, c->in_buf, PUMP_STDIN_BUFFER, 0);
                        c->in_reading = false;
                        c->worker->messages_maybe_queued = true;
                        if (n > 0) {
                                c->in_len = (size_t) n;
                                c->in_off = 0;
                        }
                        if (n <= 0 || (size_t) n < PUMP_STDIN_BUFFER)
                                c->in_stalled = false;
                        if (n > 0)
                                continue;
                }
                break;
        }
        /* EOF reaches the child's stdin only; a terminal stays open (its EOF is ^D, which the client
         * sends itself), as with OpenSSH. */
        if (c->client_eof && c->in_len == 0 && !c->in_stalled && c->in_fd >= 0 && !c->pty)
                c->in_fd = safe_close(c->in_fd);
}

/* Work that no descriptor will announce: a libssh call made while pumping (a write that waits for
 * window space or flushes) reads packets, and may deliver the client's EOF, or data it then keeps
 * back, after pump_in() ran for that channel. Then the loop must not sleep in poll(): the child would
 * wait for the end of its input and the client for the end of the session (seen as sftp hanging at
 * its end in OpenSSH's channel-timeout regression script). */
bool pump_needs_run(Worker *w) {
        for (Channel *c = w->channels; c; c = c->next) {
                if (!c->has_session || c->finished || c->in_len > 0)
                        continue;       /* in_len > 0: poll() waits for the child's stdin to take it */
                if (c->in_stalled && c->in_buf)
                        return true;
                if (c->client_eof && !c->in_stalled && c->in_fd >= 0 && !c->pty)
                        return true;    /* pump_in() closes the child's stdin */
        }
        return false;
}

void pump_channel(Channel *c) {
        if (!c->has_session || c->finished)
                return;
        pump_in(c);
        pump_out(c, &c->out);
        pump_out(c, &c->err);
        pump_finish_if_done(c);
}
