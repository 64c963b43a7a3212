/* See handle-auth.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/algorithms.h"
#include "common/log.h"
#include "common/proctitle.h"
#include "common/sha256.h"
#include "monitor/access-lists.h"
#include "monitor/auth-cert.h"
#include "monitor/auth-info.h"
#include "monitor/auth-log.h"
#include "monitor/authorized-keys.h"
#include "monitor/connection-config.h"
#include "monitor/handle-auth.h"
#include "monitor/monitor-state.h"
#include "monitor/pubkey-check.h"
#include "monitor/pubkey-verify.h"
#include "monitor/revoked-keys.h"
#include "monitor/ssh-key.h"

/* What PAM is given instead of the real password when the answer must be "no" (unknown user, root
 * not allowed, empty password with PermitEmptyPasswords no): the same code path and timing as a real attempt, never a success. */
static const char bad_password[] = "\b\n\r\177INCORRECT";

int auth_reply(Monitor *m, IpcAuthOutcome o) {
        IpcPayload p = {};
        p.AUTH_RESULT.result = (uint8_t) o;
        p.AUTH_RESULT.methods = auth_lists_next(&m->auth_lists, config_auth_methods_enabled(m->config));
        p.AUTH_RESULT.user = o == IPC_AUTH_SUCCESS ? m->user->name : NULL;
        return monitor_send(m, IPC_AUTH_RESULT, &p, NULL, 0);
}

/*
 * Every request names a user. The first one fixes it for the connection; a different name later is
 * refused with a disconnect, as OpenSSH does. Returns 0, or 1 when the client must be disconnected.
 * As in OpenSSH, "user:style" is user "user": the part from the first ':' on is an authentication
 * style (BSD auth), which names nothing on Linux and is dropped before the lookup, the logs and PAM.
 */
int auth_begin(Monitor *m, const char *requested) {
        _cleanup_free_ char *user = strndup(requested, strcspn(requested, ":"));
        if (!user)
                return -ENOMEM;
        if (m->auth_user) {
                if (streq(m->auth_user, user))
                        return 0;
                log_info("Disconnecting: Change of username not allowed: (%s) -> (%s) from %s port %u",
                         m->auth_user, user, m->peer_address, m->peer_port);
                monitor_state_set(m, IPC_ST_REFUSED);
                return 1;
        }
        m->auth_user = TAKE_PTR(user);
        log_set_context(LOG_CONTEXT_USER, m->auth_user);
        /* Match, as OpenSSH's getpwnamallow(): before the lookup and the access lists. */
        int r = connection_config_apply(m);
        if (r < 0)
                return r;
        r = user_creds_lookup(m->auth_user, &m->user);
        if (r < 0) {
                if (r != -ESRCH)
                        log_error("looking up user %s failed: %s", m->auth_user, strerror(-r));
                m->user = NULL;
                auth_log_invalid_user(m, m->auth_user);
        } else if (!access_user_allowed(m->config, m->user, m->peer_address)) {
                /* As OpenSSH: refused by the access lists (logged there), then an invalid user. */
                user_creds_free(m->user);
                m->user = NULL;
        }
        return 0;
}

int auth_fail(Monitor *m) {
        m->auth_failures++;
        if (m->auth_failures >= (unsigned) m->config->max_auth_tries) {
                auth_log_max_tries(m);
                monitor_state_set(m, IPC_ST_REFUSED);
                return auth_reply(m, IPC_AUTH_DISCONNECT);
        }
        return auth_reply(m, IPC_AUTH_FAILURE);
}

static bool is_root(const Monitor *m) {
        return m->user && m->user->uid == 0;
}

/* PermitRootLogin for this method. forced: the key carries a forced command. */
bool auth_root_allowed(const Monitor *m, bool password, bool forced) {
        if (!is_root(m))
                return true;
        switch (m->config->permit_root_login) {
        case PERMIT_ROOT_YES:
                return true;
        case PERMIT_ROOT_PROHIBIT_PASSWORD:
                return !password;
        case PERMIT_ROOT_FORCED_COMMANDS_ONLY:
                return !password && forced;
        case PERMIT_ROOT_NO:
        case _PERMIT_ROOT_MAX:
        default:
                return false;
        }
}

int auth_pam_begin(Monitor *m) {
        if (m->pam)
                return 0;
        return pam_context_new(m->config->pam_service_name, m->auth_user, m->peer_address,
                               m->config->permit_empty_passwords, &m->pam);
}

/* A method succeeded (a step of AuthenticationMethods or the last one): its line joins m->auth_info.
 * A line lost would make the file and SSH_AUTH_INFO_0 tell a PAM module or the user something false,
 * so a failure (out of memory) ends the connection, as OpenSSH's fatal() does. */
static int auth_record_method(Monitor *m, const char *method, const IpcAuthPubkey *key) {
        /* A certificate is written as OpenSSH writes it: its own type name and the whole certificate. */
        const char *type = !key ? NULL : ssh_cert_blob_type(key->key_blob, key->key_blob_len) ?:
                                         authorized_keys_type_for_algorithm(key->algorithm);
        return auth_info_append(&m->auth_info, method, type,
                                key ? key->key_blob : NULL, key ? key->key_blob_len : 0);
}

void auth_pam_expose_info(Monitor *m) {
        if (!m->pam)
                return;
        int r = pam_context_putenv(m->pam, "SSH_AUTH_INFO_0", m->auth_info ?: "");
        if (r < 0)
                log_error("PAM: cannot set SSH_AUTH_INFO_0: %s", strerror(-r));
        else
                log_debug("PAM: auth information in SSH_AUTH_INFO_0");
}

/* ExposeAuthInfo: the file that tells the sessions how the user authenticated, every method in its
 * order. A failure costs the sessions their SSH_USER_AUTH, not the login, as in OpenSSH. */
static void auth_expose_info(Monitor *m) {
        if (!m->config->expose_auth_info || m->auth_info_path || !m->auth_info)
                return;
        int r = auth_info_file_write(m->user, m->auth_info, &m->auth_info_path);
        if (r < 0)
                log_error("ExposeAuthInfo: cannot write the authentication information of %s: %s",
                          m->user->name, strerror(-r));
        else
                log_debug("ExposeAuthInfo: %s for %s", m->auth_info_path, m->user->name);
}

static int auth_succeed(Monitor *m, const char *method, const char *key_info, const IpcAuthPubkey *key);

/* The method a log name stands for. */
static AuthMethod method_of(const char *name) {
        if (streq(name, "publickey"))
                return AUTH_METHOD_PUBLICKEY;
        if (streq(name, "password"))
                return AUTH_METHOD_PASSWORD;
        return AUTH_METHOD_KBDINT;
}

bool auth_step_is_last(const Monitor *m, const char *method) {
        AuthLists after = m->auth_lists;        /* plain data: asked on a copy, the lists stay */
        return auth_lists_complete(&after, method_of(method)) == 1;
}

int auth_accept(Monitor *m, const char *method, const char *key_info, const IpcAuthPubkey *key,
                bool account_done) {
        /* As OpenSSH's monitor: the account stack once, when the user is fully authenticated. After an
         * earlier password or publickey step it would tell a client that holds one factor whether the
         * account is expired, locked or refused (pam_access, pam_time, pam_nologin), and run the
         * account modules before all the methods are known. keyboard-interactive runs it in its
         * conversation whatever its step, as OpenSSH's PAM thread does, so that an expired password
         * can be changed there (account_done); it is not run again at the last step. */
        if (account_done)
                m->pam_account_ok = true;
        if (!m->pam_account_ok && auth_step_is_last(m, method)) {
                int r = auth_pam_begin(m);
                if (r >= 0) {
                        /* Before the account stack, as OpenSSH's do_pam_account(): the methods of the
                         * earlier steps (this one is recorded once the account stack has said yes). */
                        auth_pam_expose_info(m);
                        r = pam_context_account(m->pam);
                }
                if (r < 0) {
                        if (r == -EKEYEXPIRED)
                                log_error("Password change required for user %s but not supported with %s "
                                          "authentication", m->user->name, method);
                        else
                                log_error("Access denied for user %s by PAM account configuration%s%s",
                                          m->user->name, m->pam ? ": " : "",
                                          m->pam ? pam_context_last_error(m->pam) : "");
                        auth_log_attempt(m, false, method, key_info);
                        return auth_fail(m);
                }
                m->pam_account_ok = true;
        }
        return auth_succeed(m, method, key_info, key);
}

bool auth_method_allowed(Monitor *m, const char *method, const char *key_info) {
        if (auth_lists_allowed(&m->auth_lists, method_of(method)))
                return true;
        /* AuthenticationMethods: not a next step of any list (the client was not offered it). */
        log_verbose("%s for %s%s from %s port %u: not allowed at this stage by AuthenticationMethods", method,
                    m->user ? "" : "invalid user ", m->auth_user, m->peer_address, m->peer_port);
        auth_log_attempt(m, false, method, key_info);
        return false;
}

static int auth_succeed(Monitor *m, const char *method, const char *key_info, const IpcAuthPubkey *key) {
        int r = auth_record_method(m, method, key);
        if (r < 0)
                return r;
        if (!auth_lists_complete(&m->auth_lists, method_of(method))) {
                /* AuthenticationMethods: a step of a list, not the last (RFC 4252 partial success). */
                auth_log_partial(m, method, key_info);
                return auth_reply(m, IPC_AUTH_PARTIAL);
        }
        auth_log_attempt(m, true, method, key_info);
        monitor_state_set(m, IPC_ST_AUTHED);
        auth_expose_info(m);
        proctitle_set("privsshd: %s [monitor]", m->user->name);
        return auth_reply(m, IPC_AUTH_SUCCESS);
}

int handle_auth_none(Monitor *m, const IpcAuthNone *p) {
        int r = auth_begin(m, p->user);
        if (r < 0)
                return r;
        if (r > 0)
                return auth_reply(m, IPC_AUTH_DISCONNECT);
        /* Not counted against MaxAuthTries and not logged above debug: clients start every login
         * with it (OpenSSH does the same, and fail2ban would otherwise count it). */
        log_debug("none authentication for %s%s from %s port %u: refused", m->user ? "" : "invalid user ",
                  m->auth_user, m->peer_address, m->peer_port);
        return auth_reply(m, IPC_AUTH_FAILURE);
}

int handle_auth_password(Monitor *m, const IpcAuthPassword *p) {
        int r = auth_begin(m, p->user);
        if (r < 0)
                return r;
        if (r > 0)
                return auth_reply(m, IPC_AUTH_DISCONNECT);

        if (!m->config->password_authentication) {
                /* The worker does not offer it; a client that tries anyway just fails. */
                auth_log_attempt(m, false, "password", NULL);
                return auth_fail(m);
        }
        if (!auth_method_allowed(m, "password", NULL))
                return auth_fail(m);

        /* An empty password is refused here as well as by PAM's flag (pam_begin), as OpenSSH does. */
        bool allowed = m->user && auth_root_allowed(m, true, false) &&
                (m->config->permit_empty_passwords || !isempty(p->password));
        r = auth_pam_begin(m);
        if (r < 0) {
                auth_log_attempt(m, false, "password", NULL);
                return auth_fail(m);
        }
        r = pam_context_authenticate(m->pam, allowed ? p->password : bad_password);
        if (r < 0 || !allowed) {
                auth_log_attempt(m, false, "password", NULL);
                return auth_fail(m);
        }
        return auth_accept(m, "password", NULL, NULL, false);
}

/* A security key's signature carries flags the authenticator set (PROTOCOL.u2f); what is required of
 * them is policy, OpenSSH's: user presence unless the key's line says no-touch-required (and
 * PubkeyAuthOptions touch-required overrides that), user verification when PubkeyAuthOptions or the
 * line says verify-required. Checked, and logged, as OpenSSH's monitor does (mm_answer_keyverify). */
static bool sk_flags_ok(Monitor *m, const PubkeySkResult *sk, unsigned key_flags, const char *key_info) {
        if (!sk->is_sk)
                return true;
        unsigned opts = m->config->pubkey_auth_options;
        bool ok = true;
        bool need_presence = (opts & PUBKEY_AUTH_TOUCH_REQUIRED) || !(key_flags & AUTHKEY_NO_TOUCH_REQUIRED);
        if (need_presence && !(sk->flags & SSH_SK_USER_PRESENT)) {
                /* OpenSSH's line, trailing blank included (fail2ban filters are written against it). */
                log_error("public key %s signature for %s%s from %s port %u rejected: user presence "
                          "(authenticator touch) requirement not met ", key_info,
                          m->user ? "" : "invalid user ", m->auth_user, m->peer_address, m->peer_port);
                ok = false;
        }
        bool need_verify = (opts & PUBKEY_AUTH_VERIFY_REQUIRED) || (key_flags & AUTHKEY_VERIFY_REQUIRED);
        if (need_verify && !(sk->flags & SSH_SK_USER_VERIFIED)) {
                log_error("public key %s signature for %s%s from %s port %u rejected: user verification "
                          "requirement not met ", key_info, m->user ? "" : "invalid user ", m->auth_user,
                          m->peer_address, m->peer_port);
                ok = false;
        }
        log_debug("publickey: security key signature flags 0x%02x counter %u", sk->flags, sk->counter);
        return ok;
}

/* 1: the signature of this publickey request is good; 0: it is not (logged); <0: an error.
 * key_flags: the matching authorized_keys line's (AuthorizedKeyFlags); key_info: "TYPE FP". */
static int pubkey_signature_ok(Monitor *m, const IpcAuthPubkey *p, const char *accepted, unsigned key_flags,
                               const char *key_info) {
        if (m->session_id_len == 0 || m->session_hostkey >= m->n_hostkeys) {
                /* No key exchange went through the monitor: nothing can be signed for it. */
                log_info("publickey: signature for %s from %s port %u before any key exchange: refused",
                         m->auth_user, m->peer_address, m->peer_port);
                return 0;
        }
        const SshKey *hk = m->hostkeys[m->session_hostkey];
        PubkeyExpect e = {
                .session_id = m->session_id,
                .session_id_len = m->session_id_len,
                .user = p->user,
                .service = "ssh-connection",
                .key_blob = p->key_blob,
                .key_blob_len = p->key_blob_len,
                .hostkey_blob = hk->blob,
                .hostkey_blob_len = hk->blob_len,
        };
        if (m->session_hostkey_cert && m->hostcerts[m->session_hostkey]) {
                /* The client saw the certificate as the host key: a host-bound request names it. */
                e.hostkey_blob = m->hostcerts[m->session_hostkey];
                e.hostkey_blob_len = m->hostcert_lens[m->session_hostkey];
        }
        _cleanup_free_ char *alg = NULL;
        const char *what = NULL;
        PubkeySkResult sk = {};
        int r;
        if (p->signed_data_len == 0 || p->signature_len == 0) {
                what = "no signature";
                r = -EBADMSG;
        } else
                r = pubkey_verify(p->signed_data, p->signed_data_len, p->signature, p->signature_len, &e,
                                  (unsigned) m->config->required_rsa_size, &alg, &sk, &what);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_info("publickey: signature for %s from %s port %u refused: %s", m->auth_user,
                         m->peer_address, m->peer_port, what ? what : strerror(-r));
                return 0;
        }
        if (!algorithms_list_contains(accepted, alg)) {
                log_info("userauth_pubkey: signature algorithm %s not in PubkeyAcceptedAlgorithms [preauth]",
                         alg);
                return 0;
        }
        return sk_flags_ok(m, &sk, key_flags, key_info) ? 1 : 0;
}

int handle_auth_pubkey(Monitor *m, const IpcAuthPubkey *p) {
        int r = auth_begin(m, p->user);
        if (r < 0)
                return r;
        if (r > 0)
                return auth_reply(m, IPC_AUTH_DISCONNECT);

        /* Restate what the worker claims about the request before acting on it. */
        if (p->signature_state >= _IPC_PUBKEY_STATE_MAX)
                return -EBADMSG;
        /* A key the worker's libssh could not import (a type it does not know: patches/libssh/0011,
         * 0015) comes without a blob and is a failed attempt like any other, counted here against
         * MaxAuthTries as OpenSSH counts it; the worker does not decide that alone. */
        const char *label = auth_key_type_label(p->algorithm);
        if (!label) {
                log_verbose("userauth_pubkey: unsupported public key algorithm: %s [preauth]", p->algorithm);
                return auth_fail(m);
        }
        if (p->key_blob_len == 0) {
                log_info("userauth_pubkey: parse key: invalid format [preauth]");
                return auth_fail(m);
        }

        /* PubkeyAcceptedAlgorithms is enforced here, not trusted to the worker's libssh. The worker
         * names the key's type, which for RSA ("ssh-rsa") stands for any of its three signature
         * algorithms: the key passes if one of them is accepted; a signed request's own algorithm
         * (from the signed data the monitor verifies) is held to the list again below. */
        const char *accepted = m->config->pubkey_accepted_algorithms ?: algorithms_default(ALGORITHMS_PUBKEY);
        bool listed = algorithms_list_contains(accepted, p->algorithm) ||
                      (streq(p->algorithm, "ssh-rsa") && (algorithms_list_contains(accepted, "rsa-sha2-512") ||
                                                          algorithms_list_contains(accepted, "rsa-sha2-256"))) ||
                      (streq(p->algorithm, "ssh-rsa-cert-v01@openssh.com") &&
                       (algorithms_list_contains(accepted, "rsa-sha2-512-cert-v01@openssh.com") ||
                        algorithms_list_contains(accepted, "rsa-sha2-256-cert-v01@openssh.com")));
        if (!listed) {
                log_info("userauth_pubkey: signature algorithm %s not in PubkeyAcceptedAlgorithms [preauth]",
                         p->algorithm);
                return auth_fail(m);
        }

        /* A certificate: parsed and its CA's signature verified here, whatever the worker thought of
         * it (auth-cert.h); the type the worker named must be the blob's own. */
        char key_info[AUTH_CERT_MAX_KEY_INFO];
        _cleanup_(ssh_cert_freep) SshCert *cert = NULL;
        bool is_cert = ssh_cert_blob_is_cert(p->key_blob, p->key_blob_len);
        if (is_cert != ssh_cert_is_cert_name(p->algorithm))
                return -EBADMSG;
        if (is_cert) {
                r = auth_cert_parse(m, p->key_blob, p->key_blob_len, &cert, key_info, sizeof key_info);
                if (r < 0)
                        return r;
                if (r == 0) {
                        if (m->user)
                                auth_log_attempt(m, false, "publickey", NULL);
                        return auth_fail(m);
                }
        } else {
                _cleanup_free_ char *fp = NULL;
                r = ssh_key_fingerprint(p->key_blob, p->key_blob_len, &fp);
                if (r < 0)
                        return r;
                snprintf(key_info, sizeof key_info, "%s %s", label, fp);
        }

        if (!m->config->pubkey_authentication) {
                log_debug("publickey: disabled (PubkeyAuthentication no)");
                return auth_fail(m);
        }
        if (!auth_method_allowed(m, "publickey", m->user ? key_info : NULL))
                return auth_fail(m);
        /* "publickey,publickey" asks for two keys: one that already succeeded does not count again,
         * nor does its certificate, or another certificate of it (OpenSSH compares the public keys). */
        uint8_t digest[32];
        if (cert)
                sha256_digest(cert->key->blob, cert->key->blob_len, digest);
        else
                sha256_digest(p->key_blob, p->key_blob_len, digest);
        for (size_t i = 0; i < m->n_used_keys; i++)
                if (memcmp(m->used_keys[i], digest, sizeof digest) == 0) {
                        log_verbose("publickey: %s for %s already used in this authentication", key_info,
                                    m->auth_user);
                        return auth_fail(m);
                }

        /* Probes answered PK_OK cost nothing against MaxAuthTries, so they have a budget of their own
         * that real clients never reach (one probe per key they hold, and they stop at the first key
         * that signs); past it, a probe is a failed attempt like any other, so a client that keeps
         * probing is disconnected by MaxAuthTries in OpenSSH's words. */
        if (p->signature_state == IPC_PUBKEY_PROBE && m->pubkey_probes >= AUTH_MAX_PUBKEY_PROBES) {
                if (m->pubkey_probes == AUTH_MAX_PUBKEY_PROBES)     /* logged once */
                        log_info("publickey: more than %u publickey probes for %s%s from %s port %u: "
                                 "further probes count as failed attempts", AUTH_MAX_PUBKEY_PROBES,
                                 m->user ? "" : "invalid user ", m->auth_user, m->peer_address, m->peer_port);
                m->pubkey_probes = AUTH_MAX_PUBKEY_PROBES + 1;
                if (m->user)
                        auth_log_attempt(m, false, "publickey", key_info);
                return auth_fail(m);
        }

        /* RevokedKeys, read by the monitor before any of the user's keys are looked up (as OpenSSH's
         * user_key_allowed()), for unknown users too so that timing does not tell them apart. A
         * certificate: the certificate (CA key with serial or key ID), its key and its CA's key. */
        if (cert ? auth_cert_refuse_revoked(m, cert) :
                   revoked_keys_refuse_key(m, p->key_blob, p->key_blob_len, key_info)) {
                if (m->user)
                        auth_log_attempt(m, false, "publickey", key_info);
                return auth_fail(m);
        }

        /* An unknown user (NULL) goes through the same steps (a child, a path, a failed open) as a
         * known one, so that timing does not tell them apart (see pubkey_check). */
        PubkeyVerdict v = {};
        if (cert && m->user)
                r = auth_cert_check(m, cert, p->key_blob, p->key_blob_len, &v);
        else
                r = pubkey_check(m, m->user, p->algorithm, p->key_blob, p->key_blob_len, NULL, NULL, 0, &v);
        if (!m->user)
                v.authorized = false;
        if (r < 0) {
                log_error("publickey: checking the authorized keys of %s%s failed: %s",
                          m->user ? "" : "invalid user ", m->auth_user, strerror(-r));
                v.authorized = false;
        }
        if (v.authorized && !auth_root_allowed(m, false, v.forced_command != NULL)) {
                auth_log_root_refused(m);
                v.authorized = false;
        }
        if (!v.authorized) {
                pubkey_verdict_done(&v);
                /* Like OpenSSH: a key that is not authorized for a known user is a "Failed publickey"
                 * line, at VERBOSE until half of MaxAuthTries is used up (clients offer every key
                 * they have, so these are not failed logins by themselves); for an unknown user
                 * there is nothing to look up and OpenSSH logs nothing. */
                if (m->user)
                        auth_log_attempt(m, false, "publickey", key_info);
                else
                        log_debug("publickey: %s offered for invalid user %s", key_info, m->auth_user);
                return auth_fail(m);
        }
        if (p->signature_state == IPC_PUBKEY_PROBE) {
                pubkey_verdict_done(&v);
                m->pubkey_probes++;
                return auth_reply(m, IPC_AUTH_PK_OK);
        }

        /* The signature: verified here, over data that must be this connection's request for this
         * very key (monitor/pubkey-verify.h). What the worker's libssh made of it means nothing. */
        r = pubkey_signature_ok(m, p, accepted, v.flags, key_info);
        if (r <= 0) {
                pubkey_verdict_done(&v);
                if (r < 0)
                        return r;
                auth_log_attempt(m, false, "publickey", key_info);
                return auth_fail(m);
        }

        free(m->forced_command);
        m->forced_command = TAKE_PTR(v.forced_command);
        m->key_flags = v.flags;
        free(m->key_permit_open);
        m->key_permit_open = TAKE_PTR(v.permit_open);
        free(m->key_permit_listen);
        m->key_permit_listen = TAKE_PTR(v.permit_listen);
        strv_free(m->key_env);
        m->key_env = TAKE_PTR(v.environment);
        if (m->config->permit_user_environment)
                for (char **e = m->key_env; e && *e; e++)
                        log_debug("key options: environment: %s", *e);
        pubkey_verdict_done(&v);
        if (m->n_used_keys < AUTH_METHODS_MAX_STEPS)
                memcpy(m->used_keys[m->n_used_keys++], digest, sizeof digest);
        return auth_accept(m, "publickey", key_info, p, false);
}
