#pragma once
/*
 * Host certificates (HostCertificate, OpenSSH's meaning): public files, each an OpenSSH certificate
 * (PROTOCOL.certkeys) for one of the loaded HostKey keys. The monitor loads them with the host keys,
 * pairs each with its key (index i of SETUP's hostkeys) and hands the blobs to the worker, which
 * offers "<type>-cert-v01@openssh.com" host key algorithms (libssh patch 0010). Nothing about signing
 * changes: the exchange hash is signed by the monitor with the plain key, under the plain signature
 * algorithm, and a certificate adds no key the worker could name.
 */

#include <stddef.h>
#include <stdint.h>

#include "monitor/monitor.h"

/* What a certificate blob says about itself. */
typedef struct HostCert {
        uint8_t *plain_blob;            /* the certified public key as a plain key blob */
        size_t plain_blob_len;
        uint32_t cert_type;             /* HOSTCERT_TYPE_USER or HOSTCERT_TYPE_HOST */
        bool signature_ok;              /* the CA's signature verifies */
} HostCert;

#define HOSTCERT_TYPE_USER 1u
#define HOSTCERT_TYPE_HOST 2u

/* Parse an OpenSSH certificate blob of a key type the monitor knows (ssh-ed25519, ecdsa-sha2-*,
 * ssh-rsa): 0 and *ret filled; -EPROTONOSUPPORT when it is no certificate (a plain key, say);
 * -EBADMSG when malformed; -ENOMEM. Free ret->plain_blob. */
int hostcert_parse(const uint8_t *blob, size_t len, HostCert *ret);

/* Load the HostCertificate files after hostkeys_load(): each is paired with the first host key with
 * its public key; one that cannot be loaded, is no (host) certificate or matches no host key is
 * logged with OpenSSH's wording and skipped, as OpenSSH's sshd does. */
void hostcerts_load(Monitor *m);
void hostcerts_free(Monitor *m);

/* For SETUP: n_hostkeys entries, entry i "type base64" of host key i's certificate or "". */
int hostcerts_lines(const Monitor *m, char ***ret);

/* The certificate algorithm name that goes with plain signature algorithm `alg` ("rsa-sha2-256" ->
 * "rsa-sha2-256-cert-v01@openssh.com") in buf; NULL if it does not fit. */
const char *hostcert_algorithm(const char *alg, char *buf, size_t size);
