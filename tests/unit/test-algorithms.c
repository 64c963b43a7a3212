/*
 * common/algorithms.c against the libssh the worker links: the names the monitor accepts in the
 * algorithm keywords are exactly what that libssh supports (minus group exchange, which the
 * sandbox forbids), every default is supported, and OpenSSH's list syntax (+, -, ^, patterns).
 * A libssh bump that changes the supported names fails here (doc/LIBSSH.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh/libssh.h>

#include "common/algorithms.h"
#include "common/macro.h"
#include "test-helpers.h"

/* Every element of a is in b. */
static bool subset(const char *a, const char *b) {
        char *copy = strdup(a), *save = NULL;
        bool ok = copy != NULL;
        for (char *e = copy ? strtok_r(copy, ",", &save) : NULL; e && ok; e = strtok_r(NULL, ",", &save))
                ok = algorithms_list_contains(b, e);
        free(copy);
        return ok;
}

/* libssh's list without group exchange. */
static char *without_gex(const char *list) {
        char *out = calloc(1, strlen(list) + 1), *copy = strdup(list), *save = NULL;
        if (!out || !copy) {
                free(out);
                free(copy);
                return NULL;
        }
        for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
                if (strncmp(e, "diffie-hellman-group-exchange-", 30) == 0)
                        continue;
                if (out[0])
                        strcat(out, ",");
                strcat(out, e);
        }
        free(copy);
        return out;
}

static void expect(AlgorithmClass cls, const char *spec, const char *want) {
        char *got = NULL, *bad = NULL;
        int r = algorithms_assemble(cls, spec, &got, &bad);
        CHECK(r == 0 && got && streq(got, want), "\"%s\" gives %s (got %s)", spec, want, got ?: "an error");
        free(got);
        free(bad);
}

static void refused(AlgorithmClass cls, const char *spec, const char *bad_want) {
        char *got = NULL, *bad = NULL;
        int r = algorithms_assemble(cls, spec, &got, &bad);
        CHECK(r == -EINVAL && !got && (bad_want ? bad && streq(bad, bad_want) : !bad),
              "\"%s\" is refused, naming %s", spec, bad_want ?: "an empty list");
        free(got);
        free(bad);
}

int main(void) {
        static const struct {
                AlgorithmClass cls;
                enum ssh_kex_types_e libssh;
        } pairs[] = {
                { ALGORITHMS_KEX, SSH_KEX },
                { ALGORITHMS_CIPHERS, SSH_CRYPT_C_S },
                { ALGORITHMS_CIPHERS, SSH_CRYPT_S_C },
                { ALGORITHMS_MACS, SSH_MAC_C_S },
                { ALGORITHMS_MACS, SSH_MAC_S_C },
                { ALGORITHMS_HOSTKEY, SSH_HOSTKEYS },
                { ALGORITHMS_PUBKEY, SSH_HOSTKEYS },
        };
        for (size_t i = 0; i < ELEMENTSOF(pairs); i++) {
                char *lib = without_gex(ssh_get_supported_methods(pairs[i].libssh));
                const char *ours = algorithms_supported(pairs[i].cls);
                CHECK(lib && streq(ours, lib), "class %d: our supported list is libssh %s's (minus group "
                      "exchange)\n#   ours:   %s\n#   libssh: %s", (int) pairs[i].cls, ssh_version(0), ours, lib);
                free(lib);
        }
        for (int c = 0; c < _ALGORITHMS_MAX; c++)
                CHECK(subset(algorithms_default(c), algorithms_supported(c)), "class %d: every default is supported", c);
        CHECK(strncmp(algorithms_default(ALGORITHMS_KEX), "mlkem768x25519-sha256,sntrup761x25519-sha512,", 44) == 0,
              "post-quantum key exchange leads the default");

        expect(ALGORITHMS_CIPHERS, "aes256-ctr,aes128-gcm@openssh.com", "aes256-ctr,aes128-gcm@openssh.com");
        expect(ALGORITHMS_CIPHERS, "+aes128-cbc", "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,"
               "aes256-gcm@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-cbc");
        expect(ALGORITHMS_CIPHERS, "-aes*-ctr,chacha20*", "aes128-gcm@openssh.com,aes256-gcm@openssh.com");
        expect(ALGORITHMS_CIPHERS, "^aes256-ctr", "aes256-ctr,chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,"
               "aes256-gcm@openssh.com,aes128-ctr,aes192-ctr");
        expect(ALGORITHMS_PUBKEY, "ssh-ed25519*", "ssh-ed25519-cert-v01@openssh.com,ssh-ed25519");
        expect(ALGORITHMS_MACS, "hmac-sha1,hmac-sha1", "hmac-sha1");
        refused(ALGORITHMS_CIPHERS, "aes*", "aes*");
        refused(ALGORITHMS_CIPHERS, "aes128-ctr,blowfish", "blowfish");
        refused(ALGORITHMS_KEX, "+diffie-hellman-group-exchange-sha256", "diffie-hellman-group-exchange-sha256");
        refused(ALGORITHMS_MACS, "umac-64-etm@openssh.com", "umac-64-etm@openssh.com");
        refused(ALGORITHMS_MACS, "-*", NULL);
        /* The MACs OpenSSH 9.2 (ssh -Q mac) has and libssh 0.12 has not, which is why OpenSSH's
         * try-ciphers.sh and integrity.sh fail (tests/regress/results.md): each is refused by name,
         * alone and in each list form, not dropped; every MAC libssh has is taken (the control). */
        static const char *const missing_macs[] = {
                "hmac-sha1-96", "hmac-md5", "hmac-md5-96", "umac-64@openssh.com", "umac-128@openssh.com",
                "hmac-sha1-96-etm@openssh.com", "hmac-md5-etm@openssh.com", "hmac-md5-96-etm@openssh.com",
                "umac-64-etm@openssh.com", "umac-128-etm@openssh.com",
        };
        for (size_t i = 0; i < ELEMENTSOF(missing_macs); i++) {
                char spec[128];
                refused(ALGORITHMS_MACS, missing_macs[i], missing_macs[i]);
                snprintf(spec, sizeof spec, "hmac-sha2-256,%s", missing_macs[i]);
                refused(ALGORITHMS_MACS, spec, missing_macs[i]);
                snprintf(spec, sizeof spec, "+%s", missing_macs[i]);
                refused(ALGORITHMS_MACS, spec, missing_macs[i]);
                snprintf(spec, sizeof spec, "^%s", missing_macs[i]);
                refused(ALGORITHMS_MACS, spec, missing_macs[i]);
        }
        static const char *const macs[] = {
                "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com",
                "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1",
        };
        for (size_t i = 0; i < ELEMENTSOF(macs); i++)
                expect(ALGORITHMS_MACS, macs[i], macs[i]);
        refused(ALGORITHMS_CIPHERS, "", "");
        CHECK(algorithm_class_by_keyword("pubkeyacceptedkeytypes") == ALGORITHMS_PUBKEY,
              "PubkeyAcceptedKeyTypes is PubkeyAcceptedAlgorithms");
        CHECK(algorithm_class_by_keyword("Port") == -ENOENT, "Port is no algorithm keyword");
        return test_summary();
}
