#pragma once
/*
 * The per-connection monitor (root). It owns the connection's state machine, PAM, the user's
 * processes and the worker; it never reads SSH bytes. Everything it does for the worker goes
 * through the gate in monitor-state.c and one handler per request family (handle-*.c); every way
 * out goes through monitor_teardown().
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/auth-methods.h"
#include "common/config.h"
#include "common/ipc-payloads.h"
#include "common/ipc-queue.h"
#include "monitor/forward-agent.h"
#include "monitor/forward-opener.h"
#include "monitor/unix-socket.h"
#include "monitor/pty.h"
#include "monitor/session-signal.h"
#include "monitor/user-creds.h"
#include "pam/pam-auth.h"

typedef struct Session {
        uint32_t id;
        uint32_t channel;
        pid_t pid;              /* session leader = process group id */
        bool exited;            /* leader has exited (still a zombie until reaped) */
        bool closed;            /* the worker's channel is gone */
        bool forced;            /* runs a forced command (ForceCommand, command=): no signal requests */
        bool subsystem;         /* a subsystem: no signal requests */
        char *tty;              /* "/dev/pts/N" for a pty session (login records), else NULL */
        bool logged_out;        /* the login record's end is written */
        struct Session *next;
} Session;

typedef struct Monitor {
        const Config *config;           /* the process's; once the user is named, own_config */
        Config *own_config;             /* the connection's, Match applied (connection-config.h) */
        int ipc_fd;                     /* non-blocking: the monitor never waits on the worker */
        IpcQueue outq;                  /* what the worker has not taken yet (common/ipc-queue.h) */
        bool worker_not_reading;        /* outq filled up: a violation, torn down by the loop */
        int signal_fd;
        SignalSenders signal_senders;   /* signal requests in flight, sent as the user */
        ForwardOpeners forward_openers; /* forwarding sockets being made as the user (handle-forward.h) */
        AgentForward agent;             /* agent forwarding (forward-agent.h) */
        UnixSocketFiles forward_unix;   /* socket files our -R listeners bound (handle-forward-unix.h) */
        pid_t worker_pid;
        pid_t relay_pid;                /* -i on pipes (relay/relay.h); 0 in socket mode or once reaped */
        bool relay_failed;              /* the relay died abnormally: the loop tears the connection down */
        IpcState state;
        unsigned used[_IPC_TYPE_MAX];   /* per-type budget counters (the gate) */
        unsigned worker_log_lines;      /* LOG lines written at ERROR..VERBOSE (handle_log()) */

        char peer_address[64];
        uint16_t peer_port;
        char local_address[64];
        uint16_t local_port;
        char rdomain[16];               /* the VRF device the connection's socket is bound to, or "" */

        /* authentication */
        char *auth_user;                /* the name the client asked for (first request) */
        UserCreds *user;                /* NULL while the name is not a valid user */
        bool auth_user_checked;
        unsigned auth_failures;
        unsigned pubkey_probes;         /* PK_OK answers so far (AUTH_MAX_PUBKEY_PROBES) */
        PamContext *pam;
        AuthLists auth_lists;           /* AuthenticationMethods: the steps still to do */
        uint8_t used_keys[AUTH_METHODS_MAX_STEPS][32]; /* SHA-256 of the key blobs that succeeded: */
        size_t n_used_keys;             /* each key counts once ("publickey,publickey": two keys) */
        /* keyboard-interactive: the PAM conversation running in its thread (handle-kbdint.h) */
        struct PamKbdint *kbdint;
        bool kbdint_awaiting;           /* a round is out with the client: KBDINT_ANSWERS may come */
        bool kbdint_aborted;            /* the client left it, or it ran too long: it fails */
        bool kbdint_changing;           /* the conversation is pam_chauthtok (an expired password) */
        bool pam_account_ok;            /* the account stack said yes for this user (it runs once) */
        unsigned kbdint_rounds;
        size_t kbdint_prompts;          /* prompts of the round out with the client */
        bool pam_lost;                  /* a conversation thread never returned: m->pam is not ours */
        char *forced_command;           /* from the authorized_keys line that let the user in */
        uint32_t key_flags;             /* AuthorizedKeyFlags of that line (no-pty, ...) */
        char *key_permit_open;          /* its permitopen= / permitlisten= values (space-separated), */
        char *key_permit_listen;        /* or NULL: no such restriction (monitor/forward-policy.h) */
        char **key_env;                 /* its environment= values ("NAME=value"), or NULL */
        char *auth_info;                /* the methods that succeeded so far, a line each (auth-info.h): */
                                        /* ExposeAuthInfo's file, PAM's SSH_AUTH_INFO_0; NULL: none yet */
        char *auth_info_path;           /* ExposeAuthInfo: the SSH_USER_AUTH file (monitor/auth-info.h), or NULL */
        uint64_t deadline_usec;         /* LoginGraceTime; 0 = none */
        struct Krl *revoked_keys;       /* RevokedKeys, read at the first publickey request (revoked-keys.h) */
        int revoked_keys_error;         /* 0, or why it could not be read: every key is refused then */
        bool revoked_keys_loaded;

        /* host keys (monitor/hostkey-sign.h) and the session identifier, the first exchange hash */
        struct SshKey *hostkeys[IPC_MAX_HOSTKEYS];
        size_t n_hostkeys;
        uint8_t session_id[64];
        size_t session_id_len;          /* 0 until the first key exchange */
        uint32_t session_hostkey;       /* the host key of the first exchange (host-bound publickey) */
        unsigned hostkey_signs_preauth;
        /* HostCertificate blobs by host key index, NULL where none (monitor/hostcert.h); whether the
         * first exchange sent host key session_hostkey's certificate as K_S (host-bound publickey) */
        uint8_t *hostcerts[IPC_MAX_HOSTKEYS];
        size_t hostcert_lens[IPC_MAX_HOSTKEYS];
        bool session_hostkey_cert;
        char kex_hostkey_algorithm[64]; /* signature algorithm of the latest exchange (hostkey-prove.h) */

        /* sessions */
        Session *sessions;
        uint32_t next_session_id;
        unsigned n_sessions_live;
        Pty *ptys;                      /* allocated for a channel (pty-req), no session on it yet */
        unsigned n_ptys;

        int exit_code;

        /* The listener's startup pipe (-R; monitor/srclimit.h), -EBADF when absent or used; and what
         * the exit status tells the listener about a connection that never authenticated. */
        int startup_fd;
        int sessions_reported;          /* the session figure last written on it, -1: none yet */
        bool worker_crashed;            /* killed by a crash signal that the monitor did not send */
        bool grace_exceeded;            /* LoginGraceTime ran out */
} Monitor;

/* Run one connection (conn_fd is the connected socket, already set up by the caller; startup_fd the
 * listener's startup pipe or -EBADF, both taken over; relay_pid the relay that feeds conn_fd, or 0 when
 * conn_fd is the client's own socket). Returns the exit code: for a connection that never
 * authenticated, one of srclimit.h's MONITOR_EXIT_*. */
int monitor_run(const Config *config, int conn_fd, int startup_fd, pid_t relay_pid);

/* Tell the listener that the connection has authenticated (once; nothing without a startup pipe). */
void monitor_startup_done(Monitor *m);

/* The one way out: kill the worker, hang up sessions, close PAM, reap. Idempotent. */
void monitor_teardown(Monitor *m, const char *reason);

/* Helpers shared by the handlers. monitor_send() never blocks: what the socket does not take is
 * queued; when the queue is full it returns -ENOBUFS and marks the worker as not reading, and the
 * loop tears the connection down (callers may ignore the result of sends that answer nothing). */
int monitor_send(Monitor *m, IpcType type, const IpcPayload *p, const int *fds, size_t n_fds);
uint64_t now_usec(void);
