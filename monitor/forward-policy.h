#pragma once
/*
 * Forwarding policy, decided by the monitor alone (the worker only relays what the client asks):
 * AllowTcpForwarding, DisableForwarding, the authorized_keys restrictions of the key that logged in
 * (no-port-forwarding, restrict), PermitOpen, PermitListen, GatewayPorts and the rule that only root
 * may listen on a privileged port, all with OpenSSH's meanings.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/config.h"
#include "monitor/forward-opener.h"

/* AllowTcpForwarding/DisableForwarding/no-port-forwarding for one direction. */
bool forward_policy_direction(const Config *c, uint32_t key_flags, ForwardDirections d);

/* PermitOpen: may a direct-tcpip channel go to host:port? (The host is compared exactly, as OpenSSH.) */
bool forward_policy_open_permitted(const PermitList *l, const char *host, uint16_t port);

/* PermitListen: may a tcpip-forward listen on address:port? (The entry's host is a pattern matched
 * against the lower-cased address.) */
bool forward_policy_listen_permitted(const PermitList *l, const char *address, uint16_t port);

/* The same for a key's permitopen= / permitlisten= values (space-separated; NULL: no restriction). */
bool forward_policy_key_open_permitted(const char *list, const char *host, uint16_t port);
bool forward_policy_key_listen_permitted(const char *list, const char *address, uint16_t port);

/* Where a tcpip-forward for `address` listens under GatewayPorts (fills t->bind and t->host). */
void forward_policy_bind_address(GatewayPorts g, const char *address, ForwardTarget *t);
