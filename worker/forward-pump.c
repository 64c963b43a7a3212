/*
 * The byte pump of forwarded connections: two directions, each with one bounded buffer, half-close
 * as RFC 4254 5.3 (see forward.h).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "worker/forward.h"

static bool write_pending(Worker *w) {
        return ssh_get_status(w->session) & SSH_WRITE_PENDING;
}

/* ---- libssh callbacks: record, never free ------------------------------------------------------- */

static int on_data(ssh_session s, ssh_channel ch, void *data, uint32_t len, int is_stderr, void *userdata) {
        Forward *f = userdata;
        if (is_stderr)
                return (int) len;       /* no meaning on a forwarded connection */
        if (f->in_reading) {
                f->ch_stalled = true;   /* left in libssh: pulled by the next read */
                return 0;
        }
        if (f->sock_shut || f->broken || f->fd < 0)
                return (int) len;       /* nobody to write to any more: discard */
        if (!f->to_sock) {
                f->to_sock = malloc(FORWARD_BUFFER);
                if (!f->to_sock)
                        return 0;
        }
        if (f->ts_off > 0 && f->ts_len > 0)
                memmove(f->to_sock, f->to_sock + f->ts_off, f->ts_len);
        f->ts_off = 0;
        size_t take = MIN((size_t) len, FORWARD_BUFFER - f->ts_len);
        memcpy(f->to_sock + f->ts_len, data, take);
        f->ts_len += take;
        if (take < len)
                f->ch_stalled = true;
        return (int) take;
}

static void on_eof(ssh_session s, ssh_channel ch, void *userdata) {
        Forward *f = userdata;
        f->ch_eof = true;
        f->ch_stalled = true;   /* look into libssh once more before the socket's shutdown */
}

static void on_close(ssh_session s, ssh_channel ch, void *userdata) {
        Forward *f = userdata;
        f->peer_closed = true;
        f->ch_stalled = true;   /* what the client sent before its CLOSE still goes to the socket */
}

void forward_set_callbacks(Forward *f) {
        f->cb = (struct ssh_channel_callbacks_struct) {
                .userdata = f,
                .channel_data_function = on_data,
                .channel_eof_function = on_eof,
                .channel_close_function = on_close,
        };
        ssh_callbacks_init(&f->cb);
        (void) ssh_add_channel_callbacks(f->ch, &f->cb);
}

/* ---- the two directions ---------------------------------------------------------------------------- */

static void to_socket(Forward *f) {
        for (;;) {
                if (f->ts_len > 0) {
                        ssize_t r = write(f->fd, f->to_sock + f->ts_off, f->ts_len);
                        if (r < 0) {
                                if (errno == EAGAIN || errno == EINTR)
                                        return;
                                f->broken = true;       /* EPIPE, ECONNRESET: the other end is gone */
                                f->ts_len = 0;
                                return;
                        }
                        idle_timeout_used(f->worker, &f->idle);
                        f->ts_off += (size_t) r;
                        f->ts_len -= (size_t) r;
                        if (f->ts_len == 0)
                                f->ts_off = 0;
                        continue;
                }
                if (f->ch_stalled) {
                        /* Pull what libssh kept back; callbacks take nothing meanwhile, so the bytes
                         * stay in order. */
                        if (!f->to_sock && !(f->to_sock = malloc(FORWARD_BUFFER)))
                                return;
                        f->ch_stalled = false;  /* set again by on_data if more stays behind */
                        f->in_reading = true;
                        int n = ssh_channel_read_nonblocking(f->ch, f->to_sock, FORWARD_BUFFER, 0);
                        f->in_reading = false;
                        f->worker->messages_maybe_queued = true;
                        if (n > 0) {
                                f->ts_len = (size_t) n;
                                f->ts_off = 0;
                        }
                        if ((size_t) n == FORWARD_BUFFER)
                                f->ch_stalled = true;
                        if (n > 0)
                                continue;
                }
                break;
        }
        /* Every byte the client sent before its EOF is written: the socket's peer sees end of file, and
         * the other direction goes on. */
        if (f->ch_eof && f->ts_len == 0 && !f->ch_stalled && !f->sock_shut) {
                (void) shutdown(f->fd, SHUT_WR);
                f->sock_shut = true;
        }
}

static void to_channel(Forward *f) {
        while (!f->broken) {
                if (f->tc_len > 0) {
                        int n = ssh_channel_write(f->ch, f->to_ch + f->tc_off, (uint32_t) f->tc_len);
                        if (n < 0) {
                                f->broken = true;
                                return;
                        }
                        f->tc_off += (size_t) n;
                        f->tc_len -= (size_t) n;
                        if (f->tc_len > 0)
                                return;         /* window closed or key exchange: wait */
                        f->tc_off = 0;
                        continue;
                }
                if (f->sock_eof)
                        break;
                uint32_t window = ssh_channel_window_size(f->ch);
                if (window == 0 || write_pending(f->worker))
                        return;
                if (!f->to_ch && !(f->to_ch = malloc(FORWARD_BUFFER)))
                        return;
                ssize_t r = read(f->fd, f->to_ch, MIN((size_t) window, (size_t) FORWARD_BUFFER));
                if (r > 0) {
                        idle_timeout_used(f->worker, &f->idle);
                        f->tc_len = (size_t) r;
                        f->tc_off = 0;
                        continue;
                }
                if (r < 0 && (errno == EAGAIN || errno == EINTR))
                        return;
                f->sock_eof = true;
                if (r < 0)
                        f->broken = true;       /* ECONNRESET: nothing more will come either way */
        }
        if (f->sock_eof && f->tc_len == 0 && !f->eof_sent && !f->broken) {
                (void) ssh_channel_send_eof(f->ch);
                f->eof_sent = true;
        }
}

static void pump(Forward *f) {
        if (!f->ch || f->dead || f->drained)
                return;
        if (f->opening && f->peer_closed) {
                f->dead = true;
                return;
        }
        if (f->opening) {
                int rc = f->agent ? ssh_channel_open_auth_agent(f->ch) :
                         f->unix_socket ? ssh_channel_open_reverse_forward_unix(f->ch, f->rf_host) :
                         ssh_channel_open_reverse_forward(f->ch, f->rf_host, (int) f->rf_port, f->rf_orig,
                                                          (int) f->rf_orig_port);
                f->worker->messages_maybe_queued = true;
                if (rc == SSH_AGAIN)
                        return;
                if (rc != SSH_OK) {
                        if (f->agent)
                                log_debug("auth-agent@openssh.com channel refused by the client");
                        else
                                log_debug("forwarded-tcpip channel for %s port %u refused by the client",
                                          f->rf_host, f->rf_port);
                        f->dead = true;
                        return;
                }
                f->opening = false;
        }
        if (f->fd >= 0)
                to_socket(f);
        if (f->peer_closed) {
                /* The client is done: what it sent before its CLOSE is written out first (bounded by
                 * FORWARD_BUFFER), then the socket closes and the channel is freed. */
                if (f->fd >= 0 && !f->broken && (f->ts_len > 0 || f->ch_stalled))
                        return;
                f->fd = safe_close(f->fd);
                if (!f->close_sent)
                        (void) ssh_channel_close(f->ch);
                f->close_sent = true;
                f->drained = true;
                return;
        }
        if (f->close_sent)
                return;
        to_channel(f);
        if (f->broken || (f->eof_sent && f->sock_shut)) {
                /* Both directions done, or one side gone: CLOSE, and the socket with it. */
                (void) ssh_channel_close(f->ch);
                f->close_sent = true;
                f->fd = safe_close(f->fd);
                f->ts_len = f->tc_len = 0;
        }
}

void forward_pump_all(Worker *w) {
        for (Forward *f = w->forwards; f; f = f->next)
                pump(f);
        /* ssh_channel_write() and friends may read packets while they wait for window space, and
         * queue messages (a new channel open) that poll() will not report again. */
        if (w->forwards)
                w->messages_maybe_queued = true;
}

/* Work that no descriptor will announce: libssh calls made for one forward (a write waiting for window
 * space, a read) may process packets for another (its open confirmed, data or EOF or CLOSE arrived,
 * its window grown), after that one was pumped. Then the loop must not sleep in poll(). */
bool forward_needs_pump(Worker *w) {
        for (Forward *f = w->forwards; f; f = f->next) {
                if (f->dead || !f->ch || f->drained)
                        continue;
                if (f->opening) {
                        if (ssh_channel_is_open(f->ch) || f->peer_closed)
                                return true;
                        continue;
                }
                if (f->peer_closed && f->ts_len == 0)
                        return true;
                if (f->fd >= 0 && f->ts_len == 0 && (f->ch_stalled || (f->ch_eof && !f->sock_shut)))
                        return true;
                if (!f->close_sent && !f->peer_closed && (f->broken || (f->eof_sent && f->sock_shut)))
                        return true;
                if (!f->close_sent && !f->peer_closed && f->tc_len > 0 && ssh_channel_window_size(f->ch) > 0 &&
                    !write_pending(w))
                        return true;
                if (!f->close_sent && !f->peer_closed && f->sock_eof && f->tc_len == 0 && !f->eof_sent &&
                    !f->broken)
                        return true;
        }
        return false;
}

size_t forward_poll_fill(Worker *w, struct pollfd *p, size_t max) {
        size_t n = 0;
        bool wp = write_pending(w);
        for (Listener *l = w->listeners; l && n < max; l = l->next)
                if (l->fd >= 0 && !l->accepting && w->n_forwards < FORWARD_MAX_CHANNELS &&
                    w->forward_in_flight < FORWARD_MAX_PENDING) {
                        p[n++] = (struct pollfd) { .fd = l->fd, .events = POLLIN };
                        if (l->fd_also >= 0 && n < max)
                                p[n++] = (struct pollfd) { .fd = l->fd_also, .events = POLLIN };
                }
        for (Forward *f = w->forwards; f && n < max; f = f->next) {
                if (!f->ch || f->opening || f->fd < 0)
                        continue;
                short ev = 0;
                if (!f->sock_eof && f->tc_len == 0 && !wp && !f->close_sent && !f->peer_closed &&
                    ssh_channel_window_size(f->ch) > 0)
                        ev |= POLLIN;
                if (f->ts_len > 0)
                        ev |= POLLOUT;
                if (ev)
                        p[n++] = (struct pollfd) { .fd = f->fd, .events = ev };
        }
        return n;
}

void forward_poll_handle(Worker *w, const struct pollfd *p, size_t n) {
        for (size_t k = 0; k < n; k++) {
                if (!p[k].revents)
                        continue;
                for (Listener *l = w->listeners; l; l = l->next)
                        if (l->fd == p[k].fd || (l->fd_also >= 0 && l->fd_also == p[k].fd)) {
                                forward_accept(w, l, p[k].fd);
                                break;
                        }
        }
}
