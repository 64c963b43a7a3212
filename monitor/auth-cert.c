/* See auth-cert.h. Log wordings are OpenSSH 9.2's (auth2-pubkey.c, auth2-pubkeyfile.c, sshkey.c,
 * ssherr.c), since operators and fail2ban read them. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/algorithms.h"
#include "common/base64.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/sha256.h"
#include "monitor/auth-cert.h"
#include "monitor/auth-log.h"
#include "monitor/authorized-keys.h"
#include "monitor/revoked-keys.h"

int auth_cert_parse(Monitor *m, const uint8_t *blob, size_t blob_len, SshCert **ret, char *key_info,
                    size_t key_info_size) {
        _cleanup_(ssh_cert_freep) SshCert *c = NULL;
        const char *why = NULL;
        int r = ssh_cert_parse(blob, blob_len, (unsigned) m->config->required_rsa_size, &c, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                /* OpenSSH: error_fr(r, "parse key") with ssh_err()'s text; the CA's bad signature is
                 * "incorrect signature". */
                log_error("userauth_pubkey: parse key: %s [preauth]", why ? why : "invalid format");
                return 0;
        }
        const char *allowed = m->config->ca_signature_algorithms ?: algorithms_default(ALGORITHMS_CA_SIGNATURE);
        if (!algorithms_list_contains(allowed, c->signature_algorithm)) {
                log_info("userauth_pubkey: certificate signature algorithm %s: signature algorithm not "
                         "supported [preauth]", c->signature_algorithm);
                return 0;
        }
        _cleanup_free_ char *fp = NULL, *ca_fp = NULL;
        if (ssh_key_fingerprint(c->key->blob, c->key->blob_len, &fp) < 0 ||
            ssh_key_fingerprint(c->ca->blob, c->ca->blob_len, &ca_fp) < 0)
                return -ENOMEM;
        snprintf(key_info, key_info_size, "%s %s ID %s (serial %llu) CA %s %s", c->type_label, fp, c->key_id,
                 (unsigned long long) c->serial, auth_key_type_label(ssh_key_type_name(c->ca->type)), ca_fp);
        *ret = TAKE_PTR(c);
        return 1;
}

/* OpenSSH's sshkey_in_file(): is the CA's key a line of `path` ("type base64 [comment]")? A line that
 * is not a key ends the search, as in OpenSSH (the CA is then not trusted). 1 listed, 0 not, -errno. */
static int ca_listed(const char *path, const SshKey *ca) {
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r = read_full_file(path, AUTHKEYS_MAX_FILE_SIZE, &data, &size);
        if (r < 0)
                return r;
        const char *type = ssh_key_type_name(ca->type);
        for (char *p = data, *end = data + size; p < end;) {
                char *nl = memchr(p, '\n', (size_t) (end - p));
                char *e = nl ?: end;
                *e = '\0';
                p += strspn(p, " \t");
                if (*p != '\0' && *p != '#' && *p != '\r') {
                        size_t tl = strcspn(p, " \t");
                        char *b = p + tl;
                        b += strspn(b, " \t");
                        size_t bl = strcspn(b, " \t\r");
                        _cleanup_free_ uint8_t *blob = NULL;
                        size_t blob_len = 0;
                        if (tl == 0 || bl == 0 || base64_decode(b, bl, &blob, &blob_len) < 0)
                                return 0;
                        if (tl == strlen(type) && memcmp(p, type, tl) == 0 && blob_len == ca->blob_len &&
                            memcmp(blob, ca->blob, blob_len) == 0)
                                return 1;
                }
                p = nl ? nl + 1 : end;
        }
        return 0;
}

/*
 * RevokedKeys for a certificate, as OpenSSH's user_key_allowed(): the certificate itself (its CA key
 * with its serial or key ID, KRL certificate sections), the certified key and the CA's key, each as a
 * plain key. Called before any of the user's files are read; true when refused (logged by
 * revoked-keys.c in OpenSSH's words), also when the list cannot be read or a key cannot be named.
 */
bool auth_cert_refuse_revoked(Monitor *m, const SshCert *c) {
        if (!m->config->revoked_keys)
                return false;
        _cleanup_free_ char *key_fp = NULL, *ca_fp = NULL;
        if (ssh_key_fingerprint(c->key->blob, c->key->blob_len, &key_fp) < 0 ||
            ssh_key_fingerprint(c->ca->blob, c->ca->blob_len, &ca_fp) < 0) {
                log_error("Error checking authentication key %s in revoked keys file %s: %s", c->type_label,
                          m->config->revoked_keys, strerror(ENOMEM));
                return true;
        }
        char info[AUTH_CERT_MAX_KEY_INFO], ca_info[AUTH_CERT_MAX_KEY_INFO];
        snprintf(info, sizeof info, "%s %s", c->type_label, key_fp);
        snprintf(ca_info, sizeof ca_info, "%s %s", auth_key_type_label(ssh_key_type_name(c->ca->type)), ca_fp);
        return revoked_keys_refuse_cert(m, c->ca->blob, c->ca->blob_len, c->serial, c->key_id, info) ||
               revoked_keys_refuse_key(m, c->key->blob, c->key->blob_len, info) ||
               revoked_keys_refuse_key(m, c->ca->blob, c->ca->blob_len, ca_info);
}

/* TrustedUserCAKeys (OpenSSH's user_cert_trusted_ca()). 1 authorized (*ret filled), 0 not. */
static int trusted_ca(Monitor *m, const SshCert *c, const uint8_t *blob, size_t blob_len, PubkeyVerdict *ret) {
        const char *file = m->config->trusted_user_ca_keys;
        if (!file || !m->user)
                return 0;
        _cleanup_free_ char *ca_fp = NULL;
        if (ssh_key_fingerprint(c->ca->blob, c->ca->blob_len, &ca_fp) < 0)
                return -ENOMEM;
        const char *ca_label = auth_key_type_label(ssh_key_type_name(c->ca->type));
        int r = ca_listed(file, c->ca);
        if (r == -ENOMEM)
                return r;
        if (r <= 0) {
                if (r < 0)
                        log_error("TrustedUserCAKeys %s: %s", file, strerror(-r));
                log_debug2("user_cert_trusted_ca: CA %s %s is not listed in %s", ca_label, ca_fp, file);
                return 0;
        }
        PubkeyVerdict v = {};
        /* Either source of principals, when configured, replaces the user's name (OpenSSH's
         * use_authorized_principals): the file first, then the command. */
        bool use_principals = m->config->authorized_principals_file || m->config->authorized_principals_command;
        if (use_principals) {
                /* The user's AuthorizedPrincipalsFile, read as the user (pubkey-check.c). */
                r = m->config->authorized_principals_file ? pubkey_check_principals(m, m->user, c, &v) : 0;
                if (r >= 0 && !v.authorized && m->config->authorized_principals_command) {
                        pubkey_verdict_done(&v);
                        r = pubkey_check_principals_command(m, m->user, c, blob, blob_len, &v);
                }
                if (r < 0) {
                        pubkey_verdict_done(&v);
                        log_error("checking the authorized principals of %s failed: %s", m->user->name,
                                  strerror(-r));
                        return 0;
                }
                if (!v.authorized) {
                        pubkey_verdict_done(&v);
                        log_error("Certificate does not contain an authorized principal");
                        return 0;
                }
        }
        const char *reason = NULL;
        const AuthorizedKeysClient client = {
                .user = m->user->name, .address = m->peer_address, .now = time(NULL), .cert = c,
        };
        r = ssh_cert_check_authority(c, client.now, true, use_principals ? NULL : m->user->name, &reason);
        if (r < 0) {
                pubkey_verdict_done(&v);
                log_error("%s", reason);
                return 0;
        }
        if (!authorized_keys_cert_options_allowed("cert", &client)) {
                pubkey_verdict_done(&v);
                return 0;
        }
        if (v.forced_command && c->force_command && !streq(v.forced_command, c->force_command)) {
                pubkey_verdict_done(&v);
                log_error("forced command options do not match");
                return 0;
        }
        log_verbose("Accepted certificate ID \"%s\" (serial %llu) signed by %s CA %s via %s", c->key_id,
                    (unsigned long long) c->serial, ca_label, ca_fp, file);
        v.authorized = true;
        *ret = v;
        return 1;
}

int auth_cert_check(Monitor *m, const SshCert *c, const uint8_t *blob, size_t blob_len, PubkeyVerdict *ret) {
        PubkeyVerdict v = {};
        int r = trusted_ca(m, c, blob, blob_len, &v);
        if (r < 0)
                return r;
        if (r == 0) {
                /* authorized_keys: a cert-authority line for its CA, checked in the user's child. */
                r = pubkey_check(m, m->user, ssh_key_type_name(c->ca->type), c->ca->blob, c->ca->blob_len, c,
                                 blob, blob_len, &v);
                if (r < 0)
                        return r;
                /* The child says which kind of line it matched: only a CA line authorizes a certificate. */
                if (v.authorized && !(v.flags & AUTHKEY_CERT_AUTHORITY))
                        v.authorized = false;
        }
        if (v.authorized) {
                v.flags = authorized_keys_merge_flags(v.flags, authorized_keys_cert_flags(c));
                if (!v.forced_command && c->force_command) {
                        v.forced_command = strdup(c->force_command);
                        if (!v.forced_command) {
                                pubkey_verdict_done(&v);
                                return -ENOMEM;
                        }
                }
        }
        *ret = v;
        return 0;
}
