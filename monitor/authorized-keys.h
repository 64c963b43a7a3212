#pragma once
/*
 * authorized_keys (sshd(8), AUTHORIZED_KEYS FILE FORMAT): "[options] keytype base64 [comment]" lines.
 * A line matches when its key type and decoded key blob equal the offered key. Options that RESTRICT
 * access and that we do not enforce yet (from=, expiry-time=, principals=, cert-authority, unknown
 * ones) make the line refuse to match, because ignoring them would allow more than the user wrote;
 * command= is returned so the monitor enforces it; the no-* flags are returned. Malformed lines are
 * skipped (logged at debug), never fatal. Runs in a child that has become the user (pubkey-check.c).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum AuthorizedKeyFlags {
        AUTHKEY_RESTRICT = 1u << 0,
        AUTHKEY_NO_PTY = 1u << 1,
        AUTHKEY_NO_PORT_FORWARDING = 1u << 2,
        AUTHKEY_NO_AGENT_FORWARDING = 1u << 3,
        AUTHKEY_NO_X11_FORWARDING = 1u << 4,
        AUTHKEY_NO_USER_RC = 1u << 5,
} AuthorizedKeyFlags;

typedef struct AuthorizedKeyMatch {
        unsigned line;
        unsigned flags;                 /* AuthorizedKeyFlags */
        char *forced_command;           /* command="...", or NULL */
} AuthorizedKeyMatch;

void authorized_key_match_done(AuthorizedKeyMatch *m);

/* The key type an SSH algorithm name is stored under ("rsa-sha2-512" -> "ssh-rsa"); NULL if unsupported. */
const char *authorized_keys_type_for_algorithm(const char *algorithm);

/*
 * Check one file (already open) for the key. Returns 1 with *ret filled when a line matches, 0 when
 * none does, a negative errno when the file cannot be read (or is over AUTHKEYS_MAX_FILE_SIZE).
 */
int authorized_keys_check_fd(int fd, const char *origin, const char *algorithm, const uint8_t *blob,
                             size_t blob_len, AuthorizedKeyMatch *ret);
/* The same over a buffer (for tests and fuzzing). */
int authorized_keys_check_buffer(const char *data, size_t size, const char *origin, const char *algorithm,
                                 const uint8_t *blob, size_t blob_len, AuthorizedKeyMatch *ret);

/* AuthorizedKeysFile tokens: %h home, %u user, %U uid, %%; relative results are under home. */
int authorized_keys_expand_path(const char *pattern, const char *user, uid_t uid, const char *home, char **ret);

/* Open for reading without blocking on FIFOs; only regular files. fd or -errno. */
int authorized_keys_open(const char *path);
