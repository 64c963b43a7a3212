#pragma once
/*
 * sshd_config: OpenSSH's syntax and keyword meanings for everything we share with OpenSSH, plus our
 * own keywords (SandboxUser, SandboxDirectory, PAMServiceName). The keyword table in
 * config-keywords.h drives parsing, -T output and the list of OpenSSH keywords we accept with a
 * warning or refuse (doc/CONFIG.md documents both).
 *
 * Errors are "FILE:LINE: message" (config_error), and loading stops at the first one.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "build-config.h"
#include "common/auth-methods.h"
#include "common/limits.h"
#include "common/log.h"

/* AllowTcpForwarding: which directions (bits) */
typedef enum ForwardDirections {
        FORWARD_DIRECTION_NONE = 0,
        FORWARD_DIRECTION_LOCAL = 1 << 0,       /* direct-tcpip: ssh -L, -D */
        FORWARD_DIRECTION_REMOTE = 1 << 1,      /* tcpip-forward: ssh -R */
        FORWARD_DIRECTION_ALL = FORWARD_DIRECTION_LOCAL | FORWARD_DIRECTION_REMOTE,
} ForwardDirections;

typedef enum GatewayPorts {
        GATEWAY_PORTS_NO,                       /* remote forwards listen on loopback only */
        GATEWAY_PORTS_YES,                      /* on the wildcard address, whatever the client asks */
        GATEWAY_PORTS_CLIENTSPECIFIED,          /* where the client asks */
        _GATEWAY_PORTS_MAX,
} GatewayPorts;

/* PermitOpen / PermitListen as written: entries "host:port" ("*" for either; PermitListen also takes a
 * port alone); no entries = "any"; the single entry "none" = nothing. */
typedef struct PermitList {
        char *entries[CONFIG_MAX_PERMIT];
        size_t n;
} PermitList;

typedef enum PermitRootLogin {
        PERMIT_ROOT_NO,
        PERMIT_ROOT_YES,
        PERMIT_ROOT_PROHIBIT_PASSWORD,  /* also spelled without-password */
        PERMIT_ROOT_FORCED_COMMANDS_ONLY,
        _PERMIT_ROOT_MAX,
} PermitRootLogin;

typedef struct ListenAddress {
        char *host;     /* numeric address or host name as written ("0.0.0.0", "::", "localhost") */
        uint16_t port;  /* 0 = use the Port list */
} ListenAddress;

typedef struct Subsystem {
        char *name;
        char *command;
} Subsystem;

/* A numeric limit set to "none". */
#define CONFIG_UNLIMITED (~0u)

/* MaxStartups start:rate:full: random early drop of unauthenticated connections (the listener). */
typedef struct MaxStartups {
        unsigned begin;         /* from this many unauthenticated connections on, drop ... */
        unsigned rate;          /* ... with this probability in percent, rising linearly to 100 % ... */
        unsigned full;          /* ... at this many */
} MaxStartups;

/* PerSourceNetBlockSize: the prefix lengths that make addresses one "source". */
typedef struct NetBlockSize {
        unsigned ipv4;          /* 0..32 */
        unsigned ipv6;          /* 0..128 */
} NetBlockSize;

/* PerSourcePenalties, OpenSSH 9.8's sub-options; times in seconds, 0 = no penalty of that kind. */
typedef struct PerSourcePenalties {
        bool enabled;
        unsigned crash;                 /* the worker (network process) was killed by a crash signal */
        unsigned authfail;              /* authentication was attempted and failed */
        unsigned noauth;                /* the connection ended without authenticating */
        unsigned grace_exceeded;        /* LoginGraceTime ran out */
        unsigned max;                   /* a source's penalty never exceeds this */
        unsigned min;                   /* a penalty refuses connections once it exceeds this */
        unsigned max_sources4;          /* penalised IPv4 sources tracked */
        unsigned max_sources6;          /* penalised IPv6 sources tracked */
        bool overflow_deny_all;         /* IPv4 table full: refuse everybody (else forget the oldest) */
        bool overflow6_deny_all;
        unsigned given;                 /* bookkeeping: sub-options already set (the first value wins) */
} PerSourcePenalties;

/* ChannelTimeout as written ("session=5m global=1h": -T prints it so) and each entry's interval in
 * seconds; n == 0 is none (common/channel-timeout.h). */
typedef struct ChannelTimeouts {
        char *entries[CONFIG_MAX_CHANNEL_TIMEOUTS];
        uint32_t seconds[CONFIG_MAX_CHANNEL_TIMEOUTS];
        size_t n;
} ChannelTimeouts;

/* RekeyLimit: rekey after this much data (0 = libssh's default, by cipher block size) or time (0 = never). */
typedef struct RekeyLimit {
        uint64_t data;                  /* bytes */
        unsigned interval;              /* seconds */
} RekeyLimit;

#define CONFIG_SEEN_WORDS 4u       /* room for 256 keyword rows */
#define CONFIG_MAX_ACCESS 256u    /* patterns in each of AllowUsers, DenyUsers, AllowGroups, DenyGroups */
/* PubkeyAuthOptions, for security-key (sk-*) signatures (monitor/handle-auth.c). */
enum {
        PUBKEY_AUTH_TOUCH_REQUIRED = 1u << 0,   /* user presence even where a key says no-touch-required */
        PUBKEY_AUTH_VERIFY_REQUIRED = 1u << 1,  /* user verification for every security key */
};

typedef struct Config {
        /* listener */
        uint16_t ports[CONFIG_MAX_LISTEN];
        size_t n_ports;                         /* 0 until loaded; then default {22} */
        ListenAddress listen[CONFIG_MAX_LISTEN];
        size_t n_listen;                        /* 0 = all addresses (0.0.0.0 and ::) */
        int address_family;                     /* AddressFamily: AF_UNSPEC (any), AF_INET or AF_INET6 */
        char *hostkeys[CONFIG_MAX_HOSTKEYS];
        size_t n_hostkeys;                      /* 0 = defaults /etc/privsshd/ssh_host_{ed25519,ecdsa,rsa}_key */
        char *host_certificates[CONFIG_MAX_HOSTKEYS]; /* HostCertificate files (absolute), in order */
        size_t n_host_certificates;
        char *pid_file;                         /* "/run/privsshd.pid"; "none" stored as NULL */

        /* connection limits (the listener; see doc/SECURITY.md for why the defaults are what they are) */
        MaxStartups max_startups;               /* 10:30:100, as OpenSSH */
        unsigned per_source_max_startups;       /* 5 (OpenSSH: none); CONFIG_UNLIMITED = none */
        NetBlockSize per_source_net_block_size; /* 32:128 */
        PerSourcePenalties per_source_penalties; /* on: crash:90 authfail:5 noauth:1 grace-exceeded:10 ... */
        char *per_source_penalty_exempt;        /* PerSourcePenaltyExemptList as written; NULL = none */

        /* authentication */
        char *authorized_keys_files[AUTHKEYS_MAX_FILES]; /* with %h %u %% tokens unexpanded */
        size_t n_authorized_keys_files;         /* default ".ssh/authorized_keys" ".ssh/authorized_keys2" as OpenSSH */
        char *authorized_keys_command;          /* AuthorizedKeysCommand as written, absolute; NULL = none */
        char *authorized_keys_command_user;     /* AuthorizedKeysCommandUser, %u unexpanded; NULL = none */
        char *revoked_keys;                     /* RevokedKeys file (list or KRL); NULL = none */
        char *trusted_user_ca_keys;             /* TrustedUserCAKeys file; NULL = none */
        char *authorized_principals_file;       /* AuthorizedPrincipalsFile, %h %u %U %% unexpanded; NULL = none */
        char *authorized_principals_command;    /* AuthorizedPrincipalsCommand as written, absolute; NULL = none */
        char *authorized_principals_command_user; /* AuthorizedPrincipalsCommandUser, %u unexpanded; NULL = none */
        bool strict_modes;                      /* yes */
        bool pubkey_authentication;             /* yes */
        bool password_authentication;           /* yes */
        bool kbd_interactive_authentication;    /* yes: keyboard-interactive, the PAM conversation */
        char *authentication_methods[AUTH_METHODS_MAX_LISTS]; /* AuthenticationMethods lists; none = any */
        size_t n_authentication_methods;
        /* AllowUsers, DenyUsers (user or user@host patterns), AllowGroups, DenyGroups (accumulate) */
        char *allow_users[CONFIG_MAX_ACCESS];
        size_t n_allow_users;
        char *deny_users[CONFIG_MAX_ACCESS];
        size_t n_deny_users;
        char *allow_groups[CONFIG_MAX_ACCESS];
        size_t n_allow_groups;
        char *deny_groups[CONFIG_MAX_ACCESS];
        size_t n_deny_groups;
        bool permit_empty_passwords;            /* no: PAM gets PAM_DISALLOW_NULL_AUTHTOK */
        PermitRootLogin permit_root_login;      /* prohibit-password */
        int max_auth_tries;                     /* 6 */
        unsigned login_grace_time;              /* seconds, 120; 0 = no limit */
        bool use_pam;                           /* yes (no is refused: we authenticate passwords with PAM only) */
        char *pam_service_name;                 /* "privsshd" */
        unsigned max_sessions;                  /* 10 */

        /* sandbox */
        char *sandbox_user;                     /* "privsshd" */
        char *sandbox_directory;                /* "/run/privsshd/empty" */

        /* sessions */
        Subsystem subsystems[16];
        size_t n_subsystems;
        char *accept_env[CONFIG_MAX_ACCEPT_ENV];  /* AcceptEnv patterns (accumulate) */
        size_t n_accept_env;
        char *set_env[CONFIG_MAX_SET_ENV + 1];  /* SetEnv NAME=VALUE (first line wins), NULL-terminated */
        size_t n_set_env;
        char *force_command;                    /* ForceCommand; NULL = none */
        bool permit_tty;                        /* yes */
        char *permit_user_environment;          /* PermitUserEnvironment: NULL = no, "yes", or a pattern list */
        bool expose_auth_info;                  /* ExposeAuthInfo: no */

        /* forwarding (monitor/forward-policy.h) */
        ForwardDirections allow_tcp_forwarding; /* yes (= all) */
        bool allow_agent_forwarding;            /* yes */
        bool disable_forwarding;                /* no */
        GatewayPorts gateway_ports;             /* no */
        PermitList permit_open;                 /* any */
        PermitList permit_listen;               /* any */
        ForwardDirections allow_streamlocal_forwarding; /* yes (= all) */
        unsigned streamlocal_bind_mask;         /* 0177: the umask a -R socket file is bound with */
        bool streamlocal_bind_unlink;           /* no (yes: a stale socket, and only that, is removed) */
        bool print_motd;                        /* yes */
        bool print_last_log;                    /* yes */
        char *banner;                           /* Banner file; NULL = none */
        char *chroot_directory;                 /* ChrootDirectory, tokens unexpanded; NULL = none */
        unsigned client_alive_interval;         /* seconds; 0 = off */
        unsigned client_alive_count_max;        /* 3 */
        unsigned unused_connection_timeout;     /* seconds; 0 = none */
        ChannelTimeouts channel_timeouts;       /* none */

        /* algorithms (common/algorithms.h): the final lists, NULL = privsshd's default */
        char *kex_algorithms;
        char *ciphers;
        char *macs;
        char *hostkey_algorithms;
        char *pubkey_accepted_algorithms;
        char *ca_signature_algorithms;          /* the CA signatures user certificates may carry */
        RekeyLimit rekey_limit;                 /* default none */
        int required_rsa_size;                  /* 1024, as OpenSSH */
        unsigned pubkey_auth_options;           /* PubkeyAuthOptions: PUBKEY_AUTH_* bits, 0 = none */

        /* logging */
        LogLevel log_level;                     /* INFO */

#if ENABLE_TEST_HOOKS
        bool test_worker_forbidden_syscall;     /* TestWorkerForbiddenSyscall: test builds only */
        bool test_worker_bogus_session_close;   /* TestWorkerBogusSessionClose: test builds only */
        char *test_worker_inject;               /* TestWorkerInject: test builds only (worker/test-inject.h) */
        bool test_signal_sender_stops;          /* TestSignalSenderStops: test builds only (session-signal.h) */
        bool test_key_check_stops;              /* TestKeyCheckStops: test builds only (pubkey-check.c) */
#endif

        /* Where relative and absolute Include patterns are looked up: NULL (the real file system) or a
         * directory that stands for "/" (tests; like systemd's --root). Not owned; set after config_init. */
        const char *include_root;

        /* Between config_image_begin() and config_image_end(): what is parsed is also recorded. Owned. */
        struct ConfigRecorder *record;
        /* The image this configuration was parsed from (config_image_end, config_load_image), kept for
         * Match (config_match_apply() parses it again with a connection's facts). Owned; NULL if none. */
        char *image;
        size_t image_size;

        /* Bookkeeping for the parser (config-keywords.c, config-load.c): keywords already given (the
         * first value wins; one bit per row of the keyword table), and whether -p was used (then the
         * files' Port lines are ignored). */
        uint64_t seen[CONFIG_SEEN_WORDS];
        bool ports_from_command_line;
} Config;

/* Defaults for every field (before any file is read). */
int config_init(Config *c);
void config_done(Config *c);

/*
 * Parse one file (and what it Includes). `origin` names it in errors. Missing file: -ENOENT with an
 * error printed. Every error is printed as "FILE:LINE: message" to stderr via log_error and returns
 * -EINVAL (nothing else started).
 */
int config_load_file(Config *c, const char *path);

/*
 * An image of what is parsed from config_image_begin() to config_image_end(): the command-line options
 * (config_apply_option, config_apply_port) and the files' lines, with Include'd files' in place, for the
 * listener to hand to each connection's monitor. config_load_image() parses that image exactly as they
 * were parsed, with the same names and line numbers in messages, and opens nothing, so a connection gets
 * the configuration the listener loaded and checked, whatever has happened to the files since (as
 * OpenSSH's re-executed sshd gets its listener's copy). config_image_end(): *ret_image is freed with
 * free(); -EFBIG (said) when the image would exceed CONFIG_MAX_IMAGE_SIZE.
 */
int config_image_begin(Config *c);
int config_image_end(Config *c, char **ret_image, size_t *ret_size);
/* -EBADMSG (said) for an image that is not one of config_image_end()'s. */
int config_load_image(Config *c, const void *image, size_t size);

/*
 * One "-o Keyword=value" or "-o 'Keyword value'" option, errors named "command line". Call before
 * config_load_file: as in OpenSSH, the first value of a single-valued keyword wins, so -o overrides
 * the file; multi-valued keywords (Port, ListenAddress, HostKey, Subsystem) accumulate, -o first.
 */
int config_apply_option(Config *c, const char *option);

/* "-p PORT": like OpenSSH's -p, adds a port and makes every Port line in the files ignored. */
int config_apply_port(Config *c, const char *port);

/*
 * Fill in defaults that depend on whether anything was set (ports, host keys, authorized keys), and
 * give every ListenAddress without a port one entry per Port (so afterwards every listen[].port != 0).
 */
int config_finish(Config *c);
/* The AuthMethod bits of the methods PubkeyAuthentication, PasswordAuthentication and
 * KbdInteractiveAuthentication enable. */
uint32_t config_auth_methods_enabled(const Config *c);

/*
 * Match (common/config-match.c). What a connection's Match lines are evaluated against: OpenSSH's
 * struct connection_info. `host` is the client's address too: privsshd never resolves it (UseDNS no).
 * lport 0: unknown. `test`: -T -C, where a criterion whose fact was not given does not match.
 */
typedef struct ConfigMatchInfo {
        char *user;
        char *host;
        char *address;
        char *laddress;
        int lport;
        char *rdomain;
        bool test;
} ConfigMatchInfo;

/* -C "user=alice,addr=192.0.2.1,host=...,laddr=...,lport=22,rdomain=...": the facts are added to
 * *ci; -EINVAL (said, in OpenSSH's words) for anything else. */
int config_match_info_parse(const char *spec, ConfigMatchInfo *ci);
void config_match_info_done(ConfigMatchInfo *ci);

/*
 * Apply the Match blocks that match `ci`, as OpenSSH's sshd does once it knows the user: the kept image
 * is parsed again, with only the lines of the Match blocks that match taking effect (the first value
 * wins among them), and each keyword those lines set replaces the value in `c` (a Match block's value
 * overrides the global one, wherever the Match block is). 0 (nothing in c changed when < 0): -EINVAL
 * (said) when a criterion needs a fact `ci` does not have (OpenSSH's fatal "'Match RDomain' in
 * configuration but 'rdomain' not in connection test specification."), -ENOMEM.
 */
int config_match_apply(Config *c, const ConfigMatchInfo *ci);

/*
 * A connection's configuration: `c` parsed again from its image (config_finish'ed, without a word of
 * warning: c's load said them) with the Match blocks for `ci` applied; free it with config_free().
 * The monitor makes one once the user name is known and uses it from then on, leaving `c` as it was
 * (nothing that pointed into c dangles). -ENODATA when c kept no image.
 */
int config_for_connection(const Config *c, const ConfigMatchInfo *ci, Config **ret);
Config *config_free(Config *c);

/* -T: the effective configuration, OpenSSH style ("port 2222", lowercase keywords). */
void config_dump(const Config *c, FILE *f);

/*
 * AcceptEnv: may a client's environment variable of this name reach a session? Only when it matches
 * an AcceptEnv pattern AND is not one privsshd never passes, whatever the patterns say: names that
 * are not shell identifiers, and variables that change how the dynamic loader, libc or the shell
 * behave before the user's own code runs (LD_*, GCONV_PATH, MALLOC_*, BASH_ENV, ENV, IFS, ...).
 */
bool config_accept_env(const Config *c, const char *name);
/* True when an AcceptEnv pattern names NAME though config_accept_env() refuses it (a loader or
 * shell-startup variable, or not an identifier): worth telling the operator. */
bool config_accept_env_overruled(const Config *c, const char *name);

/*
 * PermitUserEnvironment: may ~/.ssh/environment or an authorized_keys environment="NAME=..." set this
 * variable? Only when the keyword is "yes" or a pattern list that NAME matches (OpenSSH's
 * match_pattern_list(), '!' negates), AND NAME is not one privsshd never passes (as for AcceptEnv:
 * names that are not identifiers, loader, libc and shell-startup variables): OpenSSH's sshd_config(5)
 * warns that those let users bypass restrictions such as ForceCommand (LD_PRELOAD, BASH_ENV).
 */
bool config_user_env_allowed(const Config *c, const char *name);
/* True when PermitUserEnvironment lets NAME through but privsshd never does (see above). */
bool config_user_env_overruled(const Config *c, const char *name);

/* "yes", "no", "prohibit-password", "forced-commands-only" (how sshd_config(5) spells them). */
const char *permit_root_login_to_string(PermitRootLogin p);

/*
 * The i-th keyword the parser knows, with its status: "implemented", "warned" (accepted, ignored,
 * with a warning), "refused" (an error) or "deprecated" (ignored, as OpenSSH does). -ENOENT past the
 * end. For checking doc/CONFIG.md against the table.
 */
int config_keyword_at(size_t i, const char **ret_name, const char **ret_status);
