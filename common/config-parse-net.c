/*
 * Keyword parsers, rows of config_keywords[] (config-keywords.h): connection limits (MaxStartups,
 * PerSource*), algorithm lists, forwarding (AllowTcpForwarding, GatewayPorts, PermitOpen, PermitListen),
 * RekeyLimit and PubkeyAuthOptions. Same contract as config-parse.c.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/algorithms.h"
#include "common/config-internal.h"
#include "common/config.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/match-pattern.h"
#include "common/net-addr.h"

/* "MaxStartups START:RATE:FULL" or "MaxStartups N" (= N:100:N), as OpenSSH: 1 <= START <= FULL,
 * RATE 1..100; FULL at most our hard cap of concurrent connections. */
int config_parse_max_startups(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        const char *s = args[0];
        long long v[3];
        size_t k = 0;
        for (const char *p = s;; k++) {
                size_t len = strcspn(p, ":");
                char num[24];
                if (k == 3 || len == 0 || len >= sizeof num)
                        return config_error(ctx, "invalid value for %s: \"%s\" (START:RATE:FULL or a number)",
                                            kw->name, s);
                memcpy(num, p, len);
                num[len] = '\0';
                int r = config_number_from_string(num, 0, INT32_MAX, &v[k]);
                if (r < 0)
                        return config_error(ctx, "invalid value for %s: \"%s\" (START:RATE:FULL or a number)",
                                            kw->name, s);
                if (p[len] == '\0') {
                        k++;
                        break;
                }
                p += len + 1;
        }
        if (k == 2)
                return config_error(ctx, "invalid value for %s: \"%s\" (START:RATE:FULL or a number)", kw->name,
                                    s);
        MaxStartups m = k == 1 ? (MaxStartups) { (unsigned) v[0], 100, (unsigned) v[0] } :
                                 (MaxStartups) { (unsigned) v[0], (unsigned) v[1], (unsigned) v[2] };
        if (k == 3 && (v[1] < 1 || v[1] > 100 || v[0] > v[2]))
                return config_error(ctx, "invalid value for %s: \"%s\" (START at most FULL, RATE 1 to 100)",
                                    kw->name, s);
        if (m.begin < (unsigned) kw->min || (long long) m.full > kw->max)
                return config_error(ctx, "value out of range for %s: \"%s\" (START and FULL: %lld to %lld)",
                                    kw->name, s, kw->min, kw->max);
        if (field)
                *(MaxStartups *) field = m;
        return 0;
}

/* "PerSourceMaxStartups N" or "none". */
int config_parse_per_source_max_startups(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                         void *field) {
        long long v = CONFIG_UNLIMITED;
        if (strcasecmp(args[0], "none") != 0) {
                int r = config_number_value(ctx, kw, args[0], &v);
                if (r < 0)
                        return r;
        }
        if (field)
                *(unsigned *) field = (unsigned) v;
        return 0;
}

/* "PerSourceNetBlockSize V4[:V6]", prefix lengths 0..32 and 0..128 (V6 stays 128 if not given). */
int config_parse_net_block_size(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        const char *s = args[0];
        char v4[8];
        const char *colon = strchr(s, ':');
        size_t len = colon ? (size_t) (colon - s) : strlen(s);
        long long a, b = 128;
        if (len >= sizeof v4)
                return config_error(ctx, "invalid value for %s: \"%s\" (IPV4BITS[:IPV6BITS])", kw->name, s);
        memcpy(v4, s, len);
        v4[len] = '\0';
        if (config_number_from_string(v4, 0, 32, &a) < 0 ||
            (colon && config_number_from_string(colon + 1, 0, 128, &b) < 0))
                return config_error(ctx, "invalid value for %s: \"%s\" (IPV4BITS[:IPV6BITS], 0 to 32 and 0 to "
                                    "128)", kw->name, s);
        if (field)
                *(NetBlockSize *) field = (NetBlockSize) { (unsigned) a, (unsigned) b };
        return 0;
}

/*
 * "PerSourcePenalties yes|no" alone, or any of crash:, authfail:, noauth:, grace-exceeded:, max:, min:
 * (times), max-sources4:, max-sources6: (numbers), overflow:, overflow6: (deny-all|permissive). As in
 * OpenSSH, each sub-option keeps its first value over all lines, and storing one turns penalties on
 * even after "no" (OpenSSH 9.8 servconf.c: "any option implicitly enables penalties").
 */
int config_parse_penalties(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        static const struct {
                const char *prefix;
                size_t offset;
                int kind;       /* 0 time, 1 number, 2 overflow */
        } subs[] = {
                { "crash:",          offsetof(PerSourcePenalties, crash),          0 },
                { "authfail:",       offsetof(PerSourcePenalties, authfail),       0 },
                { "noauth:",         offsetof(PerSourcePenalties, noauth),         0 },
                { "grace-exceeded:", offsetof(PerSourcePenalties, grace_exceeded), 0 },
                { "max:",            offsetof(PerSourcePenalties, max),            0 },
                { "min:",            offsetof(PerSourcePenalties, min),            0 },
                { "max-sources4:",   offsetof(PerSourcePenalties, max_sources4),   1 },
                { "max-sources6:",   offsetof(PerSourcePenalties, max_sources6),   1 },
                { "overflow:",       offsetof(PerSourcePenalties, overflow_deny_all), 2 },
                { "overflow6:",      offsetof(PerSourcePenalties, overflow6_deny_all), 2 },
        };
        enum { GIVEN_ENABLED = 1u << ELEMENTSOF(subs) };
        PerSourcePenalties *p = field;

        for (size_t i = 0; i < n; i++) {
                const char *a = args[i];
                int b = config_yes_no_from_string(a);
                if (b >= 0) {
                        if (n > 1)
                                return config_error(ctx, "%s \"%s\" must appear alone", kw->name, a);
                        if (!(p->given & GIVEN_ENABLED))
                                p->enabled = b;
                        p->given |= GIVEN_ENABLED;
                        continue;
                }
                size_t k;
                for (k = 0; k < ELEMENTSOF(subs); k++)
                        if (strneq(a, subs[k].prefix, strlen(subs[k].prefix)))
                                break;
                if (k == ELEMENTSOF(subs))
                        return config_error(ctx, "unsupported %s keyword \"%s\"", kw->name, a);
                const char *v = a + strlen(subs[k].prefix);
                long long x;
                int r;
                if (subs[k].kind == 0)
                        r = config_time_from_string(v, INT32_MAX, &x);
                else if (subs[k].kind == 1)
                        r = config_number_from_string(v, 1, kw->max, &x);
                else {
                        r = streq(v, "deny-all") || streq(v, "permissive") ? 0 : -EINVAL;
                        x = streq(v, "deny-all");
                }
                if (r == -ERANGE && subs[k].kind == 1)
                        return config_error(ctx, "value out of range for %s: \"%s\" (allowed: 1 to %lld)",
                                            kw->name, a, kw->max);
                if (r < 0)
                        return config_error(ctx, "invalid value for %s: \"%s\"", kw->name, a);
                if (p->given & (1u << k))
                        continue;
                p->given |= 1u << k;
                if (subs[k].kind == 2)
                        *(bool *) ((uint8_t *) p + subs[k].offset) = x;
                else
                        *(unsigned *) ((uint8_t *) p + subs[k].offset) = (unsigned) x;
                p->enabled = true;
        }
        return 0;
}

/* An OpenSSH address list (ADDR[/BITS],!ADDR[/BITS],...) or "none". */
int config_parse_address_list(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        bool none = strcasecmp(args[0], "none") == 0;
        NetAddr any = { .family = AF_INET };
        if (!none && net_addr_match_list(&any, args[0]) < -1)
                return config_error(ctx, "invalid address list for %s: \"%s\" (ADDRESS[/BITS], comma-separated)",
                                    kw->name, args[0]);
        if (!field)
                return 0;
        return config_replace_unless_none(field, args[0], none);
}

/* Ciphers, KexAlgorithms, MACs, HostKeyAlgorithms, PubkeyAcceptedAlgorithms, CASignatureAlgorithms:
 * OpenSSH's list syntax, checked against what privsshd's libssh supports (common/algorithms.h) and
 * stored as the final list. The errors start with OpenSSH's wording; names OpenSSH knows and privsshd
 * does not offer are left out with a warning. */
int config_parse_algorithms(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        static const char *const what[_ALGORITHMS_MAX] = {
                [ALGORITHMS_KEX] = "Bad SSH2 KexAlgorithms",
                [ALGORITHMS_CIPHERS] = "Bad SSH2 cipher spec",
                [ALGORITHMS_MACS] = "Bad SSH2 mac spec",
                [ALGORITHMS_HOSTKEY] = "Bad key types",
                [ALGORITHMS_PUBKEY] = "Bad key types",
                [ALGORITHMS_CA_SIGNATURE] = "Bad key types",
        };
        int cls = algorithm_class_by_keyword(kw->name);
        if (cls < 0)
                return config_error(ctx, "%s: not an algorithm keyword", kw->name);
        _cleanup_free_ char *list = NULL, *bad = NULL, *ignored = NULL;
        int r = algorithms_assemble((AlgorithmClass) cls, args[0], &list, &bad, &ignored);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && bad)
                return config_error(ctx, "%s '%s': %s \"%s\" is not one privsshd supports (supported: %s)",
                                    what[cls], args[0], kw->name, bad, algorithms_supported((AlgorithmClass) cls));
        if (r < 0 && ignored)
                return config_error(ctx, "%s '%s': %s leaves no algorithm privsshd offers (not offered: %s)",
                                    what[cls], args[0], kw->name, ignored);
        if (r < 0)
                return config_error(ctx, "%s '%s': %s leaves no algorithm", what[cls], args[0], kw->name);
        /* Known to OpenSSH, not offered by privsshd: leaving it out allows less than written. */
        if (ignored)
                config_warning(ctx, "%s: %s: known to OpenSSH, not offered by privsshd; ignored", kw->name,
                               ignored);
        if (field) {
                free(*(char **) field);
                *(char **) field = TAKE_PTR(list);
        }
        return 0;
}

/* A size as OpenSSH's scan_scaled takes it for RekeyLimit: digits, optionally K, M, G or T (powers of 1024). */
static int size_from_string(const char *s, uint64_t *ret) {
        errno = 0;
        char *end;
        if (!isdigit((unsigned char) s[0]))
                return -EINVAL;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno)
                return -ERANGE;
        unsigned shift = 0;
        if (*end) {
                const char *units = "KMGT", *u = strchr(units, toupper((unsigned char) *end));
                if (!u || end[1])
                        return -EINVAL;
                shift = 10 * (unsigned) (u - units + 1);
        }
        if (shift && v > (UINT64_MAX >> shift))
                return -ERANGE;
        *ret = (uint64_t) v << shift;
        return 0;
}

/* RekeyLimit DATA [TIME]: DATA "default" or a size (at least 16 bytes), TIME "none" or an sshd time. */
/* "AllowTcpForwarding yes|all|no|local|remote" */
int config_parse_forward_directions(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                    void *field) {
        static const struct {
                const char *name;
                ForwardDirections value;
        } table[] = {
                { "yes", FORWARD_DIRECTION_ALL },     { "all", FORWARD_DIRECTION_ALL },
                { "no", FORWARD_DIRECTION_NONE },     { "local", FORWARD_DIRECTION_LOCAL },
                { "remote", FORWARD_DIRECTION_REMOTE },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcasecmp(args[0], table[i].name) == 0) {
                        if (field)
                                *(ForwardDirections *) field = table[i].value;
                        return 0;
                }
        return config_invalid_value(ctx, kw->name, args[0]);
}

/* "StreamLocalBindMask 0177": an octal mask, as OpenSSH (which reads it with strtol(..., 8) up to 0777);
 * we also refuse trailing characters, which OpenSSH ignores. */
int config_parse_octal_mask(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        const char *s = args[0];
        unsigned v = 0;
        if (*s == '\0')
                return config_invalid_value(ctx, kw->name, s);
        for (; *s; s++) {
                if (*s < '0' || *s > '7' || v > 0777)
                        return config_invalid_value(ctx, kw->name, args[0]);
                v = v * 8 + (unsigned) (*s - '0');
        }
        if (v > 0777)
                return config_invalid_value(ctx, kw->name, args[0]);
        if (field)
                *(unsigned *) field = v;
        return 0;
}

int config_parse_gateway_ports(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        static const char *const names[_GATEWAY_PORTS_MAX] = {
                [GATEWAY_PORTS_NO] = "no",
                [GATEWAY_PORTS_YES] = "yes",
                [GATEWAY_PORTS_CLIENTSPECIFIED] = "clientspecified",
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcasecmp(args[0], names[i]) == 0) {
                        if (field)
                                *(GatewayPorts *) field = (GatewayPorts) i;
                        return 0;
                }
        return config_invalid_value(ctx, kw->name, args[0]);
}

/* One PermitOpen/PermitListen entry: "host:port", "[v6]:port", "*" for either; PermitListen also a
 * port alone. */
static bool permit_entry_valid(const char *e, bool listen) {
        const char *colon = strrchr(e, ':');
        const char *port = colon ? colon + 1 : e;
        if (!colon && !listen)
                return false;
        if (colon) {
                size_t hl = (size_t) (colon - e);
                if (hl == 0)
                        return false;
                if (e[0] == '[' ? e[hl - 1] != ']' || hl < 3 : memchr(e, ':', hl) != NULL)
                        return false;
        }
        if (streq(port, "*"))
                return true;
        char *end;
        errno = 0;
        unsigned long v = strtoul(port, &end, 10);
        return *port >= '0' && *port <= '9' && *end == '\0' && errno == 0 && v <= 65535 &&
               (v > 0 || listen);
}

/* "PermitOpen any|none|host:port ...", "PermitListen any|none|[host:]port ...": the first line wins. */
int config_parse_permit_list(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        bool listen = streq(kw->name, "PermitListen");
        for (size_t i = 0; i < n; i++) {
                bool special = (strcasecmp(args[i], "any") == 0) || (strcasecmp(args[i], "none") == 0);
                if (special && n > 1)
                        return config_error(ctx, "%s: \"%s\" must be the only entry", kw->name, args[i]);
                if (!special && !permit_entry_valid(args[i], listen))
                        return config_error(ctx, "%s: invalid entry \"%s\"", kw->name, args[i]);
        }
        if (n > CONFIG_MAX_PERMIT)
                return config_error(ctx, "too many %s entries (at most %u)", kw->name, CONFIG_MAX_PERMIT);
        if (!field || n == 0)
                return n == 0 ? config_error(ctx, "missing argument for %s", kw->name) : 0;
        PermitList *l = field;
        if ((strcasecmp(args[0], "any") == 0))
                return 0;       /* no entries: anything */
        for (size_t i = 0; i < n; i++) {
                l->entries[i] = strdup((strcasecmp(args[i], "none") == 0) ? "none" : args[i]);
                if (!l->entries[i])
                        return -ENOMEM;
                l->n = i + 1;
        }
        return 0;
}

int config_parse_rekey_limit(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        RekeyLimit v = {};
        if (n > 2)
                return config_error(ctx, "too many arguments for %s (DATA [TIME])", kw->name);
        if (strcasecmp(args[0], "default") != 0) {
                int r = size_from_string(args[0], &v.data);
                if (r < 0)
                        return config_error(ctx, "Bad %s value '%s': %s", kw->name, args[0],
                                            r == -ERANGE ? "too large" : "not a size (a number, K, M, G or T)");
                if (v.data != 0 && v.data < 16)
                        return config_error(ctx, "%s too small", kw->name);
        }
        if (n == 2 && strcasecmp(args[1], "none") != 0) {
                long long t;
                int r = config_time_from_string(args[1], INT32_MAX, &t);
                if (r < 0)
                        return config_invalid_value(ctx, kw->name, args[1]);
                v.interval = (unsigned) t;
        }
        if (field)
                *(RekeyLimit *) field = v;
        return 0;
}

/* PubkeyAuthOptions: any of none, touch-required, verify-required (OpenSSH: case-insensitive, "none"
 * adds nothing, anything else is an error; no argument at all is none and, being the first value, wins). */
int config_parse_pubkey_auth_options(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n,
                                     void *field) {
        unsigned v = 0;
        for (size_t i = 0; i < n; i++) {
                if (strcasecmp(args[i], "none") == 0)
                        continue;
                if (strcasecmp(args[i], "touch-required") == 0)
                        v |= PUBKEY_AUTH_TOUCH_REQUIRED;
                else if (strcasecmp(args[i], "verify-required") == 0)
                        v |= PUBKEY_AUTH_VERIFY_REQUIRED;
                else
                        return config_error(ctx, "unsupported %s option %s", kw->name, args[i]);
        }
        if (field)
                *(unsigned *) field = v;
        return 0;
}
