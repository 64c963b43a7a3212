#pragma once
/*
 * OpenSSH certificates (PROTOCOL.certkeys), user certificates as the monitor checks them. A certificate
 * is a public key blob whose type ends in "-cert-v01@openssh.com": a nonce, the certified key's fields,
 * serial, type (user or host), key id, principals, validity window, critical options, extensions,
 * a reserved field, the CA's public key, and the CA's signature over everything before it.
 *
 * ssh_cert_parse() reads one strictly (every field bounded, nothing after the signature, the certified
 * key and the CA key each in the one encoding ssh-key.c accepts) and verifies the CA's signature over
 * it, as OpenSSH's sshkey_from_blob() does: a certificate that parses is one its CA signed. A CA that is
 * itself a certificate is refused (its type is not a plain key type). The worker only relays the blob;
 * nothing here believes anything it says.
 *
 * What the certificate then allows is policy, checked by the caller with ssh_cert_check_authority()
 * (type, validity window, principals: OpenSSH's sshkey_cert_check_authority(), its reasons word for
 * word) and the options below (OpenSSH's sshauthopt_from_cert()).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "monitor/ssh-key.h"

#define SSH_CERT_TYPE_USER 1u
#define SSH_CERT_TYPE_HOST 2u
#define SSH_CERT_MAX_PRINCIPALS 256u    /* OpenSSH's SSHKEY_CERT_MAX_PRINCIPALS */
#define SSH_CERT_MAX_UNKNOWN_EXTENSIONS 8u      /* unknown extensions named in the log */

/* The extensions privsshd knows: each grants what the matching authorized_keys flag takes away. */
typedef enum SshCertExtension {
        SSH_CERT_PERMIT_X11_FORWARDING = 1u << 0,
        SSH_CERT_PERMIT_AGENT_FORWARDING = 1u << 1,
        SSH_CERT_PERMIT_PORT_FORWARDING = 1u << 2,
        SSH_CERT_PERMIT_PTY = 1u << 3,
        SSH_CERT_PERMIT_USER_RC = 1u << 4,
        SSH_CERT_NO_TOUCH_REQUIRED = 1u << 5,
} SshCertExtension;

typedef struct SshCert {
        SshKey *key;                    /* the certified key, as a plain key */
        const char *type_label;         /* "ED25519-CERT", "RSA-CERT", ... as OpenSSH's sshkey_type() */
        uint64_t serial;
        uint32_t type;                  /* SSH_CERT_TYPE_USER or _HOST */
        char *key_id;
        char **principals;              /* n_principals of them, NULL-terminated */
        size_t n_principals;
        uint64_t valid_after, valid_before;
        /* Critical options */
        char *force_command;            /* force-command, or NULL */
        char *source_address;           /* source-address (a CIDR list, syntax checked), or NULL */
        bool verify_required;           /* verify-required */
        /* The options sections parse but cannot be honoured (OpenSSH refuses such a certificate when
         * it comes to authorize it, not when it parses it): why, in OpenSSH's words, or NULL. */
        char *options_error;
        unsigned extensions;            /* SshCertExtension */
        char *unknown_extensions[SSH_CERT_MAX_UNKNOWN_EXTENSIONS]; /* names of others, for the log */
        size_t n_unknown_extensions;
        SshKey *ca;                     /* the CA's key, a plain key */
        char *signature_algorithm;      /* the algorithm the CA signed with ("rsa-sha2-512", ...) */
} SshCert;

SshCert *ssh_cert_free(SshCert *c);
static inline void ssh_cert_freep(SshCert **c) {
        ssh_cert_free(*c);
}

/* Whether a key type or public key algorithm name is a certificate's ("...-cert-v01@openssh.com"). */
bool ssh_cert_is_cert_name(const char *name);

/* Whether a blob's type name (its first string) is a certificate's. */
bool ssh_cert_blob_is_cert(const uint8_t *blob, size_t len);

/* A certificate blob's type name ("ssh-ed25519-cert-v01@openssh.com"), or NULL when the blob is not a
 * certificate of a type we know. */
const char *ssh_cert_blob_type(const uint8_t *blob, size_t len);

/* The signature algorithm a certificate public key algorithm signs with: "rsa-sha2-512-cert-v01@openssh.com"
 * is "rsa-sha2-512", "sk-ssh-ed25519-cert-v01@openssh.com" is "sk-ssh-ed25519@openssh.com". NULL when
 * `alg` is not a certificate algorithm we know. */
const char *ssh_cert_plain_algorithm(const char *alg);

/* OpenSSH's label of a certificate key algorithm ("ED25519-CERT", "ECDSA-CERT", "RSA-CERT", ...), or
 * NULL. */
const char *ssh_cert_type_label(const char *alg);

/* Parse the certificate blob and verify its CA's signature (see above). min_rsa_bits: the least an RSA
 * certified key may have (the CA key: 1024, as OpenSSH). 0; -EBADMSG (malformed), -EPROTONOSUPPORT (not a
 * certificate type we know), -EKEYREJECTED (the CA's signature does not verify, or the CA key is not a
 * plain key we know, or a key is too small), -ENOMEM. *ret_why: OpenSSH's words for the failure. */
int ssh_cert_parse(const uint8_t *blob, size_t len, unsigned min_rsa_bits, SshCert **ret, const char **ret_why);

/* OpenSSH's sshkey_cert_check_authority() for a user certificate: a user certificate, valid at `now`,
 * and, when `name` is not NULL, `name` among its principals (exact match); with require_principal, a
 * certificate without principals is refused. 0, or -EPERM with *ret_reason in OpenSSH's words. */
int ssh_cert_check_authority(const SshCert *c, time_t now, bool require_principal, const char *name,
                             const char **ret_reason);

/* Whether `list` (OpenSSH's addr_match_cidr_list(): comma-separated ADDR[/BITS], no negation, no
 * wildcards) allows `address`. 1 yes, 0 no (an address that is not an IP matches nothing), -EINVAL when
 * the list is malformed. address NULL: only the syntax is checked (0 when it is fine). */
int ssh_cert_match_cidr_list(const char *address, const char *list);

/* `list` (a PubkeyAcceptedAlgorithms value) with the plain signature algorithm of each certificate
 * algorithm in it appended when missing, for server-sig-algs: OpenSSH's client signs with an RSA
 * certificate only when the server lists the rsa-sha2-* algorithm it uses (OpenSSH's server lists all
 * it has). *ret is malloc'd. */
int ssh_cert_add_plain_algorithms(const char *list, char **ret);
