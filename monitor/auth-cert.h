#pragma once
/*
 * User certificates in publickey authentication (OpenSSH's auth2-pubkey.c, as sshd 9.2 does it):
 * the monitor parses the certificate the worker relayed and verifies its CA's signature itself
 * (monitor/ssh-cert.h), holds the CA's signature algorithm to CASignatureAlgorithms, then asks
 * whether the CA is trusted for this user: TrustedUserCAKeys (a root-owned file the monitor reads,
 * with the user's name or an AuthorizedPrincipalsFile line as the principal), else a cert-authority
 * line in the user's authorized_keys (pubkey-check.c's child). The user's signature is then verified
 * with the certified key (pubkey-verify.c). RevokedKeys first, before any of that:
 * auth_cert_refuse_revoked().
 */

#include <stdbool.h>
#include <stddef.h>

/* "ED25519-CERT SHA256:... ID <key id> (serial N) CA ED25519 SHA256:...": a long key id is cut. */
#define AUTH_CERT_MAX_KEY_INFO 512

#include "monitor/monitor.h"
#include "monitor/pubkey-check.h"
#include "monitor/ssh-cert.h"

/* Parse and verify the certificate of a publickey request, check its CA signature algorithm, and
 * format OpenSSH's key description for the log ("ED25519-CERT SHA256:... ID id (serial 7) CA ED25519
 * SHA256:..."). 1 with *ret set; 0 refused (logged as OpenSSH); -ENOMEM. */
int auth_cert_parse(Monitor *m, const uint8_t *blob, size_t blob_len, SshCert **ret, char *key_info,
                    size_t key_info_size);

/* Whether the certificate (parsed from `blob`) may log in this user, and with which restrictions: *ret
 * (authorized or not, flags, forced command) as pubkey_check() fills it for a plain key. 0, or -errno
 * when a check itself failed. */
int auth_cert_check(Monitor *m, const SshCert *c, const uint8_t *blob, size_t blob_len, PubkeyVerdict *ret);

/* RevokedKeys for a certificate: its CA with its serial or key ID (a KRL's certificate sections), the
 * certified key and the CA's key, each as a plain key. true when refused (logged in OpenSSH's words),
 * also when the file cannot be read, as OpenSSH. */
bool auth_cert_refuse_revoked(Monitor *m, const SshCert *c);
