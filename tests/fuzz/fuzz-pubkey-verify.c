/* Fuzz target: the monitor's publickey verifier on what a taken-over worker sends it (AUTH_PUBKEY's
 * signed data and signature, and the key blob): the signed-data parser and checker, the public key
 * blob parser (every key type) and the signature blob parsers. The first byte picks the path:
 *   0: signed data checked against fixed expectations
 *   1: a public key blob
 *   2: u32 length + signed data, then a signature: the whole verification with a fixed ed25519 key
 *   3: u32 length + public key blob, then a signature blob: verified over fixed data with the
 *      key's own algorithm(s) (ECDSA, RSA and security-key (sk-*) signature parsing) */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/pubkey-verify.h"
#include "monitor/ssh-key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the public key of the seed 0x42 x 32 (the corpus holds signatures made with it) */
static const uint8_t user_key[] = {
        0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32,
        0x21, 0x52, 0xf8, 0xd1, 0x9b, 0x79, 0x1d, 0x24, 0x45, 0x32, 0x42, 0xe1, 0x5f, 0x2e, 0xab, 0x6c,
        0xb7, 0xcf, 0xfa, 0x7b, 0x6a, 0x5e, 0xd3, 0x00, 0x97, 0x96, 0x0e, 0x06, 0x98, 0x81, 0xdb, 0x12,
};
static const uint8_t host_key[] = {
        0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32,
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};
static const uint8_t session_id[32] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };

static const PubkeyExpect expect = {
        .session_id = session_id,
        .session_id_len = sizeof session_id,
        .user = "alice",
        .service = "ssh-connection",
        .key_blob = user_key,
        .key_blob_len = sizeof user_key,
        .hostkey_blob = host_key,
        .hostkey_blob_len = sizeof host_key,
};

static int split(const uint8_t *data, size_t size, size_t *ret_first) {
        if (size < 4)
                return -1;
        size_t n = (size_t) data[0] << 24 | (size_t) data[1] << 16 | (size_t) data[2] << 8 | data[3];
        if (n > size - 4)
                return -1;
        *ret_first = n;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        uint8_t mode = data[0];
        data++, size--;
        char *alg = NULL;
        const char *what = NULL;
        PubkeySkResult skr;
        size_t n = 0;
        switch (mode % 4) {
        case 0:
                if (pubkey_signed_data_check(data, size, &expect, &alg, &what) == 0)
                        free(alg);
                break;
        case 1: {
                SshKey *k = NULL;
                if (ssh_key_from_blob(data, size, 0, &k) == 0)
                        ssh_key_free(k);
                break;
        }
        case 2:
                if (split(data, size, &n) < 0)
                        break;
                if (pubkey_verify(data + 4, n, data + 4 + n, size - 4 - n, &expect, 0, &alg, &skr,
                                  &what) == 0)
                        free(alg);
                break;
        default: {
                SshKey *k = NULL;
                static const uint8_t signed_data[] = "fixed data";
                if (split(data, size, &n) < 0 || ssh_key_from_blob(data + 4, n, 0, &k) < 0)
                        break;
                static const char *const algs[] = { "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                                                    "ecdsa-sha2-nistp521", "rsa-sha2-256", "rsa-sha2-512",
                                                    "ssh-rsa", "sk-ssh-ed25519@openssh.com",
                                                    "sk-ecdsa-sha2-nistp256@openssh.com" };
                SshSkSignature sk;
                for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
                        if (ssh_key_algorithm_matches(k, algs[i]))
                                (void) ssh_key_verify(k, algs[i], data + 4 + n, size - 4 - n, signed_data,
                                                      sizeof signed_data, &sk);
                ssh_key_free(k);
                break;
        }
        }
        return 0;
}
