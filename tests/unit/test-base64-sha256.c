/* base64 (RFC 4648 vectors, strictness) and SHA-256 (FIPS 180-4 vectors), and OpenSSH fingerprints. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/fd-util.h"
#include "common/macro.h"
#include "common/sha256.h"
#include "test-helpers.h"

static void hex(const uint8_t *d, size_t n, char *out) {
        for (size_t i = 0; i < n; i++)
                sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_base64(void) {
        static const char *const vec[][2] = {
                { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
                { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
        };
        for (size_t i = 0; i < ELEMENTSOF(vec); i++) {
                _cleanup_free_ char *e = NULL;
                _cleanup_free_ uint8_t *d = NULL;
                size_t n = 0;
                CHECK(base64_encode((const uint8_t *) vec[i][0], strlen(vec[i][0]), true, &e) == 0 &&
                      streq(e, vec[i][1]), "encode \"%s\"", vec[i][0]);
                CHECK(base64_decode(vec[i][1], strlen(vec[i][1]), &d, &n) == 0 && n == strlen(vec[i][0]) &&
                      memcmp(d, vec[i][0], n) == 0, "decode \"%s\"", vec[i][1]);
        }
        static const char *const bad[] = { "Zg=", "Zg=a", "Z===", "Zh==", "Zm9=", "Zm9v!A==", "=Zm9", "Zm 9v" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                uint8_t *d = NULL;
                size_t n;
                CHECK(base64_decode(bad[i], strlen(bad[i]), &d, &n) < 0 && !d, "refuse \"%s\"", bad[i]);
        }
        _cleanup_free_ char *np = NULL;
        CHECK(base64_encode((const uint8_t *) "f", 1, false, &np) == 0 && streq(np, "Zg"), "encode without padding");
}

static void test_sha256(void) {
        static const char *const vec[][2] = {
                { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
                { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
                { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        };
        char out[65];
        uint8_t d[32];
        for (size_t i = 0; i < ELEMENTSOF(vec); i++) {
                sha256(vec[i][0], strlen(vec[i][0]), d);
                hex(d, 32, out);
                CHECK(streq(out, vec[i][1]), "sha256(\"%.10s...\")", vec[i][0]);
        }
        /* A million 'a's, fed in odd-sized pieces to exercise block boundaries. */
        Sha256 s;
        sha256_init(&s);
        char buf[997];
        memset(buf, 'a', sizeof buf);
        size_t left = 1000000;
        while (left) {
                size_t n = left < sizeof buf ? left : sizeof buf;
                sha256_update(&s, buf, n);
                left -= n;
        }
        sha256_final(&s, d);
        hex(d, 32, out);
        CHECK(streq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"), "sha256(1M x 'a')");
}

static void test_fingerprint(void) {
        const char *src = getenv("TEST_SRCDIR");
        char path[4096];
        snprintf(path, sizeof path, "%s/keys/ed25519.pub", src ? src : ".");
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *pub = NULL, *expect = NULL, *fp = NULL;
        CHECK(fd >= 0 && read_full_fd(fd, 65536, &pub, NULL) == 0, "read %s", path);
        snprintf(path, sizeof path, "%s/keys/ed25519.fp", src ? src : ".");
        _cleanup_close_ int fd2 = open(path, O_RDONLY | O_CLOEXEC);
        CHECK(fd2 >= 0 && read_full_fd(fd2, 65536, &expect, NULL) == 0, "read %s", path);
        if (!pub || !expect)
                return;
        expect[strcspn(expect, "\n")] = 0;
        char *b64 = strchr(pub, ' ') + 1;
        size_t len = strcspn(b64, " \n");
        _cleanup_free_ uint8_t *blob = NULL;
        size_t blen;
        CHECK(base64_decode(b64, len, &blob, &blen) == 0, "decode the key blob");
        CHECK(ssh_key_fingerprint(blob, blen, &fp) == 0 && streq(fp, expect),
              "fingerprint matches ssh-keygen -l: %s", fp ? fp : "(none)");
}

int main(void) {
        test_base64();
        test_sha256();
        test_fingerprint();
        return test_summary();
}
