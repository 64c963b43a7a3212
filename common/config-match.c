/*
 * Match blocks, as OpenSSH 9.2's sshd has them. The configuration is parsed twice, as in OpenSSH:
 *
 *   At load (match == NULL) every line outside Match blocks applies. A Match line ends the global part
 *   (until "Match All"): the lines after it are checked (values, and that OpenSSH allows the keyword
 *   inside Match: "Directive 'X' is not allowed within a Match block") but change nothing.
 *
 *   Per connection, once the user name is known (the monitor, monitor/handle-auth.c auth_begin(), the
 *   point where OpenSSH's getpwnamallow() calls parse_server_match_config()), and for -T -C: the same
 *   image is parsed again into a fresh Config in which only the lines of Match blocks whose criteria
 *   all hold take effect (the first value wins among them), and every keyword they set replaces the
 *   value in the connection's Config (OpenSSH's copy_set_server_options()). So a Match block's value
 *   overrides the global one whether it comes before or after it in the file, and a global line is
 *   never taken from the second pass.
 *
 * Criteria (ANDed): User, Group (the user's primary and supplementary groups), Host (privsshd never
 * resolves, UseDNS no: the client's address), Address and LocalAddress (OpenSSH's addr_match_list:
 * CIDR or wildcard entries, '!' negates), LocalPort, RDomain (the connection's VRF device, when the
 * socket is bound to one), and All alone. Patterns are OpenSSH's match_pattern_list (common/match-
 * pattern.h). Include inside a Match block applies the included lines only when the block does, and a
 * Match inside an included file ends with that file (OpenSSH 9.2's rules, SSHCFG_NEVERMATCH and
 * SSHCFG_MATCH_ONLY).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/config-internal.h"
#include "common/config.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/match-pattern.h"
#include "common/net-addr.h"

/* OpenSSH 9.2's keywords flagged SSHCFG_MATCH (servconf.c), implemented or not, aliases as written. */
static const char *const match_allowed[] = {
        "AcceptEnv", "AllowAgentForwarding", "AllowGroups", "AllowStreamLocalForwarding",
        "AllowTcpForwarding", "AllowUsers", "AuthenticationMethods", "AuthorizedKeysCommand",
        "AuthorizedKeysCommandUser", "AuthorizedKeysFile", "AuthorizedKeysFile2",
        "AuthorizedPrincipalsCommand", "AuthorizedPrincipalsCommandUser", "AuthorizedPrincipalsFile",
        "Banner", "CASignatureAlgorithms", "ChallengeResponseAuthentication", "ChannelTimeout",
        "ChrootDirectory", "ClientAliveCountMax", "ClientAliveInterval", "DenyGroups", "DenyUsers",
        "DisableForwarding", "ExposeAuthInfo", "ForceCommand", "GatewayPorts", "GSSAPIAuthentication",
        "HostbasedAcceptedAlgorithms", "HostbasedAcceptedKeyTypes", "HostbasedAuthentication",
        "HostbasedUsesNameFromPacketOnly", "IgnoreRhosts", "Include", "IPQoS",
        "KbdInteractiveAuthentication", "KerberosAuthentication", "LogLevel", "LogVerbose", "Match",
        "MaxAuthTries", "MaxSessions", "PasswordAuthentication", "PermitEmptyPasswords", "PermitListen",
        "PermitOpen", "PermitRootLogin", "PermitTTY", "PermitTunnel", "PermitUserRC",
        "PubkeyAcceptedAlgorithms", "PubkeyAcceptedKeyTypes", "PubkeyAuthentication", "PubkeyAuthOptions",
        "RDomain", "RekeyLimit", "RequiredRSASize", "RevokedKeys", "RhostsRSAAuthentication",
        "RSAAuthentication", "SetEnv", "SkeyAuthentication", "StreamLocalBindMask", "StreamLocalBindUnlink",
        "TrustedUserCAKeys", "UnusedConnectionTimeout", "X11DisplayOffset", "X11Forwarding",
        "X11UseLocalhost",
};

/*
 * The Config fields of the implemented keywords allowed in Match: what the second pass hands over
 * (OpenSSH's copy_set_server_options()). A list keyword's count travels with it. The unit test checks
 * that every implemented keyword of match_allowed[] has its row here, so that a new keyword cannot be
 * accepted inside Match and then silently not take effect.
 */
typedef struct MatchField {
        const char *keyword;
        size_t offset, size;
        size_t count_offset, count_size;        /* count_size 0: no separate count */
} MatchField;

#define FIELD(k, f) { k, offsetof(Config, f), sizeof(((Config *) 0)->f), 0, 0 }
#define LIST(k, f, n) { k, offsetof(Config, f), sizeof(((Config *) 0)->f), offsetof(Config, n), \
                        sizeof(((Config *) 0)->n) }

static const MatchField match_fields[] = {
        FIELD("PermitRootLogin", permit_root_login),
        FIELD("LogLevel", log_level),
        FIELD("PubkeyAuthentication", pubkey_authentication),
        FIELD("PubkeyAcceptedAlgorithms", pubkey_accepted_algorithms),
        FIELD("PubkeyAuthOptions", pubkey_auth_options),
        FIELD("PasswordAuthentication", password_authentication),
        FIELD("KbdInteractiveAuthentication", kbd_interactive_authentication),
        FIELD("PermitEmptyPasswords", permit_empty_passwords),
        FIELD("RekeyLimit", rekey_limit),
        FIELD("AllowTcpForwarding", allow_tcp_forwarding),
        FIELD("AllowAgentForwarding", allow_agent_forwarding),
        LIST("AllowUsers", allow_users, n_allow_users),
        LIST("DenyUsers", deny_users, n_deny_users),
        LIST("AllowGroups", allow_groups, n_allow_groups),
        LIST("DenyGroups", deny_groups, n_deny_groups),
        FIELD("GatewayPorts", gateway_ports),
        FIELD("MaxAuthTries", max_auth_tries),
        FIELD("MaxSessions", max_sessions),
        FIELD("Banner", banner),
        FIELD("ClientAliveInterval", client_alive_interval),
        FIELD("ClientAliveCountMax", client_alive_count_max),
        LIST("AuthorizedKeysFile", authorized_keys_files, n_authorized_keys_files),
        LIST("AcceptEnv", accept_env, n_accept_env),
        LIST("SetEnv", set_env, n_set_env),
        FIELD("PermitTTY", permit_tty),
        FIELD("PermitOpen", permit_open),
        FIELD("PermitListen", permit_listen),
        FIELD("ForceCommand", force_command),
        FIELD("ChrootDirectory", chroot_directory),
        LIST("AuthenticationMethods", authentication_methods, n_authentication_methods),
        FIELD("StreamLocalBindMask", streamlocal_bind_mask),
        FIELD("StreamLocalBindUnlink", streamlocal_bind_unlink),
        FIELD("AllowStreamLocalForwarding", allow_streamlocal_forwarding),
        FIELD("DisableForwarding", disable_forwarding),
        FIELD("ExposeAuthInfo", expose_auth_info),
        FIELD("CASignatureAlgorithms", ca_signature_algorithms),
        FIELD("RequiredRSASize", required_rsa_size),
        FIELD("ChannelTimeout", channel_timeouts),
        FIELD("UnusedConnectionTimeout", unused_connection_timeout),
        FIELD("AuthorizedKeysCommand", authorized_keys_command),
        FIELD("AuthorizedKeysCommandUser", authorized_keys_command_user),
        FIELD("RevokedKeys", revoked_keys),
        FIELD("TrustedUserCAKeys", trusted_user_ca_keys),
        FIELD("AuthorizedPrincipalsFile", authorized_principals_file),
        FIELD("AuthorizedPrincipalsCommand", authorized_principals_command),
        FIELD("AuthorizedPrincipalsCommandUser", authorized_principals_command_user),
};

#undef FIELD
#undef LIST

bool config_match_allowed(const char *keyword) {
        for (size_t i = 0; i < ELEMENTSOF(match_allowed); i++)
                if (strcasecmp(match_allowed[i], keyword) == 0)
                        return true;
        return false;
}

void config_match_include_state(const ConfigContext *parent, ConfigContext *child) {
        child->match = parent->match;
        child->inactive = parent->inactive;
        child->match_only = parent->match_only;
        child->never_match = !parent->match_only && parent->inactive;
        child->quiet = parent->quiet;
}

/* OpenSSH's fatal() for a criterion whose fact is missing (a connection without an RDomain, -T -C
 * without lport): the connection (or -T) ends. */
static int missing(const char *criterion, const char *attribute) {
        log_error("'Match %s' in configuration but '%s' not in connection test specification.", criterion,
                  attribute);
        return -EINVAL;
}

/* addr_match_list(NULL, list): is every entry an address, a CIDR with a consistent mask or a pattern? */
static bool address_list_valid(const char *list) {
        for (const char *p = list;;) {
                size_t len = strcspn(p, ",");
                bool negate = len > 0 && p[0] == '!';
                if (len == (size_t) negate)
                        return false;
                _cleanup_free_ char *entry = strndup(p + negate, len - negate);
                NetAddr net;
                unsigned bits;
                if (!entry || net_addr_parse_cidr(entry, &net, &bits) == -ERANGE)
                        return false;
                if (p[len] == '\0')
                        return true;
                p += len + 1;
        }
}

/* OpenSSH's a2port(): 0 to 65535, or a TCP service name; -1 otherwise. */
static int a2port(const char *s) {
        long long v;
        if (config_number_from_string(s, 0, 65535, &v) == 0)
                return (int) v;
        const struct servent *se = isempty(s) ? NULL : getservbyname(s, "tcp");
        return se ? ntohs((uint16_t) se->s_port) : -1;
}

/* Match Group: 1 when one of the user's groups matches the list and none matches a negated entry. */
static int match_group(const ConfigContext *ctx, const char *user, const char *list) {
        struct passwd *pw = getpwnam(user);
        if (!pw) {
                log_debug("Can't match group at line %u because user %.100s does not exist", ctx->line, user);
                return 0;
        }
        gid_t primary = pw->pw_gid;
        int n = 64;
        _cleanup_free_ gid_t *gids = NULL;
        for (;;) {
                gid_t *g = realloc(gids, (size_t) n * sizeof(gid_t));
                if (!g)
                        return -ENOMEM;
                gids = g;
                int want = n;
                if (getgrouplist(user, primary, gids, &want) >= 0) {
                        n = want;
                        break;
                }
                if (want <= n || want > (int) CONFIG_MATCH_MAX_GROUPS) {
                        log_debug("Can't Match group because user %.100s has too many groups at line %u", user,
                                  ctx->line);
                        return 0;
                }
                n = want;
        }
        bool found = false;
        for (int i = 0; i < n; i++) {
                struct group *gr = getgrgid(gids[i]);
                if (!gr)
                        continue;
                int r = match_pattern_in_list(gr->gr_name, list, false);
                if (r < 0) {
                        found = false;          /* a negated match wins */
                        break;
                }
                found = found || r == 1;
        }
        log_debug("user %.100s %s group list %.100s at line %u", user, found ? "matched" : "does not match",
                  list, ctx->line);
        return found ? 1 : 0;
}

/* An address criterion (Address, LocalAddress): `addr` is the connection's. */
static int match_address(const ConfigContext *ctx, const ConfigMatchInfo *ci, const char *addr, const char *list,
                         const char *criterion, const char *attribute) {
        const char *word = streq(criterion, "Address") ? "address" : "localaddress";
        if (!ci || (ci->test && !addr)) {
                if (!address_list_valid(list))
                        return config_error(ctx, "Invalid Match %s argument '%s'", word, list);
                return 0;
        }
        if (!addr)
                return missing(criterion, attribute);
        int r = net_addr_match_addr_list(addr, list);
        if (r == -EINVAL)
                return config_error(ctx, "Invalid Match %s argument '%s'", word, list);
        if (r < -1)
                return r;
        if (r == 1)
                log_debug("connection from %.100s matched '%s %.100s' at line %u", addr, criterion, list,
                          ctx->line);
        return r == 1;
}

/* One Match line: 1 when it applies to ci, 0 when not (or ci is NULL: a check only), < 0 on error. */
static int match_line(const ConfigContext *ctx, const ConfigMatchInfo *ci, char **args, size_t n) {
        int result = 1;
        size_t attributes = 0;

        for (size_t i = 0; i < n;) {
                const char *attrib = args[i++];
                attributes++;
                if (strcasecmp(attrib, "all") == 0) {
                        if (attributes > 1 || i < n)
                                return config_error(ctx,
                                                    "'all' cannot be combined with other Match attributes");
                        return 1;
                }
                if (i >= n || isempty(args[i]))
                        return config_error(ctx, "Missing Match criteria for %s", attrib);
                const char *arg = args[i++];
                int r;

                if (strcasecmp(attrib, "user") == 0) {
                        if (!ci || (ci->test && !ci->user)) {
                                result = 0;
                                continue;
                        }
                        if (!ci->user)
                                return missing("User", "user");
                        if (match_pattern_in_list(ci->user, arg, false) != 1)
                                result = 0;
                        else
                                log_debug("user %.100s matched 'User %.100s' at line %u", ci->user, arg,
                                          ctx->line);
                } else if (strcasecmp(attrib, "group") == 0) {
                        if (!ci || (ci->test && !ci->user)) {
                                result = 0;
                                continue;
                        }
                        if (!ci->user)
                                return missing("Group", "user");
                        r = match_group(ctx, ci->user, arg);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                result = 0;
                } else if (strcasecmp(attrib, "host") == 0) {
                        if (!ci || (ci->test && !ci->host)) {
                                result = 0;
                                continue;
                        }
                        if (!ci->host)
                                return missing("Host", "host");
                        _cleanup_free_ char *host = strdup(ci->host);
                        if (!host)
                                return -ENOMEM;
                        for (char *p = host; *p; p++)
                                if (*p >= 'A' && *p <= 'Z')
                                        *p = (char) (*p - 'A' + 'a');
                        if (match_pattern_in_list(host, arg, true) != 1)
                                result = 0;
                        else
                                log_debug("connection from %.100s matched 'Host %.100s' at line %u", host, arg,
                                          ctx->line);
                } else if (strcasecmp(attrib, "address") == 0) {
                        r = match_address(ctx, ci, ci ? ci->address : NULL, arg, "Address", "addr");
                        if (r < 0)
                                return r;
                        if (r == 0)
                                result = 0;
                } else if (strcasecmp(attrib, "localaddress") == 0) {
                        r = match_address(ctx, ci, ci ? ci->laddress : NULL, arg, "LocalAddress", "laddr");
                        if (r < 0)
                                return r;
                        if (r == 0)
                                result = 0;
                } else if (strcasecmp(attrib, "localport") == 0) {
                        int port = a2port(arg);
                        if (port < 0)
                                return config_error(ctx, "Invalid LocalPort '%s' on Match line", arg);
                        if (!ci) {
                                result = 0;
                                continue;
                        }
                        if (ci->lport == 0)
                                return missing("LocalPort", "lport");
                        if (port == ci->lport)
                                log_debug("connection from %.100s matched 'LocalPort %d' at line %u",
                                          ci->laddress ?: "(null)", port, ctx->line);
                        else
                                result = 0;
                } else if (strcasecmp(attrib, "rdomain") == 0) {
                        if (!ci || (ci->test && !ci->rdomain)) {
                                result = 0;
                                continue;
                        }
                        if (!ci->rdomain)
                                return missing("RDomain", "rdomain");
                        if (match_pattern_in_list(ci->rdomain, arg, false) != 1)
                                result = 0;
                        else
                                log_debug("user %.100s matched 'RDomain %.100s' at line %u", ci->user ?: "(null)",
                                          arg, ctx->line);
                } else
                        return config_error(ctx, "Unsupported Match attribute %s", attrib);
        }
        if (attributes == 0)
                return config_error(ctx, "One or more attributes required for Match");
        return result;
}

int config_parse_match(ConfigContext *ctx, const ConfigKeyword *kw, char **args, size_t n, void *field) {
        if (!ctx->file)
                return config_error(ctx, "Match directive not supported as a command-line option");
        int r = match_line(ctx, ctx->never_match ? NULL : ctx->match, args, n);
        if (r < 0)
                return r;
        ctx->inactive = ctx->never_match || r == 0;
        ctx->match_only = false;        /* OpenSSH: MATCH_ONLY holds until the first Match line */
        return 0;
}

static void swap_bytes(void *a, void *b, size_t size) {
        uint8_t *x = a, *y = b;
        for (size_t i = 0; i < size; i++) {
                uint8_t t = x[i];
                x[i] = y[i];
                y[i] = t;
        }
}

int config_match_apply(Config *c, const ConfigMatchInfo *ci) {
        if (!c->image)
                return 0;       /* nothing was kept (a Config filled by -o alone in tests) */
        Config *m = malloc(sizeof *m);
        if (!m)
                return -ENOMEM;
        int r = config_init(m);
        if (r < 0) {
                free(m);
                return r;
        }
        m->include_root = c->include_root;
        r = config_load_image_match(m, c->image, c->image_size, ci, true);
        if (r >= 0)
                /* The values the matching blocks set move into c; c's old ones leave with m. */
                for (size_t i = 0; i < ELEMENTSOF(match_fields); i++) {
                        const MatchField *f = &match_fields[i];
                        const ConfigKeyword *kw = config_keyword_find(f->keyword);
                        if (!kw || !config_keyword_seen(m, kw))
                                continue;
                        swap_bytes((uint8_t *) c + f->offset, (uint8_t *) m + f->offset, f->size);
                        if (f->count_size > 0)
                                swap_bytes((uint8_t *) c + f->count_offset, (uint8_t *) m + f->count_offset,
                                           f->count_size);
                }
        config_done(m);
        free(m);
        return r < 0 ? r : 0;
}

int config_for_connection(const Config *c, const ConfigMatchInfo *ci, Config **ret) {
        if (!c->image)
                return -ENODATA;
        Config *n = malloc(sizeof *n);
        if (!n)
                return -ENOMEM;
        int r = config_init(n);
        if (r < 0) {
                free(n);
                return r;
        }
        n->include_root = c->include_root;
        r = config_load_image_match(n, c->image, c->image_size, NULL, true);
        if (r >= 0) {
                /* n keeps no image of its own: c's is the one to match against. */
                n->image = c->image;
                n->image_size = c->image_size;
                r = config_finish(n);
                if (r >= 0)
                        r = config_match_apply(n, ci);
                n->image = NULL;
                n->image_size = 0;
        }
        if (r < 0) {
                config_done(n);
                free(n);
                return r;
        }
        *ret = n;
        return 0;
}

Config *config_free(Config *c) {
        if (c) {
                config_done(c);
                free(c);
        }
        return NULL;
}

int config_match_check_fields(const char **ret_missing) {
        for (size_t i = 0; i < ELEMENTSOF(match_allowed); i++) {
                const ConfigKeyword *kw = config_keyword_find(match_allowed[i]);
                if (!kw || kw->offset == CONFIG_NO_FIELD)
                        continue;
                bool found = false;
                for (size_t k = 0; k < ELEMENTSOF(match_fields) && !found; k++)
                        found = streq(match_fields[k].keyword, kw->name) && match_fields[k].offset == kw->offset;
                if (!found) {
                        if (ret_missing)
                                *ret_missing = kw->name;
                        return -ENOENT;
                }
        }
        return 0;
}

static int spec_string(char **field, const char *value) {
        char *v = strdup(value);
        if (!v)
                return -ENOMEM;
        free(*field);
        *field = v;
        return 0;
}

int config_match_info_parse(const char *spec, ConfigMatchInfo *ci) {
        _cleanup_free_ char *copy = strdup(spec);
        if (!copy)
                return -ENOMEM;
        /* OpenSSH's parse_server_match_testspec(): comma-separated KEY=VALUE, an empty entry ends it. */
        char *rest = copy, *p;
        int r = 0;
        while (r >= 0 && (p = strsep(&rest, ",")) && *p != '\0') {
                if (strneq(p, "addr=", 5))
                        r = spec_string(&ci->address, p + 5);
                else if (strneq(p, "host=", 5))
                        r = spec_string(&ci->host, p + 5);
                else if (strneq(p, "user=", 5))
                        r = spec_string(&ci->user, p + 5);
                else if (strneq(p, "laddr=", 6))
                        r = spec_string(&ci->laddress, p + 6);
                else if (strneq(p, "rdomain=", 8))
                        r = spec_string(&ci->rdomain, p + 8);
                else if (strneq(p, "lport=", 6)) {
                        int port = a2port(p + 6);
                        if (port < 0) {
                                log_error("Invalid port '%s' in test mode specification %s", p + 6, p);
                                return -EINVAL;
                        }
                        ci->lport = port;
                } else {
                        log_error("Invalid test mode specification %s", p);
                        return -EINVAL;
                }
        }
        return r < 0 ? r : 0;
}

void config_match_info_done(ConfigMatchInfo *ci) {
        if (!ci)
                return;
        free(ci->user);
        free(ci->host);
        free(ci->address);
        free(ci->laddress);
        free(ci->rdomain);
        *ci = (ConfigMatchInfo) {};
}
