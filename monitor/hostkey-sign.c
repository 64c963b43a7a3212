/* See hostkey-sign.h. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/algorithms.h"
#include "common/base64.h"
#include "common/fd-util.h"
#include "common/log.h"
#include "common/macro.h"
#include "monitor/hostcert.h"
#include "monitor/hostkey-sign.h"
#include "monitor/ssh-key.h"

static int read_hostkey(const char *path, char **ret, size_t *ret_len) {
        struct stat st;
        _cleanup_close_ int fd = open_regular_file(path, -EINVAL, &st);
        if (fd < 0)
                return fd;
        if (st.st_uid != 0 || (st.st_mode & 0077)) {
                log_error("Permissions 0%03o for '%s' are too open: host keys must be owned by root "
                          "and not accessible by others.", (unsigned) (st.st_mode & 0777), path);
                return -EPERM;
        }
        return read_full_fd(fd, HOSTKEY_MAX_FILE_SIZE, ret, ret_len);
}

int hostkeys_load(Monitor *m) {
        const Config *c = m->config;
        for (size_t i = 0; i < c->n_hostkeys && m->n_hostkeys < IPC_MAX_HOSTKEYS; i++) {
                _cleanup_erase_free_ char *text = NULL;
                size_t len = 0;
                SshKey *k = NULL;
                int r = read_hostkey(c->hostkeys[i], &text, &len);
                if (r >= 0)
                        r = ssh_key_load_private(text, len, &k);
                if (r < 0) {
                        /* OpenSSH goes on without a missing key as long as one is left. */
                        log_error("Unable to load host key: %s: %s", c->hostkeys[i], strerror(-r));
                        continue;
                }
                m->hostkeys[m->n_hostkeys++] = k;
        }
        if (m->n_hostkeys == 0) {
                log_error("sshd: no hostkeys available -- exiting.");
                return -ENOENT;
        }
        return 0;
}

void hostkeys_free(Monitor *m) {
        for (size_t i = 0; i < m->n_hostkeys; i++)
                m->hostkeys[i] = ssh_key_free(m->hostkeys[i]);
        m->n_hostkeys = 0;
}

int hostkeys_public_lines(const Monitor *m, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(m->n_hostkeys + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_hostkeys; i++) {
                const SshKey *k = m->hostkeys[i];
                _cleanup_free_ char *b64 = NULL;
                int r = base64_encode(k->blob, k->blob_len, true, &b64);
                if (r < 0)
                        return r;
                const char *t = ssh_key_type_name(k->type);
                l[i] = malloc(strlen(t) + 1 + strlen(b64) + 1);
                if (!l[i])
                        return -ENOMEM;
                strcpy(stpcpy(stpcpy(l[i], t), " "), b64);
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static bool has_suffix(const char *s, size_t n, const char *suffix) {
        size_t k = strlen(suffix);
        return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

size_t kex_hash_length(const char *kex) {
        size_t n = strcspn(kex, "@");   /* curve25519-sha256@libssh.org, sntrup761x25519-sha512@openssh.com */
        if (strneq(kex, "ecdh-sha2-nistp", strlen("ecdh-sha2-nistp")))
                return streq(kex, "ecdh-sha2-nistp256") ? 32 : streq(kex, "ecdh-sha2-nistp384") ? 48 :
                       streq(kex, "ecdh-sha2-nistp521") ? 64 : 0;
        return has_suffix(kex, n, "-sha256") ? 32 : has_suffix(kex, n, "-sha384") ? 48 :
               has_suffix(kex, n, "-sha512") ? 64 : has_suffix(kex, n, "-sha1") ? 20 : 0;
}

int handle_hostkey_sign(Monitor *m, const IpcHostkeySign *p) {
        const Config *c = m->config;
        const char *kex_list = c->kex_algorithms ?: algorithms_default(ALGORITHMS_KEX);
        const char *hk_list = c->hostkey_algorithms ?: algorithms_default(ALGORITHMS_HOSTKEY);

        /* Only the first exchange happens before authentication, plus the rekeys a short LoginGraceTime
         * could see; an unauthenticated worker asking for more is not running a key exchange. */
        if (m->state == IPC_ST_PREAUTH && m->hostkey_signs_preauth >= HOSTKEY_MAX_PREAUTH_SIGNATURES) {
                log_error("monitor: the worker for %s port %u asked for more than %u host key signatures "
                          "before authentication", m->peer_address, m->peer_port,
                          HOSTKEY_MAX_PREAUTH_SIGNATURES);
                return -EDQUOT;
        }
        if (p->key_index >= m->n_hostkeys) {
                log_error("monitor: the worker for %s port %u asked for a signature with host key %u of %zu",
                          m->peer_address, m->peer_port, p->key_index, m->n_hostkeys);
                return -EINVAL;
        }
        const SshKey *k = m->hostkeys[p->key_index];
        /* The data must be what a key exchange signs: the exchange hash of a method we offer, of that
         * method's hash length, and the algorithm one we offer that goes with the key. */
        size_t want = kex_hash_length(p->kex_algorithm);
        if (!algorithms_list_contains(kex_list, p->kex_algorithm) || want == 0 || p->data_len != want) {
                log_error("monitor: the worker for %s port %u asked for a host key signature over %zu bytes "
                          "for key exchange \"%s\": not an exchange hash", m->peer_address, m->peer_port,
                          p->data_len, p->kex_algorithm);
                return -EBADMSG;
        }
        /* With a certificate as K_S, the offered name is the certificate's ("rsa-sha2-256-cert-v01@..."),
         * the signature the plain one's; the key must have a certificate (the worker cannot invent one). */
        char cert_alg[128];
        const char *offered = !p->certificate ? p->algorithm :
                              m->hostcerts[p->key_index] ? hostcert_algorithm(p->algorithm, cert_alg, sizeof cert_alg) :
                              NULL;
        if (!offered || !algorithms_list_contains(hk_list, offered) || !ssh_key_algorithm_matches(k, p->algorithm)) {
                log_error("monitor: the worker for %s port %u asked for a %s%s signature with a %s host key",
                          m->peer_address, m->peer_port, p->algorithm, p->certificate ? " (certificate)" : "",
                          ssh_key_type_name(k->type));
                return -EBADMSG;
        }

        _cleanup_free_ uint8_t *sig = NULL;
        size_t sig_len = 0;
        int r = ssh_key_sign(k, p->algorithm, p->data, p->data_len, &sig, &sig_len);
        if (r < 0) {
                log_error("monitor: signing with the %s host key failed: %s", ssh_key_type_name(k->type),
                          strerror(-r));
                return r;
        }
        if (m->session_id_len == 0) {
                /* RFC 4253 §7.2: the first exchange hash is the session identifier, for good. */
                memcpy(m->session_id, p->data, p->data_len);
                m->session_id_len = p->data_len;
                m->session_hostkey = p->key_index;
                m->session_hostkey_cert = p->certificate;
        }
        if (m->state == IPC_ST_PREAUTH)
                m->hostkey_signs_preauth++;
        /* hostkeys-prove-00 signs RSA keys with the algorithm of the current exchange, as OpenSSH. */
        (void) snprintf(m->kex_hostkey_algorithm, sizeof m->kex_hostkey_algorithm, "%s", p->algorithm);
        IpcPayload reply = { .HOSTKEY_SIGNATURE = { .signature = sig, .signature_len = sig_len } };
        return monitor_send(m, IPC_HOSTKEY_SIGNATURE, &reply, NULL, 0);
}
