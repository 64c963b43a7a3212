/*
 * The host keys in the worker: public halves only. libssh (with our patch 0001) asks, at every key
 * exchange, for the signature over the exchange hash; the worker forwards that request to the
 * monitor, which holds the private keys, and waits for the answer. The monitor answers at once and
 * never waits on us, so waiting here (inside libssh's key exchange) cannot deadlock.
 */

#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "common/macro.h"
#include "worker/worker.h"

#define CERT_SUFFIX "-cert-v01@openssh.com"

static bool hostkeys_have_type(const Worker *w, enum ssh_keytypes_e type) {
        for (size_t i = 0; i < w->n_hostkeys; i++)
                if (ssh_key_type(w->hostkeys[i]) == type)
                        return true;
        return false;
}

static const char *certificate_line(const Worker *w, size_t i) {
        return i < w->setup.n_hostkey_certificates && !isempty(w->setup.hostkey_certificates[i]) ?
               w->setup.hostkey_certificates[i] : NULL;
}

/* Does a key before the next one (index w->n_hostkeys) of this type have a certificate? */
static bool hostkeys_have_certificate_of_type(const Worker *w, enum ssh_keytypes_e type) {
        for (size_t i = 0; i < w->n_hostkeys; i++)
                if (ssh_key_type(w->hostkeys[i]) == type && certificate_line(w, i))
                        return true;
        return false;
}

/* HostCertificate: the monitor paired the certificate ("type base64") with key i. A copy of the key
 * with the certificate attached goes to libssh (patch 0010), which offers it as the certificate's
 * algorithms; ssh_pki_copy_cert_to_privkey() checks again that it certifies this key. */
static int import_certificate(Worker *w, ssh_key key, const char *line, size_t i) {
        const char *sp = strchr(line, ' ');
        if (!sp)
                return log_error_errno(-EINVAL, "host certificate %zu in SETUP is not \"type base64\"", i);
        _cleanup_free_ char *type = strndup(line, (size_t) (sp - line));
        if (!type)
                return -ENOMEM;
        ssh_key cert = NULL, certified = ssh_key_dup(key);
        if (!certified)
                return -ENOMEM;
        if (ssh_pki_import_cert_base64(sp + 1, ssh_key_type_from_name(type), &cert) != SSH_OK) {
                ssh_key_free(certified);
                return log_error_errno(-EINVAL, "host certificate %zu (%s) could not be imported", i, type);
        }
        int rc = ssh_pki_copy_cert_to_privkey(cert, certified);
        ssh_key_free(cert);
        if (rc != SSH_OK) {
                ssh_key_free(certified);
                return log_error_errno(-EINVAL, "host certificate %zu (%s) is not for host key %zu", i, type, i);
        }
        if (ssh_bind_options_set(w->bind, SSH_BIND_OPTIONS_IMPORT_KEY, certified) != SSH_OK) {
                ssh_key_free(certified);
                return log_error_errno(-EINVAL, "host certificate %zu (%s) could not be used: %s", i, type,
                                       ssh_get_error(w->bind));
        }
        log_debug("host key %zu: certificate %s", i, type);
        return 0;
}

int hostkeys_import(Worker *w) {
        for (size_t i = 0; i < w->setup.n_hostkeys && i < ELEMENTSOF(w->hostkeys); i++) {
                /* "type base64": the first word names the type, the second is the blob. */
                const char *line = w->setup.hostkeys[i];
                const char *sp = strchr(line, ' ');
                ssh_key key = NULL, mine = NULL;
                if (!sp)
                        return log_error_errno(-EINVAL, "host key %zu in SETUP is not \"type base64\"", i);
                _cleanup_free_ char *type = strndup(line, (size_t) (sp - line));
                if (!type)
                        return -ENOMEM;
                if (ssh_pki_import_pubkey_base64(sp + 1, ssh_key_type_from_name(type), &key) != SSH_OK)
                        return log_error_errno(-EINVAL, "host key %zu (%s) could not be imported", i, type);
                mine = ssh_key_dup(key);
                if (!mine) {
                        ssh_key_free(key);
                        return -ENOMEM;
                }
                /* As OpenSSH's sshd: the first key of a type (of a curve) serves its plain algorithm, the
                 * first one with a certificate its certificate's, which may be another key (libssh keeps
                 * one key of each kind per type, and would replace it with a later one). */
                enum ssh_keytypes_e t = ssh_key_type(key);
                const char *cert = certificate_line(w, i);
                bool plain_served = hostkeys_have_type(w, t);
                bool cert_served = hostkeys_have_certificate_of_type(w, t);
                int r = 0;
                if (cert && !cert_served)
                        r = import_certificate(w, key, cert, i);
                if (r >= 0 && plain_served)
                        log_debug("host key %zu (%s): a key of its type comes first; not served", i, type);
                else if (r >= 0) {
                        if (ssh_bind_options_set(w->bind, SSH_BIND_OPTIONS_IMPORT_KEY, key) != SSH_OK)
                                r = log_error_errno(-EINVAL, "host key %zu (%s) could not be used: %s", i, type,
                                                    ssh_get_error(w->bind));
                        else
                                key = NULL;     /* the bind owns it now */
                }
                ssh_key_free(key);
                if (r < 0) {
                        /* The index must keep its meaning: refuse rather than skip. */
                        ssh_key_free(mine);
                        return r;
                }
                /* `mine` finds the index the monitor knows the key by. */
                w->hostkeys[w->n_hostkeys++] = mine;
        }
        if (w->n_hostkeys == 0)
                return log_error_errno(-ENOKEY, "no usable host key");
        return 0;
}

void hostkeys_drop(Worker *w) {
        for (size_t i = 0; i < w->n_hostkeys; i++)
                ssh_key_free(w->hostkeys[i]);
        w->n_hostkeys = 0;
}

static int sign_hostkey(ssh_session session, ssh_key hostkey, const char *kex_algorithm,
                        const char *sig_algorithm, const unsigned char *data, size_t data_len,
                        ssh_string *signature, void *userdata) {
        Worker *w = userdata;
        size_t i = 0;
        while (i < w->n_hostkeys && ssh_key_cmp(hostkey, w->hostkeys[i], SSH_KEY_CMP_PUBLIC) != 0)
                i++;
        if (i == w->n_hostkeys || !kex_algorithm || !sig_algorithm) {
                log_error("key exchange: no such host key to sign with");
                return SSH_ERROR;
        }
        /* Whether K_S is the key's certificate: the monitor checks the certificate algorithm against
         * HostKeyAlgorithms and binds host-bound publickey requests to what the client saw. */
        const char *hk_alg = ssh_server_get_hostkey_algorithm(session);
        size_t n = hk_alg ? strlen(hk_alg) : 0, k = strlen(CERT_SUFFIX);
        bool certificate = n > k && streq(hk_alg + n - k, CERT_SUFFIX);
        IpcPayload p = { .HOSTKEY_SIGN = {
                .key_index = (uint32_t) i,
                .certificate = certificate,
                .kex_algorithm = (char *) kex_algorithm,
                .algorithm = (char *) sig_algorithm,
                .data = (uint8_t *) data,
                .data_len = data_len,
        } };
        int r = monitor_client_send(w, IPC_HOSTKEY_SIGN, &p);
        if (r < 0)
                return SSH_ERROR;
        IpcMessage m;
        r = monitor_client_wait(w, IPC_HOSTKEY_SIGNATURE, &m);
        if (r < 0) {
                log_debug("key exchange: no signature from the monitor: %s", strerror(-r));
                w->done = true;
                return SSH_ERROR;
        }
        const IpcHostkeySignature *s = &m.payload.HOSTKEY_SIGNATURE;
        ssh_string sig = s->signature_len > 0 ? ssh_string_new(s->signature_len) : NULL;
        if (sig && ssh_string_fill(sig, s->signature, s->signature_len) < 0) {
                ssh_string_free(sig);
                sig = NULL;
        }
        ipc_message_done(&m);
        if (!sig)
                return SSH_ERROR;
        *signature = sig;
        return SSH_OK;
}

int hostkeys_install_callback(Worker *w) {
        if (ssh_set_server_sign_hostkey_callback(w->session, sign_hostkey, w) != SSH_OK)
                return log_error_errno(-EINVAL, "cannot set the host key signing callback: %s",
                                       ssh_get_error(w->session));
        return 0;
}
