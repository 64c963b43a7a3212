#pragma once
/*
 * THE message table: every message the monitor and the worker exchange is one row here, and
 * everything else (the type enum, the names, the gate's rules, the payload structs and their
 * codecs) is expanded from these rows. Nothing about the protocol is written twice.
 *
 * Why this is the trust boundary: the worker parses every byte the network sends, so we assume it
 * can be taken over. The monitor therefore checks each datagram from the worker against its row
 * BEFORE decoding it (monitor/monitor-state.c: direction, connection state, per-connection budget,
 * exact number of attached descriptors, size), then decodes it with the strict codecs below
 * (bounds-checked, no embedded NULs, no trailing bytes), and only then calls the handler, which
 * restates its own preconditions. Any failure tears the connection down through one path.
 *
 * Row columns:
 *   id       message name (IPC_<id> in the enum)
 *   dir      W2M (worker to monitor: untrusted) or M2W (monitor to worker)
 *   states   the connection states in which the message may be sent (IPC_ST_* bit mask);
 *            IPC_ST_NEVER marks rows reserved for later (the gate refuses them in every state)
 *   budget   how many times per connection it may be sent (0: no fixed budget)
 *   fds      exact number of descriptors attached (SCM_RIGHTS)
 *   payload  the payload type (its fields are in the IPC_PAYLOAD_FIELDS_* tables below)
 *
 * Budgets: every worker request that the monitor answers has one, so that the replies a worker can
 * ask for over a connection are finite and computable from this table. (A worker that asks and does
 * not read cannot stop the monitor whatever the budgets: its socket end is non-blocking and replies
 * the socket does not take wait in a bounded queue, common/ipc-queue.h; a worker that lets it fill
 * is torn down.) AUTH_NONE: clients send one or two. AUTH_PASSWORD: each is a failure, counted
 * against MaxAuthTries (REFUSED after it), or the success. AUTH_PUBKEY: the same, plus the probes
 * answered PK_OK, which do not count against MaxAuthTries and have their own AUTH_MAX_PUBKEY_PROBES
 * (handle-auth.c; after it probes count as failures). PTY_REQUEST and SESSION_START: as many as a
 * long-lived ControlMaster connection could start (SESSION_MAX_STARTS), finite all the same.
 * The worker requests without a budget are the ones nothing answers and that cost the monitor
 * nothing but a lookup: PTY_RELEASE, SESSION_CLOSE. SESSION_SIGNAL is not answered either, but each
 * one forks (the signal is sent as the user), so it has SESSION_MAX_SIGNALS (and at most
 * SESSION_MAX_PENDING_SIGNALS in flight). LOG has no budget here: its lines at the levels every
 * configuration writes (ERROR, INFO, VERBOSE) are counted by handle_log() against
 * IPC_MAX_LOG_MESSAGES, which bounds what a worker can make the monitor write; DEBUG lines, written
 * only when the operator asked for them (LogLevel DEBUG*), are not, so a debug session of any length
 * is not cut off (libssh logs several lines per packet at DEBUG3).
 *
 * HOSTKEY_SIGN: the host private keys are in the monitor only; the worker asks for the signature
 * of each key exchange (the first one before authentication, rekeys after): at most
 * HOSTKEY_MAX_PREAUTH_SIGNATURES before authentication (handle_hostkey_sign()) and
 * HOSTKEY_MAX_SIGNATURES in all, far above what RekeyLimit makes a real connection do.
 * HOSTKEYS_PROVE: after authentication only, HOSTKEY_MAX_PROVE_REQUESTS (a client sends one), each
 * for at most as many keys as the monitor has: one signature over a fixed statement and this
 * session's identifier per key.
 */

#include "common/limits.h"

/* Connection states, as a bit mask. Shared by both sides; the monitor's copy is authoritative. */
typedef enum IpcState {
        IPC_ST_INIT = 1u << 0,          /* worker exec'd, not yet sandboxed */
        IPC_ST_PREAUTH = 1u << 1,       /* sandboxed, talking SSH, not authenticated */
        IPC_ST_AUTHED = 1u << 2,        /* a user is authenticated; sessions allowed */
        IPC_ST_REFUSED = 1u << 3,       /* authentication given up (too many failures): only logs */
} IpcState;

#define IPC_ST_NEVER 0u
#define IPC_ST_ANY (IPC_ST_INIT | IPC_ST_PREAUTH | IPC_ST_AUTHED | IPC_ST_REFUSED)
#define IPC_ST_ALIVE (IPC_ST_PREAUTH | IPC_ST_AUTHED | IPC_ST_REFUSED)

typedef enum IpcDirection {
        W2M,
        M2W,
} IpcDirection;

/*      id                 dir  states          budget                   fds payload */
#define IPC_MESSAGES(X) \
        X(SETUP,             M2W, IPC_ST_INIT,    1,                       0, Setup)            \
        X(READY,             W2M, IPC_ST_INIT,    1,                       0, Ready)            \
        X(LOG,               W2M, IPC_ST_ANY,     0,                       0, Log)              \
        X(AUTH_NONE,         W2M, IPC_ST_PREAUTH, AUTH_MAX_NONE_REQUESTS,  0, AuthNone)         \
        X(AUTH_PASSWORD,     W2M, IPC_ST_PREAUTH, AUTH_MAX_TRIES_CEILING,  0, AuthPassword)     \
        X(AUTH_PUBKEY,       W2M, IPC_ST_PREAUTH, AUTH_MAX_PUBKEY_REQUESTS, 0, AuthPubkey)      \
        X(AUTH_RESULT,       M2W, IPC_ST_PREAUTH, 0,                       0, AuthResult)       \
        X(HOSTKEY_SIGN,      W2M, IPC_ST_PREAUTH | IPC_ST_AUTHED, HOSTKEY_MAX_SIGNATURES, 0, HostkeySign) \
        X(HOSTKEY_SIGNATURE, M2W, IPC_ST_PREAUTH | IPC_ST_AUTHED, 0,       0, HostkeySignature) \
        X(PTY_REQUEST,       W2M, IPC_ST_AUTHED,  SESSION_MAX_STARTS,      0, PtyRequest)       \
        X(PTY_RESULT,        M2W, IPC_ST_AUTHED,  0,                       0, PtyResult)        \
        X(PTY_RELEASE,       W2M, IPC_ST_AUTHED,  0,                       0, PtyRelease)       \
        X(SESSION_START,     W2M, IPC_ST_AUTHED,  SESSION_MAX_STARTS,      0, SessionStart)     \
        X(SESSION_STARTED,   M2W, IPC_ST_AUTHED,  0,                       3, SessionStarted)   \
        X(SESSION_STARTED_PTY, M2W, IPC_ST_AUTHED, 0,                      1, SessionStartedPty) \
        X(SESSION_FAILED,    M2W, IPC_ST_AUTHED,  0,                       0, SessionFailed)    \
        X(SESSION_SIGNAL,    W2M, IPC_ST_AUTHED,  SESSION_MAX_SIGNALS,     0, SessionSignal)    \
        X(SESSION_EXITED,    M2W, IPC_ST_AUTHED,  0,                       0, SessionExited)    \
        X(SESSION_CLOSE,     W2M, IPC_ST_AUTHED,  0,                       0, SessionClose)     \
        X(EVENT,             W2M, IPC_ST_PREAUTH | IPC_ST_AUTHED, IPC_MAX_EVENT_MESSAGES, 0, Event) \
        X(FORWARD_CONNECT,   W2M, IPC_ST_AUTHED,  FORWARD_MAX_REQUESTS,    0, ForwardConnect)   \
        X(FORWARD_LISTEN,    W2M, IPC_ST_AUTHED,  FORWARD_MAX_REQUESTS,    0, ForwardListen)    \
        X(FORWARD_ACCEPT,    W2M, IPC_ST_AUTHED,  FORWARD_MAX_REQUESTS,    1, ForwardAccept)    \
        X(FORWARD_READY,     M2W, IPC_ST_AUTHED,  0,                       1, ForwardReady)     \
        X(FORWARD_FAILED,    M2W, IPC_ST_AUTHED,  0,                       0, ForwardFailed)    \
        X(AUTH_KBDINT,       W2M, IPC_ST_PREAUTH, AUTH_MAX_TRIES_CEILING,  0, AuthKbdint)       \
        X(KBDINT_PROMPTS,    M2W, IPC_ST_PREAUTH, 0,                       0, KbdintPrompts)    \
        X(KBDINT_ANSWERS,    W2M, IPC_ST_PREAUTH, KBDINT_MAX_ANSWERS_MSGS, 0, KbdintAnswers)       \
        X(AGENT_REQUEST,     W2M, IPC_ST_AUTHED,  1,                       0, AgentRequest)     \
        X(AGENT_LISTENING,   M2W, IPC_ST_AUTHED,  0,                       1, AgentListening)   \
        X(AGENT_REFUSED,     M2W, IPC_ST_AUTHED,  0,                       0, AgentRefused)     \
        X(AGENT_ACCEPT,      W2M, IPC_ST_AUTHED,  AGENT_MAX_CONNECTIONS,   1, AgentAccept)      \
        X(AGENT_CONNECTION,  M2W, IPC_ST_AUTHED,  0,                       1, AgentConnection)  \
        X(AGENT_ACCEPT_FAILED, M2W, IPC_ST_AUTHED, 0,                      0, AgentAcceptFailed) \
        X(FORWARD_CONNECT_UNIX, W2M, IPC_ST_AUTHED, FORWARD_MAX_REQUESTS,  0, ForwardConnectUnix) \
        X(FORWARD_LISTEN_UNIX, W2M, IPC_ST_AUTHED, FORWARD_MAX_REQUESTS,   0, ForwardListenUnix) \
        X(FORWARD_CANCEL_UNIX, W2M, IPC_ST_AUTHED, FORWARD_MAX_REQUESTS,   0, ForwardCancelUnix) \
        X(FORWARD_LISTENING_ALSO, M2W, IPC_ST_AUTHED, 0,                   1, ForwardListeningAlso) \
        X(USER_CONFIG,       M2W, IPC_ST_PREAUTH, 0,                       0, UserConfig)       \
        X(HOSTKEYS_PROVE,    W2M, IPC_ST_AUTHED,  HOSTKEY_MAX_PROVE_REQUESTS, 0, HostkeysProve) \
        X(HOSTKEYS_PROOF,    M2W, IPC_ST_AUTHED,  0,                       0, HostkeysProof)

/*
 * Payload field tables. Kinds: U8, BOOL, U16, U32, I32, STRING (NUL-free, copied), SECRET (a
 * STRING wiped on free), BLOB (bytes + name##_len), STRV (list of STRINGs + n_##name). The third
 * column bounds each field (bytes for strings/blobs, entries for lists).
 */
/* unused_connection_timeout, channel_timeouts: UnusedConnectionTimeout in seconds (0: none) and
 * ChannelTimeout as "TYPE=SECONDS" entries (common/channel-timeout.h), enforced by the worker
 * (doc/SECURITY.md, "Idle timeouts"). */
/* hostkey_certificates: entry i is HostKey i's certificate as "type base64" (HostCertificate), or ""
 * when it has none; the worker offers it with the key (libssh patch 0010), the monitor signs as ever. */
#define IPC_PAYLOAD_FIELDS_Setup(F)                                     \
        F(U32, sandbox_uid, 0)                                          \
        F(U32, sandbox_gid, 0)                                          \
        F(STRING, sandbox_dir, 4096)                                    \
        F(STRING, peer_address, 64)                                     \
        F(U16, peer_port, 0)                                            \
        F(STRING, local_address, 64)                                    \
        F(U16, local_port, 0)                                           \
        F(U8, log_level, 0)                                             \
        F(BOOL, password_authentication, 0)                             \
        F(BOOL, pubkey_authentication, 0)                               \
        F(BOOL, kbd_interactive_authentication, 0)                      \
        F(U32, auth_methods, 0)                                         \
        F(U32, max_sessions, 0)                                         \
        F(U32, client_alive_interval, 0)                                \
        F(U32, client_alive_count_max, 0)                               \
        F(STRING, banner, SESSION_MAX_BANNER)                           \
        F(BOOL, test_forbidden_syscall, 0)                              \
        F(BOOL, test_bogus_session_close, 0)                            \
        F(STRING, test_inject, 4096)                                    \
        F(STRV, hostkeys, IPC_MAX_HOSTKEYS)                             \
        F(STRV, hostkey_certificates, IPC_MAX_HOSTKEYS)                 \
        F(STRING, kex_algorithms, IPC_MAX_ALGORITHM_LIST)               \
        F(STRING, ciphers, IPC_MAX_ALGORITHM_LIST)                      \
        F(STRING, macs, IPC_MAX_ALGORITHM_LIST)                         \
        F(STRING, hostkey_algorithms, IPC_MAX_ALGORITHM_LIST)           \
        F(STRING, pubkey_accepted_algorithms, IPC_MAX_ALGORITHM_LIST)   \
        F(U32, rekey_data_high, 0)                                      \
        F(U32, rekey_data_low, 0)                                       \
        F(U32, rekey_interval, 0)                                       \
        F(U32, required_rsa_size, 0)                                    \
        F(U32, unused_connection_timeout, 0)                            \
        F(STRV, channel_timeouts, CONFIG_MAX_CHANNEL_TIMEOUTS)

/* What of the configuration the worker uses, once Match has been applied for the user (monitor/
 * connection-config.h): the monitor sends it once, after the first authentication request names the
 * user and before it answers that request. The worker sends the Banner then (OpenSSH sends it at that
 * point, after Match) and uses these values from then on; its own filter of the methods offered is
 * not applied before (the monitor decides with the matched configuration). */
#define IPC_PAYLOAD_FIELDS_UserConfig(F)                                \
        F(U8, log_level, 0)                                             \
        F(STRING, banner, SESSION_MAX_BANNER)                           \
        F(U32, max_sessions, 0)                                         \
        F(U32, client_alive_interval, 0)                                \
        F(U32, client_alive_count_max, 0)                               \
        F(STRING, pubkey_accepted_algorithms, IPC_MAX_ALGORITHM_LIST)   \
        F(U32, required_rsa_size, 0)                                    \
        F(U32, rekey_data_high, 0)                                      \
        F(U32, rekey_data_low, 0)                                       \
        F(U32, rekey_interval, 0)                                       \
        F(U32, unused_connection_timeout, 0)                            \
        F(STRV, channel_timeouts, CONFIG_MAX_CHANNEL_TIMEOUTS)

#define IPC_PAYLOAD_FIELDS_Ready(F)                                     \
        F(BOOL, sandboxed, 0)

#define IPC_PAYLOAD_FIELDS_Log(F)                                       \
        F(U8, level, 0)                                                 \
        F(STRING, line, 2048)

#define IPC_PAYLOAD_FIELDS_AuthNone(F)                                  \
        F(STRING, user, AUTH_MAX_USER_LEN)

#define IPC_PAYLOAD_FIELDS_AuthPassword(F)                              \
        F(STRING, user, AUTH_MAX_USER_LEN)                              \
        F(SECRET, password, AUTH_MAX_PASSWORD_LEN)

/* signature_state: IPC_PUBKEY_PROBE (no signature yet) or IPC_PUBKEY_SIGNED: signed_data and signature
 * are the client's, which the monitor verifies itself (monitor/pubkey-verify.h); the worker's libssh
 * may have found them good or bad, which means nothing. */
#define IPC_PAYLOAD_FIELDS_AuthPubkey(F)                                \
        F(STRING, user, AUTH_MAX_USER_LEN)                              \
        F(STRING, algorithm, 128)                                       \
        F(BLOB, key_blob, AUTH_MAX_KEY_BLOB)                            \
        F(U8, signature_state, 0)                                       \
        F(BLOB, signed_data, AUTH_MAX_SIGNED_DATA)                      \
        F(BLOB, signature, AUTH_MAX_KEY_BLOB)

/* keyboard-interactive (RFC 4256) is the PAM conversation (pam/pam-kbdint.h). AUTH_KBDINT starts one
 * (the client's submethods hint is not used: there is one device, PAM); the monitor answers each PAM
 * round with KBDINT_PROMPTS (an INFO_REQUEST for the client: name, instruction, prompts, echo as a bit
 * mask, bit i for prompt i), the worker relays the client's INFO_RESPONSE as KBDINT_ANSWERS (one per
 * prompt: any other count is a violation), and AUTH_RESULT ends it. abort: the client sent another
 * request instead of answering; the monitor fails the conversation and sends AUTH_RESULT for it, which
 * the worker does not relay (the client has moved on). Only one conversation at a time: another
 * AUTH_* while one runs is a violation (the worker holds new requests until AUTH_RESULT). */
#define IPC_PAYLOAD_FIELDS_AuthKbdint(F)                                \
        F(STRING, user, AUTH_MAX_USER_LEN)

#define IPC_PAYLOAD_FIELDS_KbdintPrompts(F)                             \
        F(STRING, instruction, KBDINT_MAX_INSTRUCTION)                  \
        F(STRV, prompts, KBDINT_MAX_PROMPTS)                            \
        F(U32, echo, 0)

#define IPC_PAYLOAD_FIELDS_KbdintAnswers(F)                             \
        F(BOOL, abort, 0)                                               \
        F(STRV, answers, KBDINT_MAX_PROMPTS)

/* result: an IpcAuthOutcome. user: the authenticated user, on success. methods: the AuthMethod bits
 * (common/auth-methods.h) to offer from now on (AuthenticationMethods: the next steps). */
#define IPC_PAYLOAD_FIELDS_AuthResult(F)                                \
        F(U8, result, 0)                                                \
        F(STRING, user, AUTH_MAX_USER_LEN)                              \
        F(U32, methods, 0)

/* A key exchange's signature over its exchange hash: key_index into SETUP's hostkeys, the negotiated
 * key exchange method (whose hash sets the length of data) and signature algorithm. The monitor
 * checks the shape (monitor/hostkey-sign.c) and records the first data as the session identifier.
 * certificate: the exchange sends the key's HostCertificate as K_S (its algorithm is the plain one). */
#define IPC_PAYLOAD_FIELDS_HostkeySign(F)                               \
        F(U32, key_index, 0)                                            \
        F(BOOL, certificate, 0)                                         \
        F(STRING, kex_algorithm, 128)                                   \
        F(STRING, algorithm, 128)                                       \
        F(BLOB, data, 1024)

#define IPC_PAYLOAD_FIELDS_HostkeySignature(F)                          \
        F(BLOB, signature, AUTH_MAX_KEY_BLOB)

/* Host key rotation (OpenSSH's hostkeys-prove-00@openssh.com, monitor/hostkey-prove.h): keys is the
 * client's request data, one string per public key blob; each must be one of the monitor's plain host
 * keys, once, else the worker is lying (it checks them itself first). The monitor signs "hostkeys-
 * prove-00@openssh.com" || session identifier || blob with each, from the identifier it recorded;
 * signatures is the reply data for the client, one string per signature blob, in the keys' order. */
#define IPC_PAYLOAD_FIELDS_HostkeysProve(F)                             \
        F(BLOB, keys, HOSTKEY_MAX_PROVE_BYTES)

#define IPC_PAYLOAD_FIELDS_HostkeysProof(F)                             \
        F(BLOB, signatures, HOSTKEY_MAX_PROVE_BYTES)

/* pty-req on a channel that has no session yet. The monitor checks policy (PermitTTY, no-pty),
 * allocates the pty with this size and keeps it for the channel until SESSION_START or PTY_RELEASE;
 * PTY_RESULT says whether it did (the worker's answer to the client's pty-req). modes: the client's
 * encoded terminal modes as sent (RFC 4254 section 8, common/tty-modes.h); malformed ones are a
 * violation (the worker refuses them itself), well-formed ones are applied to the pty. */
#define IPC_PAYLOAD_FIELDS_PtyRequest(F)                                \
        F(U32, channel, 0)                                              \
        F(STRING, term, SESSION_MAX_TERM)                               \
        F(U32, cols, 0)                                                 \
        F(U32, rows, 0)                                                 \
        F(U32, xpixels, 0)                                              \
        F(U32, ypixels, 0)                                              \
        F(BLOB, modes, SESSION_MAX_TTY_MODES)

#define IPC_PAYLOAD_FIELDS_PtyResult(F)                                 \
        F(U32, channel, 0)                                              \
        F(BOOL, allocated, 0)

/* The channel went away with a pty allocated and no session started on it. */
#define IPC_PAYLOAD_FIELDS_PtyRelease(F)                                \
        F(U32, channel, 0)

/* kind: an IpcSessionKind; command: the exec command or the subsystem name; env: the client's env
 * requests as NAME=VALUE, in arrival order (the monitor applies AcceptEnv to them). A pty allocated
 * for the channel (PTY_REQUEST) becomes the session's terminal. */
#define IPC_PAYLOAD_FIELDS_SessionStart(F)                              \
        F(U32, channel, 0)                                              \
        F(U8, kind, 0)                                                  \
        F(STRING, command, SESSION_MAX_COMMAND)                         \
        F(STRV, env, SESSION_MAX_ENV_REQUESTS)

/* SESSION_STARTED fds: the child's stdin (write end), stdout (read end), stderr (read end).
 * SESSION_STARTED_PTY fd: the pty master, of which the monitor keeps no copy. */
#define IPC_PAYLOAD_FIELDS_SessionStarted(F)                            \
        F(U32, channel, 0)                                              \
        F(U32, session, 0)

#define IPC_PAYLOAD_FIELDS_SessionStartedPty(F)                         \
        F(U32, channel, 0)                                              \
        F(U32, session, 0)

#define IPC_PAYLOAD_FIELDS_SessionFailed(F)                             \
        F(U32, channel, 0)                                              \
        F(STRING, reason, 1024)

/* signal: the name from the client's "signal" request ("INT", "TERM", ...); the monitor decides */
#define IPC_PAYLOAD_FIELDS_SessionSignal(F)                             \
        F(U32, session, 0)                                              \
        F(STRING, signal, SESSION_MAX_SIGNAL_NAME)

/* signaled: exit_code holds the signal number; core_dumped only then */
#define IPC_PAYLOAD_FIELDS_SessionExited(F)                             \
        F(U32, session, 0)                                              \
        F(BOOL, signaled, 0)                                            \
        F(U32, exit_code, 0)                                            \
        F(BOOL, core_dumped, 0)

/* abandoned: the channel ended before the exit status was delivered (client closed it or went
 * away), so the session's process group is hung up even if its leader has exited */
#define IPC_PAYLOAD_FIELDS_SessionClose(F)                              \
        F(U32, session, 0)                                              \
        F(BOOL, abandoned, 0)

/* Something the worker saw that the monitor logs in OpenSSH's words, with the peer address it knows
 * itself (monitor/handle-event.c), so that lines fail2ban acts on never carry an address the worker
 * chose. kind: an IpcEventKind; method: an IpcNegotiation (NO_MATCHING_METHOD only); text: the
 * client's words (identification line, offer) or libssh's error, raw: the monitor escapes it. */
#define IPC_PAYLOAD_FIELDS_Event(F)                                     \
        F(U8, kind, 0)                                                  \
        F(U8, method, 0)                                                \
        F(STRING, text, IPC_MAX_EVENT_TEXT)

/* TCP forwarding (doc/ARCHITECTURE.md, "Forwarding"). The monitor checks policy and has a short-lived
 * child that has become the user create the socket (FORWARD_CONNECT: connected to host:port, for a
 * direct-tcpip channel; FORWARD_LISTEN: bound and listening, for a tcpip-forward request), and hands
 * it over in FORWARD_READY (port: the bound port of a listener, 0 for a connection; FORWARD_ACCEPT:
 * a connection accepted on a listener) or says no in
 * FORWARD_FAILED. id is the worker's, unique among its requests in flight. Budget: FORWARD_MAX_REQUESTS
 * each, FORWARD_MAX_PENDING in flight (each one forks). */
#define IPC_PAYLOAD_FIELDS_ForwardConnect(F)                            \
        F(U32, id, 0)                                                   \
        F(STRING, host, FORWARD_MAX_HOST)                               \
        F(U32, port, 0)                                                 \
        F(STRING, originator, FORWARD_MAX_HOST)                         \
        F(U32, originator_port, 0)

#define IPC_PAYLOAD_FIELDS_ForwardListen(F)                             \
        F(U32, id, 0)                                                   \
        F(STRING, address, FORWARD_MAX_HOST)                            \
        F(U32, port, 0)

/* A connection is waiting on a listener: the worker hands the listener (its only copy stays with it)
 * and an opener that has become the user accepts it, so that the accepted socket is the user's too. */
#define IPC_PAYLOAD_FIELDS_ForwardAccept(F)                             \
        F(U32, id, 0)

#define IPC_PAYLOAD_FIELDS_ForwardReady(F)                              \
        F(U32, id, 0)                                                   \
        F(U32, port, 0)

/* prohibited: refused by policy (SSH_OPEN_ADMINISTRATIVELY_PROHIBITED), else the socket could not be
 * made (SSH_OPEN_CONNECT_FAILED); reason: for a channel open, the description the worker sends the
 * client with it (OpenSSH's sshd's: "Connection refused", "open failed"; monitor/handle-forward.c) */
#define IPC_PAYLOAD_FIELDS_ForwardFailed(F)                             \
        F(U32, id, 0)                                                   \
        F(BOOL, prohibited, 0)                                          \
        F(STRING, reason, 256)

/* Agent forwarding (doc/ARCHITECTURE.md, "Agent forwarding"). AGENT_REQUEST: a session channel's
 * auth-agent-req@openssh.com, sent once per connection (the worker answers later ones itself: refused,
 * as OpenSSH's sshd). The monitor checks policy and has a helper that has become the user make the
 * directory and the listening socket: AGENT_LISTENING hands the listener over (the monitor keeps no
 * copy), AGENT_REFUSED says no (policy, or the socket could not be made). AGENT_ACCEPT: a connection
 * waits on the listener, which the worker hands back (its copy stays with it); a helper accepts it as
 * the user: AGENT_CONNECTION with the accepted socket, or AGENT_ACCEPT_FAILED. One accept at a time. */
#define IPC_PAYLOAD_FIELDS_AgentRequest(F)                              \
        F(U32, channel, 0)

#define IPC_PAYLOAD_FIELDS_AgentListening(F)                            \
        F(U32, channel, 0)

#define IPC_PAYLOAD_FIELDS_AgentRefused(F)                              \
        F(U32, channel, 0)                                              \
        F(STRING, reason, 256)

#define IPC_PAYLOAD_FIELDS_AgentAccept(F)                               \
        F(U32, id, 0)

#define IPC_PAYLOAD_FIELDS_AgentConnection(F)                           \
        F(U32, id, 0)

#define IPC_PAYLOAD_FIELDS_AgentAcceptFailed(F)                         \
        F(U32, id, 0)

/* Unix-socket forwarding (doc/ARCHITECTURE.md, "Forwarding"; monitor/forward-unix.h), answered as the
 * TCP requests are: FORWARD_CONNECT_UNIX (a direct-streamlocal channel: connected to path) and
 * FORWARD_LISTEN_UNIX (a streamlocal-forward request: a socket file bound at path, listening) get
 * FORWARD_READY (port 0) or FORWARD_FAILED; connections to the listener go through FORWARD_ACCEPT.
 * FORWARD_CANCEL_UNIX (no answer): the worker has closed the listener for path; the monitor removes
 * the socket file it created there. */
#define IPC_PAYLOAD_FIELDS_ForwardConnectUnix(F)                        \
        F(U32, id, 0)                                                   \
        F(STRING, path, FORWARD_MAX_UNIX_PATH)                          \
        F(STRING, originator, FORWARD_MAX_HOST)                         \
        F(U32, originator_port, 0)

#define IPC_PAYLOAD_FIELDS_ForwardListenUnix(F)                         \
        F(U32, id, 0)                                                   \
        F(STRING, path, FORWARD_MAX_UNIX_PATH)

#define IPC_PAYLOAD_FIELDS_ForwardCancelUnix(F)                         \
        F(STRING, path, FORWARD_MAX_UNIX_PATH)

/* FORWARD_LISTENING_ALSO: a tcpip-forward on loopback (GatewayPorts no, or "localhost") listens on
 * 127.0.0.1 and ::1, as OpenSSH: the second family's listener on the same port comes here, just
 * before the FORWARD_READY of request id; the worker accepts on both and closes both on cancel. */
#define IPC_PAYLOAD_FIELDS_ForwardListeningAlso(F)                      \
        F(U32, id, 0)

typedef enum IpcEventKind {
        IPC_EVENT_BANNER_TOO_LONG = 0,          /* preauth: the identification line was too long */
        IPC_EVENT_CONNECTION_RESET = 1,         /* preauth: reset before the identification line */
        IPC_EVENT_CONNECTION_CLOSED = 2,        /* preauth: closed before the identification line */
        IPC_EVENT_INVALID_IDENTIFIER = 3,       /* preauth: text = what the client sent instead */
        IPC_EVENT_NO_MATCHING_METHOD = 4,       /* preauth: method, text = the client's offer */
        IPC_EVENT_HANDSHAKE_FAILED = 5,         /* preauth: text = libssh's error */
        IPC_EVENT_CLIENT_TIMEOUT = 6,           /* authed: ClientAliveCountMax keepalives unanswered */
        IPC_EVENT_UNUSED_CONNECTION = 7,        /* authed: UnusedConnectionTimeout went by without a channel */
        IPC_EVENT_PROTOCOL_MISMATCH = 8,        /* preauth: text = an SSH-M.N- line of another version */
        _IPC_EVENT_KIND_MAX,
} IpcEventKind;

typedef enum IpcNegotiation {
        IPC_NEGOTIATION_KEX = 0,
        IPC_NEGOTIATION_HOSTKEY = 1,
        IPC_NEGOTIATION_CIPHER = 2,
        IPC_NEGOTIATION_MAC = 3,
        IPC_NEGOTIATION_COMPRESSION = 4,
        _IPC_NEGOTIATION_MAX,
} IpcNegotiation;

typedef enum IpcAuthOutcome {
        IPC_AUTH_FAILURE = 0,           /* try another method */
        IPC_AUTH_SUCCESS = 1,
        IPC_AUTH_PK_OK = 2,             /* publickey probe: the key is acceptable, send the signature */
        IPC_AUTH_DISCONNECT = 3,        /* too many failures (or user changed): disconnect the client */
        IPC_AUTH_PARTIAL = 4,           /* AuthenticationMethods: this step done, more needed (methods next) */
        _IPC_AUTH_OUTCOME_MAX,
} IpcAuthOutcome;

typedef enum IpcPubkeyState {
        IPC_PUBKEY_PROBE = 0,
        IPC_PUBKEY_SIGNED = 1,
        _IPC_PUBKEY_STATE_MAX,
} IpcPubkeyState;

typedef enum IpcSessionKind {
        IPC_SESSION_SHELL = 0,
        IPC_SESSION_EXEC = 1,
        IPC_SESSION_SUBSYSTEM = 2,
        _IPC_SESSION_KIND_MAX,
} IpcSessionKind;
