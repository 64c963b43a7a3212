/* See hostkey-prove.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/macro.h"
#include "common/wire.h"
#include "monitor/hostkey-prove.h"
#include "monitor/ssh-key.h"

#define HOSTKEYS_PROVE_REQUEST "hostkeys-prove-00@openssh.com"

/* The index of our host key whose public blob is exactly blob, or -ENOKEY. */
static int hostkey_index(const Monitor *m, const uint8_t *blob, size_t len) {
        for (size_t i = 0; i < m->n_hostkeys; i++)
                if (m->hostkeys[i]->blob_len == len && memcmp(m->hostkeys[i]->blob, blob, len) == 0)
                        return (int) i;
        return -ENOKEY;
}

static const char *prove_algorithm(const Monitor *m, const SshKey *k) {
        if (k->type != SSH_KEY_RSA)
                return ssh_key_type_name(k->type);
        /* The exchange's own RSA algorithm when it used an RSA key (the client verifies with it), else
         * rsa-sha2-512, which every client that asks knows (OpenSSH falls back to what the client's
         * proposal had; its client accepts only rsa-sha2-256/512 then). */
        return ssh_key_algorithm_matches(k, m->kex_hostkey_algorithm) ? m->kex_hostkey_algorithm : "rsa-sha2-512";
}

static int sign_one(const Monitor *m, const SshKey *k, const char *alg, WireWriter *out) {
        _cleanup_(wire_writer_done) WireWriter data = wire_writer(HOSTKEY_MAX_PROVE_BYTES);
        (void) wire_put_string(&data, HOSTKEYS_PROVE_REQUEST);
        (void) wire_put_blob(&data, m->session_id, m->session_id_len);
        if (wire_put_blob(&data, k->blob, k->blob_len) < 0)
                return data.error;
        _cleanup_free_ uint8_t *sig = NULL;
        size_t sig_len = 0;
        int r = ssh_key_sign(k, alg, data.data, data.size, &sig, &sig_len);
        if (r < 0)
                return r;
        return wire_put_blob(out, sig, sig_len);
}

int handle_hostkeys_prove(Monitor *m, const IpcHostkeysProve *p) {
        /* The gate allows it after authentication only; the signed data needs the identifier. */
        if (m->state != IPC_ST_AUTHED || m->session_id_len == 0)
                return -EPROTO;

        /* The worker checked the client's request against the keys SETUP gave it and refused anything
         * else itself: a blob that is not ours, a second copy or none is a lie. (Each key at most once:
         * no request can hold more blobs than we have keys.) */
        WireReader in = wire_reader(p->keys, p->keys_len);
        bool seen[IPC_MAX_HOSTKEYS] = {};
        size_t n = 0;
        _cleanup_(wire_writer_done) WireWriter out = wire_writer(HOSTKEY_MAX_PROVE_BYTES);
        while (in.pos < in.size) {
                const uint8_t *blob = NULL;
                size_t len = 0;
                int r = wire_get_blob_ref(&in, in.size, &blob, &len);
                if (r < 0) {
                        log_error("monitor: the worker for %s port %u sent a malformed hostkeys-prove request",
                                  m->peer_address, m->peer_port);
                        return -EBADMSG;
                }
                int i = hostkey_index(m, blob, len);
                if (i < 0 || seen[i]) {
                        log_error("monitor: the worker for %s port %u asked to prove %s", m->peer_address,
                                  m->peer_port, i < 0 ? "a key that is not one of our host keys" :
                                  "a host key twice");
                        return -EBADMSG;
                }
                seen[i] = true;
                n++;
                const SshKey *k = m->hostkeys[i];
                const char *alg = prove_algorithm(m, k);
                log_debug3("server_input_hostkeys_prove: sign %s key (index %d) using sigalg %s",
                           ssh_key_type_name(k->type), i, alg);
                r = sign_one(m, k, alg, &out);
                if (r < 0) {
                        log_error("server_input_hostkeys_prove: assemble signature: %s", strerror(-r));
                        return r;
                }
        }
        if (n == 0) {
                log_error("monitor: the worker for %s port %u asked to prove no host key", m->peer_address,
                          m->peer_port);
                return -EBADMSG;
        }
        IpcPayload reply = { .HOSTKEYS_PROOF = { .signatures = out.data, .signatures_len = out.size } };
        return monitor_send(m, IPC_HOSTKEYS_PROOF, &reply, NULL, 0);
}
