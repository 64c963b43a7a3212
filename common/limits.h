#pragma once
/*
 * Every number that bounds what a client or the worker can make us allocate or do, in one place.
 * Hitting one of these is a logged refusal (or, for the worker, a protocol violation).
 */

/* IPC between monitor and worker */
#define IPC_MAX_MESSAGE         (256u * 1024u)  /* one SOCK_SEQPACKET datagram, header included: the largest
                                                   SESSION_START fits (asserted in common/ipc-payloads.h) */
#define IPC_SOCKET_BUFFER       (2u * IPC_MAX_MESSAGE) /* SO_SNDBUF of both ends: the largest message fits */
#define IPC_MAX_QUEUED_MESSAGES 2048u           /* replies the monitor holds for a worker whose socket is
                                                   full; a worker that lets this fill is torn down */
#define IPC_MAX_QUEUED_BYTES    (1024u * 1024u) /* the same, in bytes (at least one largest message) */
#define IPC_MAX_FDS             4u              /* descriptors attached to one message */
#define IPC_MAX_STRING          (32u * 1024u)   /* one string field */
#define IPC_MAX_LOG_MESSAGES    100000u         /* log lines at ERROR, INFO or VERBOSE a worker may have
                                                   written in one connection (handle_log(); DEBUG lines,
                                                   written only when configured, are not counted) */
#define IPC_MAX_HOSTKEYS        16u             /* HostKey files (OpenSSH's regression suite has 9 and more) */
#define IPC_MAX_ALGORITHM_LIST  2048u           /* a SETUP algorithm list (every supported name fits) */
#define IPC_MAX_EVENT_MESSAGES  2u              /* EVENTs a worker may send in one connection */
#define IPC_MAX_EVENT_TEXT      512u            /* the client's words or libssh's error in one EVENT */

/* authentication */
#define AUTH_MAX_USER_LEN       256u            /* longer user names are refused */
#define AUTH_MAX_PASSWORD_LEN   1024u
#define AUTH_MAX_KEY_BLOB       16384u          /* an RSA-16384 public key fits */
#define AUTH_MAX_SIGNED_DATA    (2u * AUTH_MAX_KEY_BLOB + 1024u) /* what a publickey signature signs: the
                                                   user's key and, host-bound, ours, plus names */
#define AUTH_MAX_NONE_REQUESTS  4u              /* "none" requests per connection */
#define AUTH_MAX_PENDING        8u              /* auth requests the worker queues while one is out */
#define AUTH_MAX_TRIES_CEILING  1000            /* largest MaxAuthTries we accept */
#define AUTH_MAX_PUBKEY_PROBES  64u             /* PK_OK answers per connection (they do not count against
                                                   MaxAuthTries): a client probes each key it holds once and
                                                   stops at the first that signs; later probes count */
#define AUTH_MAX_PUBKEY_REQUESTS (AUTH_MAX_TRIES_CEILING + AUTH_MAX_PUBKEY_PROBES + 1u) /* each one is a
                                                   failure (MaxAuthTries), a PK_OK or the success */

/* keyboard-interactive: the PAM conversation relayed to the client (pam/pam-kbdint.h) */
#define KBDINT_MAX_PROMPTS      32u             /* prompts in one round (PAM_MAX_NUM_MSG) */
#define KBDINT_MAX_TEXT         1024u           /* one prompt, or one PAM message shown to the user */
#define KBDINT_MAX_INSTRUCTION  (8u * KBDINT_MAX_TEXT) /* the messages of one round, joined */
#define KBDINT_MAX_ROUNDS       64u             /* rounds in one conversation; past it, it fails */
#define KBDINT_MAX_ANSWERS_MSGS (AUTH_MAX_TRIES_CEILING * (KBDINT_MAX_ROUNDS + 1u)) /* every round of
                                                   every attempt, and the abort of each */

/* host keys (held by the monitor, which signs each key exchange for the worker) */
#define HOSTKEY_MAX_PREAUTH_SIGNATURES 4u       /* before authentication: the first exchange, and rekeys */
#define HOSTKEY_MAX_SIGNATURES  65536u          /* per connection: a rekey every GB for 64 TB, or every
                                                   minute for 45 days */
#define HOSTKEY_MAX_PROVE_REQUESTS 4u           /* hostkeys-prove-00 per connection: OpenSSH's client sends
                                                   one (none when it knows every key) */
#define HOSTKEY_MAX_PROVE_BYTES (64u * 1024u)   /* its key blobs, and the signatures: 16 RSA-16384 keys */

/* global requests (worker/global-reply.c) */
#define GLOBAL_MAX_UNANSWERED   1024u           /* that want a reply and have none yet, per connection: 16
                                                   times FORWARD_MAX_LISTENERS. Replies go in request
                                                   order, so a request waits behind a forward's listen;
                                                   a client that sends more without reading replies is a
                                                   flood, and its connection ends (no reply may be
                                                   skipped or reordered, so none can be refused) */

/* authorized_keys */
#define AUTHKEYS_MAX_FILE_SIZE  (4u * 1024u * 1024u)
#define AUTHKEYS_MAX_LINE       (64u * 1024u)
#define AUTHKEYS_MAX_FILES      16u
#define AUTHKEYS_MAX_PERMIT     32u             /* permitopen= and permitlisten= values on one line */
#define AUTHKEYS_MAX_ENV        64u             /* environment= values on one line (OpenSSH: 1024; a session
                                                   holds SESSION_MAX_ENV variables in all) */
#define AUTHKEYS_COMMAND_MAX_OUTPUT AUTHKEYS_MAX_FILE_SIZE /* AuthorizedKeysCommand stdout; more: killed, no keys */
#define AUTHKEYS_COMMAND_MAX_STDERR (16u * 1024u)   /* of its stderr, logged (at DEBUG); the rest is read
                                                   and dropped */
#define AUTHKEYS_COMMAND_MAX_ARGS 256u          /* arguments of AuthorizedKeysCommand after splitting */
#define REVOKED_KEYS_MAX_FILE_SIZE (16u * 1024u * 1024u) /* RevokedKeys (list or KRL): larger refuses every
                                                   key, as a file that cannot be read does */
#define KRL_MAX_BITMAP_BYTES    2049u           /* a KRL serial bitmap: OpenSSH's largest mpint (16384 bits
                                                   and a leading zero byte) */
#define MATCH_MAX_LIST_ENTRY    1023u           /* one entry of a pattern list (from="..."): OpenSSH's
                                                   match_pattern_in_list() lets a longer one match nothing */

/* sessions */
#define KERNEL_MAX_ARG_STRLEN   (32u * 4096u)   /* Linux MAX_ARG_STRLEN with 4 KiB pages: one execve()
                                                   argument or environment string, NUL included */
#define SESSION_MAX_COMMAND     (KERNEL_MAX_ARG_STRLEN - 1024u) /* exec command line: it runs as
                                                   `shell -c command` (or in SSH_ORIGINAL_COMMAND=) */
#define SESSION_MAX_STARTS      (1024u * 1024u) /* SESSION_START and PTY_REQUEST per connection: a
                                                   ControlMaster starting one every 10 s for 120 days */
#define SESSION_MAX_SIGNALS     16384u          /* SESSION_SIGNAL per connection: each costs the monitor a
                                                   fork (monitor/session-signal.c); OpenSSH's client
                                                   sends none, programs send one per command */
#define SESSION_MAX_PENDING_SIGNALS 8u          /* signal senders in flight per connection (each runs as
                                                   the user, who can stop it; session-signal.h) */
#define SESSION_SIGNAL_SENDER_USEC (1000u * 1000u) /* a sender still there after this is killed */
#define SESSION_MAX_PER_CONN    1024u           /* hard ceiling for MaxSessions */
#define SESSION_MAX_ENV         256u            /* environment variables passed to a session */
#define SESSION_MAX_ENV_REQUESTS 64u            /* client "env" requests kept per channel */
#define SESSION_MAX_ENV_REQUEST (8u * 1024u)    /* one NAME=VALUE from the client */
#define SESSION_MAX_ENV_TOTAL   (64u * 1024u)   /* all NAME=VALUE kept for one channel, together */
#define SESSION_MAX_USER_ENV_LINES 1000u        /* lines of ~/.ssh/environment: OpenSSH's read_environment_file()
                                                   refuses the session past 1000, and so do we */
#define SESSION_MAX_USER_ENV_FILE (64u * 1024u) /* bytes of ~/.ssh/environment; more refuses the session too */
#define SESSION_MAX_TERM        256u            /* TERM from pty-req */
#define SESSION_MAX_TTY_MODES   1024u           /* encoded terminal modes from pty-req: every opcode RFC 4254
                                                   defines, once, is 281 bytes; OpenSSH's client sends 261 */
#define SESSION_MAX_SIGNAL_NAME 32u             /* the name in a "signal" request ("USR1") */
#define SESSION_MAX_BANNER      (128u * 1024u)  /* bytes of the Banner file sent before authentication (one
                                                   * SSH packet, 256 KiB, holds it; OpenSSH sends 100000) */
#define SESSION_MAX_MOTD        (64u * 1024u)   /* bytes of /etc/motd shown at login */
#define CHANNEL_MAX_QUEUED_REQUESTS 32u         /* channel requests waiting behind the monitor */

/* the byte pump (worker) */
#define PUMP_READ_CHUNK         (256u * 1024u)  /* one read from a child's pipe */
#define PUMP_STDIN_BUFFER       (256u * 1024u)  /* bytes buffered towards a child's stdin */
#define PTY_DRAIN_USEC          (50u * 1000u)   /* after a pty shell exits, read its terminal this long */
#define PUMP_PIPE_SIZE          (1024u * 1024u) /* F_SETPIPE_SZ on stdout/stderr pipes */

/* the relay for -i on pipes (relay/relay.h) */
#define RELAY_BUFFER            (64u * 1024u)   /* bytes buffered per direction: a full buffer stops reading */
#define RELAY_STOP_GRACE_USEC   (2u * 1000u * 1000u) /* after the worker is gone, time for the relay to hand
                                                 * the last bytes to stdout before it is killed */

/* TCP forwarding (monitor/handle-forward.c, worker/forward*.c) */
#define FORWARD_MAX_REQUESTS    (1024u * 1024u) /* FORWARD_CONNECT and FORWARD_LISTEN per connection: each
                                                   costs the monitor a fork, so the budget is finite */
#define FORWARD_MAX_PENDING     32u             /* opener children in flight per connection */
#define FORWARD_OPENER_USEC     (30u * 1000u * 1000u) /* an opener (DNS + connect) still there after this
                                                   is killed and its request fails */
#define FORWARD_MAX_HOST        255u            /* a host name in direct-tcpip or tcpip-forward */
#define FORWARD_MAX_UNIX_PATH   107u            /* a socket path in a streamlocal request: sun_path less
                                                   its NUL (longer cannot be bound or connected) */
#define FORWARD_UNIX_UNLINK_USEC (2u * 1000u * 1000u) /* the user's child removing our socket files (a
                                                   cancel, the end of the connection) is killed after this */
#define FORWARD_MAX_LISTENERS   64u             /* remote forwards held by one connection */
#define FORWARD_MAX_CHANNELS    1024u           /* forwarded connections open at once per connection */
#define FORWARD_BUFFER          (128u * 1024u)  /* bytes buffered per direction of a forwarded socket */
#define CONFIG_MAX_PERMIT       64u             /* PermitOpen / PermitListen entries */

/* agent forwarding (monitor/forward-agent.c, worker/forward-agent.c) */
#define AGENT_MAX_CONNECTIONS   (1024u * 1024u) /* AGENT_ACCEPT per connection: each costs the monitor a
                                                   fork, so the budget is finite */
#define AGENT_HELPER_USEC       (10u * 1000u * 1000u) /* a helper (mkdtemp + bind, or accept) still there
                                                   after this is killed and its request fails */
#define AGENT_CLEANUP_USEC      (2u * 1000u * 1000u) /* at teardown, the longest the monitor waits for the
                                                   removal of the socket and its directory */

/* configuration */
#define CONFIG_MAX_LINE         8192u
#define CONFIG_MAX_FILE_SIZE    (1024u * 1024u)
/* What the listener hands each connection (config_image_end): its options and files' lines */
#define CONFIG_MAX_IMAGE_SIZE   (4u * 1024u * 1024u)
#define CONFIG_MAX_INCLUDE_DEPTH 16
#define CONFIG_MATCH_MAX_GROUPS 65536u         /* a user's groups looked at by Match Group */
#define CONFIG_MAX_LISTEN       64u
#define CONFIG_MAX_HOSTKEYS     IPC_MAX_HOSTKEYS
#define CONFIG_MAX_ACCEPT_ENV   64u             /* AcceptEnv patterns */
#define CONFIG_MAX_SET_ENV      64u             /* SetEnv assignments */
#define CONFIG_MAX_CHANNEL_TIMEOUTS 32u         /* ChannelTimeout TYPE=INTERVAL entries (one line) */
#define CHANNEL_TIMEOUT_MAX_TYPE 256u           /* one ChannelTimeout type pattern */

/* listener */
#define LISTEN_MAX_CHILDREN     1024u           /* concurrent connections, authenticated or not: a hard cap
                                                 * above MaxStartups (whose full is at most this) */
#define SRCLIMIT_MAX_PENALTY_SOURCES (1u << 20) /* largest PerSourcePenalties max-sources4/6 we accept */
#define HOSTKEY_MAX_FILE_SIZE   (64u * 1024u)

/* privsshd-sftp (sftp/): the internal-sftp server. Lengths as OpenSSH's sftp-server. */
#define SFTP_MAX_PACKET         (256u * 1024u)  /* a request or reply body; a longer request ends the session */
#define SFTP_MAX_READ           (SFTP_MAX_PACKET - 1024u) /* READ length served at most (limits@openssh.com) */
#define SFTP_MAX_PATH           8192u           /* a path in a request (PATH_MAX with room for "../" games) */
#define SFTP_MAX_HANDLE_LEN     256u            /* a handle string in a request (ours are 4 bytes) */
#define SFTP_MAX_HANDLES        512u            /* open files and directories at once */
#define SFTP_MAX_ATTR_EXTENDED  64u             /* extended attribute pairs in one ATTRS */
#define SFTP_MAX_USER_NAME      256u            /* home-directory's user name */
#define SFTP_READDIR_BATCH      100u            /* names per READDIR reply */
