/* See authorized-keys.h. Written from sshd(8) AUTHORIZED_KEYS FILE FORMAT and RFC 4253 §6.6. */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "monitor/authorized-keys-restrict.h"
#include "monitor/authorized-keys.h"
#include "monitor/auth-log.h"
#include "monitor/ssh-cert.h"
#include "common/sha256.h"

void authorized_key_match_done(AuthorizedKeyMatch *m) {
        if (!m)
                return;
        free(m->forced_command);
        free(m->permit_open);
        free(m->permit_listen);
        strv_free(m->environment);
        *m = (AuthorizedKeyMatch) {};
}

/* ---- key types ------------------------------------------------------------------------------------ */

static const char *const key_types[] = {
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "ssh-rsa",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
};

static bool token_is(const char *s, size_t n, const char *word) {
        return strlen(word) == n && memcmp(s, word, n) == 0;
}

static bool is_key_type(const char *s, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(key_types); i++)
                if (token_is(s, n, key_types[i]))
                        return true;
        return false;
}

/* Recognised, never matched: certificates need CA and principal checks; DSA is gone from OpenSSH. */
static bool is_skipped_type(const char *s, size_t n) {
        static const char suffix[] = "-cert-v01@openssh.com";
        size_t sl = sizeof suffix - 1;

        return (n > sl && memcmp(s + n - sl, suffix, sl) == 0) || token_is(s, n, "ssh-dss");
}

const char *authorized_keys_type_for_algorithm(const char *algorithm) {
        if (!algorithm)
                return NULL;
        /* RFC 8332: the RSA SHA-2 signature algorithms use "ssh-rsa" keys. */
        if (streq(algorithm, "rsa-sha2-256") || streq(algorithm, "rsa-sha2-512"))
                return "ssh-rsa";
        for (size_t i = 0; i < ELEMENTSOF(key_types); i++)
                if (streq(algorithm, key_types[i]))
                        return key_types[i];
        return NULL;
}

/* ---- options --------------------------------------------------------------------------------------- */

typedef enum OptionKind {
        OPTION_SET_FLAGS,       /* name alone: flags |= bits */
        OPTION_CLEAR_FLAGS,     /* name alone: flags &= ~bits */
        OPTION_COMMAND,         /* name="value": the forced command */
        OPTION_ENVIRONMENT,     /* name="NAME=value": returned for PermitUserEnvironment to decide */
        OPTION_PERMIT_LIST,     /* name="value": a forwarding allow-list we enforce as "none" */
        OPTION_FROM,            /* name="value": the client's address must match (checked after a match) */
        OPTION_EXPIRY,          /* name="value": the key is refused after this time */
        OPTION_PRINCIPALS,      /* name="value": the certificate principals a cert-authority line allows */
        OPTION_REFUSE,          /* name alone: not implemented, restricts access: refuse the key */
        OPTION_REFUSE_VALUE,    /* name="value": likewise */
} OptionKind;

typedef struct KeyOption {
        const char *name;
        OptionKind kind;
        unsigned flags;
} KeyOption;

static const KeyOption key_options[] = {
        { "command",             OPTION_COMMAND,      0 },
        { "restrict",            OPTION_SET_FLAGS,    AUTHKEY_RESTRICT | AUTHKEY_NO_ALL },
        { "no-pty",              OPTION_SET_FLAGS,    AUTHKEY_NO_PTY },
        { "no-port-forwarding",  OPTION_SET_FLAGS,    AUTHKEY_NO_PORT_FORWARDING },
        { "no-agent-forwarding", OPTION_SET_FLAGS,    AUTHKEY_NO_AGENT_FORWARDING },
        { "no-X11-forwarding",   OPTION_SET_FLAGS,    AUTHKEY_NO_X11_FORWARDING },
        { "no-user-rc",          OPTION_SET_FLAGS,    AUTHKEY_NO_USER_RC },
        { "pty",                 OPTION_CLEAR_FLAGS,  AUTHKEY_NO_PTY },
        { "port-forwarding",     OPTION_CLEAR_FLAGS,  AUTHKEY_NO_PORT_FORWARDING },
        { "agent-forwarding",    OPTION_CLEAR_FLAGS,  AUTHKEY_NO_AGENT_FORWARDING },
        { "X11-forwarding",      OPTION_CLEAR_FLAGS,  AUTHKEY_NO_X11_FORWARDING },
        { "user-rc",             OPTION_CLEAR_FLAGS,  AUTHKEY_NO_USER_RC },
        { "environment",         OPTION_ENVIRONMENT,  AUTHKEY_ENVIRONMENT },
        { "permitopen",          OPTION_PERMIT_LIST,  0 },
        { "permitlisten",        OPTION_PERMIT_LIST,  0 },
        { "from",                OPTION_FROM,         0 },
        { "expiry-time",         OPTION_EXPIRY,       0 },
        { "principals",          OPTION_PRINCIPALS,   0 },
        { "tunnel",              OPTION_REFUSE_VALUE, 0 },
        { "cert-authority",      OPTION_SET_FLAGS,    AUTHKEY_CERT_AUTHORITY },
        /* Security keys: the monitor holds their signatures' flags to these (handle-auth.c). */
        { "no-touch-required",   OPTION_SET_FLAGS,    AUTHKEY_NO_TOUCH_REQUIRED },
        { "touch-required",      OPTION_CLEAR_FLAGS,  AUTHKEY_NO_TOUCH_REQUIRED },
        { "verify-required",     OPTION_SET_FLAGS,    AUTHKEY_VERIFY_REQUIRED },
        { "no-verify-required",  OPTION_CLEAR_FLAGS,  AUTHKEY_VERIFY_REQUIRED },
};

static bool option_kind_has_value(OptionKind k) {
        switch (k) {
        case OPTION_COMMAND:
        case OPTION_ENVIRONMENT:
        case OPTION_PERMIT_LIST:
        case OPTION_FROM:
        case OPTION_EXPIRY:
        case OPTION_PRINCIPALS:
        case OPTION_REFUSE_VALUE:
                return true;
        case OPTION_SET_FLAGS:
        case OPTION_CLEAR_FLAGS:
        case OPTION_REFUSE:
                return false;
        default:
                return false;
        }
}

/* What the options of one line said. `refused` points into the line, for the log line. */
typedef struct LineOptions {
        unsigned flags;
        char *permit_open;              /* permitopen= / permitlisten= values, space-separated */
        char *permit_listen;
        unsigned n_permit;
        char *command;
        char **env;                     /* environment="NAME=value" values, the first of each name */
        size_t n_env;
        char *from;                     /* from="...", checked once the key matched */
        char *principals;               /* principals="...", checked once a certificate's CA matched */
        time_t valid_before;            /* the earliest expiry-time="...", 0: none */
        const char *bad;                /* why the options are malformed, when we can say */
        const char *refused;
        size_t refused_len;
        const char *refused_why;
} LineOptions;

/* permitopen="host:port" / "[v6]:port", permitlisten="[host:]port"; "*" for host or port. No blanks
 * (the lists are returned space-separated). */
static bool permit_value_valid(const char *v, bool listen) {
        if (isempty(v) || strpbrk(v, " \t"))
                return false;
        const char *colon = strrchr(v, ':');
        const char *port = colon ? colon + 1 : v;
        if (!colon && !listen)
                return false;
        if (colon) {
                size_t hl = (size_t) (colon - v);
                if (hl == 0 || (v[0] == '[' ? v[hl - 1] != ']' || hl < 3 : memchr(v, ':', hl) != NULL))
                        return false;
        }
        if (streq(port, "*"))
                return true;
        char *e;
        errno = 0;
        unsigned long n = strtoul(port, &e, 10);
        return *port >= '0' && *port <= '9' && *e == '\0' && errno == 0 && n <= 65535 && (n > 0 || listen);
}

static void line_options_done(LineOptions *o) {
        free(o->command);
        o->command = NULL;
        free(o->permit_open);
        o->permit_open = NULL;
        free(o->permit_listen);
        o->permit_listen = NULL;
        free(o->from);
        o->from = NULL;
        free(o->principals);
        o->principals = NULL;
        o->env = strv_free(o->env);
        o->n_env = 0;
}

/* environment="NAME=value", as OpenSSH's auth-options.c: NAME is letters, digits and '_' (a leading
 * digit too), then '='. The first value given for a name counts. 0 (stored or a duplicate), -EINVAL
 * with o->bad set, -ENOMEM. */
static int line_options_add_env(LineOptions *o, char **value) {
        const char *v = *value, *eq = strchr(v, '=');
        bool valid = eq && eq > v;
        for (const char *c = v; valid && c < eq; c++)
                valid = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                        *c == '_';
        if (!valid) {
                o->bad = "invalid environment string";
                return -EINVAL;
        }
        size_t len = (size_t) (eq - v) + 1;     /* "NAME=" */
        for (size_t i = 0; i < o->n_env; i++)
                if (strneq(o->env[i], v, len))
                        return 0;
        if (o->n_env >= AUTHKEYS_MAX_ENV) {
                o->bad = "too many environment strings";
                return -EINVAL;
        }
        char **l = realloc(o->env, (o->n_env + 2) * sizeof(char *));
        if (!l)
                return -ENOMEM;
        o->env = l;
        o->env[o->n_env++] = TAKE_PTR(*value);
        o->env[o->n_env] = NULL;
        return 0;
}

static void line_options_refuse(LineOptions *o, const char *name, size_t len, const char *why) {
        if (o->refused)
                return;         /* the first one is enough to name */
        o->refused = name;
        o->refused_len = len;
        o->refused_why = why;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

static bool is_option_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

static const char *skip_blanks(const char *s, const char *end) {
        while (s < end && is_blank(*s))
                s++;
        return s;
}

static const char *token_end(const char *s, const char *end) {
        while (s < end && !is_blank(*s))
                s++;
        return s;
}

/*
 * A double-quoted value at *p (just after the opening quote). \" stands for a quote; every other
 * backslash is literal, as in OpenSSH. Advances *p past the closing quote. With ret_value, the
 * unescaped value is returned malloc'd. -EINVAL when the quote is not closed on this line.
 */
static int parse_quoted(const char **p, const char *end, char **ret_value) {
        const char *s = *p;
        _cleanup_free_ char *value = NULL;
        size_t n = 0;

        if (ret_value) {
                value = malloc((size_t) (end - s) + 1);
                if (!value)
                        return -ENOMEM;
        }
        for (;;) {
                if (s >= end)
                        return -EINVAL;
                if (*s == '"')
                        break;
                if (*s == '\\' && s + 1 < end && s[1] == '"')
                        s++;
                if (value)
                        value[n] = *s;
                n++;
                s++;
        }
        if (value)
                value[n] = '\0';

        *p = s + 1;
        if (ret_value)
                *ret_value = TAKE_PTR(value);
        return 0;
}

/* An option that may stand once on a line takes *value into *field; a second one is `bad`, -EINVAL
 * (OpenSSH skips the line). */
static int option_take_once(LineOptions *o, char **field, char **value, const char *bad) {
        if (*field) {
                o->bad = bad;
                return -EINVAL;
        }
        *field = TAKE_PTR(*value);
        return 0;
}

/*
 * The comma-separated option list at *p, up to the first blank outside quotes. 0 (with refusals noted
 * in *o, not returned), -EINVAL for malformed syntax, -ENOMEM. Advances *p past the list.
 */
static int parse_options(const char **p, const char *end, LineOptions *o) {
        const char *s = *p;

        for (;;) {
                const char *name = s;
                while (s < end && *s != '=' && *s != ',' && !is_blank(*s))
                        s++;
                size_t nlen = (size_t) (s - name);
                if (nlen == 0)
                        return -EINVAL;         /* ",," or a leading comma or '=' */
                /* Option names are letters, digits and '-'; anything else is garbage, and refusing it
                 * here also keeps control characters out of the log line that names the option. */
                for (size_t i = 0; i < nlen; i++)
                        if (!is_option_char(name[i]))
                                return -EINVAL;

                const KeyOption *opt = NULL;
                for (size_t i = 0; i < ELEMENTSOF(key_options); i++)
                        if (strlen(key_options[i].name) == nlen && strncasecmp(name, key_options[i].name, nlen) == 0) {
                                opt = &key_options[i];
                                break;
                        }

                bool has_value = s < end && *s == '=';
                _cleanup_free_ char *value = NULL;
                if (has_value) {
                        s++;
                        if (s >= end || *s != '"')
                                return -EINVAL;         /* values are always quoted */
                        s++;
                        bool keep = opt && (opt->kind == OPTION_COMMAND || opt->kind == OPTION_FROM ||
                                            opt->kind == OPTION_EXPIRY || opt->kind == OPTION_PERMIT_LIST ||
                                            opt->kind == OPTION_ENVIRONMENT || opt->kind == OPTION_PRINCIPALS);
                        int r = parse_quoted(&s, end, keep ? &value : NULL);
                        if (r < 0)
                                return r;
                }

                if (!opt)
                        line_options_refuse(o, name, nlen, "is not known");
                else if (has_value != option_kind_has_value(opt->kind))
                        return -EINVAL;                 /* "no-pty=\"x\"" or a bare "command" */
                else
                        switch (opt->kind) {
                        case OPTION_SET_FLAGS:
                                o->flags |= opt->flags;
                                break;
                        case OPTION_ENVIRONMENT: {
                                int r = line_options_add_env(o, &value);
                                if (r < 0)
                                        return r;
                                o->flags |= opt->flags;
                                break;
                        }
                        case OPTION_CLEAR_FLAGS:
                                o->flags &= ~opt->flags;
                                break;
                        case OPTION_PERMIT_LIST: {
                                bool listen = tolower((unsigned char) name[6]) == 'l';  /* permit[l]isten */
                                if (!permit_value_valid(value, listen) ||
                                    ++o->n_permit > AUTHKEYS_MAX_PERMIT) {
                                        o->bad = listen ? "bad permitlisten specification" :
                                                          "bad permitopen specification";
                                        return -EINVAL;
                                }
                                char **list = listen ? &o->permit_listen : &o->permit_open;
                                char *joined = NULL;
                                if (asprintf(&joined, "%s%s%s", *list ?: "", *list ? " " : "", value) < 0)
                                        return -ENOMEM;
                                free(*list);
                                *list = joined;
                                break;
                        }
                        case OPTION_COMMAND:
                                if (o->command)
                                        return -EINVAL;  /* two forced commands: which one? */
                                if (isempty(value))
                                        /* OpenSSH runs `shell -c ""`; the verdict we return cannot tell
                                         * an empty command from none, so refuse rather than allow a shell. */
                                        line_options_refuse(o, name, nlen, "is empty");
                                o->command = TAKE_PTR(value);
                                break;
                        case OPTION_FROM:
                                if (option_take_once(o, &o->from, &value, "multiple \"from\" clauses") < 0)
                                        return -EINVAL;
                                break;
                        case OPTION_PRINCIPALS:
                                if (option_take_once(o, &o->principals, &value,
                                                     "multiple \"principals\" clauses") < 0)
                                        return -EINVAL;
                                break;
                        case OPTION_EXPIRY: {
                                /* A bad time skips the line (OpenSSH); the earliest of several counts. */
                                time_t t;
                                if (authorized_keys_parse_expiry(value, &t) < 0) {
                                        o->bad = "invalid expires time";
                                        return -EINVAL;
                                }
                                if (o->valid_before == 0 || t < o->valid_before)
                                        o->valid_before = t;
                                break;
                        }
                        case OPTION_REFUSE:
                        case OPTION_REFUSE_VALUE:
                                line_options_refuse(o, name, nlen, "is not supported by privsshd");
                                break;
                        default:
                                return -EINVAL;
                        }

                if (s < end && *s == ',') {
                        s++;
                        continue;
                }
                if (s < end && is_blank(*s))
                        break;
                return -EINVAL;                         /* options and nothing else on the line */
        }

        *p = s;
        return 0;
}

/* ---- lines ----------------------------------------------------------------------------------------- */

static uint32_t read_be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | (uint32_t) p[3];
}

/* OpenSSH's match_principals_option(): one of the certificate's principals is in the line's list. */
static bool principals_match(const char *list, const SshCert *c) {
        for (size_t i = 0; i < c->n_principals; i++) {
                const char *p = list;
                size_t n = strlen(c->principals[i]);
                for (;;) {
                        size_t l = strcspn(p, ",");
                        if (l == n && memcmp(p, c->principals[i], n) == 0)
                                return true;
                        if (p[l] == '\0')
                                break;
                        p += l + 1;
                }
        }
        return false;
}

/* The certificate checks of a cert-authority line whose CA matched, in OpenSSH's order and words
 * (check_authkey_line()): its options, the merge of its force-command with the line's command=, the
 * principals, its type and validity. 1 allowed (logged at VERBOSE as OpenSSH), 0 refused (logged). */
static int check_cert(const char *origin, unsigned line, const AuthorizedKeysClient *client, LineOptions *o) {
        const SshCert *c = client->cert;
        char loc[512];
        snprintf(loc, sizeof loc, "%s:%u", origin, line);
        if (!authorized_keys_cert_options_allowed(loc, client))
                return 0;
        if (o->command && c->force_command && !streq(o->command, c->force_command)) {
                log_error("forced command options do not match");
                return 0;
        }
        if (o->principals && !principals_match(o->principals, c)) {
                log_error("Certificate does not contain an authorized principal");
                return 0;
        }
        const char *reason = NULL;
        if (ssh_cert_check_authority(c, client->now, false, o->principals ? NULL : client->user, &reason) < 0) {
                log_error("%s", reason);
                return 0;
        }
        _cleanup_free_ char *fp = NULL;
        if (ssh_key_fingerprint(c->ca->blob, c->ca->blob_len, &fp) < 0)
                return -ENOMEM;
        log_verbose("Accepted certificate ID \"%s\" (serial %llu) signed by CA %s %s found at %s", c->key_id,
                    (unsigned long long) c->serial, auth_key_type_label(ssh_key_type_name(c->ca->type)), fp, loc);
        if (o->principals)
                o->flags |= AUTHKEY_CERT_PRINCIPALS;
        return 1;
}

/* A matching line's verdict: what its options say, taken from them. */
static void match_take(AuthorizedKeyMatch *ret, unsigned line, LineOptions *o) {
        *ret = (AuthorizedKeyMatch) {
                .line = line,
                .flags = o->flags,
                .forced_command = TAKE_PTR(o->command),
                .permit_open = TAKE_PTR(o->permit_open),
                .permit_listen = TAKE_PTR(o->permit_listen),
                .environment = TAKE_PTR(o->env),
        };
}

/* One line (without its newline). 1 match (*ret filled), 0 no match or skipped, -ENOMEM. */
static int check_line(const char *s, const char *end, const char *origin, unsigned line,
                      const AuthorizedKeysClient *client, const char *type, const uint8_t *blob,
                      size_t blob_len, AuthorizedKeyMatch *ret) {
        _cleanup_(line_options_done) LineOptions o = {};
        int r;

        s = skip_blanks(s, end);
        if (s >= end || *s == '#')
                return 0;

        /* A line starts with options exactly when its first word is not a key type (OpenSSH's rule). */
        const char *t_end = token_end(s, end);
        if (!is_key_type(s, (size_t) (t_end - s)) && !is_skipped_type(s, (size_t) (t_end - s))) {
                r = parse_options(&s, end, &o);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        log_debug("%s:%u: bad key options%s%s, line skipped", origin, line,
                                  o.bad ? ": " : "", o.bad ? o.bad : "");
                        return 0;
                }
                s = skip_blanks(s, end);
                t_end = token_end(s, end);
        }

        size_t tlen = (size_t) (t_end - s);
        if (tlen == 0) {
                log_debug("%s:%u: no key type, line skipped", origin, line);
                return 0;
        }
        if (is_skipped_type(s, tlen)) {
                log_debug("%s:%u: certificate and DSA keys are not supported, line skipped",
                          origin, line);
                return 0;
        }
        if (!is_key_type(s, tlen)) {
                log_debug("%s:%u: unknown key type, line skipped", origin, line);
                return 0;
        }
        if (!token_is(s, tlen, type))
                return 0;       /* a key of another type: nothing wrong with the line */

        const char *b = skip_blanks(t_end, end);
        const char *b_end = token_end(b, end);
        _cleanup_free_ uint8_t *decoded = NULL;
        size_t dlen = 0;
        r = b == b_end ? -EINVAL : base64_decode(b, (size_t) (b_end - b), &decoded, &dlen);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_debug("%s:%u: bad key data, line skipped", origin, line);
                return 0;
        }

        /* The blob names its own type first (RFC 4253 §6.6); it must be the line's, or "ssh-rsa <an
         * ed25519 blob>" would let the line's type say one thing and the key be another. */
        if (dlen < 4 || read_be32(decoded) != tlen || dlen - 4 < tlen || memcmp(decoded + 4, s, tlen) != 0) {
                log_debug("%s:%u: key type does not match the key data, line skipped", origin, line);
                return 0;
        }

        if (dlen != blob_len || memcmp(decoded, blob, dlen) != 0)
                return 0;

        if (o.refused) {
                log_info("%s:%u: key option \"%.*s\" %s; refusing this key", origin, line,
                         (int) MIN(o.refused_len, (size_t) 64), o.refused, o.refused_why);
                return 0;
        }
        /* A CA line matches certificates only, and a certificate only CA lines (OpenSSH). */
        bool ca_line = o.flags & AUTHKEY_CERT_AUTHORITY;
        if (ca_line != (client->cert != NULL))
                return 0;
        if (o.principals && !ca_line) {
                log_debug("%s:%u: principals on non-CA key", origin, line);
                return 0;
        }
        r = authorized_keys_client_allowed(origin, line, client, o.valid_before, o.from);
        if (r <= 0)
                return r;
        if (client->cert) {
                r = check_cert(origin, line, client, &o);
                if (r <= 0)
                        return r;
        }

        match_take(ret, line, &o);
        return 1;
}

/* The next line of the buffer [*p, end): its start and length, without its "\n" or "\r\n"; *p moves past
 * it. false at the end of the buffer. */
static bool next_line(const char **p, const char *end, const char **ret_line, size_t *ret_len) {
        if (*p >= end)
                return false;
        const char *nl = memchr(*p, '\n', (size_t) (end - *p));
        size_t n = (size_t) ((nl ?: end) - *p);
        if (n > 0 && (*p)[n - 1] == '\r')
                n--;
        *ret_line = *p;
        *ret_len = n;
        *p = nl ? nl + 1 : end;
        return true;
}

int authorized_keys_check_buffer(const char *data, size_t size, const char *origin,
                                 const AuthorizedKeysClient *client, const char *algorithm,
                                 const uint8_t *blob, size_t blob_len, AuthorizedKeyMatch *ret) {
        if (!data && size > 0)
                return -EINVAL;
        if (!origin)
                origin = "authorized_keys";
        /* Nobody known: from= allows only what it would allow an unknown address, expiry is now. */
        AuthorizedKeysClient unknown = { .user = "UNKNOWN", .address = "UNKNOWN" };
        if (!client) {
                unknown.now = time(NULL);
                client = &unknown;
        }

        /* A certificate is looked for by its CA's key. */
        if (client->cert) {
                algorithm = ssh_key_type_name(client->cert->ca->type);
                blob = client->cert->ca->blob;
                blob_len = client->cert->ca->blob_len;
        }
        const char *type = authorized_keys_type_for_algorithm(algorithm);
        if (!type || !blob || blob_len == 0)
                return 0;

        unsigned line = 0;
        const char *s;
        size_t n;
        for (const char *p = data, *end = data + size; next_line(&p, end, &s, &n); ) {
                line++;
                if (n > AUTHKEYS_MAX_LINE)
                        log_debug("%s:%u: line longer than %u bytes, skipped", origin, line, AUTHKEYS_MAX_LINE);
                else if (memchr(s, '\0', n))
                        log_debug("%s:%u: NUL byte in line, skipped", origin, line);
                else {
                        int r = check_line(s, s + n, origin, line, client, type, blob, blob_len, ret);
                        if (r != 0)
                                return r;
                }
        }
        return 0;
}

/* One AuthorizedPrincipalsFile line, as OpenSSH's auth_check_principals_line(): comments from '#' on
 * and trailing blanks cut; the principal is the last word, and what comes before it (words separated by
 * blanks) the line's options. 1 match (*ret filled), 0 not, -ENOMEM. */
static int check_principals_line(const char *s, const char *end, const char *origin, unsigned line,
                                 const AuthorizedKeysClient *client, AuthorizedKeyMatch *ret) {
        _cleanup_(line_options_done) LineOptions o = {};
        s = skip_blanks(s, end);
        const char *hash = memchr(s, '#', (size_t) (end - s));
        if (hash)
                end = hash;
        while (end > s && is_blank(end[-1]))
                end--;
        if (s >= end)
                return 0;
        const char *name = end;
        while (name > s && !is_blank(name[-1]))
                name--;
        if (name > s) {
                /* The options end at a blank, as on an authorized_keys line; only blanks follow them. */
                const char *opt = s;
                int r = parse_options(&opt, name, &o);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || skip_blanks(opt, name) != name) {
                        log_debug("%s:%u: bad principals options%s%s", origin, line, o.bad ? ": " : "",
                                  o.bad ? o.bad : "");
                        return 0;
                }
        }
        const SshCert *c = client->cert;
        size_t nlen = (size_t) (end - name);
        bool found = false;
        for (size_t i = 0; i < c->n_principals && !found; i++)
                found = strlen(c->principals[i]) == nlen && memcmp(c->principals[i], name, nlen) == 0;
        if (!found)
                return 0;
        log_debug("%s:%u: matched principal \"%.*s\"", origin, line, (int) MIN(nlen, (size_t) 100), name);
        if (o.refused) {
                log_info("%s:%u: key option \"%.*s\" %s; refusing this principal", origin, line,
                         (int) MIN(o.refused_len, (size_t) 64), o.refused, o.refused_why);
                return 0;
        }
        /* cert-authority and principals= mean nothing in this file; OpenSSH refuses such a line. */
        if (o.flags & AUTHKEY_CERT_AUTHORITY || o.principals) {
                log_debug("%s:%u: cert-authority or principals option in an authorized principals file", origin,
                          line);
                return 0;
        }
        int r = authorized_keys_client_allowed(origin, line, client, o.valid_before, o.from);
        if (r <= 0)
                return r;
        match_take(ret, line, &o);
        return 1;
}

int authorized_principals_check_buffer(const char *data, size_t size, const char *origin,
                                       const AuthorizedKeysClient *client, AuthorizedKeyMatch *ret) {
        if ((!data && size > 0) || !client || !client->cert)
                return -EINVAL;
        unsigned line = 0;
        const char *s;
        size_t n;
        for (const char *p = data, *end = data + size; next_line(&p, end, &s, &n); ) {
                line++;
                if (n <= AUTHKEYS_MAX_LINE && !memchr(s, '\0', n)) {
                        int r = check_principals_line(s, s + n, origin, line, client, ret);
                        if (r != 0)
                                return r;
                }
        }
        return 0;
}

int authorized_principals_check_fd(int fd, const char *origin, const AuthorizedKeysClient *client,
                                   AuthorizedKeyMatch *ret) {
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r = read_full_fd(fd, AUTHKEYS_MAX_FILE_SIZE, &data, &size);
        if (r < 0)
                return r;
        return authorized_principals_check_buffer(data, size, origin, client, ret);
}

int authorized_keys_check_fd(int fd, const char *origin, const AuthorizedKeysClient *client,
                             const char *algorithm, const uint8_t *blob, size_t blob_len, AuthorizedKeyMatch *ret) {
        _cleanup_free_ char *data = NULL;
        size_t size = 0;

        if (fd < 0)
                return -EBADF;
        int r = read_full_fd(fd, AUTHKEYS_MAX_FILE_SIZE, &data, &size);
        if (r < 0)
                return r;
        return authorized_keys_check_buffer(data, size, origin, client, algorithm, blob, blob_len, ret);
}

/* ---- files ----------------------------------------------------------------------------------------- */

int authorized_keys_expand_path(const char *pattern, const char *user, uid_t uid, const char *home, char **ret) {
        if (!pattern || !user || !home || home[0] != '/')
                return -EINVAL;

        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return -ENOMEM;

        bool bad = false;
        for (const char *p = pattern; !bad && *p; p++) {   /* bad first: after a trailing "%" p is past the NUL */
                if (*p != '%') {
                        fputc(*p, f);
                        continue;
                }
                switch (*++p) {
                case 'h':
                        fputs(home, f);
                        break;
                case 'u':
                        fputs(user, f);
                        break;
                case 'U':
                        fprintf(f, "%lu", (unsigned long) uid);
                        break;
                case '%':
                        fputc('%', f);
                        break;
                default:        /* an unknown token, or '%' at the end (then *p is the NUL) */
                        bad = true;
                        break;
                }
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        if (bad)
                return -EINVAL;

        /* Tokens first, then "relative to home" (sshd_config(5) AuthorizedKeysFile). */
        if (out[0] != '/') {
                char *abs = NULL;
                bool slash = home[strlen(home) - 1] == '/';
                if (asprintf(&abs, "%s%s%s", home, slash ? "" : "/", out) < 0)
                        return -ENOMEM;
                free(out);
                out = abs;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

int authorized_keys_open(const char *path) {
        if (isempty(path))
                return -EINVAL;

        _cleanup_close_ int fd = open_regular_file(path, -EPERM, NULL);
        if (fd < 0)
                return fd;

        /* Blocking again for whoever reads it (open_regular_file() leaves O_NONBLOCK set). */
        int r = fd_set_nonblock(fd, false);
        if (r < 0)
                return r;
        return TAKE_FD(fd);
}
