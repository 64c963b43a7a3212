#pragma once
/*
 * A set of revoked keys and certificates, as RevokedKeys (sshd_config(5)) names them: filled from an
 * OpenSSH key revocation list (KRL, OpenSSH's PROTOCOL.krl, made by `ssh-keygen -k`) or, one key at a
 * time, from a plain list of public keys (monitor/revoked-keys.c reads those).
 *
 * The KRL parser is strict and bounded: the whole file is in memory (at most
 * REVOKED_KEYS_MAX_FILE_SIZE, read by the caller), every length is checked against what is left,
 * unknown section types, trailing bytes, a format version other than 1, serial 0, an inverted range, a
 * negative or oversized bitmap and hashes of the wrong length are errors (-EBADMSG), as they are for
 * OpenSSH, which then refuses every key. Signature sections are read over and not verified (sshd does
 * not verify them either); after one, only signature sections may follow. Everything parsed points into
 * the set's own copy of the file, nothing is allocated per entry but array slots.
 *
 * What counts as revoked (OpenSSH's ssh_krl_check_key()):
 *   a plain key: its blob is an explicitly revoked key, or the SHA-1 or SHA-256 of its blob is listed;
 *   a certificate: its key (as a plain key, checked by the caller with krl_key_revoked()), or its CA
 *     key (as a plain key), or, in a certificate section for its CA or for any CA, its key ID, or its
 *     serial (a list, a range or a bitmap; serial 0 is never matched: it is "no serial").
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/macro.h"

typedef struct Krl Krl;

#define KRL_MAGIC "SSHKRL\n\0"
#define KRL_MAGIC_LEN 8u

/* An empty set; NULL when out of memory. */
Krl *krl_new(void);
Krl *krl_free(Krl *k);
static inline void krl_freep(Krl **k) {
        krl_free(*k);
}
#define _cleanup_krl_free_ _cleanup_(krl_freep)

/* Does the buffer start with the KRL magic? (Anything else is read as a list of public keys.) */
bool krl_has_magic(const uint8_t *data, size_t size);

/* Parse a whole KRL into the empty set k (the data is copied). 0; -EBADMSG when it is malformed, with
 * *ret_why (when non-NULL) a static phrase saying where; -ENOMEM. The set is unusable after an error. */
int krl_parse(Krl *k, const uint8_t *data, size_t size, const char **ret_why);

/* Add one explicitly revoked key (a copy of its blob). 0 or -ENOMEM. */
int krl_add_key(Krl *k, const uint8_t *blob, size_t len);

/* Is this plain public key blob revoked (explicitly, by SHA-1 or by SHA-256 of the blob)? */
bool krl_key_revoked(const Krl *k, const uint8_t *blob, size_t len);

/*
 * Is a certificate signed by the CA key `ca_blob` (its plain public key blob), with this serial and key
 * ID, revoked? True when the CA key itself is revoked, or a certificate section for that CA or for any
 * CA lists the key ID or (serial != 0) the serial. The certificate's own key is not looked at: check
 * it with krl_key_revoked() too. key_id may be NULL (no key ID).
 */
bool krl_cert_revoked(const Krl *k, const uint8_t *ca_blob, size_t ca_len, uint64_t serial, const char *key_id);

/* How many entries the set holds (keys, hashes, certificate sections); for tests and the log. */
size_t krl_n_entries(const Krl *k);
