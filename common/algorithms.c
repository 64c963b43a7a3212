/* See algorithms.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/algorithms.h"
#include "common/macro.h"
#include "common/match-pattern.h"

/*
 * What libssh 0.12.2 (OpenSSL 3.0, our cmake options) supports, in its order, minus group exchange:
 * diffie-hellman-group-exchange-* opens /etc/ssh/moduli at every exchange, which the worker's
 * sandbox forbids. tests/unit/test-algorithms.c holds this against the linked libssh.
 */
#define KEY_ALGORITHMS_PLAIN                                                                    \
        "ssh-ed25519,ecdsa-sha2-nistp521,ecdsa-sha2-nistp384,ecdsa-sha2-nistp256,"              \
        "sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256,ssh-rsa"
#define KEY_ALGORITHMS_CERT                                                                     \
        "ssh-ed25519-cert-v01@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com,"                 \
        "ecdsa-sha2-nistp521-cert-v01@openssh.com,ecdsa-sha2-nistp384-cert-v01@openssh.com,"    \
        "ecdsa-sha2-nistp256-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com," \
        "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-rsa-cert-v01@openssh.com"

static const char *const supported[_ALGORITHMS_MAX] = {
        [ALGORITHMS_KEX] = "mlkem768x25519-sha256,mlkem768nistp256-sha256,sntrup761x25519-sha512,"
                "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
                "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group18-sha512,"
                "diffie-hellman-group16-sha512,diffie-hellman-group14-sha256,diffie-hellman-group14-sha1,"
                "diffie-hellman-group1-sha1",
        [ALGORITHMS_CIPHERS] = "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,"
                "aes256-ctr,aes192-ctr,aes128-ctr,aes256-cbc,aes192-cbc,aes128-cbc,3des-cbc",
        [ALGORITHMS_MACS] = "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,"
                "hmac-sha2-256,hmac-sha2-512,hmac-sha1",
        /* Certificates are named so that lists copied from hardening guides load. A host certificate
         * algorithm is offered only for a HostKey with a HostCertificate (libssh patch 0010). */
        [ALGORITHMS_HOSTKEY] = KEY_ALGORITHMS_CERT "," KEY_ALGORITHMS_PLAIN,
        [ALGORITHMS_PUBKEY] = KEY_ALGORITHMS_CERT "," KEY_ALGORITHMS_PLAIN,
        [ALGORITHMS_CA_SIGNATURE] = KEY_ALGORITHMS_PLAIN,
};

/*
 * Names OpenSSH (9.2, `ssh -Q`) knows that privsshd's libssh does not offer. In these lists, which only
 * allow, leaving such a name out can only allow less than the operator wrote, so it is a warning and
 * not an error (an sshd_config written for OpenSSH loads: OpenSSH's regress scripts append ssh-dss).
 * A name in neither table is a typo and stays an error. tests/unit/test-algorithms.c holds this table
 * against `ssh -Q` and against libssh (never a name libssh has).
 */
#define NOT_OFFERED_MACS                                                                        \
        "hmac-sha1-96,hmac-md5,hmac-md5-96,umac-64@openssh.com,umac-128@openssh.com,"           \
        "hmac-sha1-96-etm@openssh.com,hmac-md5-etm@openssh.com,hmac-md5-96-etm@openssh.com,"    \
        "umac-64-etm@openssh.com,umac-128-etm@openssh.com"
#define NOT_OFFERED_KEYS "ssh-dss,ssh-dss-cert-v01@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com"
static const char *const not_offered[_ALGORITHMS_MAX] = {
        /* Group exchange: opens /etc/ssh/moduli at every exchange, which the sandbox forbids. */
        [ALGORITHMS_KEX] = "diffie-hellman-group-exchange-sha1,diffie-hellman-group-exchange-sha256",
        [ALGORITHMS_CIPHERS] = "",
        /* Not in libssh: UMAC, MD5 and the truncated (-96) HMACs. */
        [ALGORITHMS_MACS] = NOT_OFFERED_MACS,
        /* Not in libssh: DSA and its certificate; webauthn signatures (the sk-* ones are offered). */
        [ALGORITHMS_HOSTKEY] = NOT_OFFERED_KEYS,
        [ALGORITHMS_PUBKEY] = NOT_OFFERED_KEYS,
        [ALGORITHMS_CA_SIGNATURE] = "ssh-dss,webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
};

/*
 * OpenSSH 10's defaults (myproposal.h) in OpenSSH's order, restricted to what privsshd does: no group
 * exchange (above), no UMAC (not in libssh), no host certificates (user certificates are accepted,
 * monitor/auth-cert.h), no security-key (sk-*) host keys (the
 * monitor signs with none), no webauthn-sk-ecdsa-sha2-nistp256@openssh.com (not in libssh; the
 * monitor verifies the sk-* user keys' own signatures only). CASignatureAlgorithms is OpenSSH's
 * default as is.
 */
static const char *const defaults[_ALGORITHMS_MAX] = {
        [ALGORITHMS_KEX] = "mlkem768x25519-sha256,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,"
                "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
                "ecdh-sha2-nistp521,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"
                "diffie-hellman-group14-sha256",
        [ALGORITHMS_CIPHERS] = "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com,"
                "aes128-ctr,aes192-ctr,aes256-ctr",
        [ALGORITHMS_MACS] = "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,"
                "hmac-sha2-256,hmac-sha2-512,hmac-sha1",
        /* Host certificates first, as OpenSSH (offered only for a HostKey with a HostCertificate). */
        [ALGORITHMS_HOSTKEY] = "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
                "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
                "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,"
                "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256",
        [ALGORITHMS_PUBKEY] = "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
                "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
                "sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
                "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,"
                "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
                "sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256",
        [ALGORITHMS_CA_SIGNATURE] = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
                "sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256",
};

static const struct {
        const char *keyword;
        AlgorithmClass cls;
} keywords[] = {
        { "KexAlgorithms",            ALGORITHMS_KEX },
        { "Ciphers",                  ALGORITHMS_CIPHERS },
        { "MACs",                     ALGORITHMS_MACS },
        { "HostKeyAlgorithms",        ALGORITHMS_HOSTKEY },
        { "PubkeyAcceptedAlgorithms", ALGORITHMS_PUBKEY },
        { "PubkeyAcceptedKeyTypes",   ALGORITHMS_PUBKEY },
        { "CASignatureAlgorithms",    ALGORITHMS_CA_SIGNATURE },
};

int algorithm_class_by_keyword(const char *keyword) {
        for (size_t i = 0; i < ELEMENTSOF(keywords); i++)
                if (strcasecmp(keywords[i].keyword, keyword) == 0)
                        return (int) keywords[i].cls;
        return -ENOENT;
}

const char *algorithms_default(AlgorithmClass cls) {
        return cls < _ALGORITHMS_MAX ? defaults[cls] : NULL;
}

const char *algorithms_supported(AlgorithmClass cls) {
        return cls < _ALGORITHMS_MAX ? supported[cls] : NULL;
}

const char *algorithms_not_offered(AlgorithmClass cls) {
        return cls < _ALGORITHMS_MAX ? not_offered[cls] : NULL;
}

/* The next element of a comma-separated list: [*p, *p + *len); false at the end. */
static bool next_element(const char **cursor, const char **ret, size_t *ret_len) {
        const char *s = *cursor;
        if (!s)
                return false;
        const char *comma = strchr(s, ',');
        *ret = s;
        *ret_len = comma ? (size_t) (comma - s) : strlen(s);
        *cursor = comma ? comma + 1 : NULL;
        return true;
}

bool algorithms_list_contains(const char *list, const char *name) {
        const char *cur = list, *e;
        size_t len;
        size_t n = strlen(name);
        while (next_element(&cur, &e, &len))
                if (len == n && memcmp(e, name, n) == 0)
                        return true;
        return false;
}

/* Append `name` (len bytes) to the list in out (capacity cap, always NUL-terminated) unless there. */
static void append_unique(char *out, size_t cap, const char *name, size_t len) {
        char tmp[128];
        if (len == 0 || len >= sizeof tmp)
                return;
        memcpy(tmp, name, len);
        tmp[len] = '\0';
        if (algorithms_list_contains(out, tmp))
                return;
        size_t used = strlen(out);
        if (used + (used ? 1 : 0) + len + 1 > cap)
                return;         /* cannot happen: out is sized for every supported name */
        if (used)
                out[used++] = ',';
        memcpy(out + used, tmp, len + 1);
}

static bool has_wildcard(const char *s, size_t len) {
        return memchr(s, '*', len) || memchr(s, '?', len);
}

/* Does element [e, e+len) (a name or, if allowed, a pattern) match supported name `name`? */
static bool element_matches(const char *e, size_t len, const char *name) {
        char pat[128];
        if (len == 0 || len >= sizeof pat)
                return false;
        memcpy(pat, e, len);
        pat[len] = '\0';
        return match_pattern(name, pat);
}

/* Does element [e, e+len) match at least one name of comma-separated `names`? */
static bool element_matches_any(const char *e, size_t len, const char *names) {
        const char *cur = names, *s;
        size_t slen;
        while (next_element(&cur, &s, &slen)) {
                char name[128];
                if (slen == 0 || slen >= sizeof name)
                        continue;
                memcpy(name, s, slen);
                name[slen] = '\0';
                if (element_matches(e, len, name))
                        return true;
        }
        return false;
}

/* Every element of `list` must match at least one supported name or, failing that, one OpenSSH name
 * privsshd does not offer (and be a plain name unless wildcards are allowed); else -EINVAL and a copy
 * of the first bad one. The elements that match only names not offered are appended to *ignored. */
static int validate(AlgorithmClass cls, const char *list, bool wildcards, char *ignored, size_t ignored_cap,
                    char **ret_bad) {
        const char *cur = list, *e;
        size_t len;
        while (next_element(&cur, &e, &len)) {
                bool ok = len > 0 && len < 128 && (wildcards || !has_wildcard(e, len));
                if (ok && !element_matches_any(e, len, supported[cls])) {
                        ok = element_matches_any(e, len, not_offered[cls]);
                        if (ok)
                                append_unique(ignored, ignored_cap, e, len);
                }
                if (!ok) {
                        *ret_bad = strndup(e, len);
                        return *ret_bad ? -EINVAL : -ENOMEM;
                }
        }
        return 0;
}

/* Append to out every supported name (in the order of `order`, a list of names) that some element of
 * `patterns` matches (include) or that none matches (!include). */
static void filter(char *out, size_t cap, const char *order, const char *patterns, bool include) {
        const char *ocur = order, *o;
        size_t olen;
        while (next_element(&ocur, &o, &olen)) {
                char name[128];
                if (olen == 0 || olen >= sizeof name)
                        continue;
                memcpy(name, o, olen);
                name[olen] = '\0';
                bool matched = false;
                const char *pcur = patterns, *p;
                size_t plen;
                while (!matched && next_element(&pcur, &p, &plen))
                        matched = element_matches(p, plen, name);
                if (matched == include)
                        append_unique(out, cap, name, olen);
        }
}

/* Append to out what `from` holds of each element of list, element by element, in the list's order. */
static void append_each(char *out, size_t cap, const char *from, const char *list) {
        for (const char *cur = list, *e; ; ) {
                size_t len;
                if (!next_element(&cur, &e, &len))
                        break;
                char one[128];
                if (len == 0 || len >= sizeof one)
                        continue;
                memcpy(one, e, len);
                one[len] = '\0';
                filter(out, cap, from, one, true);
        }
}

int algorithms_assemble(AlgorithmClass cls, const char *spec, char **ret, char **ret_bad,
                        char **ret_ignored) {
        *ret = NULL;
        *ret_bad = NULL;
        *ret_ignored = NULL;
        if (cls >= _ALGORITHMS_MAX || !spec)
                return -EINVAL;
        bool key_class = cls == ALGORITHMS_HOSTKEY || cls == ALGORITHMS_PUBKEY || cls == ALGORITHMS_CA_SIGNATURE;
        char op = strchr("+-^", spec[0]) && spec[0] ? spec[0] : '\0';
        const char *list = op ? spec + 1 : spec;
        /* Each ignored element is one of the list's, so the spec's length bounds them all. */
        size_t ignored_cap = strlen(spec) + 1;
        _cleanup_free_ char *ignored = calloc(1, ignored_cap);
        if (!ignored)
                return -ENOMEM;
        if (op != '-') {
                int r = validate(cls, list, key_class, ignored, ignored_cap, ret_bad);
                if (r < 0)
                        return r;
        }

        size_t cap = strlen(supported[cls]) + 1;
        char *out = calloc(1, cap);
        if (!out)
                return -ENOMEM;
        const char *def = defaults[cls];
        switch (op) {
        case '+':
                filter(out, cap, def, "*", true);
                append_each(out, cap, supported[cls], list);
                break;
        case '-':
                filter(out, cap, def, list, false);
                break;
        case '^':
        default:
                append_each(out, cap, supported[cls], list);
                if (op == '^')
                        filter(out, cap, def, "*", true);
                break;
        }
        if (ignored[0])
                *ret_ignored = TAKE_PTR(ignored);
        if (out[0] == '\0') {
                free(out);
                return -EINVAL;         /* an empty list: *ret_bad stays NULL */
        }
        *ret = out;
        return 0;
}
