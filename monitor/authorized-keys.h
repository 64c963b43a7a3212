#pragma once
/*
 * authorized_keys (sshd(8), AUTHORIZED_KEYS FILE FORMAT): one key per line, "[options] keytype base64
 * [comment]"; empty lines and lines starting with '#' are ignored. A line matches an offered key when
 * its key type is the type the request's algorithm uses, the type string inside its decoded blob equals
 * that key type, and the decoded blob equals the offered blob byte for byte.
 *
 * Key types: ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa, and
 * the security keys sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com. Certificate key
 * types ("*-cert-v01@openssh.com") and ssh-dss are recognised and skipped as lines (a certificate is
 * authorized through a cert-authority line naming its CA, see below); any other type is skipped as
 * unknown. Skipped and malformed lines are logged at
 * debug level as "origin:line: why" and never stop the search.
 *
 * Options (comma-separated, names case-insensitive, values double-quoted with \" as the only escape):
 *
 *   honoured, returned in AuthorizedKeyMatch for the monitor to enforce:
 *     command="..."           the forced command (an empty one refuses the key, see below)
 *     restrict                sets AUTHKEY_RESTRICT and every AUTHKEY_NO_* flag
 *     no-pty, no-port-forwarding, no-agent-forwarding, no-X11-forwarding, no-user-rc
 *                             set their AUTHKEY_NO_* flag
 *     pty, port-forwarding, agent-forwarding, X11-forwarding, user-rc
 *                             clear it again (as after "restrict"; they never grant more than the
 *                             server configuration allows)
 *     environment="NAME=v"    sets AUTHKEY_ENVIRONMENT and returns "NAME=v" in `environment` (the
 *                             first value of each name; at most AUTHKEYS_MAX_ENV names). NAME is letters,
 *                             digits and '_', as OpenSSH's: anything else makes the line malformed
 *                             ("invalid environment string"), whatever PermitUserEnvironment says. Whether
 *                             a session gets them is PermitUserEnvironment's business (handle-session.c);
 *                             `restrict` does not touch them, as in OpenSSH
 *     no-touch-required, touch-required, verify-required, no-verify-required
 *                             set or clear AUTHKEY_NO_TOUCH_REQUIRED / AUTHKEY_VERIFY_REQUIRED, which
 *                             the monitor holds a security key's signature flags to
 *     permitopen="host:port", permitlisten="[host:]port"
 *                             returned as space-separated lists (each may be given up to
 *                             AUTHKEYS_MAX_PERMIT times; "*" for the host or port); a malformed value
 *                             makes the line malformed. The monitor allows only what both the list and
 *                             PermitOpen/PermitListen allow (monitor/forward-policy.h).
 *
 *   honoured here, once the line's key matched (monitor/authorized-keys-restrict.h): the line does not
 *   match, and says why as OpenSSH does, when the client is not allowed:
 *     from="pattern-list"     the client's address must match (one from= per line)
 *     expiry-time="YYYYMMDD[HHMM[SS]][Z]"
 *                             the key is refused after that time (the earliest of several counts);
 *                             a value that is not such a time makes the line malformed, as in OpenSSH
 *
 *   certificates (client->cert set, authorized-keys-restrict.h): as OpenSSH's check_authkey_line():
 *     cert-authority          the line's key is a CA: it matches a certificate that CA signed (the
 *                             monitor verified the signature), never a plain key; a plain line never
 *                             matches a certificate. Then the certificate's options (source-address,
 *                             unknown critical options), principals, type and validity window are
 *                             checked, each refusal in OpenSSH's words, and a force-command in the
 *                             certificate must equal the line's command= when both are given.
 *     principals="a,b"        one of these names (exact) must be among the certificate's principals;
 *                             without it the user's name must be (a certificate with no principals
 *                             then passes, as in OpenSSH). On a line without cert-authority it refuses.
 *
 *   refused: the line does not match, and a line naming the option is logged at INFO level when it
 *   carries the offered key (ignoring these would allow more than the user wrote):
 *     tunnel=, an empty command="", and every option not listed here.
 *
 * A line whose options are malformed (an unterminated or missing quote, a flag option given a value, a
 * valued option without one, a duplicate command= or from=, a bad expiry-time=, a bad environment= or
 * more than AUTHKEYS_MAX_ENV of them, an empty option name,
 * a name with characters other than letters, digits and '-') is skipped, as is a line with a NUL byte.
 * Only the first matching line counts, as in OpenSSH; a refused line does not stop the search, so the
 * same key on a later line without the option still matches.
 *
 * The parser runs in a child that has become the user (pubkey-check.c), on input the user controls.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "monitor/authorized-keys-restrict.h"

typedef enum AuthorizedKeyFlags {
        AUTHKEY_RESTRICT = 1u << 0,             /* "restrict" was given (the NO_* flags say what is left) */
        AUTHKEY_NO_PTY = 1u << 1,
        AUTHKEY_NO_PORT_FORWARDING = 1u << 2,
        AUTHKEY_NO_AGENT_FORWARDING = 1u << 3,
        AUTHKEY_NO_X11_FORWARDING = 1u << 4,
        AUTHKEY_NO_USER_RC = 1u << 5,
        AUTHKEY_ENVIRONMENT = 1u << 6,          /* environment="..." was given (values in `environment`) */
        AUTHKEY_NO_TOUCH_REQUIRED = 1u << 7,    /* no-touch-required: a security key need not be touched */
        AUTHKEY_VERIFY_REQUIRED = 1u << 8,      /* verify-required: its user must be verified (PIN, ...) */
        AUTHKEY_CERT_AUTHORITY = 1u << 9,       /* cert-authority: the line's key is a CA (matched a cert) */
        AUTHKEY_CERT_PRINCIPALS = 1u << 10,     /* principals="..." was given (and one of them matched) */
} AuthorizedKeyFlags;

#define AUTHKEY_NO_ALL                                                                  \
        (AUTHKEY_NO_PTY | AUTHKEY_NO_PORT_FORWARDING | AUTHKEY_NO_AGENT_FORWARDING |    \
         AUTHKEY_NO_X11_FORWARDING | AUTHKEY_NO_USER_RC)

typedef struct AuthorizedKeyMatch {
        unsigned line;                  /* 1-based line number of the matching line */
        unsigned flags;                 /* AuthorizedKeyFlags */
        char *forced_command;           /* command="...", unescaped, never "", or NULL */
        char *permit_open;              /* permitopen="..." values, space-separated, or NULL (any) */
        char *permit_listen;            /* permitlisten="..." values, likewise */
        char **environment;             /* environment="..." values ("NAME=value"), NULL-terminated, or NULL */
} AuthorizedKeyMatch;

/* Free what a match owns and reset it; safe on a zeroed or already-done match. */
void authorized_key_match_done(AuthorizedKeyMatch *m);

/*
 * The authorized_keys key type a public key algorithm name is stored under: "ssh-ed25519",
 * "ecdsa-sha2-nistp256/384/521", "ssh-rsa" and the two sk-* types map to themselves, the RSA signature
 * algorithms
 * "rsa-sha2-256" and "rsa-sha2-512" map to "ssh-rsa". NULL for anything else (never matches).
 */
const char *authorized_keys_type_for_algorithm(const char *algorithm);

/*
 * Look for the offered key in an open authorized_keys file. `origin` names it in log lines (the path),
 * `client` is who asks (from=, expiry-time=; NULL: an unknown address, now), `algorithm` is the key
 * type or signature algorithm of the request (see above), `blob` the raw public key blob. Returns 1 with *ret filled when a line matches, 0 when none does (or the algorithm is not
 * supported), a negative errno when the file cannot be read: -EFBIG when it reaches
 * AUTHKEYS_MAX_FILE_SIZE, -ENOMEM. Lines longer than AUTHKEYS_MAX_LINE are skipped. *ret is written
 * only when 1 is returned; release it with authorized_key_match_done().
 */
int authorized_keys_check_fd(int fd, const char *origin, const AuthorizedKeysClient *client,
                             const char *algorithm, const uint8_t *blob, size_t blob_len, AuthorizedKeyMatch *ret);

/* The same over a buffer of `size` bytes, which need not be NUL-terminated (tests, fuzzing). */
int authorized_keys_check_buffer(const char *data, size_t size, const char *origin,
                                 const AuthorizedKeysClient *client, const char *algorithm,
                                 const uint8_t *blob, size_t blob_len, AuthorizedKeyMatch *ret);

/*
 * AuthorizedPrincipalsFile (sshd_config(5), sshd(8) AUTHORIZED_KEYS FILE FORMAT): one principal per line,
 * optionally preceded by authorized_keys options (blank-separated from it); '#' starts a comment. The
 * first line naming one of client->cert's principals (exact match) whose options allow the client
 * (from=, expiry-time=; refused options as above) matches: 1 with *ret filled (its options), 0 none,
 * -errno. client->cert must be set.
 */
int authorized_principals_check_buffer(const char *data, size_t size, const char *origin,
                                       const AuthorizedKeysClient *client, AuthorizedKeyMatch *ret);
int authorized_principals_check_fd(int fd, const char *origin, const AuthorizedKeysClient *client,
                                   AuthorizedKeyMatch *ret);

/*
 * Expand one AuthorizedKeysFile pattern (sshd_config(5) TOKENS): %h the home directory, %u the user
 * name, %U the numeric uid, %% a literal '%'. A result that is not absolute is taken relative to the
 * home directory, as OpenSSH does. -EINVAL for an unknown token or a trailing '%', or when `home` is not
 * absolute; -ENOMEM. *ret is malloc'd.
 */
int authorized_keys_expand_path(const char *pattern, const char *user, uid_t uid, const char *home, char **ret);

/*
 * Open an authorized_keys file for reading: O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK, so that a FIFO
 * cannot block us, then fstat() and O_NONBLOCK cleared. Symlinks are followed (as OpenSSH; StrictModes
 * then checks the real path). Returns the fd, -EPERM when the path is not a regular file (a FIFO, a
 * directory, a device), or the open()'s negative errno (-ENOENT, -EACCES, ...). The caller opens it with
 * the user's credentials.
 */
int authorized_keys_open(const char *path);
