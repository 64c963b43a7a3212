/* See ssh-key.h. Every parser here reads attacker-controlled or file bytes through common/wire.h's
 * bounds-checked reader and accepts exactly one encoding of each field (no trailing bytes, minimal
 * non-negative mpints). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "common/base64.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/wire.h"
#include "monitor/ssh-key.h"

#define KEY_MAX_FIELD 4096u     /* one field of a key: an RSA-16384 modulus is 2049 bytes */
#define KEY_MAX_BLOB 16384u     /* AUTH_MAX_KEY_BLOB */
#define KEY_MAX_APPLICATION 256u        /* a security key's application: "ssh:" and a little more */

static const struct {
        const char *name;       /* in the blob */
        const char *curve;      /* SSH curve identifier */
        const char *group;      /* OpenSSL group name */
        size_t point_len;       /* uncompressed point */
} types[_SSH_KEY_TYPE_MAX] = {
        [SSH_KEY_ED25519] = { "ssh-ed25519", NULL, NULL, 32 },
        [SSH_KEY_ECDSA_P256] = { "ecdsa-sha2-nistp256", "nistp256", "prime256v1", 65 },
        [SSH_KEY_ECDSA_P384] = { "ecdsa-sha2-nistp384", "nistp384", "secp384r1", 97 },
        [SSH_KEY_ECDSA_P521] = { "ecdsa-sha2-nistp521", "nistp521", "secp521r1", 133 },
        [SSH_KEY_RSA] = { "ssh-rsa", NULL, NULL, 0 },
        [SSH_KEY_SK_ED25519] = { "sk-ssh-ed25519@openssh.com", NULL, NULL, 32 },
        [SSH_KEY_SK_ECDSA_P256] = { "sk-ecdsa-sha2-nistp256@openssh.com", "nistp256", "prime256v1", 65 },
};

const char *ssh_key_type_name(SshKeyType t) {
        return t < _SSH_KEY_TYPE_MAX ? types[t].name : NULL;
}

static int type_from_name(const uint8_t *name, size_t len, SshKeyType *ret) {
        for (SshKeyType t = 0; t < _SSH_KEY_TYPE_MAX; t++)
                if (strlen(types[t].name) == len && memcmp(types[t].name, name, len) == 0) {
                        *ret = t;
                        return 0;
                }
        return -EPROTONOSUPPORT;
}

SshKey *ssh_key_free(SshKey *k) {
        if (!k)
                return NULL;
        EVP_PKEY_free(k->pkey);
        free(k->blob);
        free(k->sk_application);
        free(k);
        return NULL;
}

DEFINE_CLEANUP_FUNC(bn_freep, BIGNUM *, BN_clear_free)
DEFINE_CLEANUP_FUNC(pkey_freep, EVP_PKEY *, EVP_PKEY_free)
DEFINE_CLEANUP_FUNC(pctx_freep, EVP_PKEY_CTX *, EVP_PKEY_CTX_free)
DEFINE_CLEANUP_FUNC(mdctx_freep, EVP_MD_CTX *, EVP_MD_CTX_free)
DEFINE_CLEANUP_FUNC(bld_freep, OSSL_PARAM_BLD *, OSSL_PARAM_BLD_free)
DEFINE_CLEANUP_FUNC(params_freep, OSSL_PARAM *, OSSL_PARAM_free)
DEFINE_CLEANUP_FUNC(bnctx_freep, BN_CTX *, BN_CTX_free)
DEFINE_CLEANUP_FUNC(ecsig_freep, ECDSA_SIG *, ECDSA_SIG_free)

/* An mpint that must be positive and minimally encoded (RFC 4251 §5). */
static int get_mpint(WireReader *r, BIGNUM **ret) {
        const uint8_t *p;
        size_t n;
        int e = wire_get_blob_ref(r, KEY_MAX_FIELD, &p, &n);
        if (e < 0)
                return e;
        if (n == 0 || (p[0] & 0x80) || (p[0] == 0 && (n == 1 || !(p[1] & 0x80))))
                return -EBADMSG;
        BIGNUM *b = BN_bin2bn(p, (int) n, NULL);
        if (!b)
                return -ENOMEM;
        *ret = b;
        return 0;
}

static int put_mpint(WireWriter *w, const BIGNUM *b) {
        int n = BN_num_bytes(b);
        if (n <= 0 || n > (int) KEY_MAX_FIELD)
                return -EINVAL;
        _cleanup_erase_free_ uint8_t *buf = malloc((size_t) n + 1);
        if (!buf)
                return -ENOMEM;
        buf[0] = 0;
        BN_bn2bin(b, buf + 1);
        bool pad = buf[1] & 0x80;
        return wire_put_blob(w, pad ? buf : buf + 1, (size_t) n + pad);
}

/* What w holds goes to the caller, unless r (the result of the writes) or w failed: then it is wiped and
 * freed, and the failure returned. */
static int writer_finish(WireWriter *w, int r, uint8_t **ret, size_t *ret_len) {
        if (r >= 0 && w->error < 0)
                r = w->error;
        if (r < 0) {
                wire_writer_done(w);
                return r;
        }
        *ret = TAKE_PTR(w->data);
        *ret_len = w->size;
        return 0;
}

static bool blob_is(const uint8_t *p, size_t n, const char *s) {
        return n == strlen(s) && memcmp(p, s, n) == 0;
}

/* EVP_PKEY from OSSL parameters built by `bld`. */
static int pkey_fromdata(const char *alg, OSSL_PARAM_BLD *bld, int selection, EVP_PKEY **ret) {
        _cleanup_(params_freep) OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
        _cleanup_(pctx_freep) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
        if (!params || !ctx)
                return -ENOMEM;
        EVP_PKEY *pkey = NULL;
        if (EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
                return -EBADMSG;
        /* A public point off the curve, an even RSA modulus: not a key. */
        _cleanup_(pctx_freep) EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        if (!check || EVP_PKEY_public_check(check) <= 0) {
                EVP_PKEY_free(pkey);
                return -EBADMSG;
        }
        *ret = pkey;
        return 0;
}

/* The public key blob of an EVP_PKEY of type t (and, for a security key, its application). */
static int make_blob(SshKeyType t, EVP_PKEY *pkey, const char *application, uint8_t **ret, size_t *ret_len) {
        WireWriter w = wire_writer(KEY_MAX_BLOB);
        uint8_t buf[256];
        size_t n = 0;
        int r = wire_put_string(&w, types[t].name);
        if (t == SSH_KEY_ED25519 || t == SSH_KEY_SK_ED25519) {
                n = sizeof buf;
                if (EVP_PKEY_get_raw_public_key(pkey, buf, &n) <= 0 || n != 32)
                        r = -EINVAL;
                else
                        r = wire_put_blob(&w, buf, n);
        } else if (t == SSH_KEY_RSA) {
                _cleanup_(bn_freep) BIGNUM *nn = NULL, *e = NULL;
                if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &nn) <= 0 ||
                    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) <= 0)
                        r = -EINVAL;
                else if ((r = put_mpint(&w, e)) >= 0)
                        r = put_mpint(&w, nn);
        } else {
                if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof buf, &n) <= 0 ||
                    n != types[t].point_len)
                        r = -EINVAL;
                else if ((r = wire_put_string(&w, types[t].curve)) >= 0)
                        r = wire_put_blob(&w, buf, n);
        }
        if (r >= 0 && ssh_key_type_is_sk(t))
                r = application ? wire_put_string(&w, application) : -EINVAL;
        return writer_finish(&w, r, ret, ret_len);
}

static int key_new(SshKeyType t, EVP_PKEY **pkey, bool private, char **application, SshKey **ret) {
        _cleanup_(ssh_key_freep) SshKey *k = calloc(1, sizeof *k);
        if (!k)
                return -ENOMEM;
        k->type = t;
        k->private = private;
        k->pkey = TAKE_PTR(*pkey);
        if (application)
                k->sk_application = TAKE_PTR(*application);
        int r = make_blob(t, k->pkey, k->sk_application, &k->blob, &k->blob_len);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(k);
        return 0;
}

/* The fields after the type name, for a public key (blob) or an OpenSSH private key section. */
static int read_key_fields(WireReader *r, SshKeyType t, bool private, unsigned min_rsa_bits, EVP_PKEY **ret) {
        _cleanup_(bld_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        if (!bld)
                return -ENOMEM;
        const uint8_t *p;
        size_t n;
        int e;
        if (t == SSH_KEY_ED25519 || t == SSH_KEY_SK_ED25519) {
                const uint8_t *sk = NULL;
                size_t skn = 0;
                if ((e = wire_get_blob_ref(r, 32, &p, &n)) < 0)
                        return e;
                if (n != 32)
                        return -EBADMSG;
                if (private) {
                        /* seed || public key */
                        if ((e = wire_get_blob_ref(r, 64, &sk, &skn)) < 0)
                                return e;
                        if (skn != 64 || memcmp(sk + 32, p, 32) != 0)
                                return -EBADMSG;
                }
                EVP_PKEY *k = private ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk, 32) :
                                        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, p, 32);
                if (!k)
                        return -EBADMSG;
                *ret = k;
                return 0;
        }
        if (t == SSH_KEY_RSA) {
                _cleanup_(bn_freep) BIGNUM *nn = NULL, *ee = NULL, *d = NULL, *iqmp = NULL, *pp = NULL,
                                           *q = NULL, *dmp1 = NULL, *dmq1 = NULL, *tmp = NULL;
                if (private) {  /* n, e, d, iqmp, p, q */
                        if ((e = get_mpint(r, &nn)) < 0 || (e = get_mpint(r, &ee)) < 0 ||
                            (e = get_mpint(r, &d)) < 0 || (e = get_mpint(r, &iqmp)) < 0 ||
                            (e = get_mpint(r, &pp)) < 0 || (e = get_mpint(r, &q)) < 0)
                                return e;
                } else if ((e = get_mpint(r, &ee)) < 0 || (e = get_mpint(r, &nn)) < 0)
                        return e;
                if ((unsigned) BN_num_bits(nn) < min_rsa_bits || BN_num_bits(nn) > 16384)
                        return -EKEYREJECTED;
                if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, nn) ||
                    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, ee))
                        return -ENOMEM;
                if (private) {
                        /* OpenSSH stores no CRT exponents: d mod (p-1), d mod (q-1). */
                        _cleanup_(bnctx_freep) BN_CTX *bnc = BN_CTX_new();
                        dmp1 = BN_new();
                        dmq1 = BN_new();
                        tmp = BN_new();
                        if (!bnc || !dmp1 || !dmq1 || !tmp)
                                return -ENOMEM;
                        if (!BN_sub(tmp, pp, BN_value_one()) || !BN_mod(dmp1, d, tmp, bnc) ||
                            !BN_sub(tmp, q, BN_value_one()) || !BN_mod(dmq1, d, tmp, bnc))
                                return -EBADMSG;
                        if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) ||
                            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, pp) ||
                            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) ||
                            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1) ||
                            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1) ||
                            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp))
                                return -ENOMEM;
                }
                return pkey_fromdata("RSA", bld, private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, ret);
        }
        /* ECDSA: curve identifier, Q[, d] */
        _cleanup_(bn_freep) BIGNUM *d = NULL;
        if ((e = wire_get_blob_ref(r, 32, &p, &n)) < 0)
                return e;
        if (!blob_is(p, n, types[t].curve))
                return -EBADMSG;
        if ((e = wire_get_blob_ref(r, 256, &p, &n)) < 0)
                return e;
        if (n != types[t].point_len || p[0] != 0x04)
                return -EBADMSG;
        if (private && (e = get_mpint(r, &d)) < 0)
                return e;
        if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, types[t].group, 0) ||
            !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, p, n) ||
            (private && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)))
                return -ENOMEM;
        return pkey_fromdata("EC", bld, private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, ret);
}

int ssh_key_from_blob(const uint8_t *blob, size_t len, unsigned min_rsa_bits, SshKey **ret) {
        WireReader r = wire_reader(blob, len);
        const uint8_t *name;
        size_t n;
        SshKeyType t;
        int e = wire_get_blob_ref(&r, 64, &name, &n);
        if (e < 0)
                return -EBADMSG;
        if ((e = type_from_name(name, n, &t)) < 0)
                return e;
        _cleanup_(pkey_freep) EVP_PKEY *pkey = NULL;
        if ((e = read_key_fields(&r, t, false, min_rsa_bits, &pkey)) < 0)
                return e;
        /* A security key's blob ends with its application (PROTOCOL.u2f): the authenticator signs
         * its hash, so the verifier needs it; no NUL inside, as it is a string to OpenSSH too. */
        _cleanup_free_ char *application = NULL;
        if (ssh_key_type_is_sk(t) && (e = wire_get_string(&r, KEY_MAX_APPLICATION, &application)) < 0)
                return e == -ENOMEM ? e : -EBADMSG;
        if (wire_end(&r) < 0)
                return -EBADMSG;
        _cleanup_(ssh_key_freep) SshKey *k = NULL;
        if ((e = key_new(t, &pkey, false, &application, &k)) < 0)
                return e;
        /* The blob we would write is the blob we were given: one encoding per key. */
        if (k->blob_len != len || memcmp(k->blob, blob, len) != 0)
                return -EBADMSG;
        *ret = TAKE_PTR(k);
        return 0;
}

#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----"
#define OPENSSH_MAGIC "openssh-key-v1"

/* OpenSSH's private key format (PROTOCOL.key), unencrypted only: a host key has no passphrase. */
static int load_openssh(const char *text, size_t len, SshKey **ret) {
        const char *b = memmem(text, len, OPENSSH_BEGIN, strlen(OPENSSH_BEGIN));
        const char *end = b ? memmem(b, len - (size_t) (b - text), OPENSSH_END, strlen(OPENSSH_END)) : NULL;
        if (!end)
                return -EINVAL;
        b += strlen(OPENSSH_BEGIN);
        _cleanup_erase_free_ char *b64 = malloc((size_t) (end - b) + 1);
        if (!b64)
                return -ENOMEM;
        size_t n = 0;
        for (const char *c = b; c < end; c++)
                if (*c != '\n' && *c != '\r' && *c != ' ' && *c != '\t')
                        b64[n++] = *c;
        _cleanup_erase_free_ uint8_t *raw = NULL;
        size_t raw_len = 0;
        int e = base64_decode(b64, n, &raw, &raw_len);
        erase_buf(b64, n);
        if (e < 0)
                return -EINVAL;
        size_t ml = strlen(OPENSSH_MAGIC) + 1;
        if (raw_len < ml || memcmp(raw, OPENSSH_MAGIC, ml) != 0)
                return -EINVAL;
        WireReader r = wire_reader(raw + ml, raw_len - ml);
        const uint8_t *cipher, *kdf, *kdfopts, *pub, *priv, *name;
        size_t cn, kn, kon, pn, privn, nn;
        uint32_t nkeys, c1, c2;
        if (wire_get_blob_ref(&r, 64, &cipher, &cn) < 0 || wire_get_blob_ref(&r, 64, &kdf, &kn) < 0 ||
            wire_get_blob_ref(&r, 1024, &kdfopts, &kon) < 0 || wire_get_u32(&r, &nkeys) < 0)
                return -EINVAL;
        if (!blob_is(cipher, cn, "none") || !blob_is(kdf, kn, "none")) {
                log_error("host key is encrypted with a passphrase: a host key must not be");
                return -EINVAL;
        }
        if (nkeys != 1 || wire_get_blob_ref(&r, KEY_MAX_BLOB, &pub, &pn) < 0 ||
            wire_get_blob_ref(&r, 4 * KEY_MAX_BLOB, &priv, &privn) < 0 || wire_end(&r) < 0)
                return -EINVAL;
        WireReader s = wire_reader(priv, privn);
        SshKeyType t;
        if (wire_get_u32(&s, &c1) < 0 || wire_get_u32(&s, &c2) < 0 || c1 != c2 ||
            wire_get_blob_ref(&s, 64, &name, &nn) < 0)
                return -EINVAL;
        if (type_from_name(name, nn, &t) < 0) {
                log_error("host key type %.*s is not supported", (int) MIN(nn, 64u), (const char *) name);
                return -EINVAL;
        }
        /* Its private half is a handle for an authenticator that the monitor would have to load a
         * FIDO library as root to use: not for a host key. */
        if (ssh_key_type_is_sk(t)) {
                log_error("host key type %s is a security key: not supported", types[t].name);
                return -EINVAL;
        }
        _cleanup_(pkey_freep) EVP_PKEY *pkey = NULL;
        if (read_key_fields(&s, t, true, 0, &pkey) < 0)
                return -EINVAL;
        _cleanup_(ssh_key_freep) SshKey *k = NULL;
        if ((e = key_new(t, &pkey, true, NULL, &k)) < 0)
                return e;
        /* The public key the file states is the one its private half gives. */
        if (k->blob_len != pn || memcmp(k->blob, pub, pn) != 0)
                return -EINVAL;
        *ret = TAKE_PTR(k);
        return 0;
}

static int type_of_pkey(EVP_PKEY *pkey, SshKeyType *ret) {
        if (EVP_PKEY_is_a(pkey, "ED25519"))
                *ret = SSH_KEY_ED25519;
        else if (EVP_PKEY_is_a(pkey, "RSA"))
                *ret = SSH_KEY_RSA;
        else if (EVP_PKEY_is_a(pkey, "EC")) {
                char g[64];
                if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, g, sizeof g, NULL) <= 0)
                        return -EINVAL;
                for (SshKeyType t = SSH_KEY_ECDSA_P256; t <= SSH_KEY_ECDSA_P521; t++)
                        if (streq(g, types[t].group)) {
                                *ret = t;
                                return 0;
                        }
                return -EINVAL;
        } else
                return -EINVAL;
        return 0;
}

int ssh_key_load_private(const char *text, size_t len, SshKey **ret) {
        if (memmem(text, len, OPENSSH_BEGIN, strlen(OPENSSH_BEGIN)))
                return load_openssh(text, len, ret);
        if (len > INT32_MAX)
                return -EINVAL;
        BIO *bio = BIO_new_mem_buf(text, (int) len);
        if (!bio)
                return -ENOMEM;
        /* No passphrase callback: an encrypted PEM key fails here. */
        _cleanup_(pkey_freep) EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *) "");
        BIO_free(bio);
        SshKeyType t;
        if (!pkey || type_of_pkey(pkey, &t) < 0)
                return -EINVAL;
        return key_new(t, &pkey, true, NULL, ret);
}

bool ssh_key_algorithm_matches(const SshKey *k, const char *alg) {
        if (k->type == SSH_KEY_RSA)
                return streq(alg, "rsa-sha2-256") || streq(alg, "rsa-sha2-512") || streq(alg, "ssh-rsa");
        return streq(alg, types[k->type].name);
}

static const EVP_MD *digest_for(const SshKey *k, const char *alg) {
        switch (k->type) {
        case SSH_KEY_ED25519:
        case SSH_KEY_SK_ED25519:
                return NULL;
        case SSH_KEY_ECDSA_P256:
        case SSH_KEY_SK_ECDSA_P256:
                return EVP_sha256();
        case SSH_KEY_ECDSA_P384:
                return EVP_sha384();
        case SSH_KEY_ECDSA_P521:
                return EVP_sha512();
        case SSH_KEY_RSA:
        case _SSH_KEY_TYPE_MAX:
        default:
                return streq(alg, "rsa-sha2-512") ? EVP_sha512() : streq(alg, "rsa-sha2-256") ? EVP_sha256() :
                       EVP_sha1();
        }
}

int ssh_key_sign(const SshKey *k, const char *alg, const uint8_t *data, size_t len, uint8_t **ret,
                 size_t *ret_len) {
        if (!k->private || !ssh_key_algorithm_matches(k, alg))
                return -EINVAL;
        _cleanup_(mdctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!ctx)
                return -ENOMEM;
        size_t n = 0;
        if (EVP_DigestSignInit_ex(ctx, NULL, digest_for(k, alg) ? EVP_MD_get0_name(digest_for(k, alg)) : NULL,
                                  NULL, NULL, k->pkey, NULL) <= 0 ||
            EVP_DigestSign(ctx, NULL, &n, data, len) <= 0)
                return -EIO;
        _cleanup_free_ uint8_t *sig = malloc(n);
        if (!sig)
                return -ENOMEM;
        if (EVP_DigestSign(ctx, sig, &n, data, len) <= 0)
                return -EIO;

        WireWriter w = wire_writer(KEY_MAX_BLOB);
        int r = wire_put_string(&w, alg);
        if (k->type == SSH_KEY_ECDSA_P256 || k->type == SSH_KEY_ECDSA_P384 || k->type == SSH_KEY_ECDSA_P521) {
                /* DER from OpenSSL; SSH wants string(mpint r, mpint s). */
                const uint8_t *p = sig;
                _cleanup_(ecsig_freep) ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long) n);
                WireWriter inner = wire_writer(KEY_MAX_FIELD);
                if (!es)
                        r = -EIO;
                else if ((r = put_mpint(&inner, ECDSA_SIG_get0_r(es))) >= 0 &&
                         (r = put_mpint(&inner, ECDSA_SIG_get0_s(es))) >= 0)
                        r = wire_put_blob(&w, inner.data, inner.size);
                wire_writer_done(&inner);
        } else
                r = r < 0 ? r : wire_put_blob(&w, sig, n);
        return writer_finish(&w, r, ret, ret_len);
}

int ssh_key_verify(const SshKey *k, const char *alg, const uint8_t *sig, size_t sig_len, const uint8_t *data,
                   size_t len, SshSkSignature *ret_sk) {
        if (!ssh_key_algorithm_matches(k, alg))
                return -EBADMSG;
        if (ssh_key_type_is_sk(k->type))
                return ret_sk ? ssh_key_verify_sk(k, alg, sig, sig_len, data, len, ret_sk) : -EINVAL;
        WireReader r = wire_reader(sig, sig_len);
        const uint8_t *name, *s;
        size_t nn, sn;
        if (wire_get_blob_ref(&r, 64, &name, &nn) < 0 || !blob_is(name, nn, alg) ||
            wire_get_blob_ref(&r, KEY_MAX_FIELD, &s, &sn) < 0 || wire_end(&r) < 0)
                return -EBADMSG;
        return ssh_key_verify_raw(k, alg, s, sn, data, len);
}

int ssh_key_verify_raw(const SshKey *k, const char *alg, const uint8_t *s, size_t sn, const uint8_t *data,
                       size_t len) {
        _cleanup_free_ uint8_t *der = NULL;
        _cleanup_free_ uint8_t *padded = NULL;
        if (k->type == SSH_KEY_ED25519 || k->type == SSH_KEY_SK_ED25519) {
                if (sn != 64)
                        return -EBADMSG;
        } else if (k->type == SSH_KEY_RSA) {
                /* Shorter than the modulus: left-pad with zeros, as OpenSSH accepts; longer: wrong. */
                size_t mod = (size_t) EVP_PKEY_get_size(k->pkey);
                if (sn == 0 || sn > mod)
                        return -EBADMSG;
                if (sn < mod) {
                        padded = calloc(1, mod);
                        if (!padded)
                                return -ENOMEM;
                        memcpy(padded + mod - sn, s, sn);
                        s = padded;
                        sn = mod;
                }
        } else {
                WireReader in = wire_reader(s, sn);
                _cleanup_(bn_freep) BIGNUM *br = NULL, *bs = NULL;
                if (get_mpint(&in, &br) < 0 || get_mpint(&in, &bs) < 0 || wire_end(&in) < 0)
                        return -EBADMSG;
                _cleanup_(ecsig_freep) ECDSA_SIG *es = ECDSA_SIG_new();
                if (!es || !ECDSA_SIG_set0(es, br, bs))
                        return -ENOMEM;
                br = bs = NULL;         /* es owns them */
                int dl = i2d_ECDSA_SIG(es, &der);
                if (dl <= 0)
                        return -ENOMEM;
                s = der;
                sn = (size_t) dl;
        }
        _cleanup_(mdctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!ctx)
                return -ENOMEM;
        const EVP_MD *md = digest_for(k, alg);
        if (EVP_DigestVerifyInit_ex(ctx, NULL, md ? EVP_MD_get0_name(md) : NULL, NULL, NULL, k->pkey,
                                    NULL) <= 0)
                return -EIO;
        return EVP_DigestVerify(ctx, s, sn, data, len) == 1 ? 0 : -EKEYREJECTED;
}
