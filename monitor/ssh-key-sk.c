/*
 * Security-key (FIDO/U2F) signatures, as OpenSSH's PROTOCOL.u2f describes them. The authenticator
 * does not sign the message itself but
 *
 *     byte[32] SHA256(application) || byte flags || uint32 counter || byte[32] SHA256(message)
 *
 * (extensions would sit before the message hash; none are defined for SSH, and an authenticator
 * that sets the extension-data flag has signed bytes we cannot rebuild, so its signature fails).
 * On the wire:
 *
 *     string alg, string signature, byte flags, uint32 counter
 *
 * where signature is Ed25519's 64 bytes or ECDSA's (mpint r, mpint s), as for the plain key types.
 * The flags (user present, user verified) are returned for the caller's policy: whether they are
 * required is sshd_config's and authorized_keys' business, not the signature's.
 */

#include <errno.h>
#include <string.h>

#include <openssl/sha.h>

#include "common/wire.h"
#include "monitor/ssh-key.h"

#define SK_MAX_SIGNATURE 256u   /* Ed25519: 64 bytes; ECDSA P-256: two mpints of at most 33 */
#define SK_SIGNED_LEN (32u + 1u + 4u + 32u)

int ssh_key_verify_sk(const SshKey *k, const char *alg, const uint8_t *sig, size_t sig_len,
                      const uint8_t *data, size_t len, SshSkSignature *ret_sk) {
        if (!ssh_key_type_is_sk(k->type) || !k->sk_application)
                return -EINVAL;
        WireReader r = wire_reader(sig, sig_len);
        const uint8_t *name, *s;
        size_t nn, sn;
        uint8_t flags = 0;
        uint32_t counter = 0;
        if (wire_get_blob_ref(&r, 64, &name, &nn) < 0 || nn != strlen(alg) || memcmp(name, alg, nn) != 0 ||
            wire_get_blob_ref(&r, SK_MAX_SIGNATURE, &s, &sn) < 0 || wire_get_u8(&r, &flags) < 0 ||
            wire_get_u32(&r, &counter) < 0 || wire_end(&r) < 0)
                return -EBADMSG;

        uint8_t signed_data[SK_SIGNED_LEN];
        uint8_t *p = signed_data;
        if (!SHA256((const uint8_t *) k->sk_application, strlen(k->sk_application), p))
                return -EIO;
        p += 32;
        *p++ = flags;
        *p++ = (uint8_t) (counter >> 24);
        *p++ = (uint8_t) (counter >> 16);
        *p++ = (uint8_t) (counter >> 8);
        *p++ = (uint8_t) counter;
        if (!SHA256(data, len, p))
                return -EIO;

        int e = ssh_key_verify_raw(k, alg, s, sn, signed_data, sizeof signed_data);
        if (e < 0)
                return e;
        *ret_sk = (SshSkSignature) { .flags = flags, .counter = counter };
        return 0;
}
