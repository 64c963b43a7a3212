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
        char *got = NULL, *bad = NULL, *ignored = NULL;
        int r = algorithms_assemble(cls, spec, &got, &bad, &ignored);
        CHECK(r == 0 && got && streq(got, want) && !ignored, "\"%s\" gives %s, nothing ignored (got %s, ignored %s)",
              spec, want, got ?: "an error", ignored ?: "nothing");
        free(got);
        free(bad);
        free(ignored);
}

/* Loads, without the names OpenSSH knows and privsshd does not offer, which are named. */
static void expect_ignoring(AlgorithmClass cls, const char *spec, const char *want, const char *ignored_want) {
        char *got = NULL, *bad = NULL, *ignored = NULL;
        int r = algorithms_assemble(cls, spec, &got, &bad, &ignored);
        CHECK(r == 0 && got && streq(got, want) && ignored && streq(ignored, ignored_want),
              "\"%s\" gives %s, ignoring %s (got %s, ignored %s)", spec, want, ignored_want, got ?: "an error",
              ignored ?: "nothing");
        free(got);
        free(bad);
        free(ignored);
}

static void refused(AlgorithmClass cls, const char *spec, const char *bad_want) {
        char *got = NULL, *bad = NULL, *ignored = NULL;
        int r = algorithms_assemble(cls, spec, &got, &bad, &ignored);
        CHECK(r == -EINVAL && !got && (bad_want ? bad && streq(bad, bad_want) : !bad),
              "\"%s\" is refused, naming %s", spec, bad_want ?: "an empty list");
        free(got);
        free(bad);
        free(ignored);
}

/* Refused as an empty list once the names not offered (ignored_want) are left out. */
static void refused_empty(AlgorithmClass cls, const char *spec, const char *ignored_want) {
        char *got = NULL, *bad = NULL, *ignored = NULL;
        int r = algorithms_assemble(cls, spec, &got, &bad, &ignored);
        CHECK(r == -EINVAL && !got && !bad && ignored && streq(ignored, ignored_want),
              "\"%s\" is refused as empty after leaving out %s (ignored %s)", spec, ignored_want,
              ignored ?: "nothing");
        free(got);
        free(bad);
        free(ignored);
}

/* The names `ssh -Q what` prints, comma-separated (malloc'd), or NULL without an OpenSSH client. */
static char *ssh_query(const char *what) {
        char cmd[128], line[256];
        snprintf(cmd, sizeof cmd, "ssh -Q %s 2>/dev/null", what);
        FILE *p = popen(cmd, "r");
        if (!p)
                return NULL;
        char *out = calloc(1, 8192);
        size_t used = 0;
        while (out && fgets(line, sizeof line, p)) {
                line[strcspn(line, "\n")] = '\0';
                if (line[0] && used + strlen(line) + 2 < 8192)
                        used += (size_t) sprintf(out + used, "%s%s", used ? "," : "", line);
        }
        if (pclose(p) != 0 || (out && !out[0])) {
                free(out);
                return NULL;
        }
        return out;
}

/* The table of names OpenSSH knows and privsshd does not offer, against the OpenSSH client here
 * (9.2 on the CI image) and libssh: exactly what `ssh -Q` lists beyond our supported names, and none
 * that libssh has. */
static void test_not_offered_table(void) {
        static const struct {
                AlgorithmClass cls;
                const char *query;
        } queries[] = {
                { ALGORITHMS_KEX, "kex" },
                { ALGORITHMS_CIPHERS, "cipher" },
                { ALGORITHMS_MACS, "mac" },
                { ALGORITHMS_HOSTKEY, "HostKeyAlgorithms" },
                { ALGORITHMS_PUBKEY, "PubkeyAcceptedAlgorithms" },
                { ALGORITHMS_CA_SIGNATURE, "sig" },
        };
        for (size_t i = 0; i < ELEMENTSOF(queries); i++) {
                AlgorithmClass c = queries[i].cls;
                const char *no = algorithms_not_offered(c);
                char *copy = strdup(no), *save = NULL;
                bool disjoint = copy != NULL;
                for (char *e = copy ? strtok_r(copy, ",", &save) : NULL; e; e = strtok_r(NULL, ",", &save))
                        disjoint = disjoint && !algorithms_list_contains(algorithms_supported(c), e);
                free(copy);
                CHECK(disjoint, "class %d: no name privsshd does not offer is a supported one", (int) c);

                char *openssh = ssh_query(queries[i].query);
                CHECK(openssh != NULL, "ssh -Q %s answers", queries[i].query);
                if (!openssh)
                        continue;
                /* Every name OpenSSH lists is supported or in the table; every table name is OpenSSH's. */
                bool covered = true;
                copy = strdup(openssh);
                save = NULL;
                for (char *e = copy ? strtok_r(copy, ",", &save) : NULL; e; e = strtok_r(NULL, ",", &save)) {
                        bool known = algorithms_list_contains(algorithms_supported(c), e) ||
                                algorithms_list_contains(no, e);
                        if (!known)
                                printf("# ssh -Q %s: %s is neither supported nor in the table\n", queries[i].query, e);
                        covered = covered && known;
                }
                free(copy);
                CHECK(covered, "class %d: every name of ssh -Q %s is supported or known not offered", (int) c,
                      queries[i].query);
                CHECK(subset(no, openssh), "class %d: every name in the not-offered table is OpenSSH's (ssh -Q %s)",
                      (int) c, queries[i].query);
                free(openssh);
        }
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
        refused(ALGORITHMS_MACS, "-*", NULL);
        refused(ALGORITHMS_MACS, "hmac-sha2-256,umac-65@openssh.com", "umac-65@openssh.com");
        refused(ALGORITHMS_PUBKEY, "+ssh-dsa", "ssh-dsa");
        refused(ALGORITHMS_PUBKEY, "+ssh-dss*x", "ssh-dss*x");
        refused(ALGORITHMS_CA_SIGNATURE, "ssh-dss-cert-v01@openssh.com", "ssh-dss-cert-v01@openssh.com");
        refused(ALGORITHMS_KEX, "diffie-hellman-group-exchange-*", "diffie-hellman-group-exchange-*");

        /* Names OpenSSH knows and our libssh has not are left out with their names handed back, in each
         * list form; a list left with nothing is still refused. The names beside them are taken (the
         * control: the name is ignored, not the line). */
        const char *kex_default = algorithms_default(ALGORITHMS_KEX);
        const char *mac_default = algorithms_default(ALGORITHMS_MACS);
        const char *pk_default = algorithms_default(ALGORITHMS_PUBKEY);
        expect_ignoring(ALGORITHMS_KEX, "+diffie-hellman-group-exchange-sha256", kex_default,
                        "diffie-hellman-group-exchange-sha256");
        expect_ignoring(ALGORITHMS_KEX, "curve25519-sha256,diffie-hellman-group-exchange-sha1", "curve25519-sha256",
                        "diffie-hellman-group-exchange-sha1");
        refused_empty(ALGORITHMS_KEX, "diffie-hellman-group-exchange-sha1,diffie-hellman-group-exchange-sha256",
                      "diffie-hellman-group-exchange-sha1,diffie-hellman-group-exchange-sha256");
        expect_ignoring(ALGORITHMS_PUBKEY, "+ssh-dss", pk_default, "ssh-dss");
        expect_ignoring(ALGORITHMS_PUBKEY, "^ssh-dss,ssh-rsa", "ssh-rsa,ssh-ed25519-cert-v01@openssh.com,"
                        "ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,"
                        "ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,"
                        "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,"
                        "rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,"
                        "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,"
                        "sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256", "ssh-dss");
        expect_ignoring(ALGORITHMS_PUBKEY, "ssh-dss*,ssh-ed25519", "ssh-ed25519", "ssh-dss*");
        expect_ignoring(ALGORITHMS_HOSTKEY, "webauthn-sk-ecdsa-sha2-nistp256@openssh.com,ssh-dss-cert-v01@openssh.com,"
                        "rsa-sha2-256", "rsa-sha2-256",
                        "webauthn-sk-ecdsa-sha2-nistp256@openssh.com,ssh-dss-cert-v01@openssh.com");
        expect_ignoring(ALGORITHMS_CA_SIGNATURE, "ssh-ed25519,ssh-dss", "ssh-ed25519", "ssh-dss");
        refused_empty(ALGORITHMS_PUBKEY, "ssh-dss", "ssh-dss");
        expect(ALGORITHMS_PUBKEY, "-ssh-dss", pk_default);
        /* The MACs OpenSSH 9.2 (ssh -Q mac) has and libssh 0.12 has not, which is why OpenSSH's
         * try-ciphers.sh and integrity.sh fail (tests/regress/results.md): each is left out by name,
         * in each list form, a list of it alone is refused; every MAC libssh has is taken (the control). */
        static const char *const missing_macs[] = {
                "hmac-sha1-96", "hmac-md5", "hmac-md5-96", "umac-64@openssh.com", "umac-128@openssh.com",
                "hmac-sha1-96-etm@openssh.com", "hmac-md5-etm@openssh.com", "hmac-md5-96-etm@openssh.com",
                "umac-64-etm@openssh.com", "umac-128-etm@openssh.com",
        };
        for (size_t i = 0; i < ELEMENTSOF(missing_macs); i++) {
                char spec[128];
                refused_empty(ALGORITHMS_MACS, missing_macs[i], missing_macs[i]);
                snprintf(spec, sizeof spec, "hmac-sha2-256,%s", missing_macs[i]);
                expect_ignoring(ALGORITHMS_MACS, spec, "hmac-sha2-256", missing_macs[i]);
                snprintf(spec, sizeof spec, "+%s", missing_macs[i]);
                expect_ignoring(ALGORITHMS_MACS, spec, mac_default, missing_macs[i]);
                snprintf(spec, sizeof spec, "^%s", missing_macs[i]);
                expect_ignoring(ALGORITHMS_MACS, spec, mac_default, missing_macs[i]);
        }
        static const char *const macs[] = {
                "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com",
                "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1",
        };
        for (size_t i = 0; i < ELEMENTSOF(macs); i++)
                expect(ALGORITHMS_MACS, macs[i], macs[i]);
        test_not_offered_table();
        refused(ALGORITHMS_CIPHERS, "", "");
        CHECK(algorithm_class_by_keyword("pubkeyacceptedkeytypes") == ALGORITHMS_PUBKEY,
              "PubkeyAcceptedKeyTypes is PubkeyAcceptedAlgorithms");
        CHECK(algorithm_class_by_keyword("Port") == -ENOENT, "Port is no algorithm keyword");
        return test_summary();
}
