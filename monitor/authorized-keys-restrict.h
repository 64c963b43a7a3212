#pragma once
/*
 * The two authorized_keys options that say from where and until when a key may be used, as OpenSSH
 * (sshd(8) AUTHORIZED_KEYS FILE FORMAT) reads and checks them:
 *
 *   expiry-time="YYYYMMDD[HHMM[SS]][Z]"   the key is refused once this time has passed. Local time,
 *           or UTC with a "Z" (or "UTC") suffix, either case. With several, the earliest counts.
 *   from="pattern-list"                  the key is refused unless the client's address matches the
 *           list (common/net-addr.h net_addr_match_host_and_ip(): CIDR entries, wildcard patterns,
 *           '!' negation). privsshd never resolves names (UseDNS no), so the address is also the
 *           host name the patterns see. A list OpenSSH finds malformed refuses the key.
 *
 * Both run in the child that reads the file as the user (pubkey-check.c); the client's address comes
 * from the monitor's own getpeername(), never from the worker.
 */

#include <stdbool.h>
#include <time.h>

typedef struct SshCert SshCert;

/* Who is asking: what from= and expiry-time= are checked against. */
typedef struct AuthorizedKeysClient {
        const char *user;       /* the account the key would log in to (log lines) */
        const char *address;    /* numeric address as the monitor logs it; "UNKNOWN" when not IP */
        time_t now;             /* what expiry-time= is compared with */
        /* A user certificate (its CA's signature already verified by the monitor, ssh-cert.h): only
         * cert-authority lines naming its CA match, and the certificate's own checks run on a match.
         * NULL for a plain key. */
        const SshCert *cert;
} AuthorizedKeysClient;

/*
 * An expiry-time= value: "YYYYMMDD", "YYYYMMDDHHMM" or "YYYYMMDDHHMMSS", digits only, optionally
 * followed by "Z" or "UTC" (any case) for UTC, else local time. Fields out of range (month 13, hour
 * 24) are invalid; a day past the month's end rolls over as mktime() does, as in OpenSSH. 0 with
 * *ret set; -EINVAL for anything else, including a time at or before the epoch.
 */
int authorized_keys_parse_expiry(const char *value, time_t *ret);

/*
 * The checks after a line's key matched, in OpenSSH's order and words: expiry first ("origin:line:
 * entry expired at ..." at DEBUG), then from= ("origin:line: Authentication tried for USER with correct
 * key but not from a permitted host (host=..., ip=..., required=...)." at INFO, after "invalid from
 * criteria" at DEBUG when the list is malformed). valid_before 0: no expiry-time=; from NULL: no
 * from=. 1 allowed, 0 refused (and logged), -ENOMEM.
 */
int authorized_keys_client_allowed(const char *origin, unsigned line, const AuthorizedKeysClient *client,
                                   time_t valid_before, const char *from);

/*
 * What a user certificate's own options allow (OpenSSH's sshauthopt_from_cert() and
 * auth_authorise_keyopts(), their words): options the monitor cannot honour (an unknown critical
 * option, a corrupt one) refuse it ("Invalid certificate options"), and so does a client address
 * outside its source-address list ("Refused by certificate options"). `origin` names where it was
 * found (a file:line, or "cert"). 1 allowed, 0 refused (and logged).
 */
int authorized_keys_cert_options_allowed(const char *origin, const AuthorizedKeysClient *client);

/* The AuthorizedKeyFlags a certificate's options and extensions amount to: every AUTHKEY_NO_* flag
 * but those its permit-* extensions lift (a certificate grants only what it names), no-touch-required
 * and verify-required as the authorized_keys options of those names. */
unsigned authorized_keys_cert_flags(const SshCert *c);

/* OpenSSH's sshauthopt_merge() for the flags of a certificate and of the line (authorized_keys or
 * principals file) that authorized it: restrictions of either, permissions of both. */
unsigned authorized_keys_merge_flags(unsigned line_flags, unsigned cert_flags);
