#pragma once
/* SHA-256 (FIPS 180-4), for key fingerprints in the monitor, which links neither libssh nor OpenSSL. */

#include <stddef.h>
#include <stdint.h>

typedef struct Sha256 {
        uint32_t h[8];
        uint64_t length;        /* bytes hashed so far */
        uint8_t block[64];
        size_t fill;
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t len);
void sha256_final(Sha256 *s, uint8_t out[32]);
void sha256(const void *data, size_t len, uint8_t out[32]);

/* OpenSSH's fingerprint of a public key blob: "SHA256:" + unpadded base64 of its SHA-256. */
int ssh_key_fingerprint(const uint8_t *blob, size_t len, char **ret);
