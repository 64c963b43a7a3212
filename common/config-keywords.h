#pragma once
/*
 * The sshd_config keyword tables. Included by common/config.c only: the rows name static parsers and
 * printers defined there.
 *
 * config_keywords[] has one row per keyword privsshd implements: its name as sshd_config(5) spells
 * it, the parser that checks and stores a value, the Config field the parser writes (its offset,
 * type-checked at compile time) or none, the printer for -T, and flags. Parsing, "the first obtained
 * value wins", and -T all walk this table; the row order is the order of `privsshd -T`, which follows
 * OpenSSH's. Aliases that OpenSSH still accepts map an old name onto a row.
 *
 * config_unsupported[] is THE list of OpenSSH keywords privsshd does not implement, each with what
 * we do about it and why, in one line. The rule: a keyword whose being ignored can only let less
 * happen than the operator wrote is accepted with a warning; one whose being ignored could let more
 * happen (more users, more commands, weaker algorithms, longer-lived connections, more addresses) is
 * an error. A value that privsshd already does exactly ("X11Forwarding no") is accepted silently.
 * Values are still checked, so that a typo stays an error as in OpenSSH. doc/CONFIG.md carries the
 * same table, and the unit test checks that the two agree.
 */

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/limits.h"

typedef struct ConfigContext ConfigContext;
typedef struct ConfigKeyword ConfigKeyword;

/* `field` is the row's Config field, or NULL when only the syntax is to be checked (a later
 * occurrence of a keyword whose first value wins). Multi-valued parsers always get the field. */
typedef int (*ConfigParseFn)(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n_args,
                             void *field);
typedef void (*ConfigDumpFn)(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);

enum {
        CONFIG_MULTI   = 1 << 0,        /* every occurrence is stored (accumulates); else the first wins */
        CONFIG_ONE_ARG = 1 << 1,        /* exactly one argument; more is an error */
        CONFIG_NO_ARG_OK = 1 << 2,      /* no argument is a value (PubkeyAuthOptions: none, as OpenSSH) */
};

struct ConfigKeyword {
        const char *name;
        ConfigParseFn parse;
        ConfigDumpFn dump;              /* NULL: not printed by -T (Include) */
        size_t offset;                  /* of the field in Config, or CONFIG_NO_FIELD */
        unsigned flags;
        long long min, max;             /* for numbers */
};

#define CONFIG_NO_FIELD SIZE_MAX

/* offsetof(Config, f), and a compile error unless the field has type `type` (so a row cannot hand
 * an `int` field to a parser that writes an `unsigned`). Arrays are checked as pointers. */
#define CONFIG_FIELD(f, type)                                                                   \
        (offsetof(Config, f) + 0 * sizeof(char[_Generic(((Config *) 0)->f, type : 1, default : -1)]))

static int parse_flag(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_int(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_unsigned(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_time(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_port(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_listen_address(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                void *field);
static int parse_address_family(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                void *field);
static int parse_host_key(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_pid_file(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_authentication_methods(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                        void *field);
static int parse_access_list(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_authorized_keys_file(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                      void *field);
static int parse_permit_root_login(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                   void *field);
static int parse_log_level(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_use_pam(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_subsystem(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_include(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_accept_env(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_set_env(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_command(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_path_or_none(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_name(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_sandbox_directory(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                   void *field);
static int parse_max_startups(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_per_source_max_startups(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                         void *field);
static int parse_net_block_size(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_penalties(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_address_list(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_algorithms(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_forward_directions(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                    void *field);
static int parse_gateway_ports(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_permit_list(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_rekey_limit(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_permit_user_environment(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                         void *field);
static int parse_time_or_none(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static int parse_channel_timeout(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                 void *field);
static int parse_pubkey_auth_options(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                     void *field);
/* keysrc: AuthorizedKeysCommand(+User), RevokedKeys */
static int parse_authorized_keys_command(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                         void *field);
static int parse_authorized_keys_command_user(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                              void *field);

static void dump_flag(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_int(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_unsigned(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_string(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_ports(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_listen_addresses(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_address_family(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_host_keys(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static int parse_host_certificate(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static void dump_host_certificates(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_authorized_keys_files(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_authentication_methods(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_access_list(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_permit_root_login(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_log_level(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_subsystems(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_accept_env(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_set_env(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_max_startups(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_per_source_max_startups(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_net_block_size(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_penalties(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_algorithms(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_forward_directions(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static int parse_octal_mask(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field);
static void dump_octal_mask(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_gateway_ports(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_permit_list(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_rekey_limit(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_permit_user_environment(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_channel_timeouts(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);
static void dump_pubkey_auth_options(const Config *c, const ConfigKeyword *kw, const void *field, FILE *f);

#define ONE CONFIG_ONE_ARG
#define MULTI CONFIG_MULTI

static const ConfigKeyword config_keywords[] = {
        /* name                       parser                       printer
         * field (type)                                               flags        min, max */
        { "Port",                        parse_port,                  dump_ports,
          CONFIG_FIELD(ports, uint16_t *),                           MULTI | ONE, 1, 65535 },
        { "ListenAddress",               parse_listen_address,        dump_listen_addresses,
          CONFIG_FIELD(listen, ListenAddress *),                     MULTI,       0, 0 },
        { "AddressFamily",               parse_address_family,        dump_address_family,
          CONFIG_FIELD(address_family, int),                         ONE,         0, 0 },
        { "UsePAM",                      parse_use_pam,               dump_flag,
          CONFIG_FIELD(use_pam, bool),                               ONE,         0, 0 },
        { "LoginGraceTime",              parse_time,                  dump_unsigned,
          CONFIG_FIELD(login_grace_time, unsigned),                  ONE,         0, INT32_MAX },
        { "MaxAuthTries",                parse_int,                   dump_int,
          CONFIG_FIELD(max_auth_tries, int),                         ONE,        0, AUTH_MAX_TRIES_CEILING },
        { "MaxSessions",                 parse_unsigned,              dump_unsigned,
          CONFIG_FIELD(max_sessions, unsigned),                      ONE,         0, SESSION_MAX_PER_CONN },
        { "PermitRootLogin",             parse_permit_root_login,     dump_permit_root_login,
          CONFIG_FIELD(permit_root_login, PermitRootLogin),          ONE,         0, 0 },
        { "PubkeyAuthentication",        parse_flag,                  dump_flag,
          CONFIG_FIELD(pubkey_authentication, bool),                 ONE,         0, 0 },
        { "PasswordAuthentication",      parse_flag,                  dump_flag,
          CONFIG_FIELD(password_authentication, bool),               ONE,         0, 0 },
        { "KbdInteractiveAuthentication", parse_flag,                 dump_flag,
          CONFIG_FIELD(kbd_interactive_authentication, bool),        ONE,         0, 0 },
        { "AuthenticationMethods",       parse_authentication_methods, dump_authentication_methods,
          CONFIG_FIELD(authentication_methods, char **),             0,           0, 0 },
        { "DenyUsers",                   parse_access_list,           dump_access_list,
          CONFIG_FIELD(deny_users, char **),                         MULTI,       0, 0 },
        { "AllowUsers",                  parse_access_list,           dump_access_list,
          CONFIG_FIELD(allow_users, char **),                        MULTI,       0, 0 },
        { "DenyGroups",                  parse_access_list,           dump_access_list,
          CONFIG_FIELD(deny_groups, char **),                        MULTI,       0, 0 },
        { "AllowGroups",                 parse_access_list,           dump_access_list,
          CONFIG_FIELD(allow_groups, char **),                       MULTI,       0, 0 },
        { "StrictModes",                 parse_flag,                  dump_flag,
          CONFIG_FIELD(strict_modes, bool),                          ONE,         0, 0 },
        { "PermitEmptyPasswords",        parse_flag,                  dump_flag,
          CONFIG_FIELD(permit_empty_passwords, bool),                ONE,         0, 0 },
        { "ExposeAuthInfo",              parse_flag,                  dump_flag,
          CONFIG_FIELD(expose_auth_info, bool),                      ONE,         0, 0 },
        { "PidFile",                     parse_pid_file,              dump_string,
          CONFIG_FIELD(pid_file, char *),                            ONE,         0, 0 },
        { "LogLevel",                    parse_log_level,             dump_log_level,
          CONFIG_FIELD(log_level, LogLevel),                         ONE,         0, 0 },
        { "AuthorizedKeysFile",          parse_authorized_keys_file,  dump_authorized_keys_files,
          CONFIG_FIELD(authorized_keys_files, char **),              0,           0, 0 },
        { "AuthorizedKeysCommand",       parse_authorized_keys_command, dump_string,
          CONFIG_FIELD(authorized_keys_command, char *),             0,           0, 0 },
        { "AuthorizedKeysCommandUser",   parse_authorized_keys_command_user, dump_string,
          CONFIG_FIELD(authorized_keys_command_user, char *),        ONE,         0, 0 },
        { "RevokedKeys",                 parse_path_or_none,          dump_string,
          CONFIG_FIELD(revoked_keys, char *),                        ONE,         0, 0 },
        { "AuthorizedPrincipalsFile",    parse_path_or_none,          dump_string,
          CONFIG_FIELD(authorized_principals_file, char *),          ONE,         0, 0 },
        { "TrustedUserCAKeys",           parse_path_or_none,          dump_string,
          CONFIG_FIELD(trusted_user_ca_keys, char *),                ONE,         0, 0 },
        { "HostKey",                     parse_host_key,              dump_host_keys,
          CONFIG_FIELD(hostkeys, char **),                           MULTI | ONE, 0, 0 },
        { "HostCertificate",             parse_host_certificate,      dump_host_certificates,
          CONFIG_FIELD(host_certificates, char **),                  MULTI | ONE, 0, 0 },
        { "Subsystem",                   parse_subsystem,             dump_subsystems,
          CONFIG_FIELD(subsystems, Subsystem *),                     MULTI,       0, 0 },
        { "AcceptEnv",                   parse_accept_env,            dump_accept_env,
          CONFIG_FIELD(accept_env, char **),                         MULTI,       0, 0 },
        { "SetEnv",                      parse_set_env,               dump_set_env,
          CONFIG_FIELD(set_env, char **),                            0,           0, 0 },
        { "ForceCommand",                parse_command,               dump_string,
          CONFIG_FIELD(force_command, char *),                       0,           0, 0 },
        { "PermitTTY",                   parse_flag,                  dump_flag,
          CONFIG_FIELD(permit_tty, bool),                            ONE,         0, 0 },
        { "AllowTcpForwarding",          parse_forward_directions,    dump_forward_directions,
          CONFIG_FIELD(allow_tcp_forwarding, ForwardDirections),     ONE,         0, 0 },
        { "AllowAgentForwarding",        parse_flag,                  dump_flag,
          CONFIG_FIELD(allow_agent_forwarding, bool),                ONE,         0, 0 },
        { "DisableForwarding",           parse_flag,                  dump_flag,
          CONFIG_FIELD(disable_forwarding, bool),                    ONE,         0, 0 },
        { "GatewayPorts",                parse_gateway_ports,         dump_gateway_ports,
          CONFIG_FIELD(gateway_ports, GatewayPorts),                 ONE,         0, 0 },
        { "PermitOpen",                  parse_permit_list,           dump_permit_list,
          CONFIG_FIELD(permit_open, PermitList),                     0,           0, 0 },
        { "PermitListen",                parse_permit_list,           dump_permit_list,
          CONFIG_FIELD(permit_listen, PermitList),                   0,           0, 0 },
        { "PermitUserEnvironment",       parse_permit_user_environment, dump_permit_user_environment,
          CONFIG_FIELD(permit_user_environment, char *),             ONE,         0, 0 },
        { "AllowStreamLocalForwarding",  parse_forward_directions,    dump_forward_directions,
          CONFIG_FIELD(allow_streamlocal_forwarding, ForwardDirections), ONE,     0, 0 },
        { "StreamLocalBindMask",         parse_octal_mask,            dump_octal_mask,
          CONFIG_FIELD(streamlocal_bind_mask, unsigned),             ONE,         0, 0 },
        { "StreamLocalBindUnlink",       parse_flag,                  dump_flag,
          CONFIG_FIELD(streamlocal_bind_unlink, bool),               ONE,         0, 0 },
        { "PrintMotd",                   parse_flag,                  dump_flag,
          CONFIG_FIELD(print_motd, bool),                            ONE,         0, 0 },
        { "PrintLastLog",                parse_flag,                  dump_flag,
          CONFIG_FIELD(print_last_log, bool),                        ONE,         0, 0 },
        { "Banner",                      parse_path_or_none,          dump_string,
          CONFIG_FIELD(banner, char *),                              ONE,         0, 0 },
        { "ChrootDirectory",             parse_path_or_none,          dump_string,
          CONFIG_FIELD(chroot_directory, char *),                    ONE,         0, 0 },
        { "ClientAliveInterval",         parse_time,                  dump_unsigned,
          CONFIG_FIELD(client_alive_interval, unsigned),             ONE,         0, INT32_MAX },
        { "ClientAliveCountMax",         parse_unsigned,              dump_unsigned,
          CONFIG_FIELD(client_alive_count_max, unsigned),            ONE,         0, INT32_MAX },
        { "UnusedConnectionTimeout",     parse_time_or_none,          dump_unsigned,
          CONFIG_FIELD(unused_connection_timeout, unsigned),         ONE,         0, INT32_MAX },
        { "ChannelTimeout",              parse_channel_timeout,       dump_channel_timeouts,
          CONFIG_FIELD(channel_timeouts, ChannelTimeouts),           0,           0, 0 },
        { "MaxStartups",                 parse_max_startups,          dump_max_startups,
          CONFIG_FIELD(max_startups, MaxStartups),                   ONE,         1, LISTEN_MAX_CHILDREN },
        { "PerSourceMaxStartups",        parse_per_source_max_startups, dump_per_source_max_startups,
          CONFIG_FIELD(per_source_max_startups, unsigned),           ONE,         1, LISTEN_MAX_CHILDREN },
        { "PerSourceNetBlockSize",       parse_net_block_size,        dump_net_block_size,
          CONFIG_FIELD(per_source_net_block_size, NetBlockSize),     ONE,         0, 0 },
        { "PerSourcePenalties",          parse_penalties,             dump_penalties,
          CONFIG_FIELD(per_source_penalties, PerSourcePenalties),    MULTI,       0, SRCLIMIT_MAX_PENALTY_SOURCES },
        { "PerSourcePenaltyExemptList",  parse_address_list,          dump_string,
          CONFIG_FIELD(per_source_penalty_exempt, char *),           ONE,         0, 0 },
        { "Ciphers",                     parse_algorithms,            dump_algorithms,
          CONFIG_FIELD(ciphers, char *),                             ONE,         0, 0 },
        { "MACs",                        parse_algorithms,            dump_algorithms,
          CONFIG_FIELD(macs, char *),                                ONE,         0, 0 },
        { "KexAlgorithms",               parse_algorithms,            dump_algorithms,
          CONFIG_FIELD(kex_algorithms, char *),                      ONE,         0, 0 },
        { "CASignatureAlgorithms",       parse_algorithms,            dump_algorithms,
          CONFIG_FIELD(ca_signature_algorithms, char *),             ONE,         0, 0 },
        { "HostKeyAlgorithms",           parse_algorithms,            dump_algorithms,
          CONFIG_FIELD(hostkey_algorithms, char *),                  ONE,         0, 0 },
        { "PubkeyAcceptedAlgorithms",    parse_algorithms,            dump_algorithms,
          CONFIG_FIELD(pubkey_accepted_algorithms, char *),          ONE,         0, 0 },
        { "RekeyLimit",                  parse_rekey_limit,           dump_rekey_limit,
          CONFIG_FIELD(rekey_limit, RekeyLimit),                     0,           0, 0 },
        { "RequiredRSASize",             parse_int,                   dump_int,
          CONFIG_FIELD(required_rsa_size, int),                      ONE,         1024, 16384 },
        { "PubkeyAuthOptions",           parse_pubkey_auth_options,   dump_pubkey_auth_options,
          CONFIG_FIELD(pubkey_auth_options, unsigned),               CONFIG_NO_ARG_OK, 0, 0 },
        { "Include",                     parse_include,               NULL,
          CONFIG_NO_FIELD,                                           MULTI,       0, 0 },
        /* ours */
        { "PAMServiceName",              parse_name,                  dump_string,
          CONFIG_FIELD(pam_service_name, char *),                    ONE,         0, 0 },
        { "SandboxUser",                 parse_name,                  dump_string,
          CONFIG_FIELD(sandbox_user, char *),                        ONE,         0, 0 },
        { "SandboxDirectory",            parse_sandbox_directory,     dump_string,
          CONFIG_FIELD(sandbox_directory, char *),                   ONE,         0, 0 },
#if ENABLE_TEST_HOOKS
        { "TestWorkerForbiddenSyscall",  parse_flag,                  dump_flag,
          CONFIG_FIELD(test_worker_forbidden_syscall, bool),         ONE,         0, 0 },
        { "TestWorkerBogusSessionClose", parse_flag,                  dump_flag,
          CONFIG_FIELD(test_worker_bogus_session_close, bool),       ONE,         0, 0 },
        { "TestWorkerInject",            parse_path_or_none,          dump_string,
          CONFIG_FIELD(test_worker_inject, char *),                  ONE,         0, 0 },
        { "TestSignalSenderStops",       parse_flag,                  dump_flag,
          CONFIG_FIELD(test_signal_sender_stops, bool),              ONE,         0, 0 },
        { "TestKeyCheckStops",           parse_flag,                  dump_flag,
          CONFIG_FIELD(test_key_check_stops, bool),                  ONE,         0, 0 },
#endif
};

#undef ONE
#undef MULTI

/* Old names OpenSSH 9.2 still accepts for an implemented keyword (undocumented there). */
static const struct {
        const char *alias;
        const char *name;
} config_aliases[] = {
        { "DSAAuthentication", "PubkeyAuthentication" },
        { "HostDSAKey",        "HostKey" },
        { "PubkeyAcceptedKeyTypes", "PubkeyAcceptedAlgorithms" },
        { "ChallengeResponseAuthentication", "KbdInteractiveAuthentication" },
        { "SkeyAuthentication", "KbdInteractiveAuthentication" },
};

typedef enum ConfigPolicy {
        CONFIG_WARN,            /* accepted and ignored, with a warning */
        CONFIG_REFUSE,          /* an error: ignoring it could allow more than configured */
        CONFIG_DEPRECATED,      /* OpenSSH ignores it too ("Deprecated option ...") */
} ConfigPolicy;

typedef struct ConfigUnsupported {
        const char *name;
        ConfigPolicy policy;
        /* What the value must look like: NULL = one or more arguments; "<one>" = exactly one;
         * "<int>" = a non-negative integer; "<time>" = an sshd time ("90", "1m30s"); "a|b|c" = one of
         * these words (case-insensitive). */
        const char *syntax;
        /* A value (arguments joined by one space, case-insensitive) that privsshd already does
         * exactly: accepted without a word. NULL if none. */
        const char *honoured;
        const char *reason;
} ConfigUnsupported;

#define W CONFIG_WARN
#define R CONFIG_REFUSE
#define D CONFIG_DEPRECATED
#define YESNO "yes|no"
#define SYSLOG_FACILITIES \
        "daemon|user|auth|authpriv|local0|local1|local2|local3|local4|local5|local6|local7"

static const ConfigUnsupported config_unsupported[] = {
        /* name                             policy syntax                 honoured
         *   reason */
        { "AuthorizedKeysFile2",             D, NULL,                      NULL,
          "removed from OpenSSH long ago" },
        { "AuthorizedPrincipalsCommand",     W, NULL,                      "none",
          "not implemented; ignoring it means fewer certificates are accepted, never more" },
        { "AuthorizedPrincipalsCommandUser", W, "<one>",                   "none",
          "only used by AuthorizedPrincipalsCommand" },
        { "AFSTokenPassing",                 D, NULL,                      NULL,
          "removed from OpenSSH long ago" },
        { "CheckMail",                       D, NULL,                      NULL,
          "removed from OpenSSH long ago" },
        { "Compression",                     W, "yes|delayed|no",          NULL,
          "compression follows libssh's defaults" },
        { "DebianBanner",                    W, YESNO,                     NULL,
          "the version string is libssh's" },
        { "FingerprintHash",                 W, "md5|sha256",              "sha256",
          "key fingerprints are always logged as SHA256" },
        { "GSSAPIAuthentication",            W, YESNO,                     "no",
          "GSSAPI is not implemented" },
        { "GSSAPICleanupCredentials",        W, YESNO,                     NULL,
          "GSSAPI is not implemented" },
        { "GSSAPICleanupCreds",              W, YESNO,                     NULL,
          "old name of GSSAPICleanupCredentials: GSSAPI is not implemented" },
        { "GSSAPIKexAlgorithms",             W, NULL,                      NULL,
          "GSSAPI key exchange is not implemented" },
        { "GSSAPIKeyExchange",               W, YESNO,                     "no",
          "GSSAPI key exchange is not implemented" },
        { "GSSAPIStoreCredentialsOnRekey",   W, YESNO,                     NULL,
          "GSSAPI is not implemented" },
        { "GSSAPIStrictAcceptorCheck",       W, YESNO,                     NULL,
          "GSSAPI is not implemented" },
        { "GSSAPIUseSessionCredCache",       D, NULL,                      NULL,
          "unsupported by OpenSSH 9.2 too" },
        { "GSSUseSessionCCache",             D, NULL,                      NULL,
          "unsupported by OpenSSH 9.2 too" },
        { "HostbasedAcceptedAlgorithms",     W, NULL,                      NULL,
          "host-based authentication is not implemented" },
        { "HostbasedAcceptedKeyTypes",       W, NULL,                      NULL,
          "old name of HostbasedAcceptedAlgorithms: host-based authentication is not implemented" },
        { "HostbasedAuthentication",         W, YESNO,                     "no",
          "host-based authentication is not implemented" },
        { "HostbasedUsesNameFromPacketOnly", W, YESNO,                     NULL,
          "host-based authentication is not implemented" },
        { "HostKeyAgent",                    W, "<one>",                   "none",
          "host keys are read from files (HostKey) only" },
        { "IgnoreRhosts",                    W, "yes|no|shosts-only",      "yes",
          ".rhosts and .shosts are never read" },
        { "IgnoreUserKnownHosts",            W, YESNO,                     NULL,
          "host-based authentication is not implemented" },
        { "IPQoS",                           W, NULL,                      NULL,
          "the system's default type of service is used" },
        { "KerberosAuthentication",          W, YESNO,                     "no",
          "Kerberos is not implemented" },
        { "KerberosGetAFSToken",             W, YESNO,                     NULL,
          "Kerberos is not implemented" },
        { "KerberosOrLocalPasswd",           W, YESNO,                     NULL,
          "Kerberos is not implemented (password checks are PAM's, under PasswordAuthentication)" },
        { "KerberosTgtPassing",              D, NULL,                      NULL,
          "removed from OpenSSH long ago" },
        { "KerberosTicketCleanup",           W, YESNO,                     NULL,
          "Kerberos is not implemented" },
        { "KeyRegenerationInterval",         D, NULL,                      NULL,
          "SSH protocol 1 only; OpenSSH ignores it" },
        { "LogVerbose",                      W, NULL,                      NULL,
          "per-function debug logging is not implemented" },
        { "Match",                           R, NULL,                      NULL,
          "conditional blocks are not implemented; the lines after Match would apply to everybody" },
        { "ModuliFile",                      W, "<one>",                   NULL,
          "libssh chooses the group-exchange moduli" },
        { "PAMAuthenticationViaKbdInt",      D, NULL,                      NULL,
          "removed from OpenSSH long ago" },
        { "PermitBlacklistedKeys",           D, NULL,                      NULL,
          "removed from Debian's OpenSSH long ago" },
        { "PermitTunnel",                    W, "yes|point-to-point|ethernet|no", "no",
          "tun/tap forwarding is not implemented" },
        { "PermitUserRC",                    W, YESNO,                     "no",
          "~/.ssh/rc is never run" },
        { "Protocol",                        D, NULL,                      NULL,
          "SSH protocol 2 is the only one; OpenSSH ignores it" },
        { "RDomain",                         R, "<one>",                   "none",
          "routing domains are not implemented; ignoring one would listen in the default domain" },
        { "ReverseMappingCheck",             D, NULL,                      NULL,
          "removed from OpenSSH long ago" },
        { "RhostsAuthentication",            D, NULL,                      NULL,
          "removed from OpenSSH long ago" },
        { "RhostsRSAAuthentication",         D, NULL,                      NULL,
          "SSH protocol 1 only; OpenSSH ignores it" },
        { "RSAAuthentication",               D, NULL,                      NULL,
          "SSH protocol 1 only; OpenSSH ignores it" },
        { "SecurityKeyProvider",             W, "<one>",                   NULL,
          "FIDO-hosted keys are not used" },
        { "ServerKeyBits",                   D, NULL,                      NULL,
          "SSH protocol 1 only; OpenSSH ignores it" },
        { "SyslogFacility",                  W, SYSLOG_FACILITIES,         "auth",
          "privsshd logs to the AUTH facility" },
        { "TCPKeepAlive",                    W, YESNO,                     "no",
          "TCP keepalives are not enabled (a liveness check, not an access limit)" },
        { "UseDNS",                          W, YESNO,                     "no",
          "the client's address is never resolved to a name" },
        { "UseLogin",                        D, NULL,                      NULL,
          "removed from OpenSSH; OpenSSH ignores it" },
        { "UsePrivilegeSeparation",          D, NULL,                      NULL,
          "always on in OpenSSH, which ignores it; privsshd is privilege-separated by design" },
        { "VerifyReverseMapping",            D, NULL,                      NULL,
          "removed from OpenSSH long ago" },
        { "VersionAddendum",                 W, NULL,                      "none",
          "the version string is libssh's" },
        { "X11DisplayOffset",                W, "<int>",                   NULL,
          "X11 forwarding is not implemented" },
        { "X11Forwarding",                   W, YESNO,                     "no",
          "X11 forwarding is not implemented" },
        { "X11UseLocalhost",                 W, YESNO,                     NULL,
          "X11 forwarding is not implemented" },
        { "XAuthLocation",                   W, "<one>",                   NULL,
          "X11 forwarding is not implemented" },
};

#undef W
#undef R
#undef D
#undef YESNO
#undef SYSLOG_FACILITIES
