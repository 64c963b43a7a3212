/* Fuzz target: the authorized_keys parser on arbitrary file content (it runs as the user, on input the
 * user controls), looking for a fixed ed25519 key, then for the same key as a security key. */

#include <stdint.h>
#include <string.h>

#include "monitor/authorized-keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const uint8_t blob[] = {
                0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32,
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
        };
        /* A fixed client and clock, so that a corpus entry replays the same way every time; from= and
         * expiry-time= entries in the corpus are written for these. */
        static const AuthorizedKeysClient client = {
                .user = "fuzz", .address = "192.0.2.1", .now = 1700000000,
        };
        /* The same public key as a security key (application "ssh:"), for sk- lines and their options. */
        static const uint8_t sk_blob[] = {
                0, 0, 0, 26, 's', 'k', '-', 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9',
                '@', 'o', 'p', 'e', 'n', 's', 's', 'h', '.', 'c', 'o', 'm', 0, 0, 0, 32,
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
                0, 0, 0, 4, 's', 's', 'h', ':',
        };
        AuthorizedKeyMatch m = {};
        if (authorized_keys_check_buffer((const char *) data, size, "fuzz", &client, "ssh-ed25519", blob,
                                         sizeof blob, &m) > 0)
                authorized_key_match_done(&m);
        if (authorized_keys_check_buffer((const char *) data, size, "fuzz", &client,
                                         "sk-ssh-ed25519@openssh.com", sk_blob, sizeof sk_blob, &m) > 0)
                authorized_key_match_done(&m);
        return 0;
}
