#pragma once
/*
 * ChannelTimeout rules (sshd_config(5) of OpenSSH 9.5 and later): "TYPE=INTERVAL" pairs, where TYPE is
 * a channel type pattern ('*' and '?', as everywhere in sshd_config) or the word "global", and
 * INTERVAL a time after which a channel of that type that moved no data either way is closed (0: never).
 * The first rule whose pattern matches a channel's type gives its interval; "global" is no channel
 * type (no wildcard matches it) and sets one interval over all channels together, the last "global"
 * rule winning, as in OpenSSH.
 *
 * The configuration keeps the rules as written (for -T) and parses their intervals with sshd's time
 * format (common/config-parse.c); the monitor hands them to the worker in SETUP in the normal form
 * "TYPE=SECONDS", which channel_timeout_rule_parse() reads strictly. The worker matches and keeps
 * the clocks (worker/channel-timeout.c; doc/SECURITY.md says why the clock may live there).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHANNEL_TIMEOUT_GLOBAL "global"

typedef struct ChannelTimeoutRule {
        char *type;                     /* a channel type pattern, or "global" */
        uint32_t seconds;               /* 0: this type never times out */
} ChannelTimeoutRule;

/*
 * Where TYPE ends and INTERVAL starts in "TYPE=INTERVAL": at the first '='. -EINVAL when there is
 * none, TYPE is empty or longer than CHANNEL_TIMEOUT_MAX_TYPE, or INTERVAL is empty. The interval is
 * not checked here (the configuration uses sshd's time format, SETUP plain seconds).
 */
int channel_timeout_split(const char *spec, size_t *ret_type_len, const char **ret_interval);

/* "TYPE=SECONDS" (SETUP's form: decimal digits only, at most INT32_MAX, as OpenSSH's times) into
 * *ret, which owns its type afterwards. -EINVAL, -ERANGE or -ENOMEM; *ret untouched on failure. */
int channel_timeout_rule_parse(const char *s, ChannelTimeoutRule *ret);
void channel_timeout_rule_done(ChannelTimeoutRule *r);

/*
 * The interval for a channel: the first non-global rule whose pattern matches `type` or, when it is
 * not NULL, `subtype`. Sessions are matched with type "session" and their kind as subtype
 * ("session:shell", "session:command", "session:subsystem:NAME"): OpenSSH's code matches only the
 * kind once the session runs while its manual documents "session", and both spellings work here.
 * 0 when no rule matches.
 */
uint32_t channel_timeout_lookup(const ChannelTimeoutRule *rules, size_t n, const char *type, const char *subtype);

/* The "global" interval: the last global rule's, 0 if none. */
uint32_t channel_timeout_global(const ChannelTimeoutRule *rules, size_t n);

/*
 * Whether a TYPE pattern can match a channel type OpenSSH's sshd names (privsshd's, and X11 and tun,
 * which it does not offer), or is "global". A pattern that matches none of them (a typo such as
 * "sesion") is allowed, as OpenSSH allows it, but the configuration warns about it.
 */
bool channel_timeout_type_known(const char *pattern);
