#pragma once
/*
 * TCP forwarding in the worker. The worker never creates a socket: for a direct-tcpip channel it asks
 * the monitor to connect (FORWARD_CONNECT) and pumps the socket it gets back; for a tcpip-forward
 * request it asks the monitor for a listening socket (FORWARD_LISTEN), accepts on it and opens a
 * forwarded-tcpip channel per connection. The policy is the monitor's.
 *
 * Each forwarded connection is a Forward: two independent directions with bounded buffers
 * (FORWARD_BUFFER) and half-close as RFC 4254 5.3 has it: the client's EOF becomes shutdown(SHUT_WR)
 * once every byte before it is written, and end of file on the socket becomes channel EOF once every
 * byte before it is on the channel; CHANNEL_CLOSE goes when both directions are done, or when either
 * side is gone (a reset, a write error, the client's CLOSE). Backpressure: the socket is read only
 * when the client's window is open and libssh has nothing waiting to be sent; data the socket does not
 * take stays in libssh, which then stops enlarging the client's window.
 */

#include <poll.h>

#include "worker/worker.h"

typedef struct Forward {
        Worker *worker;
        ssh_channel ch;                 /* NULL while the monitor connects (direct-tcpip) */
        struct ssh_channel_callbacks_struct cb;
        uint32_t id;                    /* request id (FORWARD_CONNECT), for direct-tcpip */
        ssh_message open_msg;           /* direct-tcpip: the open request, answered on FORWARD_READY */
        bool queued;                    /* FORWARD_CONNECT not sent yet: FORWARD_MAX_PENDING in flight */
        bool opening;                   /* forwarded-tcpip/-streamlocal, auth-agent: our CHANNEL_OPEN not yet confirmed */
        bool agent;                     /* an auth-agent@openssh.com channel (worker/forward-agent.c) */
        bool unix_socket;               /* direct-streamlocal / forwarded-streamlocal (forward-unix.c) */
        char *rf_host;                  /* forwarded-tcpip: the forward's address and port, and who */
        uint32_t rf_port;               /* connected (what the CHANNEL_OPEN says) */
        char rf_orig[64];
        uint32_t rf_orig_port;
        bool dead;                      /* never opened (or refused): free without a CLOSE */
        bool drained;                   /* the client's CLOSE came, ours went, the socket is closed */
        int fd;                         /* the socket */

        uint8_t *to_sock;               /* client -> socket */
        size_t ts_len, ts_off;
        bool ch_stalled;                /* libssh holds client data we could not take */
        bool in_reading;                /* inside ssh_channel_read_nonblocking */
        bool ch_eof;                    /* the client's EOF arrived */
        bool sock_shut;                 /* shutdown(SHUT_WR) done (or writing is over) */

        uint8_t *to_ch;                 /* socket -> client */
        size_t tc_len, tc_off;
        bool sock_eof;                  /* the socket's end of file (or error) */
        bool eof_sent;                  /* channel EOF sent */

        bool broken;                    /* a side is gone: close now, drop what is buffered */
        bool close_sent;
        bool peer_closed;               /* the client's CHANNEL_CLOSE arrived */
        IdleClock idle;                 /* ChannelTimeout; idle.type set when the Forward is made */
        struct Forward *next;
} Forward;

typedef struct Listener {
        uint32_t id;                    /* request id (FORWARD_LISTEN) */
        int fd;                         /* -EBADF while the monitor makes it */
        int fd_also;                    /* loopback: ::1's listener beside fd's 127.0.0.1, else -EBADF */
        char *address;                  /* as the client asked (it names the forward in forwarded-tcpip) */
        uint32_t port;                  /* as the client asked (0: any) */
        uint32_t bound_port;
        ssh_message pending;            /* the tcpip-forward request, answered on FORWARD_READY/FAILED */
        bool queued;                    /* FORWARD_LISTEN not sent yet (forward_send_queued) */
        bool accepting;                 /* FORWARD_ACCEPT sent: an opener accepts as the user */
        bool unix_socket;               /* streamlocal-forward: address is the socket path (forward-unix.c) */
        struct Listener *next;
} Listener;

/* forward.c */
void forward_handle_open(Worker *w, ssh_message msg);           /* direct-tcpip; takes msg */
void forward_handle_global(Worker *w, ssh_message msg);         /* tcpip-forward & cancel; takes msg */
int forward_ready(Worker *w, const IpcForwardReady *p, int fd);
int forward_failed(Worker *w, const IpcForwardFailed *p);
int forward_listening_also(Worker *w, const IpcForwardListeningAlso *p, int fd);
void forward_send_queued(Worker *w);                            /* after an answer freed a slot */
void forward_accept(Worker *w, Listener *l, int fd);            /* one waits on fd (l->fd or l->fd_also) */
void forward_collect(Worker *w);                                /* free finished forwards */
void forward_abandon_all(Worker *w);
Forward *forward_new(Worker *w);                                /* linked, fd -EBADF; NULL: no memory */
/* A channel open the worker accepted (takes msg): a Forward queued for the monitor's FORWARD_CONNECT or
 * FORWARD_CONNECT_UNIX (forward_send_queued()); refused as a shortage when there is no memory. */
void forward_queue_open(Worker *w, ssh_message msg, const char *idle_type, bool unix_socket);
/* Linked and counted, with the next id, a copy of address, fds -EBADF and pending (not taken: the
 * caller still answers it on NULL, no memory); the caller sets what kind of listener it is. */
Listener *forward_listener_new(Worker *w, const char *address, ssh_message pending);
void forward_listener_destroy(Worker *w, Listener *l);          /* refuses a pending request */

/* forward-unix.c: streamlocal (Unix-socket) forwarding, on the same Forward and Listener objects */
void forward_unix_handle_open(Worker *w, ssh_message msg);      /* direct-streamlocal; takes msg */
void forward_unix_handle_global(Worker *w, ssh_message msg);    /* (cancel-)streamlocal-forward; takes msg */
int forward_unix_send_connect(Worker *w, Forward *f);           /* FORWARD_CONNECT_UNIX for a queued open */
int forward_unix_listening(Worker *w, Listener *l, const IpcForwardReady *p, int fd);

/* forward-pump.c */
size_t forward_poll_fill(Worker *w, struct pollfd *p, size_t max);
bool forward_needs_pump(Worker *w);                             /* poll() must not wait */
void forward_poll_handle(Worker *w, const struct pollfd *p, size_t n);
void forward_pump_all(Worker *w);
void forward_set_callbacks(Forward *f);
