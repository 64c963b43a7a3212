/* See forward-policy.h. */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common/macro.h"
#include "common/match-pattern.h"
#include "monitor/authorized-keys.h"
#include "monitor/forward-policy.h"

bool forward_policy_direction(const Config *c, uint32_t key_flags, ForwardDirections d) {
        return !c->disable_forwarding && (c->allow_tcp_forwarding & d) == d &&
               !(key_flags & AUTHKEY_NO_PORT_FORWARDING);
}

/* Split "host:port" / "[v6]:port" / (listen) "port" into host (brackets removed) and port (-1: "*"). */
static bool entry_split(const char *e, char *host, size_t size, long *port) {
        const char *colon = strrchr(e, ':');
        const char *p = colon ? colon + 1 : e;
        const char *h = colon ? e : "*";
        size_t hl = colon ? (size_t) (colon - e) : 1;
        if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
                h++;
                hl -= 2;
        }
        if (hl >= size)
                return false;
        memcpy(host, h, hl);
        host[hl] = '\0';
        if (streq(p, "*")) {
                *port = -1;
                return true;
        }
        char *end;
        *port = strtol(p, &end, 10);
        return *p != '\0' && *end == '\0';
}

bool forward_policy_open_permitted(const PermitList *l, const char *host, uint16_t port) {
        if (l->n == 0)
                return true;    /* any */
        for (size_t i = 0; i < l->n; i++) {
                char h[FORWARD_MAX_HOST + 3];
                long p;
                if (streq(l->entries[i], "none") || !entry_split(l->entries[i], h, sizeof h, &p))
                        continue;
                if ((p == -1 || p == port) && (streq(h, "*") || streq(h, host)))
                        return true;
        }
        return false;
}

bool forward_policy_listen_permitted(const PermitList *l, const char *address, uint16_t port) {
        if (l->n == 0)
                return true;
        char lower[FORWARD_MAX_HOST + 1];
        size_t n = strnlen(address, FORWARD_MAX_HOST);
        for (size_t i = 0; i < n; i++)
                lower[i] = (char) tolower((unsigned char) address[i]);
        lower[n] = '\0';
        for (size_t i = 0; i < l->n; i++) {
                char h[FORWARD_MAX_HOST + 3];
                long p;
                if (streq(l->entries[i], "none") || !entry_split(l->entries[i], h, sizeof h, &p))
                        continue;
                if ((p == -1 || p == port) && match_pattern(lower, h))
                        return true;
        }
        return false;
}

static bool key_list(const char *list, PermitList *l, char **copy) {
        *l = (PermitList) {};
        *copy = strdup(list);
        if (!*copy)
                return false;
        char *save = NULL;
        for (char *t = strtok_r(*copy, " ", &save); t && l->n < ELEMENTSOF(l->entries);
             t = strtok_r(NULL, " ", &save))
                l->entries[l->n++] = t;
        return l->n > 0;        /* an empty list cannot happen (the parser); allow nothing then */
}

bool forward_policy_key_open_permitted(const char *list, const char *host, uint16_t port) {
        if (!list)
                return true;
        PermitList l;
        _cleanup_free_ char *copy = NULL;
        return key_list(list, &l, &copy) && forward_policy_open_permitted(&l, host, port);
}

bool forward_policy_key_listen_permitted(const char *list, const char *address, uint16_t port) {
        if (!list)
                return true;
        PermitList l;
        _cleanup_free_ char *copy = NULL;
        return key_list(list, &l, &copy) && forward_policy_listen_permitted(&l, address, port);
}

/* OpenSSH's channel_fwd_bind_addr() for the server: with "no", only an explicit loopback address
 * (127.0.0.1 or ::1: that family only) is honoured, anything else is the loopback address of each
 * family; with "yes", the wildcard always; with "clientspecified", "" and "*" are the wildcard,
 * "localhost" is the loopback address of each family and anything else is bound as given. */
void forward_policy_bind_address(GatewayPorts g, const char *address, ForwardTarget *t) {
        t->host[0] = '\0';
        t->bind = FORWARD_BIND_LOOPBACK;
        if (g == GATEWAY_PORTS_YES) {
                t->bind = FORWARD_BIND_WILDCARD;
        } else if (g == GATEWAY_PORTS_CLIENTSPECIFIED) {
                if (isempty(address) || streq(address, "*") || streq(address, "0.0.0.0"))
                        t->bind = FORWARD_BIND_WILDCARD;
                else if (strcasecmp(address, "localhost") != 0) {
                        t->bind = FORWARD_BIND_ADDRESS;
                        snprintf(t->host, sizeof t->host, "%s", address);
                }
        } else if (streq(address, "::1") || streq(address, "127.0.0.1")) {
                t->bind = FORWARD_BIND_ADDRESS;
                snprintf(t->host, sizeof t->host, "%s", address);
        }
}
