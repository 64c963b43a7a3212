/* The monitor's SSH keys on libcrypto (monitor/ssh-key.c, monitor/pubkey-verify.c): host keys made
 * by ssh-keygen (OpenSSH format and PEM) load, their public blob is the .pub file's, each signs with
 * each of its algorithms and the signature verifies against the public blob alone; a flipped byte,
 * another algorithm, a malformed blob fail; the signed-data checker refuses every mismatched field.
 * Security keys (PROTOCOL.u2f): an sk- blob made from a plain key's (type name, application added),
 * and a signature made by that plain key over SHA256(application) || flags || counter ||
 * SHA256(message), verify and give back flags and counter; changed flags, counter, application or
 * message, a short counter, trailing bytes, the plain format and a blob without application fail. */

#include <errno.h>
#include <stdio.h>

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/fd-util.h"
#include "common/macro.h"
#include "monitor/hostkey-sign.h"
#include "monitor/pubkey-verify.h"
#include "monitor/ssh-key.h"
#include "test-helpers.h"
#include "test-keys.h"

static char tmpdir[] = "/tmp/test-ssh-key-XXXXXX";

static int keygen(const char *name, const char *type, const char *bits, bool pem) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "ssh-keygen -q -t %s %s%s -N '' -C '' %s -f %s/%s </dev/null", type,
                 bits ? "-b " : "", bits ? bits : "", pem ? "-m PEM" : "", tmpdir, name);
        return system(cmd) == 0 ? 0 : -EIO;
}

static int pub_blob(const char *name, uint8_t **ret, size_t *ret_len) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s.pub", tmpdir, name);
        return test_pub_file_blob(path, ret, ret_len);
}

static void test_type(const char *name, const char *type, const char *bits, bool pem, const char *const *algs) {
        CHECK(keygen(name, type, bits, pem) == 0, "%s: ssh-keygen made the key", name);
        char path[256];
        snprintf(path, sizeof path, "%s/%s", tmpdir, name);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        CHECK(read_full_file(path, 65536, &text, &len) == 0, "%s: read", name);
        SshKey *k = NULL;
        CHECK(text && ssh_key_load_private(text, len, &k) == 0 && k && k->private, "%s: loads", name);
        _cleanup_free_ uint8_t *blob = NULL;
        size_t blob_len = 0;
        CHECK(pub_blob(name, &blob, &blob_len) == 0, "%s: .pub decodes", name);
        if (!k || !blob)
                return;
        CHECK(k->blob_len == blob_len && memcmp(k->blob, blob, blob_len) == 0,
              "%s: its public blob is the .pub file's", name);
        SshKey *pub = NULL;
        CHECK(ssh_key_from_blob(blob, blob_len, 1024, &pub) == 0 && !pub->private && pub->type == k->type,
              "%s: the public blob parses alone", name);
        static const uint8_t data[] = "an exchange hash, say";
        for (size_t i = 0; algs[i]; i++) {
                uint8_t *sig = NULL;
                size_t sig_len = 0;
                CHECK(ssh_key_sign(k, algs[i], data, sizeof data, &sig, &sig_len) == 0, "%s: signs with %s",
                      name, algs[i]);
                if (!sig)
                        continue;
                CHECK(pub && ssh_key_verify(pub, algs[i], sig, sig_len, data, sizeof data, NULL) == 0,
                      "%s: the %s signature verifies with the public key", name, algs[i]);
                CHECK(pub && ssh_key_verify(pub, algs[i], sig, sig_len, data, sizeof data - 1, NULL) ==
                              -EKEYREJECTED, "%s: ... and not over other data", name);
                sig[sig_len - 1] ^= 1;
                CHECK(pub && ssh_key_verify(pub, algs[i], sig, sig_len, data, sizeof data, NULL) < 0,
                      "%s: a flipped byte fails", name);
                CHECK(pub && ssh_key_verify(pub, algs[i], sig, sig_len - 1, data, sizeof data, NULL) ==
                              -EBADMSG, "%s: a truncated blob is malformed", name);
                const char *other = streq(algs[i], "ssh-ed25519") ? "ssh-rsa" : "ssh-ed25519";
                CHECK(pub && ssh_key_verify(pub, other, sig, sig_len, data, sizeof data, NULL) == -EBADMSG,
                      "%s: another key type's algorithm is refused", name);
                free(sig);
        }
        /* One more byte after the blob's fields: refused. */
        _cleanup_free_ uint8_t *longer = malloc(blob_len + 1);
        memcpy(longer, blob, blob_len);
        longer[blob_len] = 0;
        SshKey *bad = NULL;
        CHECK(ssh_key_from_blob(longer, blob_len + 1, 0, &bad) == -EBADMSG && !bad,
              "%s: a trailing byte is refused", name);
        ssh_key_free(pub);
        ssh_key_free(k);
}

static void put(uint8_t **p, const void *d, size_t n) {
        (*p)[0] = (uint8_t) (n >> 24), (*p)[1] = (uint8_t) (n >> 16), (*p)[2] = (uint8_t) (n >> 8),
        (*p)[3] = (uint8_t) n;
        memcpy(*p + 4, d, n);
        *p += 4 + n;
}

/* A security key from a plain one: same key, the sk type name, the application after the fields. */
static size_t sk_blob_of(const SshKey *plain, const char *sk_alg, const char *application, uint8_t *out) {
        uint8_t *p = out;
        size_t tl = strlen(ssh_key_type_name(plain->type));
        put(&p, sk_alg, strlen(sk_alg));
        memcpy(p, plain->blob + 4 + tl, plain->blob_len - 4 - tl);
        p += plain->blob_len - 4 - tl;
        if (application)
                put(&p, application, strlen(application));
        return (size_t) (p - out);
}

/* The sk signature blob: `plain` signs the authenticator's message; `wire_flags`, `counter_len`,
 * `tail` make it wrong in the ways a forger would try. */
static size_t sk_sign(const SshKey *plain, const char *plain_alg, const char *sk_alg, const char *application,
                      uint8_t flags, uint32_t counter, const uint8_t *msg, size_t msg_len, uint8_t wire_flags,
                      size_t counter_len, size_t tail, uint8_t *out) {
        uint8_t m[69];
        SHA256((const uint8_t *) application, strlen(application), m);
        m[32] = flags;
        m[33] = (uint8_t) (counter >> 24), m[34] = (uint8_t) (counter >> 16), m[35] = (uint8_t) (counter >> 8);
        m[36] = (uint8_t) counter;
        SHA256(msg, msg_len, m + 37);
        _cleanup_free_ uint8_t *sig = NULL;
        size_t sig_len = 0;
        if (ssh_key_sign(plain, plain_alg, m, sizeof m, &sig, &sig_len) < 0)
                return 0;
        /* string plain_alg, string raw: keep raw */
        size_t skip = 4 + strlen(plain_alg);
        uint8_t *p = out;
        put(&p, sk_alg, strlen(sk_alg));
        memcpy(p, sig + skip, sig_len - skip);
        p += sig_len - skip;
        *p++ = wire_flags;
        uint8_t c[4] = { m[33], m[34], m[35], m[36] };
        memcpy(p, c, counter_len);
        p += counter_len;
        memset(p, 0, tail);
        p += tail;
        return (size_t) (p - out);
}

static void test_sk(const char *name, const char *plain_alg, const char *sk_alg) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", tmpdir, name);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        SshKey *plain = NULL;
        CHECK(read_full_file(path, 65536, &text, &len) == 0 && ssh_key_load_private(text, len, &plain) == 0,
              "%s: the plain key loads", name);
        if (!plain)
                return;
        uint8_t blob[512], other_app[512], no_app[512], sig[512];
        size_t blob_len = sk_blob_of(plain, sk_alg, "ssh:", blob);
        size_t other_len = sk_blob_of(plain, sk_alg, "ssh:other", other_app);
        size_t no_app_len = sk_blob_of(plain, sk_alg, NULL, no_app);
        SshKey *sk = NULL, *sk_other = NULL, *bad = NULL;
        CHECK(ssh_key_from_blob(blob, blob_len, 0, &sk) == 0 && ssh_key_type_is_sk(sk->type) &&
              streq(sk->sk_application, "ssh:") && sk->blob_len == blob_len, "%s: the %s blob parses", name,
              sk_alg);
        CHECK(ssh_key_from_blob(other_app, other_len, 0, &sk_other) == 0, "%s: ... with another application",
              name);
        CHECK(ssh_key_from_blob(no_app, no_app_len, 0, &bad) == -EBADMSG, "%s: a blob without application is "
              "malformed", name);
        uint8_t nul_app[512];
        size_t nul_len = sk_blob_of(plain, sk_alg, "ssh:", nul_app);
        nul_app[nul_len - 1] = 0;
        CHECK(ssh_key_from_blob(nul_app, nul_len, 0, &bad) == -EBADMSG, "%s: a NUL in the application is "
              "malformed", name);
        CHECK(ssh_key_algorithm_matches(sk, sk_alg) && !ssh_key_algorithm_matches(sk, plain_alg),
              "%s: only %s goes with it", name, sk_alg);
        static const uint8_t msg[] = "the signed data of a publickey request";
        SshSkSignature got = {};
        size_t n = sk_sign(plain, plain_alg, sk_alg, "ssh:", 0x05, 0x01020304, msg, sizeof msg, 0x05, 4, 0,
                           sig);
        CHECK(n > 0 && sk && ssh_key_verify(sk, sk_alg, sig, n, msg, sizeof msg, &got) == 0 &&
              got.flags == 0x05 && got.counter == 0x01020304,
              "%s: a good signature verifies, flags 0x%02x counter 0x%x", name, got.flags, got.counter);
        CHECK(sk && ssh_key_verify(sk, sk_alg, sig, n, msg, sizeof msg, NULL) == -EINVAL,
              "%s: an sk key's verification wants the flags' destination", name);
        CHECK(sk && ssh_key_verify(sk, sk_alg, sig, n, msg, sizeof msg - 1, &got) == -EKEYREJECTED,
              "%s: not over other data", name);
        CHECK(sk_other && ssh_key_verify(sk_other, sk_alg, sig, n, msg, sizeof msg, &got) == -EKEYREJECTED,
              "%s: not for another application", name);
        n = sk_sign(plain, plain_alg, sk_alg, "ssh:", 0x00, 7, msg, sizeof msg, 0x01, 4, 0, sig);
        CHECK(sk && ssh_key_verify(sk, sk_alg, sig, n, msg, sizeof msg, &got) == -EKEYREJECTED,
              "%s: flags changed after signing fail", name);
        n = sk_sign(plain, plain_alg, sk_alg, "ssh:", 0x01, 7, msg, sizeof msg, 0x01, 3, 0, sig);
        CHECK(sk && ssh_key_verify(sk, sk_alg, sig, n, msg, sizeof msg, &got) == -EBADMSG,
              "%s: a short counter is malformed", name);
        n = sk_sign(plain, plain_alg, sk_alg, "ssh:", 0x01, 7, msg, sizeof msg, 0x01, 4, 1, sig);
        CHECK(sk && ssh_key_verify(sk, sk_alg, sig, n, msg, sizeof msg, &got) == -EBADMSG,
              "%s: a trailing byte is malformed", name);
        n = sk_sign(plain, plain_alg, sk_alg, "ssh:", 0x01, 7, msg, sizeof msg, 0x01, 0, 0, sig);
        CHECK(sk && ssh_key_verify(sk, sk_alg, sig, n - 1, msg, sizeof msg, &got) == -EBADMSG,
              "%s: the plain format (no flags, no counter) is malformed", name);
        /* The plain key's own signature over the message, with the sk name: not what an sk key signs. */
        _cleanup_free_ uint8_t *psig = NULL;
        size_t plen = 0;
        CHECK(ssh_key_sign(plain, plain_alg, msg, sizeof msg, &psig, &plen) == 0, "%s: plain signature", name);
        CHECK(sk && ssh_key_verify(sk, plain_alg, psig, plen, msg, sizeof msg, &got) == -EBADMSG,
              "%s: a plain signature algorithm is refused", name);
        ssh_key_free(sk);
        ssh_key_free(sk_other);
        ssh_key_free(plain);
}

static void test_signed_data(void) {
        static const uint8_t sid[32] = { 7 }, other_sid[32] = { 8 }, key[] = "KEY", hostkey[] = "HOST";
        PubkeyExpect e = { .session_id = sid, .session_id_len = 32, .user = "alice", .service = "ssh-connection",
                           .key_blob = key, .key_blob_len = 3, .hostkey_blob = hostkey, .hostkey_blob_len = 4 };
        typedef struct Case {
                const char *what;
                const uint8_t *sid;
                const char *user, *service, *method;
                uint8_t type, flag;
                const char *alg;
                const uint8_t *key;
                size_t key_len;
                const char *host;
                int want;
        } Case;
        static const uint8_t kex[] = "KEX";
        const char *hb = PUBKEY_METHOD_HOSTBOUND, *conn = "ssh-connection";
        const Case cases[] = {
                { "good", sid, "alice", conn, "publickey", 50, 1, "ssh-ed25519", key, 3, NULL, 0 },
                { "host-bound", sid, "alice", conn, hb, 50, 1, "ssh-ed25519", key, 3, "HOST", 0 },
                { "another session", other_sid, "alice", conn, "publickey", 50, 1, "x", key, 3, NULL, -EPERM },
                { "another user", sid, "bob", conn, "publickey", 50, 1, "x", key, 3, NULL, -EPERM },
                { "another service", sid, "alice", "ssh-userauth", "publickey", 50, 1, "x", key, 3, NULL, -EPERM },
                { "another key", sid, "alice", conn, "publickey", 50, 1, "x", kex, 3, NULL, -EPERM },
                { "another host key", sid, "alice", conn, hb, 50, 1, "x", key, 3, "HOSX", -EPERM },
                { "another method", sid, "alice", conn, "password", 50, 1, "x", key, 3, NULL, -EBADMSG },
                { "another message", sid, "alice", conn, "publickey", 51, 1, "x", key, 3, NULL, -EBADMSG },
                { "no signature flag", sid, "alice", conn, "publickey", 50, 0, "x", key, 3, NULL, -EBADMSG },
                { "a trailing field", sid, "alice", conn, "publickey", 50, 1, "x", key, 3, "HOST", -EBADMSG },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                uint8_t buf[512], *p = buf;
                put(&p, cases[i].sid, 32);
                *p++ = cases[i].type;
                put(&p, cases[i].user, strlen(cases[i].user));
                put(&p, cases[i].service, strlen(cases[i].service));
                put(&p, cases[i].method, strlen(cases[i].method));
                *p++ = cases[i].flag;
                put(&p, cases[i].alg, strlen(cases[i].alg));
                put(&p, cases[i].key, cases[i].key_len);
                if (cases[i].host)
                        put(&p, cases[i].host, strlen(cases[i].host));
                char *alg = NULL;
                const char *what = NULL;
                int r = pubkey_signed_data_check(buf, (size_t) (p - buf), &e, &alg, &what);
                CHECK(r == cases[i].want, "signed data, %s: %d (want %d; %s)", cases[i].what, r, cases[i].want,
                      what ? what : "");
                free(alg);
        }
}

static void test_kex_hash_length(void) {
        static const struct { const char *kex; size_t len; } t[] = {
                { "curve25519-sha256", 32 }, { "curve25519-sha256@libssh.org", 32 },
                { "sntrup761x25519-sha512@openssh.com", 64 }, { "sntrup761x25519-sha512", 64 },
                { "mlkem768x25519-sha256", 32 }, { "ecdh-sha2-nistp256", 32 }, { "ecdh-sha2-nistp384", 48 },
                { "ecdh-sha2-nistp521", 64 }, { "diffie-hellman-group14-sha1", 20 },
                { "diffie-hellman-group16-sha512", 64 }, { "diffie-hellman-group-exchange-sha256", 32 },
                { "mlkem1024nistp384-sha384", 48 }, { "none", 0 }, { "ecdh-sha2-nistp999", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                CHECK(kex_hash_length(t[i].kex) == t[i].len, "kex %s hashes to %zu bytes", t[i].kex, t[i].len);
}

int main(void) {
        if (!mkdtemp(tmpdir)) {
                perror("mkdtemp");
                return 1;
        }
        test_type("ed25519", "ed25519", NULL, false, (const char *const[]) { "ssh-ed25519", NULL });
        test_type("ecdsa256", "ecdsa", "256", false, (const char *const[]) { "ecdsa-sha2-nistp256", NULL });
        test_type("ecdsa384", "ecdsa", "384", true, (const char *const[]) { "ecdsa-sha2-nistp384", NULL });
        test_type("ecdsa521", "ecdsa", "521", false, (const char *const[]) { "ecdsa-sha2-nistp521", NULL });
        test_type("rsa", "rsa", "2048", false,
                  (const char *const[]) { "rsa-sha2-256", "rsa-sha2-512", "ssh-rsa", NULL });
        test_type("rsa-pem", "rsa", "2048", true, (const char *const[]) { "rsa-sha2-512", NULL });
        test_sk("ed25519", "ssh-ed25519", "sk-ssh-ed25519@openssh.com");
        test_sk("ecdsa256", "ecdsa-sha2-nistp256", "sk-ecdsa-sha2-nistp256@openssh.com");
        test_signed_data();
        test_kex_hash_length();
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
                fprintf(stderr, "could not remove %s\n", tmpdir);
        return test_summary();
}
