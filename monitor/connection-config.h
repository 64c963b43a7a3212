#pragma once
/*
 * A connection's configuration: the Match blocks applied for its user, at the point OpenSSH applies
 * them (getpwnamallow(): the first authentication request names the user, before the user is looked
 * up, before AllowUsers and friends, before any method is tried). From then on m->config is the
 * connection's own Config, parsed again from the image the listener handed over
 * (common/config.h config_for_connection()); the process-wide one stays as it was.
 *
 * The worker gets what it uses of it in USER_CONFIG (common/ipc-messages.h) before the answer to that
 * first request; the rest is read by the monitor where it decides (handle-auth.c, handle-session.c,
 * handle-forward*.c, forward-agent.c, pubkey-check.c, ...). A failure (a criterion that needs a fact
 * the connection lacks, as OpenSSH's fatal "'Match RDomain' in configuration but 'rdomain' not in
 * connection test specification.") ends the connection.
 */

#include "monitor/monitor.h"

int connection_config_apply(Monitor *m);
