/* See pubkey-verify.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "common/wire.h"
#include "monitor/pubkey-verify.h"
#include "monitor/ssh-cert.h"
#include "monitor/ssh-key.h"

#define MAX_SESSION_ID 64u      /* SHA-512 */
#define MAX_NAME 64u            /* service, method */
#define MAX_ALGORITHM 128u

int pubkey_signed_data_parse(const uint8_t *data, size_t len, PubkeySignedData *ret) {
        PubkeySignedData d = {};
        WireReader r = wire_reader(data, len);
        uint8_t type = 0;
        bool has_sig = false;
        if (wire_get_blob_ref(&r, MAX_SESSION_ID, &d.session_id, &d.session_id_len) < 0 ||
            wire_get_u8(&r, &type) < 0 ||
            wire_get_blob_ref(&r, AUTH_MAX_USER_LEN, &d.user, &d.user_len) < 0 ||
            wire_get_blob_ref(&r, MAX_NAME, &d.service, &d.service_len) < 0 ||
            wire_get_blob_ref(&r, MAX_NAME, &d.method, &d.method_len) < 0 ||
            wire_get_bool(&r, &has_sig) < 0 ||
            wire_get_blob_ref(&r, MAX_ALGORITHM, &d.algorithm, &d.algorithm_len) < 0 ||
            wire_get_blob_ref(&r, AUTH_MAX_KEY_BLOB, &d.key_blob, &d.key_blob_len) < 0)
                return -EBADMSG;
        if (type != SSH2_MSG_USERAUTH_REQUEST || !has_sig || d.session_id_len == 0 || d.key_blob_len == 0 ||
            d.algorithm_len == 0)
                return -EBADMSG;
        if (d.method_len == strlen(PUBKEY_METHOD_HOSTBOUND) &&
            memcmp(d.method, PUBKEY_METHOD_HOSTBOUND, d.method_len) == 0) {
                d.hostbound = true;
                if (wire_get_blob_ref(&r, AUTH_MAX_KEY_BLOB, &d.hostkey_blob, &d.hostkey_blob_len) < 0 ||
                    d.hostkey_blob_len == 0)
                        return -EBADMSG;
        } else if (d.method_len != strlen(PUBKEY_METHOD) || memcmp(d.method, PUBKEY_METHOD, d.method_len) != 0)
                return -EBADMSG;
        /* No embedded NUL in the names: they are compared as C strings below. */
        if (memchr(d.user, 0, d.user_len) || memchr(d.service, 0, d.service_len) ||
            memchr(d.algorithm, 0, d.algorithm_len))
                return -EBADMSG;
        if (wire_end(&r) < 0)
                return -EBADMSG;
        *ret = d;
        return 0;
}

static bool same(const uint8_t *a, size_t alen, const void *b, size_t blen) {
        return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

int pubkey_signed_data_check(const uint8_t *data, size_t len, const PubkeyExpect *e, char **ret_algorithm,
                             const char **ret_what) {
        PubkeySignedData d;
        *ret_what = "malformed signed data";
        if (pubkey_signed_data_parse(data, len, &d) < 0)
                return -EBADMSG;
        /* The session identifier first: a signature made for another connection (replayed) fails
         * here, whatever else it carries. */
        if (e->session_id_len == 0 || !same(d.session_id, d.session_id_len, e->session_id, e->session_id_len)) {
                *ret_what = "session identifier";
                return -EPERM;
        }
        if (!same(d.user, d.user_len, e->user, strlen(e->user))) {
                *ret_what = "user";
                return -EPERM;
        }
        if (!same(d.service, d.service_len, e->service, strlen(e->service))) {
                *ret_what = "service";
                return -EPERM;
        }
        if (!same(d.key_blob, d.key_blob_len, e->key_blob, e->key_blob_len)) {
                *ret_what = "public key";
                return -EPERM;
        }
        if (d.hostbound && !same(d.hostkey_blob, d.hostkey_blob_len, e->hostkey_blob, e->hostkey_blob_len)) {
                *ret_what = "host key";
                return -EPERM;
        }
        char *alg = strndup((const char *) d.algorithm, d.algorithm_len);
        if (!alg)
                return -ENOMEM;
        *ret_algorithm = alg;
        return 0;
}

int pubkey_verify(const uint8_t *data, size_t len, const uint8_t *sig, size_t sig_len, const PubkeyExpect *e,
                  unsigned min_rsa_bits, char **ret_algorithm, PubkeySkResult *ret_sk,
                  const char **ret_what) {
        _cleanup_free_ char *alg = NULL;
        int r = pubkey_signed_data_check(data, len, e, &alg, ret_what);
        if (r < 0)
                return r;
        _cleanup_(ssh_key_freep) SshKey *plain = NULL;
        _cleanup_(ssh_cert_freep) SshCert *cert = NULL;
        const SshKey *k;
        const char *sig_alg = alg;
        if (ssh_cert_blob_is_cert(e->key_blob, e->key_blob_len)) {
                /* A certificate: the user signs with the certified key, with the plain algorithm that
                 * the certificate algorithm names (rsa-sha2-512-cert-v01@openssh.com: rsa-sha2-512). */
                r = ssh_cert_parse(e->key_blob, e->key_blob_len, min_rsa_bits, &cert, NULL);
                if (r < 0) {
                        *ret_what = "malformed or unverified certificate";
                        return r == -ENOMEM ? r : -EPERM;
                }
                k = cert->key;
                sig_alg = ssh_cert_plain_algorithm(alg);
                if (!sig_alg) {
                        *ret_what = "algorithm does not go with the key";
                        return -EPERM;
                }
        } else {
                r = ssh_key_from_blob(e->key_blob, e->key_blob_len, min_rsa_bits, &plain);
                if (r < 0) {
                        *ret_what = r == -EKEYREJECTED ? "key too small" :
                                                         "unsupported or malformed public key";
                        return r == -ENOMEM ? r : -EPERM;
                }
                k = plain;
                if (ssh_cert_is_cert_name(alg)) {
                        *ret_what = "algorithm does not go with the key";
                        return -EPERM;
                }
        }
        if (!ssh_key_algorithm_matches(k, sig_alg)) {
                *ret_what = "algorithm does not go with the key";
                return -EPERM;
        }
        SshSkSignature sk = {};
        r = ssh_key_verify(k, sig_alg, sig, sig_len, data, len, &sk);
        if (r < 0) {
                *ret_what = r == -EKEYREJECTED ? "signature does not verify" : "malformed signature";
                return r == -ENOMEM ? r : -EKEYREJECTED;
        }
        *ret_sk = (PubkeySkResult) {
                .is_sk = ssh_key_type_is_sk(k->type), .flags = sk.flags, .counter = sk.counter,
        };
        *ret_algorithm = TAKE_PTR(alg);
        return 0;
}
