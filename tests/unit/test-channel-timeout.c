/* ChannelTimeout rules (common/channel-timeout.c): SETUP's "TYPE=SECONDS" form read strictly, the first
 * matching rule wins, sessions match by "session" and by their kind, "global" is no channel type. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/channel-timeout.h"
#include "common/limits.h"
#include "common/macro.h"
#include "test-helpers.h"

static void test_split(void) {
        size_t len = 0;
        const char *interval = NULL;
        CHECK(channel_timeout_split("session:command=1h30m", &len, &interval) == 0 && len == 15 &&
              streq(interval, "1h30m"), "TYPE=INTERVAL splits at the first '='");
        CHECK(channel_timeout_split("a=b=c", &len, &interval) == 0 && len == 1 && streq(interval, "b=c"),
              "only the first '=' separates");
        static const char *const bad[] = { "session", "=5", "session=", "", "=" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                CHECK(channel_timeout_split(bad[i], &len, &interval) == -EINVAL, "\"%s\" is refused", bad[i]);
        CHECK(channel_timeout_split(NULL, &len, &interval) == -EINVAL, "NULL is refused");
        char longtype[CHANNEL_TIMEOUT_MAX_TYPE + 8];
        memset(longtype, 'x', CHANNEL_TIMEOUT_MAX_TYPE + 1);
        snprintf(longtype + CHANNEL_TIMEOUT_MAX_TYPE + 1, 7, "=5");
        CHECK(channel_timeout_split(longtype, &len, &interval) == -EINVAL, "a type over CHANNEL_TIMEOUT_MAX_TYPE");
        longtype[CHANNEL_TIMEOUT_MAX_TYPE] = '=';
        longtype[CHANNEL_TIMEOUT_MAX_TYPE + 1] = '5';
        longtype[CHANNEL_TIMEOUT_MAX_TYPE + 2] = '\0';
        CHECK(channel_timeout_split(longtype, &len, &interval) == 0 && len == CHANNEL_TIMEOUT_MAX_TYPE,
              "a type of exactly CHANNEL_TIMEOUT_MAX_TYPE");
}

static void test_parse(void) {
        ChannelTimeoutRule r = { .type = NULL, .seconds = 77 };
        CHECK(channel_timeout_rule_parse("direct-*=300", &r) == 0 && streq(r.type, "direct-*") && r.seconds == 300,
              "\"direct-*=300\"");
        channel_timeout_rule_done(&r);
        CHECK(r.type == NULL, "rule_done frees the type");
        CHECK(channel_timeout_rule_parse("global=2147483647", &r) == 0 && r.seconds == INT32_MAX,
              "INT32_MAX seconds");
        channel_timeout_rule_done(&r);
        r = (ChannelTimeoutRule) { .type = NULL, .seconds = 77 };
        static const struct {
                const char *s;
                int ret;
        } bad[] = {
                { "session=5m", -EINVAL },      /* SETUP carries seconds only */
                { "session=-1", -EINVAL },      { "session=+1", -EINVAL },     { "session= 1", -EINVAL },
                { "session=1 ", -EINVAL },      { "session", -EINVAL },        { "=1", -EINVAL },
                { "session=2147483648", -ERANGE }, { "session=99999999999999999999", -ERANGE },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                CHECK(channel_timeout_rule_parse(bad[i].s, &r) == bad[i].ret && r.type == NULL && r.seconds == 77,
                      "\"%s\" is refused (%d) and the rule untouched", bad[i].s, bad[i].ret);
        channel_timeout_rule_done(NULL);
}

static void test_lookup(void) {
        ChannelTimeoutRule rules[] = {
                { .type = (char *) "global", .seconds = 600 },
                { .type = (char *) "session:command", .seconds = 1 },
                { .type = (char *) "session:sub*", .seconds = 2 },
                { .type = (char *) "direct-tcpip", .seconds = 0 },
                { .type = (char *) "*-tcpip", .seconds = 4 },
                { .type = (char *) "session", .seconds = 5 },
                { .type = (char *) "global", .seconds = 900 },
        };
        size_t n = ELEMENTSOF(rules);
        CHECK(channel_timeout_lookup(rules, n, "session", "session:command") == 1, "session:command: its own rule");
        CHECK(channel_timeout_lookup(rules, n, "session", "session:subsystem:sftp") == 2, "a subsystem by wildcard");
        CHECK(channel_timeout_lookup(rules, n, "session", "session:shell") == 5,
              "session:shell: the documented \"session\" rule");
        CHECK(channel_timeout_lookup(rules, n, "direct-tcpip", NULL) == 0,
              "direct-tcpip=0 comes first: no timeout, the later wildcard does not apply");
        CHECK(channel_timeout_lookup(rules, n, "forwarded-tcpip", NULL) == 4, "forwarded-tcpip by wildcard");
        CHECK(channel_timeout_lookup(rules, n, "agent-connection", NULL) == 0, "no rule, no timeout");
        CHECK(channel_timeout_lookup(rules, n, NULL, NULL) == 0, "a channel of unknown type: no rule");
        CHECK(channel_timeout_lookup(rules, n, "global", NULL) == 0, "\"global\" is never looked up as a type");
        CHECK(channel_timeout_global(rules, n) == 900, "the last global rule wins, as in OpenSSH");
        ChannelTimeoutRule star[] = { { .type = (char *) "*", .seconds = 7 } };
        CHECK(channel_timeout_global(star, 1) == 0, "a wildcard is not the global timeout");
        CHECK(channel_timeout_lookup(star, 1, "x11-connection", NULL) == 7, "but matches every type");
        CHECK(channel_timeout_lookup(NULL, 0, "session", "session:shell") == 0, "no rules at all");
}

static void test_known(void) {
        static const char *const known[] = {
                "session", "session:*", "session:shell", "session:command", "session:subsystem:backup",
                "direct-tcpip", "forwarded-*", "*streamlocal*", "agent-connection", "x11-connection",
                "tun-connection", "global", "*", "d*",
        };
        for (size_t i = 0; i < ELEMENTSOF(known); i++)
                CHECK(channel_timeout_type_known(known[i]), "\"%s\" can match a channel type", known[i]);
        static const char *const unknown[] = { "sesion", "Session", "direct", "tcpip", "agent", "", "globals" };
        for (size_t i = 0; i < ELEMENTSOF(unknown); i++)
                CHECK(!channel_timeout_type_known(unknown[i]), "\"%s\" matches no channel type", unknown[i]);
}

int main(void) {
        test_split();
        test_parse();
        test_lookup();
        test_known();
        return test_summary();
}
