#pragma once
/*
 * The worker's per-connection state. One Worker per process, one Channel per SSH channel. The worker
 * holds no policy: it relays every decision to the monitor and does what the answer says.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>

#include "common/channel-timeout.h"
#include "common/ipc-payloads.h"
#include "common/ipc-socket.h"
#include "common/limits.h"

typedef struct Worker Worker;

/* ChannelTimeout's clock of one channel (worker/idle-timeout.c). It runs from when the channel is open
 * (a session started; a forward's socket connected, or its CHANNEL_OPEN confirmed) and is reset by
 * every byte moved between the channel and its descriptor, either way, as OpenSSH's channels.c. */
/* A global request that wants a reply, in the queue of global-reply.c */
typedef struct GlobalReply {
        ssh_message msg;                /* while unanswered: which request (not owned) */
        bool answered;
        bool success;
        uint8_t *data;                  /* SUCCESS's data, owned */
        size_t len;
} GlobalReply;

typedef struct IdleClock {
        const char *type;               /* OpenSSH's name of the channel type (static); NULL: unknown */
        bool started;
        uint32_t number;                /* names the channel in the log line */
        uint32_t interval;              /* seconds; 0: only the global timeout applies */
        uint64_t last_used;             /* worker_now_usec() of the last byte moved */
} IdleClock;

/* One direction from a child's pipe to the channel (stdout or stderr). */
typedef struct OutStream {
        int fd;
        bool is_stderr;
        bool eof;
        uint8_t *buf;           /* read from the pipe, not yet accepted by the channel */
        size_t len, off;
} OutStream;

typedef struct Channel {
        Worker *worker;
        ssh_channel ch;
        uint32_t id;                    /* ours, named in SESSION_START */
        struct ssh_channel_callbacks_struct cb;

        ssh_message pending_request;    /* pty-req/exec/shell/subsystem waiting for the monitor */
        ssh_message queue[CHANNEL_MAX_QUEUED_REQUESTS]; /* later requests, answered in order after it */
        size_t n_queue;
        char **env;                     /* the client's env requests, NAME=VALUE, for SESSION_START */
        size_t n_env;
        size_t env_bytes;               /* their lengths together (SESSION_MAX_ENV_TOTAL) */
        bool env_refused_logged;

        bool pty_allocated;             /* the monitor holds a pty for this channel (no session yet) */
        bool pty;                       /* the session runs on a pty: in_fd == out.fd == the master */
        bool size_dirty;                /* window-change before the master arrived */
        uint32_t cols, rows, xpixels, ypixels;
        uint64_t drain_deadline;        /* pty session whose leader exited: stop reading at EAGAIN after */

        bool has_session;
        uint32_t session;               /* the monitor's id */

        int in_fd;                      /* child's stdin */
        uint8_t *in_buf;                /* client data not yet written to the child */
        size_t in_len, in_off;
        bool in_stalled;                /* libssh still holds client data we could not take */
        bool in_reading;                /* inside ssh_channel_read_nonblocking: callbacks take nothing */
        bool client_eof;

        OutStream out, err;

        bool exited;                    /* SESSION_EXITED received */
        bool signaled, core_dumped;
        uint32_t exit_code;

        bool finished;                  /* exit status, EOF and CLOSE sent */
        bool peer_closed;               /* the client's CHANNEL_CLOSE arrived */
        bool session_closed;            /* SESSION_CLOSE sent to the monitor */
        IdleClock idle;                 /* ChannelTimeout */

        struct Channel *next;
} Channel;

struct Worker {
        int ipc_fd;
        IpcSetup setup;                 /* decoded SETUP */
        ssh_bind bind;
        ssh_session session;
        ssh_event event;

        /* The public host keys, in SETUP's order (HOSTKEY_SIGN names one by index): the monitor holds
         * the private halves and signs each key exchange (hostkey.c). */
        ssh_key hostkeys[IPC_MAX_HOSTKEYS];
        size_t n_hostkeys;
        /* Monitor messages that arrived while the worker waited for a HOSTKEY_SIGNATURE inside a key
         * exchange, handled by the main loop afterwards in arrival order. */
        IpcMessage *deferred;
        size_t n_deferred;
        /* Host key rotation (hostkey-rotate.c): SETUP's key blobs, decoded after authentication, and
         * how many hostkeys-prove requests went to the monitor */
        uint8_t *hostkey_blobs[IPC_MAX_HOSTKEYS];
        size_t hostkey_blob_lens[IPC_MAX_HOSTKEYS];
        size_t n_hostkey_blobs;
        /* Every global request that wants a reply, oldest first: replies leave from the head */
        GlobalReply global_replies[GLOBAL_MAX_UNANSWERED];   /* a ring from global_reply_head */
        size_t global_reply_head;
        size_t n_global_replies;
        unsigned prove_requests;

        bool authenticated;
        char *user;

        /* authentication requests in arrival order; the first one is with the monitor */
        ssh_message auth_queue[AUTH_MAX_PENDING];
        size_t n_auth;
        bool auth_outstanding;
        /* keyboard-interactive: an INFO_REQUEST with kbdint_prompts prompts is out with the client;
         * kbdint_abort_out: the monitor is failing a conversation the client left (a new request came
         * instead of the answers): its AUTH_RESULT answers nothing the client sent. */
        uint32_t auth_methods;          /* AuthMethod bits offered (common/auth-methods.h) */
        bool kbdint_waiting;
        unsigned kbdint_prompts;
        bool kbdint_abort_out;

        Channel *channels;
        uint32_t next_channel_id;
        unsigned n_channels;

        bool banner_sent;
        bool user_configured;           /* USER_CONFIG arrived (worker/user-config.c) */

        /* TCP forwarding (worker/forward.h) */
        struct Forward *forwards;
        struct Listener *listeners;
        unsigned n_forwards, n_listeners;
        unsigned forward_in_flight;     /* FORWARD_* requests the monitor has not answered */
        uint32_t next_forward_id;

        /* ChannelTimeout (SETUP's rules, parsed) and UnusedConnectionTimeout: worker/idle-timeout.c */
        ChannelTimeoutRule *timeout_rules;
        size_t n_timeout_rules;
        uint32_t timeout_global;        /* seconds; 0: none */
        uint64_t channels_last_used;    /* the last byte moved on any channel, or a channel opened */
        uint64_t unused_deadline;       /* when a connection without open channels ends; 0: not running */
        /* agent forwarding (worker/forward-agent.h) */
        enum {
                WORKER_AGENT_NONE,              /* not asked for yet */
                WORKER_AGENT_ASKED,             /* AGENT_REQUEST sent, not answered */
                WORKER_AGENT_GRANTED,
                WORKER_AGENT_REFUSED,
        } agent_state;
        int agent_listener;             /* the listening socket (GRANTED), else -EBADF */
        bool agent_accepting;           /* AGENT_ACCEPT sent, not answered */
        uint32_t agent_accept_id;

        /* ClientAliveInterval: bytes read from the client so far (libssh counts them), when we last
         * looked, and how many intervals in a row went by without any */
        struct ssh_counter_struct socket_counter;
        uint64_t alive_seen_bytes;
        uint64_t alive_next;            /* monotonic usec of the next check; 0 = off */
        unsigned alive_missed;

        bool test_hook_fired;
        void *test_inject;              /* test builds: the TestWorkerInject module (test-inject.h) */
        bool done;
        /* A libssh call other than ssh_event_dopoll() may have read packets from the socket (and
         * queued messages that poll() will never report): collect them before the next poll(). */
        bool messages_maybe_queued;
        int exit_code;
};

/* monitor-client.c */
/* <0 on failure: -EMSGSIZE when the request is too long to send (the caller fails it alone), any
 * other error ends the connection (w->done is set). */
int monitor_client_send(Worker *w, IpcType type, const IpcPayload *p);
/* The same, with descriptors. A full socket (the monitor reading slowly) is waited on, not an error. */
int monitor_client_send_fds(Worker *w, IpcType type, const IpcPayload *p, const int *fds, size_t n_fds);
int monitor_client_receive(Worker *w);          /* handle every message that is ready; <0: exit */
/* Wait for the monitor's message of type `type` (blocking: the monitor answers at once), deferring
 * others for monitor_client_receive(). */
int monitor_client_wait(Worker *w, IpcType type, IpcMessage *ret);
void monitor_client_drop_deferred(Worker *w);
void monitor_client_install_logging(Worker *w);

/* hostkey.c */
int hostkeys_import(Worker *w);                 /* SETUP's public keys into the bind, sign callback set */
int hostkeys_install_callback(Worker *w);       /* on w->session */
void hostkeys_drop(Worker *w);

/* hostkey-rotate.c: hostkeys-00@openssh.com and hostkeys-prove-00@openssh.com */
void hostkeys_notify(Worker *w);                /* just after USERAUTH_SUCCESS */
void hostkeys_handle_prove(Worker *w, ssh_message msg);        /* takes msg */
void hostkeys_prove_drop(Worker *w);            /* the connection is gone */

/* global-reply.c: replies to global requests in the order of the requests */
int global_reply_enqueue(Worker *w, ssh_message msg);  /* on arrival; -ENOBUFS: a flood */
/* Its answer, sent when every earlier request's has been; msg is not taken */
void global_reply(Worker *w, ssh_message msg, bool success, const void *data, size_t len);
void global_reply_success_port(Worker *w, ssh_message msg, uint32_t port);  /* tcpip-forward's SUCCESS */
void global_reply_drop(Worker *w);              /* the connection is gone */

/* auth.c */
void auth_handle_message(Worker *w, ssh_message msg);
int auth_handle_result(Worker *w, const IpcAuthResult *r);
int auth_handle_kbdint_prompts(Worker *w, const IpcKbdintPrompts *p);
int auth_methods_offered(const Worker *w);
void auth_drop_all(Worker *w);

/* channel.c */
void channel_handle_open(Worker *w, ssh_message msg);
/* Refuse a channel open with RFC 4254's reason code (enum ssh_channel_open_failure_reason_e) and the
 * description the client shows, then free msg. CHANNEL_OPEN_FAILED is OpenSSH's sshd's description
 * when it has nothing more to say (serverloop.c). */
#define CHANNEL_OPEN_FAILED "open failed"
void channel_open_refuse(ssh_message msg, uint32_t reason, const char *description);
void channel_handle_request(Worker *w, ssh_message msg);
int channel_session_started(Worker *w, const IpcSessionStarted *p, int fds[3]);
int channel_session_started_pty(Worker *w, const IpcSessionStartedPty *p, int master);
int channel_pty_result(Worker *w, const IpcPtyResult *p);
int channel_session_failed(Worker *w, const IpcSessionFailed *p);
int channel_session_exited(Worker *w, const IpcSessionExited *p);
void channel_collect(Worker *w);                /* free channels that are closed on both sides */
/* The monitor's answer to auth-agent-req (worker/forward-agent.c): each channel waiting on one is
 * answered, success only for `channel` when granted. */
void channel_agent_answered(Worker *w, uint32_t channel, bool granted);
void channel_abandon_all(Worker *w);            /* the connection is gone */
int channel_poll_timeout(Worker *w);            /* ms until a pty drain deadline, or -1 */
uint64_t worker_now_usec(void);
int worker_ms_until(uint64_t deadline_usec);    /* poll() timeout until a worker_now_usec() deadline */

/* idle-timeout.c: ChannelTimeout and UnusedConnectionTimeout (doc/SECURITY.md, "Idle timeouts") */
int idle_timeout_setup(Worker *w);              /* SETUP's rules; -EINVAL if malformed */
/* USER_CONFIG (worker/user-config.c); takes what it keeps out of *p. */
int user_config_apply(Worker *w, IpcUserConfig *p);
/* RekeyLimit from w->setup onto the session (worker/ssh-server.c). */
int ssh_server_apply_rekey_limit(Worker *w);
void idle_timeout_done(Worker *w);
void idle_timeout_start(Worker *w, IdleClock *k, const char *subtype);  /* the channel is open */
void idle_timeout_start_session(Worker *w, Channel *c);                 /* its session started */
void idle_timeout_used(Worker *w, IdleClock *k);                        /* a byte moved */
bool idle_timeout_check(Worker *w);             /* closes idle channels; false: end the connection */
int idle_timeout_poll(Worker *w);               /* ms until the next deadline, or -1 */

/* channel.c, for idle-timeout.c: close a session channel now, abandoning its session */
void channel_close_idle(Channel *c);

/* pump.c */
void pump_channel(Channel *c);
bool pump_needs_run(Worker *w);                 /* poll() must not wait */
void pump_finish_if_done(Channel *c);
