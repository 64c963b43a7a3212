#pragma once
/*
 * A publickey signature, verified by the monitor (as OpenSSH's monitor does) rather than believed
 * from the worker: the signed data (RFC 4252 §7) is parsed strictly and must carry this
 * connection's session identifier (the monitor's own record of the first exchange hash), the user
 * and service asked for, the method, the algorithm and the very key blob that was authorized (and,
 * for publickey-hostbound-v00@openssh.com, the host key of this connection); then the signature
 * over it is checked with libcrypto (monitor/ssh-key.h), security keys' signatures included (whose
 * flags the caller holds to its policy).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/limits.h"

#define SSH2_MSG_USERAUTH_REQUEST 50
#define PUBKEY_METHOD "publickey"
#define PUBKEY_METHOD_HOSTBOUND "publickey-hostbound-v00@openssh.com"

/* The fields of the signed data; pointers into the parsed buffer, lengths beside them. */
typedef struct PubkeySignedData {
        const uint8_t *session_id;
        size_t session_id_len;
        const uint8_t *user, *service, *method, *algorithm, *key_blob, *hostkey_blob;
        size_t user_len, service_len, method_len, algorithm_len, key_blob_len, hostkey_blob_len;
        bool hostbound;
} PubkeySignedData;

/* Parse (bounded, strict: every field in its place, nothing after the last). -EBADMSG otherwise. */
int pubkey_signed_data_parse(const uint8_t *data, size_t len, PubkeySignedData *ret);

typedef struct PubkeyExpect {
        const uint8_t *session_id;
        size_t session_id_len;
        const char *user;
        const char *service;                    /* "ssh-connection" */
        const uint8_t *key_blob;                /* the key that was authorized */
        size_t key_blob_len;
        const uint8_t *hostkey_blob;            /* this connection's host key */
        size_t hostkey_blob_len;
} PubkeyExpect;

/* 0 when the signed data is what this connection's request must sign; -EBADMSG when it cannot be
 * parsed, -EPERM when a field differs (*ret_what names it, for the log). *ret_algorithm (NUL
 * terminated, caller frees) is the signature algorithm it names. */
int pubkey_signed_data_check(const uint8_t *data, size_t len, const PubkeyExpect *e, char **ret_algorithm,
                             const char **ret_what);

/* For a security key (sk-*), what its valid signature states: the caller enforces user presence and
 * verification (PubkeyAuthOptions, authorized_keys options); is_sk false for other keys. */
typedef struct PubkeySkResult {
        bool is_sk;
        uint8_t flags;                  /* SSH_SK_USER_PRESENT, SSH_SK_USER_VERIFIED (monitor/ssh-key.h) */
        uint32_t counter;
} PubkeySkResult;

/* The whole verification: the signed data as above, then the signature by the key in key_blob,
 * with the algorithm of the signed data (which must go with the key), using at least
 * min_rsa_bits for RSA. When key_blob is a certificate (ssh-cert.h), the signature is the certified
 * key's, with the plain algorithm its certificate algorithm names ("rsa-sha2-512-cert-v01@openssh.com":
 * rsa-sha2-512); whether the certificate itself may be trusted is the caller's check (auth-cert.h),
 * made before. 0: valid (*ret_algorithm and *ret_sk set). -EBADMSG/-EPERM/-EKEYREJECTED
 * otherwise, *ret_what says why. */
int pubkey_verify(const uint8_t *data, size_t len, const uint8_t *sig, size_t sig_len, const PubkeyExpect *e,
                  unsigned min_rsa_bits, char **ret_algorithm, PubkeySkResult *ret_sk,
                  const char **ret_what);
