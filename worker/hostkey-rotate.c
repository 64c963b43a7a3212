/*
 * Host key rotation, the worker's part (OpenSSH's PROTOCOL 2.5; the monitor's is
 * monitor/hostkey-prove.h). After authentication we tell the client every plain host public key SETUP
 * gave us (hostkeys-00@openssh.com, no reply wanted), as OpenSSH's notify_hostkeys(): all of them, in
 * HostKey order, also the ones of a type another key serves, so that a key added for a rotation is
 * learnt before it is used. A client that does not know some of them asks us to prove that we hold
 * them (hostkeys-prove-00@openssh.com); the private keys are in the monitor, which signs.
 *
 * We check the client's request ourselves first and answer anything but a list of distinct keys of
 * ours with REQUEST_FAILURE, as OpenSSH's sshd does: only then does it go to the monitor, which treats
 * anything else as a lie of ours and ends the connection. Replies to global requests go in request
 * order (RFC 4254 4), which global-reply.c keeps: a prove answered at once waits there behind an
 * earlier tcpip-forward still waiting for the monitor (whose answer monitor_client_wait() defers).
 */

#include <errno.h>
#include <string.h>

#include "common/base64.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/match-pattern.h"
#include "common/wire.h"
#include "worker/forward.h"
#include "worker/worker.h"

#define HOSTKEYS_NOTIFY_REQUEST "hostkeys-00@openssh.com"

/* OpenSSH's SSH_BUG_HOSTKEYS (compat.c): clients that cannot cope with hostkeys-00, by the software
 * version of their identification line. */
#define HOSTKEYS_BUGGY_CLIENTS "Cisco-1.*,TeraTerm SSH*,TTSSH/1.5.*,TTSSH/2.1*,TTSSH/2.2*,TTSSH/2.3*," \
                               "TTSSH/2.4*,TTSSH/2.5*,TTSSH/2.6*,TTSSH/2.70*,TTSSH/2.71*,TTSSH/2.72*"

/* The public key blobs of SETUP's lines ("type base64"), decoded once. */
static int hostkey_blobs_load(Worker *w) {
        for (size_t i = w->n_hostkey_blobs; i < w->n_hostkeys && i < w->setup.n_hostkeys; i++) {
                const char *sp = strchr(w->setup.hostkeys[i], ' ');
                if (!sp)
                        return -EINVAL;
                int r = base64_decode(sp + 1, strlen(sp + 1), &w->hostkey_blobs[i], &w->hostkey_blob_lens[i]);
                if (r < 0)
                        return r;
                w->n_hostkey_blobs = i + 1;
        }
        return 0;
}

static bool client_has_hostkeys_bug(Worker *w) {
        const char *banner = ssh_get_clientbanner(w->session);        /* "SSH-2.0-softwareversion ..." */
        const char *v = banner && strneq(banner, "SSH-", 4) ? strchr(banner + 4, '-') : NULL;
        return v && match_pattern_in_list(v + 1, HOSTKEYS_BUGGY_CLIENTS, false) == 1;
}

static void log_key(Worker *w, size_t i) {
        unsigned char *hash = NULL;
        size_t hash_len = 0;
        char *fp = NULL;
        if (ssh_get_publickey_hash(w->hostkeys[i], SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) == 0)
                fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);
        log_debug3("notify_hostkeys: key %zu: %s %s", i, ssh_key_type_to_char(ssh_key_type(w->hostkeys[i])),
                   fp ?: "?");
        ssh_string_free_char(fp);
        ssh_clean_pubkey_hash(&hash);
}

void hostkeys_notify(Worker *w) {
        if (client_has_hostkeys_bug(w)) {
                log_debug("client version does not cope with %s: not sent", HOSTKEYS_NOTIFY_REQUEST);
                return;
        }
        int r = hostkey_blobs_load(w);
        if (r < 0) {
                log_error("notify_hostkeys: host key blobs: %s", strerror(-r));
                return;
        }
        _cleanup_(wire_writer_done) WireWriter data = wire_writer(HOSTKEY_MAX_PROVE_BYTES);
        for (size_t i = 0; i < w->n_hostkey_blobs; i++) {
                log_key(w, i);
                (void) wire_put_blob(&data, w->hostkey_blobs[i], w->hostkey_blob_lens[i]);
        }
        if (data.error < 0 || w->n_hostkey_blobs == 0) {
                log_error("notify_hostkeys: cannot assemble the request: %s", strerror(-data.error));
                return;
        }
        if (ssh_send_global_request_noreply(w->session, HOSTKEYS_NOTIFY_REQUEST, data.data, data.size) != SSH_OK) {
                log_error("notify_hostkeys: send: %s", ssh_get_error(w->session));
                return;
        }
        log_debug3("notify_hostkeys: sent %zu hostkeys", w->n_hostkey_blobs);
}

/* Whether data is one or more distinct blobs of SETUP's keys, at most one each; logs why not in
 * OpenSSH's words (server_input_hostkeys_prove). */
static bool prove_request_valid(Worker *w, const uint8_t *data, size_t len) {
        WireReader in = wire_reader(data, len);
        bool seen[IPC_MAX_HOSTKEYS] = {};
        size_t n = 0;
        while (in.pos < in.size) {
                const uint8_t *blob = NULL;
                size_t blob_len = 0;
                if (wire_get_blob_ref(&in, in.size, &blob, &blob_len) < 0) {
                        log_error("server_input_hostkeys_prove: parse key: invalid format");
                        return false;
                }
                size_t i = 0;
                while (i < w->n_hostkey_blobs &&
                       (w->hostkey_blob_lens[i] != blob_len || memcmp(w->hostkey_blobs[i], blob, blob_len) != 0))
                        i++;
                if (i == w->n_hostkey_blobs) {
                        /* OpenSSH names the type it parsed; the blob's own name is what we can say. */
                        WireReader b = wire_reader(blob, blob_len);
                        _cleanup_free_ char *type = NULL;
                        (void) wire_get_string(&b, 64, &type);
                        log_error("server_input_hostkeys_prove: unknown host %s key", type ?: "(unparsable)");
                        return false;
                }
                if (seen[i]) {
                        log_error("server_input_hostkeys_prove: host key %zu asked for twice", i);
                        return false;
                }
                seen[i] = true;
                n++;
        }
        return n > 0;
}

static void prove(Worker *w, ssh_message msg) {
        size_t len = 0;
        const unsigned char *data = ssh_message_global_request_data(msg, &len);
        if (w->prove_requests >= HOSTKEY_MAX_PROVE_REQUESTS || !data || len > HOSTKEY_MAX_PROVE_BYTES ||
            hostkey_blobs_load(w) < 0 || !prove_request_valid(w, data, len)) {
                if (w->prove_requests >= HOSTKEY_MAX_PROVE_REQUESTS)
                        log_error("server_input_hostkeys_prove: more than %u requests: refused",
                                  HOSTKEY_MAX_PROVE_REQUESTS);
                global_reply(w, msg, false, NULL, 0);
                ssh_message_free(msg);
                return;
        }
        w->prove_requests++;
        IpcPayload p = { .HOSTKEYS_PROVE = { .keys = (uint8_t *) data, .keys_len = len } };
        IpcMessage m;
        int r = monitor_client_send(w, IPC_HOSTKEYS_PROVE, &p);
        if (r >= 0)
                r = monitor_client_wait(w, IPC_HOSTKEYS_PROOF, &m);
        if (r < 0) {
                log_debug("hostkeys-prove: no answer from the monitor: %s", strerror(-r));
                ssh_message_free(msg);
                w->done = true;
                return;
        }
        const IpcHostkeysProof *s = &m.payload.HOSTKEYS_PROOF;
        global_reply(w, msg, true, s->signatures, s->signatures_len);
        ipc_message_done(&m);
        ssh_message_free(msg);
}

/* Answered at once: its reply takes its turn in the global-reply queue (global-reply.c) behind any
 * earlier request still waiting for the monitor, whose answer monitor_client_wait() defers. */
void hostkeys_handle_prove(Worker *w, ssh_message msg) {
        if (!w->authenticated) {
                global_reply(w, msg, false, NULL, 0);
                ssh_message_free(msg);
                return;
        }
        prove(w, msg);
}

void hostkeys_prove_drop(Worker *w) {
        for (size_t i = 0; i < w->n_hostkey_blobs; i++)
                free(w->hostkey_blobs[i]);
        w->n_hostkey_blobs = 0;
}
