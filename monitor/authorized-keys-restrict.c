/* See authorized-keys-restrict.h. Written from sshd(8) AUTHORIZED_KEYS FILE FORMAT; the log wordings
 * and the parse rules are OpenSSH's (auth-options.c, auth2-pubkeyfile.c, misc.c parse_absolute_time). */

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/net-addr.h"
#include "monitor/authorized-keys.h"
#include "monitor/authorized-keys-restrict.h"
#include "monitor/ssh-cert.h"

/* n decimal digits at s, all checked to be digits by the caller. */
static int digits(const char *s, size_t n) {
        int v = 0;
        for (size_t i = 0; i < n; i++)
                v = v * 10 + (s[i] - '0');
        return v;
}

int authorized_keys_parse_expiry(const char *s, time_t *ret) {
        if (!s)
                return -EINVAL;
        size_t l = strlen(s);
        bool utc = false;
        if (l > 1 && strcasecmp(s + l - 1, "Z") == 0) {
                utc = true;
                l--;
        } else if (l > 3 && strcasecmp(s + l - 3, "UTC") == 0) {
                utc = true;
                l -= 3;
        }
        if (l != 8 && l != 12 && l != 14)
                return -EINVAL;
        if (strspn(s, "0123456789") < l)
                return -EINVAL;

        int mon = digits(s + 4, 2), mday = digits(s + 6, 2);
        int hour = l >= 12 ? digits(s + 8, 2) : 0, min = l >= 12 ? digits(s + 10, 2) : 0;
        int sec = l == 14 ? digits(s + 12, 2) : 0;
        if (mon < 1 || mon > 12 || mday < 1 || mday > 31 || hour > 23 || min > 59 || sec > 60)
                return -EINVAL;
        struct tm tm = {
                .tm_year = digits(s, 4) - 1900, .tm_mon = mon - 1, .tm_mday = mday,
                .tm_hour = hour, .tm_min = min, .tm_sec = sec,
                .tm_isdst = -1,         /* local time as the clock shows it on that date, summer or not */
                .tm_wday = -1,          /* stays -1 when the conversion fails (-1 is also a valid time) */
        };
        time_t t = utc ? timegm(&tm) : mktime(&tm);
        if (t == (time_t) -1 && tm.tm_wday == -1)
                return -EINVAL;
        /* OpenSSH takes 0 as "none given" and a negative time as a huge unsigned one (never expires);
         * a key that expired before 1970 has expired. */
        if (t <= 0)
                return -EINVAL;
        *ret = t;
        return 0;
}

int authorized_keys_client_allowed(const char *origin, unsigned line, const AuthorizedKeysClient *client,
                                   time_t valid_before, const char *from) {
        if (valid_before > 0 && client->now > 0 && valid_before < client->now) {
                char when[64] = "UNKNOWN-TIME";
                struct tm tm;
                if (localtime_r(&valid_before, &tm))
                        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
                log_debug("%s:%u: entry expired at %s", origin, line, when);
                return 0;
        }

        if (from) {
                /* UseDNS no: the host name OpenSSH would match is the address itself. */
                int r = net_addr_match_host_and_ip(client->address, client->address, from);
                if (r == -ENOMEM)
                        return r;
                if (r == 1)
                        return 1;
                if (r < 0)
                        log_debug("%s:%u: invalid from criteria", origin, line);
                log_info("%s:%u: Authentication tried for %.100s with correct key but not from a permitted "
                         "host (host=%.200s, ip=%.200s, required=%.200s).", origin, line, client->user,
                         client->address, client->address, from);
                return 0;
        }
        return 1;
}

int authorized_keys_cert_options_allowed(const char *origin, const AuthorizedKeysClient *client) {
        const SshCert *c = client->cert;
        for (size_t i = 0; i < c->n_unknown_extensions; i++)
                log_info("Certificate extension \"%s\" is not supported", c->unknown_extensions[i]);
        if (c->options_error) {
                log_error("%s", c->options_error);
                log_error("Invalid certificate options");
                return 0;
        }
        if (c->source_address) {
                int r = ssh_cert_match_cidr_list(client->address, c->source_address);
                if (r == 1)
                        return 1;
                if (r < 0)
                        log_error("%s: Certificate source-address invalid", origin);
                log_info("%s: Authentication tried for %.100s with valid certificate but not from a permitted "
                         "source address (%.200s).", origin, client->user, client->address);
                log_error("Refused by certificate options");
                return 0;
        }
        return 1;
}

unsigned authorized_keys_cert_flags(const SshCert *c) {
        unsigned f = AUTHKEY_NO_ALL;
        if (c->extensions & SSH_CERT_PERMIT_PTY)
                f &= ~(unsigned) AUTHKEY_NO_PTY;
        if (c->extensions & SSH_CERT_PERMIT_PORT_FORWARDING)
                f &= ~(unsigned) AUTHKEY_NO_PORT_FORWARDING;
        if (c->extensions & SSH_CERT_PERMIT_AGENT_FORWARDING)
                f &= ~(unsigned) AUTHKEY_NO_AGENT_FORWARDING;
        if (c->extensions & SSH_CERT_PERMIT_X11_FORWARDING)
                f &= ~(unsigned) AUTHKEY_NO_X11_FORWARDING;
        if (c->extensions & SSH_CERT_PERMIT_USER_RC)
                f &= ~(unsigned) AUTHKEY_NO_USER_RC;
        if (c->extensions & SSH_CERT_NO_TOUCH_REQUIRED)
                f |= AUTHKEY_NO_TOUCH_REQUIRED;
        if (c->verify_required)
                f |= AUTHKEY_VERIFY_REQUIRED;
        return f;
}

unsigned authorized_keys_merge_flags(unsigned line_flags, unsigned cert_flags) {
        /* Restrictions (NO_*, VERIFY_REQUIRED) of either; NO_TOUCH_REQUIRED only when both lift it. */
        unsigned permissive = AUTHKEY_NO_TOUCH_REQUIRED;
        return ((line_flags | cert_flags) & ~permissive) | (line_flags & cert_flags & permissive);
}
