#pragma once
/*
 * RevokedKeys (sshd_config(5)): keys and certificates that must never log in, whatever the user's
 * authorized_keys say. The file is a binary KRL (`ssh-keygen -k`, monitor/krl.h) when it starts with
 * the KRL magic, else a list of public keys, one per line ("type base64 [comment]", '#' comments and
 * blank lines ignored; a certificate line revokes the certificate's key, as sshd compares keys without
 * their certificates; lines that are not keys are skipped, as by sshd).
 *
 * It is read by the monitor, as root, once per connection at the first publickey request, before any
 * of the user's files or the AuthorizedKeysCommand are looked at; the answer is kept for the
 * connection. As in OpenSSH, a file that cannot be read (missing, unreadable, not a regular file,
 * larger than REVOKED_KEYS_MAX_FILE_SIZE, a malformed KRL) refuses every publickey attempt: a
 * revocation list that cannot be consulted revokes everything.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/krl.h"
#include "monitor/monitor.h"

/* Read a RevokedKeys file into a fresh set. 0; -ENOENT, -EACCES, ... (open), -EPERM (not a regular
 * file), -EFBIG, -EBADMSG (malformed KRL, *ret_why set when ret_why is non-NULL), -ENOMEM. */
int revoked_keys_load(const char *path, Krl **ret, const char **ret_why);

/* The same over a buffer (tests, fuzzing). */
int revoked_keys_parse(const uint8_t *data, size_t size, Krl **ret, const char **ret_why);

/*
 * Is the offered plain key (its blob, `key_info` "ED25519 SHA256:..." for the log) refused by
 * RevokedKeys? Loads the file at the first call for the connection. true when it is revoked, or when
 * the file could not be read; each refusal is logged in OpenSSH's words:
 *   "Authentication key ED25519 SHA256:... revoked by file /etc/ssh/revoked_keys"
 *   "Error checking authentication key ED25519 SHA256:... in revoked keys file /x: No such file or directory"
 * false when RevokedKeys is none or the key is not in it.
 */
bool revoked_keys_refuse_key(Monitor *m, const uint8_t *blob, size_t len, const char *key_info);

/*
 * The same for a user certificate, to be called with the certificate's signature key (`ca_blob`), serial
 * and key ID, in addition to revoked_keys_refuse_key() on the certificate's own key, once certificates
 * are accepted (krl_cert_revoked() says what counts). `cert_info` names the certificate in the log line.
 */
bool revoked_keys_refuse_cert(Monitor *m, const uint8_t *ca_blob, size_t ca_len, uint64_t serial,
                              const char *key_id, const char *cert_info);
