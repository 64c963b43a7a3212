/* Fuzz target: a RevokedKeys file (a KRL or a plain key list, monitor/revoked-keys.h) as the monitor reads
 * it as root, then every query against what it parsed: a fixed ed25519 key, and a certificate of a
 * fixed CA key with a few serials and key IDs (serial 0, one inside most ranges, UINT64_MAX). */

#include <stdint.h>
#include <string.h>

#include "monitor/krl.h"
#include "monitor/revoked-keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const uint8_t blob[] = {
                0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32,
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
        };
        static const uint64_t serials[] = { 0, 1, 5, 150, 1003, 123456789, UINT64_MAX };
        static const char *const ids[] = { NULL, "", "alice-laptop", "bob phone" };
        Krl *k = NULL;
        if (revoked_keys_parse(data, size, &k, NULL) < 0)
                return 0;
        (void) krl_key_revoked(k, blob, sizeof blob);
        for (size_t i = 0; i < sizeof serials / sizeof serials[0]; i++)
                for (size_t j = 0; j < sizeof ids / sizeof ids[0]; j++)
                        (void) krl_cert_revoked(k, blob, sizeof blob, serials[i], ids[j]);
        krl_free(k);
        return 0;
}
