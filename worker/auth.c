/*
 * Authentication relay. Every userauth request is held (queue mode) while the monitor decides; the
 * worker has no policy of its own: no attempt counting, no user checks. Methods the monitor does not
 * handle (hostbased, gssapi) are refused here without asking. keyboard-interactive is the monitor's
 * PAM conversation: its rounds come as KBDINT_PROMPTS, the client's answers go back as KBDINT_ANSWERS.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth-methods.h"
#include "common/base64.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/proctitle.h"
#include "worker/test-inject.h"
#include "worker/worker.h"

/* What the client is offered: what the monitor said last (SETUP, then each AUTH_RESULT), which
 * AuthenticationMethods narrows to the next steps. */
int auth_methods_offered(const Worker *w) {
        int m = 0;
        if (w->auth_methods & AUTH_METHOD_PUBLICKEY)
                m |= SSH_AUTH_METHOD_PUBLICKEY;
        if (w->auth_methods & AUTH_METHOD_PASSWORD)
                m |= SSH_AUTH_METHOD_PASSWORD;
        if (w->auth_methods & AUTH_METHOD_KBDINT)
                m |= SSH_AUTH_METHOD_INTERACTIVE;
        return m;
}

/* The client's INFO_RESPONSE to our last INFO_REQUEST: its answers to the monitor, or an abort when
 * it answered something else than what was asked (the conversation then fails). */
static int relay_kbdint_answers(Worker *w) {
        IpcPayload p = {};
        int n = ssh_userauth_kbdint_getnanswers(w->session);
        char *answers[KBDINT_MAX_PROMPTS] = {};
        bool ok = n >= 0 && (unsigned) n == w->kbdint_prompts;
        for (int i = 0; ok && i < n; i++) {
                const char *a = ssh_userauth_kbdint_getanswer(w->session, (unsigned) i);
                ok = a && strlen(a) <= AUTH_MAX_PASSWORD_LEN;
                answers[i] = (char *) a;
        }
        w->kbdint_waiting = false;
        p.KBDINT_ANSWERS.abort = !ok;
        p.KBDINT_ANSWERS.answers = ok ? answers : NULL;
        p.KBDINT_ANSWERS.n_answers = ok ? (size_t) n : 0;
        return monitor_client_send(w, IPC_KBDINT_ANSWERS, &p) < 0 ? 0 : 1;
}

static void reply_failure(Worker *w, ssh_message msg) {
        ssh_message_auth_set_methods(msg, auth_methods_offered(w));
        ssh_message_reply_default(msg);
}

/* Send the request at the head of the queue to the monitor. 1: sent; 0: answered locally. */
static int relay(Worker *w, ssh_message msg) {
        IpcPayload p = {};
        if (ssh_message_subtype(msg) == SSH_AUTH_METHOD_INTERACTIVE && ssh_message_auth_kbdint_is_response(msg))
                return w->kbdint_waiting ? relay_kbdint_answers(w) : 0;
        const char *user = ssh_message_auth_user(msg);
        if (!user || strlen(user) > AUTH_MAX_USER_LEN)
                return 0;

        switch (ssh_message_subtype(msg)) {
        case SSH_AUTH_METHOD_NONE:
                p.AUTH_NONE.user = (char *) user;
                return monitor_client_send(w, IPC_AUTH_NONE, &p) < 0 ? 0 : 1;

        case SSH_AUTH_METHOD_PASSWORD: {
                const char *pw = ssh_message_auth_password(msg);
                if (!pw || strlen(pw) > AUTH_MAX_PASSWORD_LEN)
                        return 0;
                p.AUTH_PASSWORD.user = (char *) user;
                p.AUTH_PASSWORD.password = (char *) pw;
                return monitor_client_send(w, IPC_AUTH_PASSWORD, &p) < 0 ? 0 : 1;
        }

        case SSH_AUTH_METHOD_PUBLICKEY: {
                ssh_key key = ssh_message_auth_pubkey(msg);
                enum ssh_publickey_state_e st = ssh_message_auth_publickey_state(msg);
                if (!key) {
                        /* A key type libssh does not know (patch 0011): the monitor counts and logs
                         * the attempt (MaxAuthTries) from the algorithm the client named (patch 0015);
                         * there is no key to send. */
                        const char *alg = ssh_message_auth_publickey_algorithm(msg);
                        char name[129];
                        snprintf(name, sizeof name, "%.128s", alg ? alg : "");
                        p.AUTH_PUBKEY.user = (char *) user;
                        p.AUTH_PUBKEY.algorithm = name;
                        p.AUTH_PUBKEY.signature_state = IPC_PUBKEY_PROBE;
                        return monitor_client_send(w, IPC_AUTH_PUBKEY, &p) < 0 ? 0 : 1;
                }
                /* A request with a signature goes to the monitor with the signature and the data it
                 * signs (libssh patch 0002), whatever libssh thought of it: the monitor verifies it
                 * and decides, and a bad one gets its failure, and its log line, from there. */
                const unsigned char *sig = NULL, *data = NULL;
                size_t sig_len = 0, data_len = 0;
                bool signed_request = st != SSH_PUBLICKEY_STATE_NONE;
                if (signed_request &&
                    ssh_message_auth_publickey_signature(msg, &sig, &sig_len, &data, &data_len) != SSH_OK)
                        sig = data = NULL, sig_len = data_len = 0;
                const char *type = ssh_key_type_to_char(ssh_key_type(key));
                char *b64 = NULL;
                if (!type || ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK || !b64)
                        return 0;
                uint8_t *blob = NULL;
                size_t blob_len = 0;
                int r = base64_decode(b64, strlen(b64), &blob, &blob_len);
                ssh_string_free_char(b64);
                if (r < 0)
                        return 0;
                p.AUTH_PUBKEY.user = (char *) user;
                p.AUTH_PUBKEY.algorithm = (char *) type;
                p.AUTH_PUBKEY.key_blob = blob;
                p.AUTH_PUBKEY.key_blob_len = blob_len;
                p.AUTH_PUBKEY.signature_state = signed_request ? IPC_PUBKEY_SIGNED : IPC_PUBKEY_PROBE;
                p.AUTH_PUBKEY.signed_data = (uint8_t *) data;
                p.AUTH_PUBKEY.signed_data_len = data_len;
                p.AUTH_PUBKEY.signature = (uint8_t *) sig;
                p.AUTH_PUBKEY.signature_len = sig_len;
                r = monitor_client_send(w, IPC_AUTH_PUBKEY, &p);
                free(blob);
                return r < 0 ? 0 : 1;
        }

        case SSH_AUTH_METHOD_INTERACTIVE:
                /* Before USER_CONFIG the monitor decides: Match may enable it for this user. */
                if (w->user_configured && !(w->auth_methods & AUTH_METHOD_KBDINT))
                        return 0;
                p.AUTH_KBDINT.user = (char *) user;
                return monitor_client_send(w, IPC_AUTH_KBDINT, &p) < 0 ? 0 : 1;

        default:
                return 0;
        }
}

/* Relay queued requests until one is out with the monitor. */
static void advance(Worker *w) {
        while (!w->auth_outstanding && w->n_auth > 0) {
                ssh_message msg = w->auth_queue[0];
                if (w->kbdint_waiting && !(ssh_message_subtype(msg) == SSH_AUTH_METHOD_INTERACTIVE &&
                                           ssh_message_auth_kbdint_is_response(msg))) {
                        /* RFC 4256 3.4: a new request instead of the answers ends the conversation. */
                        IpcPayload p = {};
                        p.KBDINT_ANSWERS.abort = true;
                        w->kbdint_waiting = false;
                        if (monitor_client_send(w, IPC_KBDINT_ANSWERS, &p) >= 0) {
                                w->kbdint_abort_out = true;
                                w->auth_outstanding = true;
                                return;
                        }
                }
                if (relay(w, msg) > 0) {
                        w->auth_outstanding = true;
                        return;
                }
                reply_failure(w, msg);
                ssh_message_free(msg);
                memmove(w->auth_queue, w->auth_queue + 1, --w->n_auth * sizeof(ssh_message));
        }
}

void auth_handle_message(Worker *w, ssh_message msg) {
        if (w->authenticated) {
                /* RFC 4252 §5.1: requests after success are ignored. */
                ssh_message_free(msg);
                return;
        }
        if (w->n_auth >= ELEMENTSOF(w->auth_queue)) {
                log_info("too many authentication requests in flight; disconnecting");
                ssh_message_free(msg);
                ssh_disconnect(w->session);
                w->done = true;
                return;
        }
        w->auth_queue[w->n_auth++] = msg;
        advance(w);
}

int auth_handle_kbdint_prompts(Worker *w, const IpcKbdintPrompts *p) {
        if (!w->auth_outstanding || w->kbdint_abort_out || w->n_auth == 0 ||
            ssh_message_subtype(w->auth_queue[0]) != SSH_AUTH_METHOD_INTERACTIVE || p->n_prompts > KBDINT_MAX_PROMPTS)
                return -EPROTO;
        ssh_message msg = w->auth_queue[0];
        char echo[KBDINT_MAX_PROMPTS];
        for (size_t i = 0; i < p->n_prompts; i++)
                echo[i] = (char) ((p->echo >> i) & 1u);
        int r = ssh_message_auth_interactive_request(msg, "", p->instruction ? p->instruction : "",
                                                     (unsigned) p->n_prompts, (const char **) p->prompts, echo);
        memmove(w->auth_queue, w->auth_queue + 1, --w->n_auth * sizeof(ssh_message));
        ssh_message_free(msg);
        w->auth_outstanding = false;
        if (r != SSH_OK) {
                /* The round never reached the client: fail the conversation through the monitor. */
                IpcPayload a = {};
                a.KBDINT_ANSWERS.abort = true;
                w->kbdint_abort_out = true;
                w->auth_outstanding = true;
                return monitor_client_send(w, IPC_KBDINT_ANSWERS, &a);
        }
        w->kbdint_waiting = true;
        w->kbdint_prompts = (unsigned) p->n_prompts;
        advance(w);
        return 0;
}

int auth_handle_result(Worker *w, const IpcAuthResult *r) {
        if (w->kbdint_abort_out) {
                /* The end of a conversation the client left: nothing of the client's to answer. */
                w->kbdint_abort_out = false;
                w->auth_outstanding = false;
                w->auth_methods = r->methods;
                if (r->result == IPC_AUTH_DISCONNECT) {
                        auth_drop_all(w);
                        ssh_session_set_disconnect_message(w->session, "Too many authentication failures");
                        ssh_disconnect(w->session);
                        w->done = true;
                        return 0;
                }
                if (r->result != IPC_AUTH_FAILURE)
                        return -EPROTO;
                advance(w);
                return 0;
        }
        if (!w->auth_outstanding || w->n_auth == 0)
                return -EPROTO;
        ssh_message msg = w->auth_queue[0];
        memmove(w->auth_queue, w->auth_queue + 1, --w->n_auth * sizeof(ssh_message));
        w->auth_outstanding = false;
        w->auth_methods = r->methods;

        switch (r->result) {
        case IPC_AUTH_PARTIAL:
                /* RFC 4252 5.1: a failure with partial success, offering the next steps. */
                ssh_message_auth_set_methods(msg, auth_methods_offered(w));
                ssh_message_auth_reply_success(msg, 1);
                break;
        case IPC_AUTH_FAILURE:
                reply_failure(w, msg);
                break;
        case IPC_AUTH_PK_OK:
                ssh_message_auth_reply_pk_ok_simple(msg);
                break;
        case IPC_AUTH_SUCCESS:
                if (isempty(r->user)) {
                        ssh_message_free(msg);
                        return -EPROTO;
                }
                ssh_message_auth_reply_success(msg, 0);
                w->authenticated = true;
                free(w->user);
                w->user = strdup(r->user);
                proctitle_set("privsshd-worker: %s [net]", r->user);
                /* Anything still queued was sent before the client saw the success: drop it. */
                auth_drop_all(w);
                hostkeys_notify(w);     /* right after the success, as OpenSSH's sshd */
#if ENABLE_TEST_HOOKS
                if (test_inject_run(w, "authenticated") < 0) {
                        ssh_message_free(msg);
                        return 0;
                }
#endif
                break;
        case IPC_AUTH_DISCONNECT:
                ssh_message_free(msg);
                auth_drop_all(w);
                ssh_session_set_disconnect_message(w->session, "Too many authentication failures");
                ssh_disconnect(w->session);
                w->done = true;
                return 0;
        default:
                ssh_message_free(msg);
                return -EPROTO;
        }
        ssh_message_free(msg);
        advance(w);
        return 0;
}

void auth_drop_all(Worker *w) {
        for (size_t i = 0; i < w->n_auth; i++)
                ssh_message_free(w->auth_queue[i]);
        w->n_auth = 0;
        w->auth_outstanding = false;
        w->kbdint_waiting = false;
        w->kbdint_abort_out = false;
}
