#pragma once
/*
 * SHA-256 (FIPS 180-4), self-written, for OpenSSH-style key fingerprints in the monitor, which links
 * neither libssh nor OpenSSL. (Named sha256_ctx_* and sha256_digest: libssh, linked into the worker with
 * common/, has its own sha256*().) Streaming (init/update/final) and one-shot forms; not constant-time in
 * the length of the input, which is never secret here.
 */

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32u

typedef struct Sha256 {
        uint32_t h[8];
        uint64_t length;        /* bytes hashed so far */
        uint8_t block[64];
        size_t fill;            /* bytes waiting in block[] */
} Sha256;

void sha256_ctx_init(Sha256 *s);
void sha256_ctx_update(Sha256 *s, const void *data, size_t len);
/* Writes the digest and wipes the state; call sha256_ctx_init() again to reuse it. */
void sha256_ctx_final(Sha256 *s, uint8_t out[SHA256_DIGEST_SIZE]);
void sha256_digest(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);

/*
 * OpenSSH's fingerprint of a public key blob (RFC 4253 §6.6 wire encoding, as in the .pub file after
 * base64 decoding): "SHA256:" + unpadded base64 of its SHA-256, e.g. what `ssh-keygen -l -E sha256`
 * prints. *ret is malloc'd. 0 or -ENOMEM.
 */
int ssh_key_fingerprint(const uint8_t *blob, size_t len, char **ret);
