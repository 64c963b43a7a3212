#pragma once
/*
 * SSH keys in the monitor, on top of libcrypto (OpenSSL 3 EVP): the host private keys it loads and
 * signs with, and the users' public keys whose signatures it verifies. The monitor never links
 * libssh, so the SSH encodings (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709, RFC 8332) are written here.
 * Key types: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (signing and verifying with
 * rsa-sha2-256, rsa-sha2-512, and ssh-rsa's SHA-1 only where the configured algorithms allow it), and
 * the security-key (FIDO) user keys sk-ssh-ed25519@openssh.com and sk-ecdsa-sha2-nistp256@openssh.com
 * (verifying only: OpenSSH's PROTOCOL.u2f; monitor/ssh-key-sk.c).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum SshKeyType {
        SSH_KEY_ED25519,
        SSH_KEY_ECDSA_P256,
        SSH_KEY_ECDSA_P384,
        SSH_KEY_ECDSA_P521,
        SSH_KEY_RSA,
        SSH_KEY_SK_ED25519,             /* sk-ssh-ed25519@openssh.com: public keys only */
        SSH_KEY_SK_ECDSA_P256,          /* sk-ecdsa-sha2-nistp256@openssh.com: likewise */
        _SSH_KEY_TYPE_MAX,
} SshKeyType;

typedef struct SshKey {
        SshKeyType type;
        void *pkey;                     /* EVP_PKEY (kept opaque so that callers need no OpenSSL header) */
        bool private;
        uint8_t *blob;                  /* the public key blob (string type, ...), as on the wire */
        size_t blob_len;
        char *sk_application;           /* security keys: the application ("ssh:" as a rule), else NULL */
} SshKey;

SshKey *ssh_key_free(SshKey *k);
static inline void ssh_key_freep(SshKey **k) {
        ssh_key_free(*k);
}

/* The key type name in a public key blob ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"). */
const char *ssh_key_type_name(SshKeyType t);

static inline bool ssh_key_type_is_sk(SshKeyType t) {
        return t == SSH_KEY_SK_ED25519 || t == SSH_KEY_SK_ECDSA_P256;
}

/* A host private key file's text: OpenSSH's own format ("BEGIN OPENSSH PRIVATE KEY", unencrypted),
 * or PEM (PKCS#1, SEC1, PKCS#8), as ssh-keygen writes them. -EINVAL: not a key we can use (the
 * message says why); -ENOMEM. */
int ssh_key_load_private(const char *text, size_t len, SshKey **ret);

/* A public key from its blob (strict: nothing after the fields, points on the curve, RSA modulus
 * of at least min_rsa_bits). -EBADMSG when malformed, -EPROTONOSUPPORT for another key type. */
int ssh_key_from_blob(const uint8_t *blob, size_t len, unsigned min_rsa_bits, SshKey **ret);

/* Whether signature algorithm `alg` goes with the key (ssh-rsa/rsa-sha2-* for RSA, the key's own
 * name otherwise). */
bool ssh_key_algorithm_matches(const SshKey *k, const char *alg);

/* Sign `data` with algorithm `alg` (which must match the key); *ret is the signature blob
 * (string alg, string signature) as SSH sends it. */
int ssh_key_sign(const SshKey *k, const char *alg, const uint8_t *data, size_t len, uint8_t **ret,
                 size_t *ret_len);

/* What a security key's signature states besides the signature itself (PROTOCOL.u2f). */
typedef struct SshSkSignature {
        uint8_t flags;                  /* SSH_SK_USER_PRESENT, SSH_SK_USER_VERIFIED, ... */
        uint32_t counter;
} SshSkSignature;

#define SSH_SK_USER_PRESENT 0x01u       /* the authenticator was touched */
#define SSH_SK_USER_VERIFIED 0x04u      /* and verified its user (PIN, biometrics) */

/* Verify the signature blob `sig` over `data`: its algorithm must be `alg` (which must match the
 * key). For a security key, the blob carries flags and a counter too, stored in *ret_sk (which may
 * be NULL for other keys; for a security key it must not be). 0: valid; -EBADMSG: malformed or wrong
 * algorithm; -EKEYREJECTED: does not verify. */
int ssh_key_verify(const SshKey *k, const char *alg, const uint8_t *sig, size_t sig_len, const uint8_t *data,
                   size_t len, SshSkSignature *ret_sk);

/* Internal to ssh-key.c and ssh-key-sk.c: verify the raw signature bytes `s` (Ed25519: 64 bytes;
 * ECDSA: the SSH encoding mpint r, mpint s) over `data`, with the digest the key's type uses. */
int ssh_key_verify_raw(const SshKey *k, const char *alg, const uint8_t *s, size_t sn, const uint8_t *data,
                       size_t len);

/* Internal to ssh-key.c: the security-key signature blob, ssh-key-sk.c. */
int ssh_key_verify_sk(const SshKey *k, const char *alg, const uint8_t *sig, size_t sig_len,
                      const uint8_t *data, size_t len, SshSkSignature *ret_sk);
