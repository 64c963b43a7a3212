/* authorized_keys from="..." and expiry-time="...": OpenSSH's pattern lists (match_pattern_list), address
 * lists with CIDR and wildcards (addr_match_list, match_host_and_ip), expiry times with and without Z,
 * and both options end to end through the parser, with the log lines OpenSSH writes. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/base64.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/match-pattern.h"
#include "common/net-addr.h"
#include "monitor/authorized-keys.h"
#include "test-helpers.h"
#include "test-log-capture.h"

/* ---- pattern lists -------------------------------------------------------------------------------- */

static void test_pattern_list(void) {
        static const struct {
                const char *s, *list;
                int want;
        } c[] = {
                { "192.0.2.1", "192.0.2.1", 1 },            { "192.0.2.1", "10.*,192.0.2.?", 1 },
                { "192.0.2.1", "10.*", 0 },                 { "192.0.2.1", "!192.0.2.1,*", -1 },
                { "192.0.2.1", "*,!192.0.2.1", -1 },        { "192.0.2.1", "!10.*", 0 },
                { "192.0.2.1", "!10.*,192.*", 1 },          { "host.example", "HOST.*", 1 },
                { "192.0.2.1", "", 0 },                     { "192.0.2.1", "a,,192.0.2.1", 1 },
                { "192.0.2.1", "192.0.2.1,", 1 },           { "", "!", -1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(c); i++)
                CHECK(match_pattern_in_list(c[i].s, c[i].list, true) == c[i].want, "\"%s\" against \"%s\": %d",
                      c[i].s, c[i].list, c[i].want);
        CHECK(match_pattern_in_list("HOST", "HOST", false) == 1 && match_pattern_in_list("host", "HOST", false) == 0,
              "without lowercasing, patterns are case-sensitive");
        CHECK(match_pattern_in_list(NULL, "*", true) == 0 && match_pattern_in_list("x", NULL, true) == 0,
              "NULL matches nothing");

        /* OpenSSH: an entry of MATCH_MAX_LIST_ENTRY characters or more makes the list match nothing. */
        _cleanup_free_ char *longl = malloc(MATCH_MAX_LIST_ENTRY + 8);
        strcpy(longl, "*,");
        memset(longl + 2, 'a', MATCH_MAX_LIST_ENTRY);
        longl[2 + MATCH_MAX_LIST_ENTRY] = '\0';
        CHECK(match_pattern_in_list("x", longl, true) == 0, "an overlong entry: the list matches nothing");
        longl[2 + MATCH_MAX_LIST_ENTRY - 1] = '\0';
        CHECK(match_pattern_in_list("x", longl, true) == 1, "one character shorter: \"*\" matches again");
}

/* ---- address lists -------------------------------------------------------------------------------- */

static void test_cidr(void) {
        NetAddr a;
        unsigned bits;
        CHECK(net_addr_parse_cidr("10.0.0.0/8", &a, &bits) == 0 && bits == 8 && a.family == AF_INET, "10.0.0.0/8");
        CHECK(net_addr_parse_cidr("2001:db8::/32", &a, &bits) == 0 && bits == 32 && a.family == AF_INET6,
              "2001:db8::/32");
        CHECK(net_addr_parse_cidr("192.0.2.1", &a, &bits) == 0 && bits == 32, "no prefix: /32");
        CHECK(net_addr_parse_cidr("::1", &a, &bits) == 0 && bits == 128, "no prefix: /128");
        CHECK(net_addr_parse_cidr("127.1", &a, &bits) == 0 && a.bytes[0] == 127 && a.bytes[3] == 1,
              "127.1 is 127.0.0.1, as getaddrinfo (and so OpenSSH) reads it");
        CHECK(net_addr_parse_cidr("10.1.0.0/8", &a, &bits) == -ERANGE, "host bits set: inconsistent");
        CHECK(net_addr_parse_cidr("10.0.0.0/33", &a, &bits) == -ERANGE, "/33 for IPv4: inconsistent");
        CHECK(net_addr_parse_cidr("::/129", &a, &bits) == -ERANGE, "/129 for IPv6: inconsistent");
        CHECK(net_addr_parse_cidr("0.0.0.0/0", &a, &bits) == 0 && bits == 0, "/0");
        static const char *const not_cidr[] = {
                "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1", "10.*", "host.example", "", "fe80::1%lo", "/8",
                "10.0.0.0/99999999999",
        };
        for (size_t i = 0; i < ELEMENTSOF(not_cidr); i++)
                CHECK(net_addr_parse_cidr(not_cidr[i], &a, &bits) == -EINVAL, "\"%s\" is not CIDR (a pattern)",
                      not_cidr[i]);
}

static void test_addr_list(void) {
        static const struct {
                const char *addr, *list;
                int want;
        } c[] = {
                { "192.0.2.1", "192.0.2.0/24", 1 },          { "192.0.2.1", "10.0.0.0/8", 0 },
                { "192.0.2.1", "10.0.0.0/8,192.0.2.1", 1 },  { "192.0.2.1", "!192.0.2.0/24,*", -1 },
                { "192.0.2.1", "*,!192.0.2.1", -1 },         { "192.0.2.1", "192.0.2.*", 1 },
                { "192.0.2.1", "2001:db8::/32", 0 },         { "2001:db8::5", "2001:db8::/32", 1 },
                { "2001:db8::5", "2001:db9::/32", 0 },       { "2001:db8::5", "!2001:db8::5,::/0", -1 },
                { "2001:db8::5", "0.0.0.0/0", 0 },           { "192.0.2.1", "::/0", 0 },
                { "192.0.2.1", "0.0.0.0/0", 1 },             { "192.0.2.1", "::ffff:192.0.2.1", 0 },
                /* malformed, unless a verdict came first */
                { "192.0.2.1", "10.1.0.0/8", -EINVAL },      { "192.0.2.1", "192.0.2.1,10.0.0.0/33", -EINVAL },
                { "192.0.2.1", "", -EINVAL },                { "192.0.2.1", "192.0.2.1,", -EINVAL },
                { "192.0.2.1", "!", -EINVAL },               { "192.0.2.1", "a,,b", -EINVAL },
                { "192.0.2.1", "!192.0.2.1,10.1.0.0/8", -1 },
                /* not an address at all: nothing matches, and the list is not even read */
                { "UNKNOWN", "*", 0 },                      { "UNKNOWN", "10.1.0.0/8", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(c); i++)
                CHECK(net_addr_match_addr_list(c[i].addr, c[i].list) == c[i].want, "address %s against \"%s\": %d",
                      c[i].addr, c[i].list, c[i].want);
}

static void test_host_and_ip(void) {
        static const struct {
                const char *addr, *list;
                int want;
        } c[] = {
                { "127.0.0.1", "127.0.0.1", 1 },             { "127.0.0.2", "127.0.0.0/8", 1 },
                { "127.0.0.1", "10.0.0.0/8", 0 },            { "127.0.0.1", "!127.0.0.1,*", 0 },
                { "127.0.0.2", "!127.0.0.1,*", 1 },          { "127.0.0.1", "*", 1 },
                { "127.0.0.1", "!10.0.0.0/8", 0 },           { "127.0.0.1", "10.0.0.0/33", -EINVAL },
                { "2001:db8::1", "2001:DB8::1", 1 },         { "2001:db8::1", "2001:DB8::*", 1 },
                /* the host name (the address here) is negated as a pattern, too */
                { "127.0.0.1", "127.0.0.0/8,!127.0.0.?", 0 },
                /* an unknown address (a pipe, not a socket) is also the host name "unknown" */
                { "UNKNOWN", "127.0.0.1", 0 },               { "UNKNOWN", "*", 1 },
                { "UNKNOWN", "!unknown,*", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(c); i++)
                CHECK(net_addr_match_host_and_ip(c[i].addr, c[i].addr, c[i].list) == c[i].want,
                      "client %s, from=\"%s\": %d", c[i].addr, c[i].list, c[i].want);
}

/* ---- expiry times --------------------------------------------------------------------------------- */

static void test_parse_expiry(void) {
        time_t t = 0;
        CHECK(authorized_keys_parse_expiry("20300101Z", &t) == 0 && t == 1893456000, "20300101Z");
        CHECK(authorized_keys_parse_expiry("203001011230Z", &t) == 0 && t == 1893456000 + 12 * 3600 + 30 * 60,
              "203001011230Z");
        CHECK(authorized_keys_parse_expiry("20300101123045z", &t) == 0 &&
              t == 1893456000 + 12 * 3600 + 30 * 60 + 45, "20300101123045z (lowercase z)");
        CHECK(authorized_keys_parse_expiry("20300101UTC", &t) == 0 && t == 1893456000, "20300101UTC");
        CHECK(authorized_keys_parse_expiry("25250101Z", &t) == 0 && t > (time_t) 17000000000, "25250101Z (64-bit)");

        /* Local time: TZ decides. */
        setenv("TZ", "UTC-2", 1);       /* two hours east of UTC */
        tzset();
        CHECK(authorized_keys_parse_expiry("20300101", &t) == 0 && t == 1893456000 - 2 * 3600,
              "20300101 without Z is local time (UTC+2 here)");
        CHECK(authorized_keys_parse_expiry("203001010200", &t) == 0 && t == 1893456000, "203001010200 local");
        setenv("TZ", "UTC", 1);
        tzset();
        CHECK(authorized_keys_parse_expiry("20300101", &t) == 0 && t == 1893456000, "20300101 with TZ=UTC");

        static const char *const bad[] = {
                "INVALID", "", "Z", "2030010", "203001011", "2030010112", "20300101123", "203001011230456",
                "2030-01-01", "20301301", "20300001", "20300100", "20300132", "203001012400", "203001010060",
                "20300101000061", "2030010a", "20300101 ", " 20300101", "20300101ZZ", "19700101Z", "19690101Z",
                "00000101Z", "+2030101",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                t = 42;
                CHECK(authorized_keys_parse_expiry(bad[i], &t) == -EINVAL && t == 42, "\"%s\" is not an expiry time",
                      bad[i]);
        }
}

/* ---- through the parser --------------------------------------------------------------------------- */

static char *key_b64;
static const uint8_t key_blob[] = {
        0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32,
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

/* One line "OPTS ssh-ed25519 KEY" checked for a client at addr at time now: 1 match, 0 not. */
static int check_line_for(const char *opts, const char *addr, time_t now) {
        _cleanup_free_ char *text = NULL;
        if (asprintf(&text, "%s ssh-ed25519 %s c\n", opts, key_b64) < 0)
                abort();
        AuthorizedKeysClient client = { .user = "alice", .address = addr, .now = now };
        AuthorizedKeyMatch m = {};
        log_capture_reset();
        int r = authorized_keys_check_buffer(text, strlen(text), "/home/alice/.ssh/authorized_keys", &client,
                                             "ssh-ed25519", key_blob, sizeof key_blob, &m);
        authorized_key_match_done(&m);
        return r;
}

static void test_from_option(void) {
        const time_t now = 1700000000;
        static const char refused_line[] = "/home/alice/.ssh/authorized_keys:1: Authentication tried for alice "
                "with correct key but not from a permitted host (host=127.0.0.1, ip=127.0.0.1, required=%s).";
        static const struct {
                const char *from;
                const char *addr;
                bool allowed;
        } c[] = {
                { "127.0.0.1", "127.0.0.1", true },          { "127.0.0.1", "127.0.0.2", false },
                { "127.0.0.0/8", "127.0.0.2", true },        { "10.0.0.0/8", "127.0.0.1", false },
                { "!127.0.0.1,*", "127.0.0.1", false },      { "!127.0.0.1,*", "127.0.0.2", true },
                { "127.0.0.*", "127.0.0.9", true },          { "2001:db8::/32", "2001:db8::1", true },
                { "2001:db8::/32", "127.0.0.1", false },     { "127.0.0.1", "UNKNOWN", false },
                { "10.1.0.0/8,127.0.0.1", "127.0.0.1", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(c); i++) {
                _cleanup_free_ char *opts = NULL;
                if (asprintf(&opts, "no-pty,from=\"%s\"", c[i].from) < 0)
                        abort();
                int r = check_line_for(opts, c[i].addr, now);
                if (c[i].allowed)
                        CHECK(r == 1 && n_info == 0, "from=\"%s\" lets %s in", c[i].from, c[i].addr);
                else
                        CHECK(r == 0 && n_info == 1 && strstr(last_info, "with correct key but not from a permitted host"),
                              "from=\"%s\" keeps %s out, and says so: %s", c[i].from, c[i].addr, last_info);
        }

        char want[512];
        snprintf(want, sizeof want, refused_line, "10.0.0.0/8");
        CHECK(check_line_for("from=\"10.0.0.0/8\"", "127.0.0.1", now) == 0 && streq(last_info, want),
              "the refusal is OpenSSH's line, word for word: %s", last_info);
        snprintf(want, sizeof want, refused_line, "10.0.0.0/33");
        CHECK(check_line_for("from=\"10.0.0.0/33\"", "127.0.0.1", now) == 0 && streq(last_info, want) &&
              strstr(last_debug, ":1: invalid from criteria"),
              "an invalid CIDR refuses the key with the same line, after \"invalid from criteria\" (%s)", last_debug);
        CHECK(check_line_for("FROM=\"127.0.0.1\"", "127.0.0.1", now) == 1, "the name is case-insensitive");
        CHECK(check_line_for("from=\"127.0.0.1\",from=\"*\"", "127.0.0.1", now) == 0 && n_info == 0 &&
              strstr(last_debug, "multiple \"from\" clauses"), "two from= make the line malformed (%s)", last_debug);
        CHECK(check_line_for("from=127.0.0.1", "127.0.0.1", now) == 0 && n_info == 0, "an unquoted from= is malformed");
        /* The same rule for principals= (one helper takes both). The control: one clause parses, and the
         * line is refused later, for the key it stands on. */
        CHECK(check_line_for("principals=\"alice\"", "127.0.0.1", now) == 0 &&
              strstr(last_debug, "principals on non-CA key"), "one principals= clause is read (%s)", last_debug);
        CHECK(check_line_for("principals=\"alice\",principals=\"bob\"", "127.0.0.1", now) == 0 && n_info == 0 &&
              strstr(last_debug, "multiple \"principals\" clauses"), "two principals= make the line malformed (%s)",
              last_debug);

        /* Another key on a from= line: no INFO line (it is not an attempt with the correct key). */
        _cleanup_free_ char *other = NULL;
        if (asprintf(&other, "from=\"10.0.0.0/8\" ssh-ed25519 %s\n", "AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAA"
                     "AAAAAAAAAAAAAAAAAAAAAAAAA") < 0)
                abort();
        AuthorizedKeysClient client = { .user = "alice", .address = "127.0.0.1", .now = now };
        AuthorizedKeyMatch m = {};
        n_info = 0;
        CHECK(authorized_keys_check_buffer(other, strlen(other), "t", &client, "ssh-ed25519", key_blob,
                                           sizeof key_blob, &m) == 0 && n_info == 0,
              "a from= line for another key logs nothing at INFO");

        /* A refused line does not stop the search: the key again on line 2, from anywhere. */
        _cleanup_free_ char *two = NULL;
        if (asprintf(&two, "from=\"10.0.0.0/8\" ssh-ed25519 %s\nssh-ed25519 %s\n", key_b64, key_b64) < 0)
                abort();
        CHECK(authorized_keys_check_buffer(two, strlen(two), "t", &client, "ssh-ed25519", key_blob, sizeof key_blob,
                                           &m) == 1 && m.line == 2, "the same key on a later line without from= matches");
        authorized_key_match_done(&m);
}

static void test_expiry_option(void) {
        time_t t2030 = 1893456000;
        CHECK(check_line_for("expiry-time=\"20300101Z\"", "127.0.0.1", t2030 - 1) == 1 && n_info == 0,
              "a second before expiry-time: the key matches");
        CHECK(check_line_for("expiry-time=\"20300101Z\"", "127.0.0.1", t2030) == 1,
              "at the very second: still valid (OpenSSH refuses only after it)");
        CHECK(check_line_for("expiry-time=\"20300101Z\"", "127.0.0.1", t2030 + 1) == 0 &&
              strstr(last_debug, "/home/alice/.ssh/authorized_keys:1: entry expired at 2030-01-01T00:00:00"),
              "a second after: refused, \"entry expired at\" in local time (TZ=UTC): %s", last_debug);
        time_t now = time(NULL);
        CHECK(check_line_for("expiry-time=\"19990101\"", "127.0.0.1", now) == 0 && strstr(last_debug, "entry expired at"),
              "19990101 (the regression suite's value) is in the past: refused");
        CHECK(check_line_for("expiry-time=\"25250101\"", "127.0.0.1", now) == 1, "25250101 is in the future: matches");
        CHECK(check_line_for("expiry-time=\"25250101\",expiry-time=\"19990101\"", "127.0.0.1", now) == 0,
              "with two expiry-time=, the earlier counts");
        CHECK(check_line_for("expiry-time=\"INVALID\"", "127.0.0.1", now) == 0 &&
              strstr(last_debug, ":1: bad key options: invalid expires time"),
              "an invalid time makes the line malformed, in OpenSSH's words (%s)", last_debug);
        CHECK(check_line_for("expiry-time=\"25250101\",from=\"10.0.0.0/8\"", "127.0.0.1", now) == 0 &&
              strstr(last_info, "not from a permitted host"), "a valid expiry does not lift from=");
        CHECK(check_line_for("expiry-time=\"25250101\",from=\"127.0.0.0/8\",command=\"x\"", "127.0.0.1", now) == 1,
              "both satisfied, with other options: matches");
}

int main(void) {
        log_set_level(LOG_LEVEL_DEBUG1);
        log_set_callback(log_capture, NULL);
        setenv("TZ", "UTC", 1);
        tzset();
        if (base64_encode(key_blob, sizeof key_blob, true, &key_b64) < 0)
                return 1;

        test_pattern_list();
        test_cidr();
        test_addr_list();
        test_host_and_ip();
        test_parse_expiry();
        test_from_option();
        test_expiry_option();

        free(key_b64);
        log_set_callback(NULL, NULL);
        return test_summary();
}
