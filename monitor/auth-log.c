/* See auth-log.h. */

#include <string.h>

#include "common/log.h"
#include "monitor/auth-log.h"
#include "monitor/ssh-cert.h"
#include "monitor/log-journal.h"
#include "monitor/login-record.h"

void auth_log_invalid_user(const Monitor *m, const char *user) {
        log_fields(LOG_LEVEL_INFO, &(LogFields) { .message_id = LOG_MESSAGE_ID_INVALID_USER },
                   "Invalid user %s from %s port %u", user, m->peer_address, m->peer_port);
}

void auth_log_attempt(const Monitor *m, bool accepted, const char *method, const char *key_info) {
        bool valid = m->user != NULL;
        /* OpenSSH's rule: successes, invalid users, password attempts and users close to the limit at
         * INFO; the rest (a valid user's "none" probe, a publickey miss) at VERBOSE. */
        LogLevel level = (accepted || !valid || streq(method, "password") ||
                          m->auth_failures >= (unsigned) m->config->max_auth_tries / 2) ?
                LOG_LEVEL_INFO : LOG_LEVEL_VERBOSE;

        /* key_info is "ED25519 SHA256:...": the journal gets the fingerprint as a field of its own. */
        const char *fingerprint = key_info ? strchr(key_info, ' ') : NULL;
        LogFields f = {
                .message_id = accepted ? LOG_MESSAGE_ID_ACCEPTED : LOG_MESSAGE_ID_FAILED,
                .auth_method = method,
                .key_fingerprint = fingerprint ? fingerprint + 1 : key_info,
        };
        log_fields(level, &f, "%s %s for %s%s from %s port %u ssh2%s%s",
                     accepted ? "Accepted" : "Failed", method,
                     valid ? "" : "invalid user ", m->auth_user ? m->auth_user : "",
                     m->peer_address, m->peer_port,
                     key_info ? ": " : "", key_info ? key_info : "");
        /* btmp (lastb), for failed passwords as OpenSSH's record_failed_login. */
        if (!accepted && streq(method, "password"))
                (void) login_record_failed(m->auth_user, m->peer_address);
}

/* OpenSSH's line for a step of AuthenticationMethods that is not the last. */
void auth_log_partial(const Monitor *m, const char *method, const char *key_info) {
        log_info("Partial %s for %s from %s port %u ssh2%s%s", method, m->auth_user ? m->auth_user : "",
                 m->peer_address, m->peer_port, key_info ? ": " : "", key_info ? key_info : "");
}

void auth_log_max_tries(const Monitor *m) {
        log_fields(LOG_LEVEL_ERROR, &(LogFields) { .message_id = LOG_MESSAGE_ID_MAX_TRIES },
                   "maximum authentication attempts exceeded for %s%s from %s port %u ssh2",
                   m->user ? "" : "invalid user ", m->auth_user ? m->auth_user : "", m->peer_address, m->peer_port);
}

void auth_log_root_refused(const Monitor *m) {
        log_fields(LOG_LEVEL_INFO, &(LogFields) { .message_id = LOG_MESSAGE_ID_ROOT_REFUSED },
                   "ROOT LOGIN REFUSED FROM %s port %u", m->peer_address, m->peer_port);
}

const char *auth_key_type_label(const char *algorithm) {
        if (!algorithm)
                return NULL;
        if (streq(algorithm, "ssh-ed25519"))
                return "ED25519";
        if (strneq(algorithm, "ecdsa-sha2-nistp", strlen("ecdsa-sha2-nistp")))
                return "ECDSA";
        if (streq(algorithm, "ssh-rsa") || streq(algorithm, "rsa-sha2-256") || streq(algorithm, "rsa-sha2-512"))
                return "RSA";
        if (streq(algorithm, "sk-ssh-ed25519@openssh.com"))
                return "ED25519-SK";
        if (streq(algorithm, "sk-ecdsa-sha2-nistp256@openssh.com"))
                return "ECDSA-SK";
        return ssh_cert_type_label(algorithm);
}
