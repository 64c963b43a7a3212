#pragma once
/*
 * The sshd_config keyword tables. Included by common/config-keywords.c only (the tables are static);
 * the rows name the parsers (config-parse*.c, config-load.c) and printers (config-dump.c) declared in
 * common/config-internal.h.
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

#include "common/config-internal.h"
#include "common/config.h"
#include "common/limits.h"

/* offsetof(Config, f), and a compile error unless the field has type `type` (so a row cannot hand
 * an `int` field to a parser that writes an `unsigned`). Arrays are checked as pointers. */
#define CONFIG_FIELD(f, type)                                                                   \
        (offsetof(Config, f) + 0 * sizeof(char[_Generic(((Config *) 0)->f, type : 1, default : -1)]))

#define ONE CONFIG_ONE_ARG
#define MULTI CONFIG_MULTI

static const ConfigKeyword config_keywords[] = {
        /* name                       parser                       printer
         * field (type)                                               flags        min, max */
        { "Port",                        config_parse_port,                  config_dump_ports,
          CONFIG_FIELD(ports, uint16_t *),                           MULTI | ONE, 1, 65535 },
        { "ListenAddress",               config_parse_listen_address,        config_dump_listen_addresses,
          CONFIG_FIELD(listen, ListenAddress *),                     MULTI,       0, 0 },
        { "AddressFamily",               config_parse_address_family,        config_dump_address_family,
          CONFIG_FIELD(address_family, int),                         ONE,         0, 0 },
        { "UsePAM",                      config_parse_use_pam,               config_dump_flag,
          CONFIG_FIELD(use_pam, bool),                               ONE,         0, 0 },
        { "LoginGraceTime",              config_parse_time,                  config_dump_unsigned,
          CONFIG_FIELD(login_grace_time, unsigned),                  ONE,         0, INT32_MAX },
        { "MaxAuthTries",                config_parse_int,                   config_dump_int,
          CONFIG_FIELD(max_auth_tries, int),                         ONE,        0, AUTH_MAX_TRIES_CEILING },
        { "MaxSessions",                 config_parse_unsigned,              config_dump_unsigned,
          CONFIG_FIELD(max_sessions, unsigned),                      ONE,         0, SESSION_MAX_PER_CONN },
        { "PermitRootLogin",             config_parse_permit_root_login,     config_dump_permit_root_login,
          CONFIG_FIELD(permit_root_login, PermitRootLogin),          ONE,         0, 0 },
        { "PubkeyAuthentication",        config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(pubkey_authentication, bool),                 ONE,         0, 0 },
        { "PasswordAuthentication",      config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(password_authentication, bool),               ONE,         0, 0 },
        { "KbdInteractiveAuthentication", config_parse_flag,                 config_dump_flag,
          CONFIG_FIELD(kbd_interactive_authentication, bool),        ONE,         0, 0 },
        { "AuthenticationMethods",       config_parse_authentication_methods, config_dump_authentication_methods,
          CONFIG_FIELD(authentication_methods, char **),             0,           0, 0 },
        { "DenyUsers",                   config_parse_access_list,           config_dump_access_list,
          CONFIG_FIELD(deny_users, char **),                         MULTI,       0, 0 },
        { "AllowUsers",                  config_parse_access_list,           config_dump_access_list,
          CONFIG_FIELD(allow_users, char **),                        MULTI,       0, 0 },
        { "DenyGroups",                  config_parse_access_list,           config_dump_access_list,
          CONFIG_FIELD(deny_groups, char **),                        MULTI,       0, 0 },
        { "AllowGroups",                 config_parse_access_list,           config_dump_access_list,
          CONFIG_FIELD(allow_groups, char **),                       MULTI,       0, 0 },
        { "StrictModes",                 config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(strict_modes, bool),                          ONE,         0, 0 },
        { "PermitEmptyPasswords",        config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(permit_empty_passwords, bool),                ONE,         0, 0 },
        { "ExposeAuthInfo",              config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(expose_auth_info, bool),                      ONE,         0, 0 },
        { "PidFile",                     config_parse_pid_file,              config_dump_string,
          CONFIG_FIELD(pid_file, char *),                            ONE,         0, 0 },
        { "LogLevel",                    config_parse_log_level,             config_dump_log_level,
          CONFIG_FIELD(log_level, LogLevel),                         ONE,         0, 0 },
        { "AuthorizedKeysFile",          config_parse_authorized_keys_file,  config_dump_authorized_keys_files,
          CONFIG_FIELD(authorized_keys_files, char **),              0,           0, 0 },
        { "AuthorizedKeysCommand",       config_parse_authorized_keys_command, config_dump_string,
          CONFIG_FIELD(authorized_keys_command, char *),             0,           0, 0 },
        { "AuthorizedKeysCommandUser",   config_parse_authorized_keys_command_user, config_dump_string,
          CONFIG_FIELD(authorized_keys_command_user, char *),        ONE,         0, 0 },
        { "RevokedKeys",                 config_parse_path_or_none,          config_dump_string,
          CONFIG_FIELD(revoked_keys, char *),                        ONE,         0, 0 },
        { "AuthorizedPrincipalsFile",    config_parse_path_or_none,          config_dump_string,
          CONFIG_FIELD(authorized_principals_file, char *),          ONE,         0, 0 },
        { "AuthorizedPrincipalsCommand", config_parse_authorized_keys_command, config_dump_string,
          CONFIG_FIELD(authorized_principals_command, char *),       0,           0, 0 },
        { "AuthorizedPrincipalsCommandUser", config_parse_authorized_keys_command_user, config_dump_string,
          CONFIG_FIELD(authorized_principals_command_user, char *),  ONE,         0, 0 },
        { "TrustedUserCAKeys",           config_parse_path_or_none,          config_dump_string,
          CONFIG_FIELD(trusted_user_ca_keys, char *),                ONE,         0, 0 },
        { "HostKey",                     config_parse_host_key,              config_dump_host_keys,
          CONFIG_FIELD(hostkeys, char **),                           MULTI | ONE, 0, 0 },
        { "HostCertificate",             config_parse_host_certificate,      config_dump_host_certificates,
          CONFIG_FIELD(host_certificates, char **),                  MULTI | ONE, 0, 0 },
        { "Subsystem",                   config_parse_subsystem,             config_dump_subsystems,
          CONFIG_FIELD(subsystems, Subsystem *),                     MULTI,       0, 0 },
        { "AcceptEnv",                   config_parse_accept_env,            config_dump_accept_env,
          CONFIG_FIELD(accept_env, char **),                         MULTI,       0, 0 },
        { "SetEnv",                      config_parse_set_env,               config_dump_set_env,
          CONFIG_FIELD(set_env, char **),                            0,           0, 0 },
        { "ForceCommand",                config_parse_command,               config_dump_string,
          CONFIG_FIELD(force_command, char *),                       0,           0, 0 },
        { "PermitTTY",                   config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(permit_tty, bool),                            ONE,         0, 0 },
        { "AllowTcpForwarding",          config_parse_forward_directions,    config_dump_forward_directions,
          CONFIG_FIELD(allow_tcp_forwarding, ForwardDirections),     ONE,         0, 0 },
        { "AllowAgentForwarding",        config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(allow_agent_forwarding, bool),                ONE,         0, 0 },
        { "DisableForwarding",           config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(disable_forwarding, bool),                    ONE,         0, 0 },
        { "GatewayPorts",                config_parse_gateway_ports,         config_dump_gateway_ports,
          CONFIG_FIELD(gateway_ports, GatewayPorts),                 ONE,         0, 0 },
        { "PermitOpen",                  config_parse_permit_list,           config_dump_permit_list,
          CONFIG_FIELD(permit_open, PermitList),                     0,           0, 0 },
        { "PermitListen",                config_parse_permit_list,           config_dump_permit_list,
          CONFIG_FIELD(permit_listen, PermitList),                   0,           0, 0 },
        { "PermitUserEnvironment",       config_parse_permit_user_environment, config_dump_permit_user_environment,
          CONFIG_FIELD(permit_user_environment, char *),             ONE,         0, 0 },
        { "AllowStreamLocalForwarding",  config_parse_forward_directions,    config_dump_forward_directions,
          CONFIG_FIELD(allow_streamlocal_forwarding, ForwardDirections), ONE,     0, 0 },
        { "StreamLocalBindMask",         config_parse_octal_mask,            config_dump_octal_mask,
          CONFIG_FIELD(streamlocal_bind_mask, unsigned),             ONE,         0, 0 },
        { "StreamLocalBindUnlink",       config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(streamlocal_bind_unlink, bool),               ONE,         0, 0 },
        { "PrintMotd",                   config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(print_motd, bool),                            ONE,         0, 0 },
        { "PrintLastLog",                config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(print_last_log, bool),                        ONE,         0, 0 },
        { "Banner",                      config_parse_path_or_none,          config_dump_string,
          CONFIG_FIELD(banner, char *),                              ONE,         0, 0 },
        { "ChrootDirectory",             config_parse_path_or_none,          config_dump_string,
          CONFIG_FIELD(chroot_directory, char *),                    ONE,         0, 0 },
        { "ClientAliveInterval",         config_parse_time,                  config_dump_unsigned,
          CONFIG_FIELD(client_alive_interval, unsigned),             ONE,         0, INT32_MAX },
        { "ClientAliveCountMax",         config_parse_unsigned,              config_dump_unsigned,
          CONFIG_FIELD(client_alive_count_max, unsigned),            ONE,         0, INT32_MAX },
        { "UnusedConnectionTimeout",     config_parse_time_or_none,          config_dump_unsigned_or_none,
          CONFIG_FIELD(unused_connection_timeout, unsigned),         ONE,         0, INT32_MAX },
        { "ChannelTimeout",              config_parse_channel_timeout,       config_dump_channel_timeouts,
          CONFIG_FIELD(channel_timeouts, ChannelTimeouts),           0,           0, 0 },
        { "MaxStartups",                 config_parse_max_startups,          config_dump_max_startups,
          CONFIG_FIELD(max_startups, MaxStartups),                   ONE,         1, LISTEN_MAX_CHILDREN },
        { "PerSourceMaxStartups",        config_parse_per_source_max_startups, config_dump_per_source_max_startups,
          CONFIG_FIELD(per_source_max_startups, unsigned),           ONE,         1, LISTEN_MAX_CHILDREN },
        { "PerSourceNetBlockSize",       config_parse_net_block_size,        config_dump_net_block_size,
          CONFIG_FIELD(per_source_net_block_size, NetBlockSize),     ONE,         0, 0 },
        { "PerSourcePenalties",          config_parse_penalties,             config_dump_penalties,
          CONFIG_FIELD(per_source_penalties, PerSourcePenalties),    MULTI,       0, SRCLIMIT_MAX_PENALTY_SOURCES },
        { "PerSourcePenaltyExemptList",  config_parse_address_list,          config_dump_string,
          CONFIG_FIELD(per_source_penalty_exempt, char *),           ONE,         0, 0 },
        { "Ciphers",                     config_parse_algorithms,            config_dump_algorithms,
          CONFIG_FIELD(ciphers, char *),                             ONE,         0, 0 },
        { "MACs",                        config_parse_algorithms,            config_dump_algorithms,
          CONFIG_FIELD(macs, char *),                                ONE,         0, 0 },
        { "KexAlgorithms",               config_parse_algorithms,            config_dump_algorithms,
          CONFIG_FIELD(kex_algorithms, char *),                      ONE,         0, 0 },
        { "CASignatureAlgorithms",       config_parse_algorithms,            config_dump_algorithms,
          CONFIG_FIELD(ca_signature_algorithms, char *),             ONE,         0, 0 },
        { "HostKeyAlgorithms",           config_parse_algorithms,            config_dump_algorithms,
          CONFIG_FIELD(hostkey_algorithms, char *),                  ONE,         0, 0 },
        { "PubkeyAcceptedAlgorithms",    config_parse_algorithms,            config_dump_algorithms,
          CONFIG_FIELD(pubkey_accepted_algorithms, char *),          ONE,         0, 0 },
        { "RekeyLimit",                  config_parse_rekey_limit,           config_dump_rekey_limit,
          CONFIG_FIELD(rekey_limit, RekeyLimit),                     0,           0, 0 },
        { "RequiredRSASize",             config_parse_int,                   config_dump_int,
          CONFIG_FIELD(required_rsa_size, int),                      ONE,         1024, 16384 },
        { "PubkeyAuthOptions",           config_parse_pubkey_auth_options,   config_dump_pubkey_auth_options,
          CONFIG_FIELD(pubkey_auth_options, unsigned),               CONFIG_NO_ARG_OK, 0, 0 },
        { "Include",                     config_parse_include,               NULL,
          CONFIG_NO_FIELD,                                           MULTI,       0, 0 },
        { "Match",                       config_parse_match,          NULL,
          CONFIG_NO_FIELD,                                           MULTI,       0, 0 },
        /* ours */
        { "PAMServiceName",              config_parse_name,                  config_dump_string,
          CONFIG_FIELD(pam_service_name, char *),                    ONE,         0, 0 },
        { "SandboxUser",                 config_parse_name,                  config_dump_string,
          CONFIG_FIELD(sandbox_user, char *),                        ONE,         0, 0 },
        { "SandboxDirectory",            config_parse_sandbox_directory,     config_dump_string,
          CONFIG_FIELD(sandbox_directory, char *),                   ONE,         0, 0 },
#if ENABLE_TEST_HOOKS
        { "TestWorkerForbiddenSyscall",  config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(test_worker_forbidden_syscall, bool),         ONE,         0, 0 },
        { "TestWorkerBogusSessionClose", config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(test_worker_bogus_session_close, bool),       ONE,         0, 0 },
        { "TestWorkerInject",            config_parse_path_or_none,          config_dump_string,
          CONFIG_FIELD(test_worker_inject, char *),                  ONE,         0, 0 },
        { "TestSignalSenderStops",       config_parse_flag,                  config_dump_flag,
          CONFIG_FIELD(test_signal_sender_stops, bool),              ONE,         0, 0 },
        { "TestKeyCheckStops",           config_parse_flag,                  config_dump_flag,
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
