#pragma once
/*
 * IP addresses as values: parse, print, mask to a prefix, compare, and match against an OpenSSH
 * address list ("10.0.0.0/8,!10.1.2.3,2001:db8::/32", as PerSourcePenaltyExemptList takes it). An
 * IPv4-mapped IPv6 address is an IPv4 address here, so that a dual-stack listener counts one client
 * as one source whichever socket it came in on.
 *
 * authorized_keys from="..." lists are matched as OpenSSH's match_host_and_ip() does: see the last
 * three functions.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct NetAddr {
        int family;             /* AF_INET or AF_INET6 */
        uint8_t bytes[16];      /* network order; AF_INET uses the first 4 */
} NetAddr;

/* INET6_ADDRSTRLEN plus "/128" */
#define NET_ADDR_STRLEN 52

/* From a peer address: 0, or -EAFNOSUPPORT (not IP: a Unix socket). */
int net_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, NetAddr *ret);
/* A numeric address (no prefix): 0 or -EINVAL. */
int net_addr_from_string(const char *s, NetAddr *ret);
/* "ADDR" or "ADDR/BITS" (BITS at most 32 or 128): 0 or -EINVAL. ret_bits is 32/128 without a prefix. */
int net_addr_prefix_from_string(const char *s, NetAddr *ret, unsigned *ret_bits);

/* Keep the first `bits` bits (clamped to the family's width), zero the rest. */
NetAddr net_addr_masked(const NetAddr *a, unsigned bits);
bool net_addr_equal(const NetAddr *a, const NetAddr *b);
/* Numeric form, "UNKNOWN" for anything else; buf of at least NET_ADDR_STRLEN. Returns buf. */
const char *net_addr_to_string(const NetAddr *a, char *buf, size_t size);

/*
 * OpenSSH's addr_match_list(): entries separated by commas, each ADDR or ADDR/BITS, "!" in front
 * negates. 1 when an entry matches and no negated entry does, -1 when a negated entry matches, 0 when
 * nothing matches, -EINVAL for a malformed list (any entry). A NULL list matches nothing.
 */
int net_addr_match_list(const NetAddr *a, const char *list);

/*
 * OpenSSH's addr_pton_cidr(): "ADDR" or "ADDR/BITS", where ADDR is what getaddrinfo(AI_NUMERICHOST)
 * takes (so "127.1" is 127.0.0.1, as in OpenSSH; an IPv4-mapped IPv6 address stays IPv6, and a scope
 * "%if" makes it no address here) and BITS is decimal digits. 0; -EINVAL when it is not an address
 * (the caller may try it as a wildcard pattern); -ERANGE for an address whose BITS is longer than the
 * family's or whose bits past BITS are not all zero ("10.1.0.0/8"), which OpenSSH calls an
 * inconsistent mask length and treats as an error.
 */
int net_addr_parse_cidr(const char *s, NetAddr *ret, unsigned *ret_bits);

/*
 * OpenSSH's addr_match_list(): the numeric address `addr` (a string, as the log shows it) against a
 * comma-separated list whose entries are CIDR (see above) or else wildcard patterns matched against
 * the string, each with an optional '!'. 1 when an entry matches; -1 when a negated entry matches
 * (the list stops there); 0 when nothing matches, or at once when `addr` is not an address
 * ("UNKNOWN"); -EINVAL when, before any of that stopped the walk, an entry is empty or an inconsistent
 * CIDR; -ENOMEM.
 */
int net_addr_match_addr_list(const char *addr, const char *list);

/*
 * OpenSSH's match_host_and_ip(), for from="..." in authorized_keys: 1 when the list allows the client,
 * 0 when it does not (a negated entry matched the address or the lowercased host name, or nothing
 * matched either), -EINVAL when net_addr_match_addr_list() finds the list malformed (the caller
 * refuses the key then too), -ENOMEM. `host` is the client's host name; privsshd never resolves names (UseDNS
 * no), so the caller passes the address string as both.
 */
int net_addr_match_host_and_ip(const char *host, const char *ip, const char *list);
