/* base64 (RFC 4648 §10 vectors, strictness), SHA-256 (FIPS 180-4 / NIST example vectors, block
 * boundaries, streaming) and OpenSSH fingerprints of real keys (expected values from
 * `ssh-keygen -l -E sha256 -f`, stored next to each key as NAME.fp). */

#include <errno.h>
#include <fcntl.h>
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

static void test_base64_vectors(void) {
        /* RFC 4648 §10 */
        static const char *const vec[][2] = {
                { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
                { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
        };
        for (size_t i = 0; i < ELEMENTSOF(vec); i++) {
                _cleanup_free_ char *e = NULL;
                _cleanup_free_ uint8_t *d = NULL;
                size_t n = 0;
                CHECK(base64_encode((const uint8_t *) vec[i][0], strlen(vec[i][0]), true, &e) == 0 &&
                      streq(e, vec[i][1]), "encode \"%s\" -> \"%s\"", vec[i][0], vec[i][1]);
                CHECK(base64_decode(vec[i][1], strlen(vec[i][1]), &d, &n) == 0 && n == strlen(vec[i][0]) &&
                      memcmp(d, vec[i][0], n) == 0 && d[n] == 0, "decode \"%s\"", vec[i][1]);
        }

        static const char *const unpadded[][2] = {
                { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg" },
        };
        for (size_t i = 0; i < ELEMENTSOF(unpadded); i++) {
                _cleanup_free_ char *e = NULL;
                CHECK(base64_encode((const uint8_t *) unpadded[i][0], strlen(unpadded[i][0]), false, &e) == 0 &&
                      streq(e, unpadded[i][1]), "encode \"%s\" without padding -> \"%s\"", unpadded[i][0],
                      unpadded[i][1]);
        }

        /* Every byte value, every length 0..258: encode then decode gives the input back. */
        uint8_t all[259];
        for (size_t i = 0; i < sizeof all; i++)
                all[i] = (uint8_t) (255 - i);
        bool ok = true;
        for (size_t len = 0; len <= sizeof all && ok; len++) {
                _cleanup_free_ char *e = NULL;
                _cleanup_free_ uint8_t *d = NULL;
                size_t n = 0;
                ok = base64_encode(all, len, true, &e) == 0 && strlen(e) == (len + 2) / 3 * 4 &&
                        base64_decode(e, strlen(e), &d, &n) == 0 && n == len && memcmp(d, all, len) == 0;
        }
        CHECK(ok, "encode/decode round trip of every byte value at lengths 0..259");

        /* Decoding uses the length given, not a NUL terminator. */
        _cleanup_free_ uint8_t *d = NULL;
        size_t n = 0;
        CHECK(base64_decode("Zm9vYmFyJUNK", 8, &d, &n) == 0 && n == 6 && memcmp(d, "foobar", 6) == 0,
              "decode stops at the given length");
}

static void test_base64_strict(void) {
        static const struct {
                const char *in;
                size_t len;
                const char *why;
        } bad[] = {
                { "Zg=", 3, "length not a multiple of 4" },
                { "Zg", 2, "missing padding" },
                { "Zm9vY", 5, "one character too many" },
                { "Zg=a", 4, "data after padding" },
                { "Z===", 4, "three padding characters" },
                { "====", 4, "only padding" },
                { "Zg==Zg==", 8, "padding in the middle" },
                { "Zh==", 4, "non-zero bits dropped by padding (2)" },
                { "Zm9=", 4, "non-zero bits dropped by padding (1)" },
                { "Zm9v!A==", 8, "a character outside the alphabet" },
                { "=Zm9", 4, "padding first" },
                { "Zm 9v", 5, "a space" },
                { "Zm9v\nZm9v", 9, "a line break" },
                { "Zm9v\tZm9", 8, "a tab" },
                { "Zm-_", 4, "the URL-safe alphabet" },
                { "Zm9\0", 4, "a NUL byte" },
                { "Zm9v\xc3\xa9Zg", 8, "a non-ASCII byte" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                uint8_t *d = NULL;
                size_t n = 4242;
                CHECK(base64_decode(bad[i].in, bad[i].len, &d, &n) == -EINVAL && !d && n == 4242,
                      "refuse %s, outputs untouched", bad[i].why);
        }
}

static void test_sha256(void) {
        static const char *const vec[][2] = {
                { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
                { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
                { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
                { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                  "mnopqrstnopqrstu",
                  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
        };
        char out[2 * SHA256_DIGEST_SIZE + 1];
        uint8_t d[SHA256_DIGEST_SIZE];
        for (size_t i = 0; i < ELEMENTSOF(vec); i++) {
                sha256_digest(vec[i][0], strlen(vec[i][0]), d);
                hex(d, sizeof d, out);
                CHECK(streq(out, vec[i][1]), "sha256 of the %zu-byte FIPS vector \"%.8s...\"", strlen(vec[i][0]),
                      vec[i][0]);
        }

        /* Lengths around the padding boundaries (55 fits one block, 56 needs two); values from sha256sum. */
        static const struct {
                size_t n;
                const char *hex;
        } as[] = {
                { 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
                { 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
                { 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
                { 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
                { 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
                { 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
                { 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
        };
        char a[128];
        memset(a, 'a', sizeof a);
        for (size_t i = 0; i < ELEMENTSOF(as); i++) {
                sha256_digest(a, as[i].n, d);
                hex(d, sizeof d, out);
                CHECK(streq(out, as[i].hex), "sha256 of %zu 'a's (block boundary)", as[i].n);

                /* The same through update() one byte at a time. */
                Sha256 s;
                sha256_ctx_init(&s);
                for (size_t k = 0; k < as[i].n; k++)
                        sha256_ctx_update(&s, a + k, 1);
                sha256_ctx_final(&s, d);
                hex(d, sizeof d, out);
                CHECK(streq(out, as[i].hex), "sha256 of %zu 'a's fed byte by byte", as[i].n);
        }

        /* FIPS 180-2 appendix B.3: a million 'a's, fed in odd-sized pieces across block boundaries. */
        Sha256 s;
        sha256_ctx_init(&s);
        char buf[997];
        memset(buf, 'a', sizeof buf);
        for (size_t left = 1000000; left > 0; ) {
                size_t k = MIN(left, sizeof buf);
                sha256_ctx_update(&s, buf, k);
                left -= k;
        }
        sha256_ctx_final(&s, d);
        hex(d, sizeof d, out);
        CHECK(streq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
              "sha256 of a million 'a's");
}

/* Read SRCDIR/name, NUL-terminated, or NULL. */
static char *read_fixture(const char *name) {
        const char *src = getenv("TEST_SRCDIR") ?: ".";
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", src, name) < 0)
                return NULL;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        char *data = NULL;
        if (fd < 0 || read_full_fd(fd, 65536, &data, NULL) < 0)
                return NULL;
        return data;
}

static void test_fingerprint(const char *key) {
        _cleanup_free_ char *pub_name = NULL, *fp_name = NULL;
        CHECK(asprintf(&pub_name, "%s.pub", key) >= 0 && asprintf(&fp_name, "%s.fp", key) >= 0, "names for %s", key);
        _cleanup_free_ char *pub = read_fixture(pub_name), *expect = read_fixture(fp_name);
        CHECK(pub && expect, "read %s and %s (TEST_SRCDIR)", pub_name, fp_name);
        if (!pub || !expect)
                return;
        expect[strcspn(expect, "\n")] = '\0';

        /* "type base64 comment" */
        char *b64 = strchr(pub, ' ');
        CHECK(b64 != NULL, "%s has a key field", pub_name);
        if (!b64)
                return;
        b64++;
        _cleanup_free_ uint8_t *blob = NULL;
        _cleanup_free_ char *fp = NULL;
        size_t blen = 0;
        CHECK(base64_decode(b64, strcspn(b64, " \n"), &blob, &blen) == 0, "decode the %s key blob", key);
        CHECK(blob && ssh_key_fingerprint(blob, blen, &fp) == 0 && streq(fp, expect),
              "fingerprint of %s is ssh-keygen's %s (got %s)", key, expect, fp ?: "(none)");
}

int main(void) {
        int fd_before = lowest_free_fd();

        test_base64_vectors();
        test_base64_strict();
        test_sha256();
        test_fingerprint("keys/ed25519");
        test_fingerprint("authkeys/ecdsa");
        test_fingerprint("authkeys/rsa");

        CHECK(lowest_free_fd() == fd_before, "no file descriptor leaked");
        return test_summary();
}
