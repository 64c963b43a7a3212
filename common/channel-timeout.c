/* See channel-timeout.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/channel-timeout.h"
#include "common/limits.h"
#include "common/macro.h"
#include "common/match-pattern.h"

int channel_timeout_split(const char *spec, size_t *ret_type_len, const char **ret_interval) {
        const char *eq = spec ? strchr(spec, '=') : NULL;
        if (!eq || eq == spec || (size_t) (eq - spec) > CHANNEL_TIMEOUT_MAX_TYPE || eq[1] == '\0')
                return -EINVAL;
        *ret_type_len = (size_t) (eq - spec);
        *ret_interval = eq + 1;
        return 0;
}

int channel_timeout_rule_parse(const char *s, ChannelTimeoutRule *ret) {
        size_t type_len;
        const char *interval;
        int r = channel_timeout_split(s, &type_len, &interval);
        if (r < 0)
                return r;
        uint64_t v = 0;
        for (const char *p = interval; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t) (*p - '0');
                if (v > INT32_MAX)
                        return -ERANGE;
        }
        char *type = strndup(s, type_len);
        if (!type)
                return -ENOMEM;
        *ret = (ChannelTimeoutRule) { .type = type, .seconds = (uint32_t) v };
        return 0;
}

void channel_timeout_rule_done(ChannelTimeoutRule *r) {
        if (!r)
                return;
        free(r->type);
        r->type = NULL;
}

uint32_t channel_timeout_lookup(const ChannelTimeoutRule *rules, size_t n, const char *type, const char *subtype) {
        for (size_t i = 0; i < n; i++) {
                if (streq(rules[i].type, CHANNEL_TIMEOUT_GLOBAL))
                        continue;
                if ((type && match_pattern(type, rules[i].type)) || (subtype && match_pattern(subtype, rules[i].type)))
                        return rules[i].seconds;
        }
        return 0;
}

uint32_t channel_timeout_global(const ChannelTimeoutRule *rules, size_t n) {
        uint32_t v = 0;
        for (size_t i = 0; i < n; i++)
                if (streq(rules[i].type, CHANNEL_TIMEOUT_GLOBAL))
                        v = rules[i].seconds;
        return v;
}

/* The channel types OpenSSH's sshd gives the channels it serves (channels.c, serverloop.c, session.c;
 * "tun-connection" is what its manual calls sshd's "tun" channels), and privsshd the same. A
 * subsystem's name is the operator's, so any "session:subsystem:..." is fine. */
static const char *const known_types[] = {
        "agent-connection",
        "direct-tcpip",
        "direct-streamlocal@openssh.com",
        "forwarded-tcpip",
        "forwarded-streamlocal@openssh.com",
        "session",
        "session:shell",
        "session:command",
        "session:subsystem:sftp",
        "tun",
        "tun-connection",
        "x11-connection",
};

bool channel_timeout_type_known(const char *pattern) {
        if (isempty(pattern))
                return false;
        if (streq(pattern, CHANNEL_TIMEOUT_GLOBAL) || strneq(pattern, "session:subsystem:", 18))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(known_types); i++)
                if (match_pattern(known_types[i], pattern))
                        return true;
        return false;
}
