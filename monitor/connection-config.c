/* See connection-config.h. */

#include <errno.h>
#include <string.h>

#include "common/auth-methods.h"
#include "common/config.h"
#include "common/log.h"
#include "monitor/connection-config.h"
#include "monitor/worker-spawn.h"

int connection_config_apply(Monitor *m) {
        if (m->own_config)
                return 0;
        ConfigMatchInfo ci = {
                .user = m->auth_user,
                /* UseDNS no: the host is the address (OpenSSH's auth_get_canonical_hostname()). */
                .host = m->peer_address,
                .address = m->peer_address,
                .laddress = m->local_address,
                .lport = m->local_port,
                .rdomain = isempty(m->rdomain) ? NULL : m->rdomain,
        };
        Config *c = NULL;
        int r = config_for_connection(m->config, &ci, &c);
        if (r < 0) {
                log_error("Match for user %s from %s port %u: %s", m->auth_user, m->peer_address, m->peer_port,
                          r == -EINVAL ? "cannot be evaluated" : strerror(-r));
                return r;
        }
        m->own_config = c;
        m->config = c;
        /* As OpenSSH's log_change_level(): a Match block's LogLevel holds from here on. */
        log_set_level(c->log_level);
        /* AuthenticationMethods: no step is done yet (this is the first request), start again. */
        r = auth_lists_init(&m->auth_lists, c->authentication_methods, c->n_authentication_methods);
        if (r < 0) {
                log_error("AuthenticationMethods for user %s: invalid", m->auth_user);
                return r;
        }
        return worker_send_user_config(m);
}
