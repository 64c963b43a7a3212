/* See net-addr.h. */

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "common/macro.h"
#include "common/match-pattern.h"
#include "common/net-addr.h"

static unsigned family_bits(int family) {
        return family == AF_INET ? 32 : 128;
}

int net_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, NetAddr *ret) {
        NetAddr a = {};
        if (sa->sa_family == AF_INET && len >= (socklen_t) sizeof(struct sockaddr_in)) {
                a.family = AF_INET;
                memcpy(a.bytes, &((const struct sockaddr_in *) sa)->sin_addr, 4);
        } else if (sa->sa_family == AF_INET6 && len >= (socklen_t) sizeof(struct sockaddr_in6)) {
                const struct in6_addr *in6 = &((const struct sockaddr_in6 *) sa)->sin6_addr;
                if (IN6_IS_ADDR_V4MAPPED(in6)) {
                        a.family = AF_INET;
                        memcpy(a.bytes, &in6->s6_addr[12], 4);
                } else {
                        a.family = AF_INET6;
                        memcpy(a.bytes, in6->s6_addr, 16);
                }
        } else
                return -EAFNOSUPPORT;
        *ret = a;
        return 0;
}

int net_addr_from_string(const char *s, NetAddr *ret) {
        NetAddr a = {};
        if (inet_pton(AF_INET, s, a.bytes) == 1)
                a.family = AF_INET;
        else if (inet_pton(AF_INET6, s, a.bytes) == 1) {
                a.family = AF_INET6;
                if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *) a.bytes)) {
                        memmove(a.bytes, a.bytes + 12, 4);
                        memset(a.bytes + 4, 0, 12);
                        a.family = AF_INET;
                }
        } else
                return -EINVAL;
        *ret = a;
        return 0;
}

int net_addr_prefix_from_string(const char *s, NetAddr *ret, unsigned *ret_bits) {
        char buf[NET_ADDR_STRLEN];
        const char *slash = strchr(s, '/');
        size_t len = slash ? (size_t) (slash - s) : strlen(s);
        if (len == 0 || len >= sizeof buf)
                return -EINVAL;
        memcpy(buf, s, len);
        buf[len] = '\0';
        NetAddr a;
        if (net_addr_from_string(buf, &a) < 0)
                return -EINVAL;
        unsigned bits = family_bits(a.family);
        if (slash) {
                const char *p = slash + 1;
                if (*p == '\0' || strlen(p) > 3 || strspn(p, "0123456789") != strlen(p))
                        return -EINVAL;
                unsigned v = (unsigned) atoi(p);
                if (v > bits)
                        return -EINVAL;
                bits = v;
        }
        *ret = a;
        if (ret_bits)
                *ret_bits = bits;
        return 0;
}

NetAddr net_addr_masked(const NetAddr *a, unsigned bits) {
        NetAddr m = *a;
        unsigned width = family_bits(a->family);
        if (bits > width)
                bits = width;
        for (unsigned i = 0; i < 16; i++) {
                unsigned start = i * 8;
                if (start >= bits)
                        m.bytes[i] = 0;
                else if (bits - start < 8)
                        m.bytes[i] &= (uint8_t) (0xffu << (8 - (bits - start)));
        }
        return m;
}

bool net_addr_equal(const NetAddr *a, const NetAddr *b) {
        return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

const char *net_addr_to_string(const NetAddr *a, char *buf, size_t size) {
        if ((a->family != AF_INET && a->family != AF_INET6) ||
            !inet_ntop(a->family, a->bytes, buf, (socklen_t) size))
                snprintf(buf, size, "UNKNOWN");
        return buf;
}

int net_addr_match_list(const NetAddr *a, const char *list) {
        int result = 0;
        if (!list)
                return 0;
        for (const char *p = list;;) {
                size_t len = strcspn(p, ",");
                char entry[NET_ADDR_STRLEN + 1];
                if (len == 0 || len >= sizeof entry)
                        return -EINVAL;
                memcpy(entry, p, len);
                entry[len] = '\0';
                bool negate = entry[0] == '!';
                NetAddr net;
                unsigned bits;
                if (net_addr_prefix_from_string(entry + negate, &net, &bits) < 0)
                        return -EINVAL;
                /* The whole list is checked even after a verdict, so that a typo is never silent. */
                if (result != -1 && net.family == a->family) {
                        NetAddr x = net_addr_masked(a, bits), y = net_addr_masked(&net, bits);
                        if (net_addr_equal(&x, &y))
                                result = negate ? -1 : 1;
                }
                if (p[len] == '\0')
                        break;
                p += len + 1;
        }
        return result;
}

/* OpenSSH's addr_pton(): a numeric host, parsed by getaddrinfo() so that the same strings are
 * addresses for us as for sshd. No IPv4-mapped folding here: OpenSSH does not fold either. */
static int parse_numeric_host(const char *s, NetAddr *ret) {
        if (strchr(s, '%'))
                return -EINVAL;         /* a scoped address: NetAddr has no scope, so never equal */
        struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_family = AF_UNSPEC };
        struct addrinfo *ai = NULL;
        if (getaddrinfo(s, NULL, &hints, &ai) != 0 || !ai)
                return -EINVAL;
        NetAddr a = {};
        int r = 0;
        if (ai->ai_family == AF_INET && ai->ai_addrlen >= (socklen_t) sizeof(struct sockaddr_in)) {
                a.family = AF_INET;
                memcpy(a.bytes, &((const struct sockaddr_in *) ai->ai_addr)->sin_addr, 4);
        } else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= (socklen_t) sizeof(struct sockaddr_in6)) {
                a.family = AF_INET6;
                memcpy(a.bytes, &((const struct sockaddr_in6 *) ai->ai_addr)->sin6_addr, 16);
        } else
                r = -EINVAL;
        freeaddrinfo(ai);
        if (r == 0)
                *ret = a;
        return r;
}

int net_addr_parse_cidr(const char *s, NetAddr *ret, unsigned *ret_bits) {
        char buf[64];
        if (!s || strlen(s) >= sizeof buf)
                return -EINVAL;
        strcpy(buf, s);
        char *slash = strchr(buf, '/');
        unsigned long bits = 0;
        if (slash) {
                *slash++ = '\0';
                /* digits only, at most what fits an int (OpenSSH's strtonum(0, INT_MAX)) */
                if (*slash == '\0' || strspn(slash, "0123456789") != strlen(slash) || strlen(slash) > 10)
                        return -EINVAL;
                bits = strtoul(slash, NULL, 10);
                if (bits > 2147483647ul)
                        return -EINVAL;
        }
        NetAddr a;
        if (parse_numeric_host(buf, &a) < 0)
                return -EINVAL;
        if (!slash)
                bits = family_bits(a.family);
        if (bits > family_bits(a.family))
                return -ERANGE;
        NetAddr masked = net_addr_masked(&a, (unsigned) bits);
        if (!net_addr_equal(&masked, &a))
                return -ERANGE;         /* host bits set: "10.1.0.0/8" */
        *ret = a;
        if (ret_bits)
                *ret_bits = (unsigned) bits;
        return 0;
}

int net_addr_match_addr_list(const char *addr, const char *list) {
        NetAddr client;
        if (!addr || !list || parse_numeric_host(addr, &client) < 0)
                return 0;

        int result = 0;
        for (const char *p = list;;) {
                size_t len = strcspn(p, ",");
                bool negate = len > 0 && p[0] == '!';
                if (len == (size_t) negate)
                        return -EINVAL;         /* "", "!", "a,,b", "a," */
                _cleanup_free_ char *entry = strndup(p + negate, len - negate);
                if (!entry)
                        return -ENOMEM;
                NetAddr net;
                unsigned bits;
                int r = net_addr_parse_cidr(entry, &net, &bits);
                bool match;
                if (r == -ERANGE)
                        return -EINVAL;
                if (r == 0) {
                        NetAddr x = net_addr_masked(&client, bits);
                        match = net.family == client.family && net_addr_equal(&x, &net);
                } else
                        match = match_pattern(addr, entry);
                if (match) {
                        if (negate)
                                return -1;
                        result = 1;
                }
                if (p[len] == '\0')
                        return result;
                p += len + 1;
        }
}

int net_addr_match_host_and_ip(const char *host, const char *ip, const char *list) {
        int mip = net_addr_match_addr_list(ip, list);
        if (mip < -1)
                return mip;
        if (!host || !ip || !list || mip == -1)
                return 0;

        _cleanup_free_ char *lower = strdup(host);
        if (!lower)
                return -ENOMEM;
        for (char *c = lower; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                        *c = (char) (*c - 'A' + 'a');
        int mhost = match_pattern_in_list(lower, list, true);
        if (mhost == -1)
                return 0;
        return mhost == 1 || mip == 1;
}
