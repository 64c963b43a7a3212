/*
 * USER_CONFIG: the configuration the monitor settled on once the client named the user (Match blocks
 * applied, monitor/connection-config.h). It comes once, before the answer to the first authentication
 * request that reached the monitor, and replaces what SETUP said about the same things: the Banner is
 * sent now (OpenSSH sends it there, after Match), the key acceptance lists go to this session's
 * libssh, and the limits and timers that run after authentication (MaxSessions, ClientAlive*,
 * RekeyLimit, UnusedConnectionTimeout, ChannelTimeout) and LogLevel take the new values. Until it has
 * come the worker offers SETUP's methods but filters none of the client's requests by method: the
 * monitor decides with the user's configuration.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "worker/worker.h"

#define SWAP(a, b) do { __typeof__(a) _t = (a); (a) = (b); (b) = _t; } while (0)

static void send_banner(Worker *w) {
        if (w->banner_sent)
                return;
        w->banner_sent = true;
        if (isempty(w->setup.banner))
                return;
        ssh_string text = ssh_string_from_char(w->setup.banner);
        if (text) {
                (void) ssh_send_issue_banner(w->session, text);
                ssh_string_free(text);
        }
}

int user_config_apply(Worker *w, IpcUserConfig *p) {
        IpcSetup *s = &w->setup;

        if (w->user_configured || w->authenticated)
                return -EPROTO;         /* once, before authentication */
        w->user_configured = true;

        if (p->log_level < _LOG_LEVEL_MAX) {
                s->log_level = p->log_level;
                LogLevel ll = (LogLevel) p->log_level;
                log_set_level(ll);
                ssh_set_log_level(ll >= LOG_LEVEL_DEBUG3 ? SSH_LOG_FUNCTIONS :
                                  ll >= LOG_LEVEL_DEBUG2 ? SSH_LOG_PROTOCOL :
                                  ll >= LOG_LEVEL_DEBUG1 ? SSH_LOG_WARN : SSH_LOG_NOLOG);
        }
        /* The old values leave with the message (the caller frees it). */
        SWAP(s->banner, p->banner);
        send_banner(w);

        s->max_sessions = p->max_sessions;
        s->client_alive_interval = p->client_alive_interval;
        s->client_alive_count_max = p->client_alive_count_max;
        /* The clock ssh_server_run() started with SETUP's interval (it only runs once authenticated). */
        w->alive_next = s->client_alive_interval > 0 ?
                worker_now_usec() + (uint64_t) s->client_alive_interval * 1000000u : 0;
        s->unused_connection_timeout = p->unused_connection_timeout;

        const char *algorithms = p->pubkey_accepted_algorithms;
        if (!isempty(algorithms) &&
            ssh_options_set(w->session, SSH_OPTIONS_PUBLICKEY_ACCEPTED_TYPES, algorithms) != SSH_OK)
                return log_error_errno(-EINVAL, "PubkeyAcceptedAlgorithms \"%s\": %s", algorithms,
                                       ssh_get_error(w->session));
        SWAP(s->pubkey_accepted_algorithms, p->pubkey_accepted_algorithms);
        int rsa = (int) p->required_rsa_size;
        if (ssh_options_set(w->session, SSH_OPTIONS_RSA_MIN_SIZE, &rsa) != SSH_OK)
                return log_error_errno(-EINVAL, "RequiredRSASize %d: %s", rsa, ssh_get_error(w->session));
        s->required_rsa_size = p->required_rsa_size;

        s->rekey_data_high = p->rekey_data_high;
        s->rekey_data_low = p->rekey_data_low;
        s->rekey_interval = p->rekey_interval;
        int r = ssh_server_apply_rekey_limit(w);
        if (r < 0)
                return r;

        /* No channel exists before authentication: the rules can be replaced whole. */
        idle_timeout_done(w);
        SWAP(s->channel_timeouts, p->channel_timeouts);
        SWAP(s->n_channel_timeouts, p->n_channel_timeouts);
        return idle_timeout_setup(w);
}
