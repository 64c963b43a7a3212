/* authorized_keys: matching real keys (made with ssh-keygen, tests/unit/authkeys/) by type and decoded
 * blob, the options we honour, return or refuse, malformed and skipped lines, the limits, token
 * expansion, opening without blocking, and the StrictModes check on a real directory tree. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "monitor/authorized-keys.h"
#include "monitor/secure-path.h"
#include "test-helpers.h"
#include "test-log-capture.h"

/* ---- fixtures and helpers ------------------------------------------------------------------------- */

typedef struct Key {
        char *type;
        char *b64;
        uint8_t *blob;
        size_t len;
} Key;

static int key_load(const char *name, Key *k) {
        const char *src = getenv("TEST_SRCDIR") ?: ".";
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/authkeys/%s.pub", src, name) < 0)
                return -ENOMEM;
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        int n = fscanf(f, "%ms %ms", &k->type, &k->b64);
        fclose(f);
        if (n != 2)
                return -EINVAL;
        return base64_decode(k->b64, strlen(k->b64), &k->blob, &k->len);
}

static void key_done(Key *k) {
        free(k->type);
        free(k->b64);
        free(k->blob);
        *k = (Key) {};
}

static Key ed, ec, rsa, other, sked, skec;

/* Who asks, for from= and expiry-time= (tested in test-key-restrictions.c). */
static AuthorizedKeysClient client = { .user = "alice", .address = "192.0.2.1" };

/* Check `text` (a whole file) for key k offered with algorithm algo. */
static int check(const char *text, const char *algo, const Key *k, AuthorizedKeyMatch *m) {
        log_capture_reset();
        client.now = time(NULL);
        return authorized_keys_check_buffer(text, strlen(text), "test", &client, algo, k->blob, k->len, m);
}

/* printf into a fresh string (the test's own lines); aborts the test run on OOM. */
_printf_(1, 2)
static char *fmt(const char *f, ...) {
        va_list ap;
        char *s = NULL;
        va_start(ap, f);
        if (vasprintf(&s, f, ap) < 0)
                abort();
        va_end(ap);
        return s;
}

/* ---- matching ------------------------------------------------------------------------------------- */

static void test_algorithms(void) {
        static const char *const map[][2] = {
                { "ssh-ed25519", "ssh-ed25519" },
                { "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256" },
                { "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384" },
                { "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521" },
                { "ssh-rsa", "ssh-rsa" },
                { "rsa-sha2-256", "ssh-rsa" },
                { "rsa-sha2-512", "ssh-rsa" },
                { "sk-ssh-ed25519@openssh.com", "sk-ssh-ed25519@openssh.com" },
                { "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com" },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                const char *t = authorized_keys_type_for_algorithm(map[i][0]);
                CHECK(t && streq(t, map[i][1]), "algorithm %s is stored as %s", map[i][0], map[i][1]);
        }
        static const char *const unsupported[] = {
                "ssh-dss", "ssh-ed25519-cert-v01@openssh.com", "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
                "sk-ssh-ed25519-cert-v01@openssh.com", "SSH-RSA", "", NULL,
        };
        for (size_t i = 0; i < ELEMENTSOF(unsupported); i++)
                CHECK(!authorized_keys_type_for_algorithm(unsupported[i]), "algorithm \"%s\" is not supported",
                      unsupported[i] ?: "(null)");
}

static void test_match(void) {
        AuthorizedKeyMatch m = {};
        _cleanup_free_ char *f1 = fmt("# comment\n\n   # indented comment\n%s %s alice@host with spaces\n",
                                      ed.type, ed.b64);
        CHECK(check(f1, "ssh-ed25519", &ed, &m) == 1 && m.line == 4 && m.flags == 0 && !m.forced_command,
              "ed25519 key matches on line 4, no options");
        authorized_key_match_done(&m);
        authorized_key_match_done(&m);
        CHECK(!m.forced_command && m.line == 0, "authorized_key_match_done resets and is idempotent");

        CHECK(check(f1, "ssh-ed25519", &other, &m) == 0, "a different ed25519 key does not match");

        _cleanup_free_ char *f2 = fmt("%s %s ecdsa\r\n\t %s\t%s\tno comment\n", ec.type, ec.b64, rsa.type, rsa.b64);
        CHECK(check(f2, "ecdsa-sha2-nistp256", &ec, &m) == 1 && m.line == 1, "ecdsa-256 key matches (CRLF line)");
        authorized_key_match_done(&m);
        CHECK(check(f2, "ssh-rsa", &rsa, &m) == 1 && m.line == 2, "rsa-3072 key matches (tabs as separators)");
        authorized_key_match_done(&m);
        CHECK(check(f2, "rsa-sha2-512", &rsa, &m) == 1 && m.line == 2, "algorithm rsa-sha2-512 matches an ssh-rsa line");
        authorized_key_match_done(&m);
        CHECK(check(f2, "rsa-sha2-256", &rsa, &m) == 1 && m.line == 2, "algorithm rsa-sha2-256 matches an ssh-rsa line");
        authorized_key_match_done(&m);
        CHECK(check(f2, "ssh-ed25519", &rsa, &m) == 0, "the rsa blob offered as ssh-ed25519 does not match");
        CHECK(check(f2, "ecdsa-sha2-nistp384", &ec, &m) == 0, "the nistp256 key offered as nistp384 does not match");
        CHECK(check(f2, "ssh-dss", &rsa, &m) == 0, "an unsupported algorithm never matches");
        CHECK(check(f2, NULL, &rsa, &m) == 0, "no algorithm never matches");

        /* Byte-for-byte: a blob that differs in its last byte, or is a prefix of the line's, is another key. */
        _cleanup_free_ uint8_t *mut = malloc(ed.len);
        memcpy(mut, ed.blob, ed.len);
        mut[ed.len - 1] ^= 1;
        Key changed = { .type = ed.type, .b64 = ed.b64, .blob = mut, .len = ed.len };
        CHECK(check(f1, "ssh-ed25519", &changed, &m) == 0, "a blob differing in one bit does not match");
        Key prefix = { .type = ed.type, .b64 = ed.b64, .blob = ed.blob, .len = ed.len - 1 };
        CHECK(check(f1, "ssh-ed25519", &prefix, &m) == 0, "a prefix of the blob does not match");
        Key empty = { .type = ed.type, .b64 = ed.b64, .blob = ed.blob, .len = 0 };
        CHECK(check(f1, "ssh-ed25519", &empty, &m) == 0, "an empty blob does not match");

        /* The first matching line counts. */
        _cleanup_free_ char *f3 = fmt("%s %s\n%s %s\ncommand=\"x\" %s %s\n", other.type, other.b64, ed.type, ed.b64,
                                      ed.type, ed.b64);
        CHECK(check(f3, "ssh-ed25519", &ed, &m) == 1 && m.line == 2 && !m.forced_command, "the first matching line wins");
        authorized_key_match_done(&m);

        /* No newline at the end of the file. */
        _cleanup_free_ char *f4 = fmt("\n%s %s", ed.type, ed.b64);
        CHECK(check(f4, "ssh-ed25519", &ed, &m) == 1 && m.line == 2, "a last line without newline matches");
        authorized_key_match_done(&m);
        CHECK(check("", "ssh-ed25519", &ed, &m) == 0, "an empty file matches nothing");

        /* *ret is left alone when nothing matches. */
        AuthorizedKeyMatch sentinel = { .line = 4242, .flags = 77 };
        CHECK(check(f1, "ssh-ed25519", &other, &sentinel) == 0 && sentinel.line == 4242 && sentinel.flags == 77,
              "the match is not written when nothing matches");
}

/* The type inside the blob must be the line's type. */
static void test_type_vs_blob(void) {
        AuthorizedKeyMatch m = {};
        _cleanup_free_ char *a = fmt("ssh-rsa %s\n", ed.b64);
        CHECK(check(a, "ssh-rsa", &ed, &m) == 0 && strstr(last_debug, "test:1: key type does not match"),
              "\"ssh-rsa <ed25519 blob>\" does not match the ed25519 blob offered as ssh-rsa");
        _cleanup_free_ char *b = fmt("ssh-ed25519 %s\n", rsa.b64);
        CHECK(check(b, "ssh-ed25519", &rsa, &m) == 0, "\"ssh-ed25519 <rsa blob>\" does not match either");
        _cleanup_free_ char *c = fmt("ecdsa-sha2-nistp384 %s\n", ec.b64);
        CHECK(check(c, "ecdsa-sha2-nistp384", &ec, &m) == 0, "\"ecdsa-sha2-nistp384 <nistp256 blob>\" does not match");
}

/* ---- options -------------------------------------------------------------------------------------- */

static void test_options(void) {
        AuthorizedKeyMatch m = {};

        _cleanup_free_ char *a = fmt("command=\"echo a, b \\\"q\\\" c:\\\\d\",no-pty %s %s c\n", ed.type, ed.b64);
        CHECK(check(a, ed.type, &ed, &m) == 1 && m.forced_command &&
              streq(m.forced_command, "echo a, b \"q\" c:\\\\d") && m.flags == AUTHKEY_NO_PTY,
              "command= with quoted commas, spaces and \\\" escapes (other backslashes kept) is returned, with no-pty");
        authorized_key_match_done(&m);

        _cleanup_free_ char *b = fmt("restrict %s %s\n", ed.type, ed.b64);
        CHECK(check(b, ed.type, &ed, &m) == 1 && m.flags == (AUTHKEY_RESTRICT | AUTHKEY_NO_ALL),
              "restrict sets every no-* flag");
        authorized_key_match_done(&m);

        _cleanup_free_ char *c = fmt("restrict,pty,command=\"uptime\" %s %s\n", ed.type, ed.b64);
        CHECK(check(c, ed.type, &ed, &m) == 1 &&
              m.flags == (AUTHKEY_RESTRICT | (AUTHKEY_NO_ALL & ~AUTHKEY_NO_PTY)) && m.forced_command &&
              streq(m.forced_command, "uptime"), "restrict,pty leaves the pty allowed, and the command");
        authorized_key_match_done(&m);

        _cleanup_free_ char *d = fmt("no-port-forwarding,no-agent-forwarding,no-X11-forwarding,no-user-rc %s %s\n",
                                     ed.type, ed.b64);
        CHECK(check(d, ed.type, &ed, &m) == 1 &&
              m.flags == (AUTHKEY_NO_PORT_FORWARDING | AUTHKEY_NO_AGENT_FORWARDING | AUTHKEY_NO_X11_FORWARDING |
                          AUTHKEY_NO_USER_RC), "each no-* option sets its flag");
        authorized_key_match_done(&m);

        _cleanup_free_ char *e = fmt("NO-PTY,No-X11-Forwarding %s %s\n", ed.type, ed.b64);
        CHECK(check(e, ed.type, &ed, &m) == 1 && m.flags == (AUTHKEY_NO_PTY | AUTHKEY_NO_X11_FORWARDING),
              "option names are case-insensitive");
        authorized_key_match_done(&m);

        _cleanup_free_ char *f = fmt("environment=\"A=b, c d\",ENVIRONMENT=\"E=f=g\",environment=\"A=second\","
                                     "restrict,environment=\"_9=\\\"q\\\"\" %s %s\n", ed.type, ed.b64);
        CHECK(check(f, ed.type, &ed, &m) == 1 && (m.flags & AUTHKEY_ENVIRONMENT) && m.environment &&
              streq(m.environment[0], "A=b, c d") && streq(m.environment[1], "E=f=g") &&
              streq(m.environment[2], "_9=\"q\"") && !m.environment[3],
              "environment= values are returned in order, the first of a name only, unescaped; restrict "
              "leaves them");
        authorized_key_match_done(&m);

        _cleanup_free_ char *f2 = fmt("no-pty %s %s\n", ed.type, ed.b64);
        CHECK(check(f2, ed.type, &ed, &m) == 1 && !m.environment, "without environment= none is returned");
        authorized_key_match_done(&m);

        static const char *const bad_env[] = {
                "environment=\"NOEQUALS\"", "environment=\"=value\"", "environment=\"A-B=c\"",
                "environment=\"A B=c\"", "environment=\"\"", "environment=\"A.B=c\"",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad_env); i++) {
                _cleanup_free_ char *line = fmt("%s %s %s\n", bad_env[i], ed.type, ed.b64);
                CHECK(check(line, ed.type, &ed, &m) == 0, "a malformed %s skips the line", bad_env[i]);
                authorized_key_match_done(&m);
        }
        /* AUTHKEYS_MAX_ENV distinct names pass; one more makes the line malformed. */
        for (unsigned extra = 0; extra <= 1; extra++) {
                char *opts = strdup("");
                for (unsigned i = 0; i < AUTHKEYS_MAX_ENV + extra; i++) {
                        char *n = fmt("%s%senvironment=\"V%u=x\"", opts, i ? "," : "", i);
                        free(opts);
                        opts = n;
                }
                _cleanup_free_ char *line = fmt("%s %s %s\n", opts, ed.type, ed.b64);
                free(opts);
                int r = check(line, ed.type, &ed, &m);
                CHECK(extra ? r == 0 : r == 1 && m.environment && m.environment[AUTHKEYS_MAX_ENV - 1] &&
                      !m.environment[AUTHKEYS_MAX_ENV],
                      "%u environment= names %s", AUTHKEYS_MAX_ENV + extra,
                      extra ? "make the line malformed" : "are all returned");
                authorized_key_match_done(&m);
        }

        _cleanup_free_ char *g = fmt("permitopen=\"host:22\",permitopen=\"[::1]:*\",port-forwarding %s %s\n",
                                     ed.type, ed.b64);
        CHECK(check(g, ed.type, &ed, &m) == 1 && m.flags == 0 && m.permit_open &&
              streq(m.permit_open, "host:22 [::1]:*") && !m.permit_listen,
              "permitopen= values are returned, space-separated, in order");
        authorized_key_match_done(&m);

        _cleanup_free_ char *h = fmt("permitlisten=\"8080\",permitlisten=\"localhost:*\" %s %s\n", rsa.type,
                                     rsa.b64);
        CHECK(check(h, "rsa-sha2-512", &rsa, &m) == 1 && m.flags == 0 && !m.permit_open && m.permit_listen &&
              streq(m.permit_listen, "8080 localhost:*"), "permitlisten= values are returned");
        authorized_key_match_done(&m);

        static const char *const bad[] = {
                "permitopen=\"host\"", "permitopen=\"host:\"", "permitopen=\"host:0\"", "permitopen=\":22\"",
                "permitopen=\"a b:22\"", "permitopen=\"host:70000\"", "permitlisten=\"x:y\"",
                "permitlisten=\"\"",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *line = fmt("%s %s %s\n", bad[i], ed.type, ed.b64);
                CHECK(check(line, ed.type, &ed, &m) == 0, "a malformed %s skips the line", bad[i]);
                authorized_key_match_done(&m);
        }
}

static void test_refusing_options(void) {
        AuthorizedKeyMatch m = {};
        static const char *const refusing[][2] = {
                { "tunnel=\"1\"", "tunnel" },
                { "no-such-option", "no-such-option" },
                { "frobnicate=\"x\"", "frobnicate" },
                { "command=\"\"", "command" },
        };
        for (size_t i = 0; i < ELEMENTSOF(refusing); i++) {
                _cleanup_free_ char *t = fmt("%s %s %s\n", refusing[i][0], ed.type, ed.b64);
                _cleanup_free_ char *want = fmt("test:1: key option \"%s\"", refusing[i][1]);
                CHECK(check(t, ed.type, &ed, &m) == 0 && n_info == 1 && strstr(last_info, want) &&
                      strstr(last_info, "refusing this key"),
                      "%s refuses the key and says so: %s", refusing[i][0], last_info);
        }

        /* A CA's line is for certificates only, and principals= only for a CA's line: neither lets the
         * plain key in (OpenSSH); the same key on a plain line is the control. */
        static const char *const ca_only[] = { "cert-authority", "cert-authority,principals=\"a,b\"",
                                               "principals=\"a,b\"" };
        for (size_t i = 0; i < ELEMENTSOF(ca_only); i++) {
                _cleanup_free_ char *t = fmt("%s %s %s\n", ca_only[i], ed.type, ed.b64);
                CHECK(check(t, ed.type, &ed, &m) == 0, "%s does not let the plain key in", ca_only[i]);
        }
        _cleanup_free_ char *plain = fmt("%s %s\n", ed.type, ed.b64);
        CHECK(check(plain, ed.type, &ed, &m) == 1, "the same key on a plain line does");
        authorized_key_match_done(&m);

        /* Only for the offered key: a from= line for another key is not a refusal worth a log line. */
        _cleanup_free_ char *o = fmt("from=\"10.0.0.1\" %s %s\n", other.type, other.b64);
        CHECK(check(o, ed.type, &ed, &m) == 0 && n_info == 0, "a from= line for another key logs nothing at INFO");

        /* A refused line does not stop the search. */
        _cleanup_free_ char *s = fmt("from=\"10.0.0.1\" %s %s\n%s %s\n", ed.type, ed.b64, ed.type, ed.b64);
        CHECK(check(s, ed.type, &ed, &m) == 1 && m.line == 2, "the same key on a later line without from= matches");
        authorized_key_match_done(&m);
}

/* ---- malformed and skipped lines ------------------------------------------------------------------ */

static void test_malformed(void) {
        AuthorizedKeyMatch m = {};
        const char *k = ed.b64;
        char *l[] = {
                fmt("ssh-ed25519\n"),
                fmt("ssh-ed25519 !!!notbase64\n"),
                fmt("ssh-ed25519 %.21s\n", k),                            /* truncated base64 */
                fmt("ssh-ed25519 %.20s=\n", k),                           /* padding in a wrong place */
                fmt("ssh-ed25519 AAAAAQ==\n"),                            /* blob shorter than its length field */
                fmt("command=\"unterminated ssh-ed25519 %s\n", k),
                fmt("from=10.0.0.1 ssh-ed25519 %s\n", k),                 /* unquoted value */
                fmt("no-pty=\"x\" ssh-ed25519 %s\n", k),                  /* a value on a flag option */
                fmt("command ssh-ed25519 %s\n", k),                       /* a valued option without value */
                fmt("command=\"a\",command=\"b\" ssh-ed25519 %s\n", k),   /* two forced commands */
                fmt(",no-pty ssh-ed25519 %s\n", k),
                fmt("no-pty,,no-pty ssh-ed25519 %s\n", k),
                fmt("no-pty, ssh-ed25519 %s\n", k),
                fmt("no\x1b[2Jpty ssh-ed25519 %s\n", k),                  /* control characters in a name */
                fmt("command=\"x\"garbage ssh-ed25519 %s\n", k),
                fmt("no-pty\n"),                                          /* options and nothing else */
                fmt("no-pty %s\n", k),                                    /* options, then no key type */
                fmt("\x01\x02\x03\n"),
                fmt("ssh-ed25519%s\n", k),
        };
        for (size_t i = 0; i < ELEMENTSOF(l); i++)
                CHECK(check(l[i], "ssh-ed25519", &ed, &m) == 0 && n_info == 0 && strstr(last_debug, "test:1: "),
                      "malformed line %zu is skipped, named at debug level: %s", i, last_debug);
        for (size_t i = 0; i < ELEMENTSOF(l); i++)
                free(l[i]);

        /* A NUL byte in a line: the buffer API takes a length, so the line is seen whole and skipped. */
        _cleanup_free_ char *nul = fmt("command=\"a\" %s %s\n", ed.type, ed.b64);
        nul[9] = '\0';          /* inside the command */
        log_capture_reset();
        CHECK(authorized_keys_check_buffer(nul, strlen(nul + 10) + 10, "test", &client, ed.type, ed.blob, ed.len, &m) == 0 &&
              strstr(last_debug, "NUL"), "a line with a NUL byte is skipped");

        /* Well-formed but not the key: the type string alone, a prefix of the key. */
        CHECK(check("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\n", "ssh-ed25519", &ed, &m) == 0,
              "a blob holding only the type string does not match");

        _cleanup_free_ char *after = fmt("garbage here\n%s %s\n", ed.type, ed.b64);
        CHECK(check(after, ed.type, &ed, &m) == 1 && m.line == 2, "a key after a garbage line still matches");
        authorized_key_match_done(&m);
}

static void test_skipped_types(void) {
        AuthorizedKeyMatch m = {};
        _cleanup_free_ char *cert = fmt("ssh-ed25519-cert-v01@openssh.com %s\n", ed.b64);
        CHECK(check(cert, ed.type, &ed, &m) == 0 && strstr(last_debug, "test:1: certificate"),
              "a certificate line is skipped and never matches");
        CHECK(check(cert, "ssh-ed25519-cert-v01@openssh.com", &ed, &m) == 0,
              "nor when the algorithm is the certificate type");
        _cleanup_free_ char *cert2 = fmt("cert-authority ssh-rsa-cert-v01@openssh.com %s\n", rsa.b64);
        CHECK(check(cert2, "rsa-sha2-256", &rsa, &m) == 0, "a cert-authority certificate line never matches");
        _cleanup_free_ char *skc = fmt("sk-ssh-ed25519-cert-v01@openssh.com %s\n", sked.b64);
        CHECK(check(skc, sked.type, &sked, &m) == 0 && strstr(last_debug, "test:1: certificate"),
              "a security-key certificate line is skipped");
        _cleanup_free_ char *dss = fmt("ssh-dss %s\n", ed.b64);
        CHECK(check(dss, ed.type, &ed, &m) == 0 && strstr(last_debug, "test:1: "), "ssh-dss is skipped");
        _cleanup_free_ char *unk = fmt("ssh-foo %s\n", ed.b64);
        CHECK(check(unk, ed.type, &ed, &m) == 0, "an unknown type is skipped");
}

/* Security keys match like any other key; their touch/verify options come back as flags. */
static void test_security_keys(void) {
        AuthorizedKeyMatch m = {};
        _cleanup_free_ char *f = fmt("%s %s\n%s %s\n", sked.type, sked.b64, skec.type, skec.b64);
        CHECK(check(f, "sk-ssh-ed25519@openssh.com", &sked, &m) == 1 && m.line == 1 && m.flags == 0,
              "an sk-ssh-ed25519 key matches, no flags");
        authorized_key_match_done(&m);
        CHECK(check(f, "sk-ecdsa-sha2-nistp256@openssh.com", &skec, &m) == 1 && m.line == 2 && m.flags == 0,
              "an sk-ecdsa-sha2-nistp256 key matches, no flags");
        authorized_key_match_done(&m);
        CHECK(check(f, "ssh-ed25519", &sked, &m) == 0, "not as a plain ssh-ed25519 key");
        /* An sk- type naming a plain key's blob: the blob's own type decides. */
        _cleanup_free_ char *mix = fmt("sk-ssh-ed25519@openssh.com %s\n", ed.b64);
        CHECK(check(mix, "sk-ssh-ed25519@openssh.com", &ed, &m) == 0 && strstr(last_debug, "does not match"),
              "an sk- line holding an ssh-ed25519 blob does not match");

        static const struct {
                const char *options;
                unsigned flags;
        } cases[] = {
                { "no-touch-required", AUTHKEY_NO_TOUCH_REQUIRED },
                { "verify-required", AUTHKEY_VERIFY_REQUIRED },
                { "no-touch-required,verify-required", AUTHKEY_NO_TOUCH_REQUIRED | AUTHKEY_VERIFY_REQUIRED },
                { "no-touch-required,touch-required", 0 },
                { "verify-required,no-verify-required", 0 },
                { "restrict,no-touch-required",
                  AUTHKEY_RESTRICT | AUTHKEY_NO_ALL | AUTHKEY_NO_TOUCH_REQUIRED },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *l = fmt("%s %s %s\n", cases[i].options, skec.type, skec.b64);
                CHECK(check(l, skec.type, &skec, &m) == 1 && m.flags == cases[i].flags && n_info == 0,
                      "%s: flags 0x%x (got 0x%x)", cases[i].options, cases[i].flags, m.flags);
                authorized_key_match_done(&m);
        }
        _cleanup_free_ char *bad = fmt("verify-required=\"yes\" %s %s\n", sked.type, sked.b64);
        CHECK(check(bad, sked.type, &sked, &m) == 0, "verify-required takes no value: malformed line");
}

static void test_limits(void) {
        AuthorizedKeyMatch m = {};

        /* A line over AUTHKEYS_MAX_LINE is skipped even though it holds the key; the next one is read. */
        size_t pad = AUTHKEYS_MAX_LINE;
        _cleanup_free_ char *filler = malloc(pad + 1);
        memset(filler, 'x', pad);
        filler[pad] = '\0';
        _cleanup_free_ char *huge = fmt("%s %s %s\n%s %s\n", ed.type, ed.b64, filler, ed.type, ed.b64);
        CHECK(check(huge, ed.type, &ed, &m) == 1 && m.line == 2, "an overlong line holding the key is skipped");
        authorized_key_match_done(&m);

        /* A line of exactly AUTHKEYS_MAX_LINE bytes is still read. */
        size_t head = strlen(ed.type) + 1 + strlen(ed.b64) + 1;
        filler[AUTHKEYS_MAX_LINE - head] = '\0';
        _cleanup_free_ char *exact = fmt("%s %s %s\n", ed.type, ed.b64, filler);
        CHECK(strlen(exact) == AUTHKEYS_MAX_LINE + 1 && check(exact, ed.type, &ed, &m) == 1,
              "a line of exactly AUTHKEYS_MAX_LINE bytes matches");
        authorized_key_match_done(&m);
}

/* ---- files ---------------------------------------------------------------------------------------- */

static int write_file(const char *path, const char *data, size_t size, mode_t mode) {
        _cleanup_close_ int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        return loop_write(fd, data, size);
}

static void test_fd(const char *dir) {
        AuthorizedKeyMatch m = {};
        _cleanup_free_ char *path = fmt("%s/keys", dir);
        _cleanup_free_ char *text = fmt("# keys\n%s %s\ncommand=\"ls\" %s %s\n", other.type, other.b64, rsa.type,
                                        rsa.b64);
        CHECK(write_file(path, text, strlen(text), 0600) == 0, "write a key file");

        _cleanup_close_ int fd = authorized_keys_open(path);
        CHECK(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) == 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
              "authorized_keys_open: blocking again, CLOEXEC");
        CHECK(authorized_keys_check_fd(fd, path, &client, "rsa-sha2-512", rsa.blob, rsa.len, &m) == 1 && m.line == 3 &&
              m.forced_command && streq(m.forced_command, "ls"), "authorized_keys_check_fd finds the rsa key");
        authorized_key_match_done(&m);
        CHECK(authorized_keys_check_fd(-EBADF, path, &client, "ssh-ed25519", ed.blob, ed.len, &m) == -EBADF, "a bad fd is an error");

        /* A file that reaches AUTHKEYS_MAX_FILE_SIZE is refused as a whole (-EFBIG), not read in part. */
        _cleanup_free_ char *big_path = fmt("%s/big", dir);
        size_t big_size = AUTHKEYS_MAX_FILE_SIZE + 1;
        _cleanup_free_ char *big = malloc(big_size);
        memset(big, '#', big_size);
        big[0] = '\n';
        memcpy(big + 1, text + 7, strlen(text) - 7);
        CHECK(write_file(big_path, big, big_size, 0600) == 0, "write an oversized key file");
        _cleanup_close_ int bfd = authorized_keys_open(big_path);
        CHECK(bfd >= 0 && authorized_keys_check_fd(bfd, big_path, &client, "ssh-rsa", rsa.blob, rsa.len, &m) == -EFBIG,
              "a file over AUTHKEYS_MAX_FILE_SIZE is an error");
        unlink(big_path);
        unlink(path);
}

static void test_expand(void) {
        static const struct {
                const char *pattern, *home, *want;
        } ok[] = {
                { ".ssh/authorized_keys", "/home/alice", "/home/alice/.ssh/authorized_keys" },
                { "/etc/keys/%u.%U", "/home/alice", "/etc/keys/alice.4000000000" },
                { "%h/k%%", "/home/alice", "/home/alice/k%" },
                { "%u/keys", "/home/alice", "/home/alice/alice/keys" },
                { "%%x", "/home/alice", "/home/alice/%x" },
                { ".ssh/authorized_keys", "/", "/.ssh/authorized_keys" },
                { ".ssh/k", "/home/alice/", "/home/alice/.ssh/k" },
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                _cleanup_free_ char *p = NULL;
                CHECK(authorized_keys_expand_path(ok[i].pattern, "alice", 4000000000u, ok[i].home, &p) == 0 &&
                      streq(p, ok[i].want), "\"%s\" with home %s expands to %s (got %s)", ok[i].pattern, ok[i].home,
                      ok[i].want, p ?: "(error)");
        }
        static const struct {
                const char *pattern, *home;
        } bad[] = {
                { "%x", "/home/alice" }, { "/k/%", "/home/alice" }, { "%d/k", "/home/alice" },
                { ".ssh/k", "home/alice" }, { ".ssh/k", "" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *p = NULL;
                CHECK(authorized_keys_expand_path(bad[i].pattern, "alice", 1, bad[i].home, &p) == -EINVAL && !p,
                      "\"%s\" with home \"%s\" is refused", bad[i].pattern, bad[i].home);
        }
}

static void alarm_handler(int sig) {
        static const char msg[] = "not ok - authorized_keys_open blocked\n";
        (void) !write(STDOUT_FILENO, msg, sizeof msg - 1);
        _exit(1);
}

static void test_open(const char *dir) {
        _cleanup_free_ char *file = fmt("%s/regular", dir), *link = fmt("%s/link", dir);
        _cleanup_free_ char *fifo = fmt("%s/fifo", dir), *sub = fmt("%s/sub", dir);
        CHECK(write_file(file, "x\n", 2, 0644) == 0 && symlink(file, link) == 0 && mkfifo(fifo, 0600) == 0 &&
              mkdir(sub, 0700) == 0, "make a file, a symlink to it, a FIFO and a directory");

        int fd = authorized_keys_open(link);
        CHECK(fd >= 0, "a symlink to a regular file opens");
        safe_close(fd);
        CHECK(authorized_keys_open(sub) == -EPERM, "a directory is refused");
        signal(SIGALRM, alarm_handler);
        alarm(5);
        CHECK(authorized_keys_open(fifo) == -EPERM, "a FIFO without writer is refused without blocking");
        alarm(0);
        CHECK(authorized_keys_open("/dev/null") == -EPERM, "a device is refused");
        _cleanup_free_ char *missing = fmt("%s/missing", dir);
        CHECK(authorized_keys_open(missing) == -ENOENT, "a missing file is -ENOENT");
        CHECK(authorized_keys_open("") == -EINVAL, "an empty path is refused");

        unlink(link);
        unlink(file);
        unlink(fifo);
        rmdir(sub);
}

/* ---- StrictModes ---------------------------------------------------------------------------------- */

/* Check `file` (opened here) for uid with home; 0, or -EPERM with the reason containing `want`. */
static bool secure_is(const char *file, uid_t uid, const char *home, int want_r, const char *want_reason,
                      char **ret_reason) {
        _cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        _cleanup_free_ char *reason = NULL;
        if (fd < 0)
                return false;
        int r = secure_path_check(fd, file, uid, home, &reason);
        bool ok = r == want_r && (want_reason ? reason && streq(reason, want_reason) : !reason);
        *ret_reason = TAKE_PTR(reason);
        return ok;
}

static void test_secure_path(const char *t) {
        uid_t me = getuid();
        _cleanup_free_ char *home = fmt("%s/home", t), *ssh = fmt("%s/home/.ssh", t);
        _cleanup_free_ char *file = fmt("%s/home/.ssh/authorized_keys", t);
        CHECK(mkdir(home, 0755) == 0 && mkdir(ssh, 0700) == 0 && write_file(file, "", 0, 0600) == 0,
              "make home/.ssh/authorized_keys");
        char *reason = NULL;

#define SECURE(want_r, want_reason, ...)                                                                        \
        do {                                                                                                    \
                free(reason);                                                                                   \
                reason = NULL;                                                                                  \
                CHECK(secure_is(file, me, home, want_r, want_reason, &reason), __VA_ARGS__);                    \
                printf("#   reason: %s\n", reason ?: "(none)");                                                 \
        } while (0)

        _cleanup_free_ char *bad_ssh = fmt("bad ownership or modes for directory %s", ssh);
        _cleanup_free_ char *bad_home = fmt("bad ownership or modes for directory %s", home);
        _cleanup_free_ char *bad_file = fmt("bad ownership or modes for file %s", file);

        SECURE(0, NULL, "0755 home, 0700 .ssh, 0600 file pass");
        chmod(ssh, 0770);
        SECURE(-EPERM, bad_ssh, "a group-writable .ssh is refused");
        chmod(ssh, 0703);
        SECURE(-EPERM, bad_ssh, "a world-writable .ssh is refused");
        chmod(ssh, 0755);
        SECURE(0, NULL, "a world-readable .ssh is fine");
        chmod(file, 0620);
        SECURE(-EPERM, bad_file, "a group-writable file is refused");
        chmod(file, 0602);
        SECURE(-EPERM, bad_file, "a world-writable file is refused");
        chmod(file, 0644);
        chmod(home, 0775);
        SECURE(-EPERM, bad_home, "a group-writable home is refused");
        chmod(ssh, 0777);
        SECURE(-EPERM, bad_ssh, "the deepest bad directory is named");
        chmod(ssh, 0700);
        chmod(home, 0755);

        /* Above home nothing is checked: make the parent world-writable. */
        chmod(t, 0777);
        SECURE(0, NULL, "a world-writable directory above home does not matter");
        chmod(t, 0700);

        /* Outside home: every directory up to /. */
        _cleanup_free_ char *etc = fmt("%s/etc", t), *keys = fmt("%s/etc/keys", t), *alice = fmt("%s/etc/keys/alice", t);
        CHECK(mkdir(etc, 0777) == 0 && chmod(etc, 0777) == 0 && mkdir(keys, 0755) == 0 &&
              write_file(alice, "", 0, 0644) == 0, "make a world-writable etc/keys/alice outside home");
        _cleanup_free_ char *bad_etc = fmt("bad ownership or modes for directory %s", etc);
        free(reason);
        reason = NULL;
        CHECK(secure_is(alice, me, home, -EPERM, bad_etc, &reason),
              "a file outside home is checked above home: %s", reason ?: "(none)");
        free(reason);
        reason = NULL;
        CHECK(secure_is(alice, me, NULL, -EPERM, bad_etc, &reason), "without a home likewise: %s",
              reason ?: "(none)");
        free(reason);
        reason = NULL;
        CHECK(secure_is(alice, me, "/nonexistent", -EPERM, bad_etc, &reason), "with a home that does not exist likewise");
        /* With etc fixed, the walk goes on up to /: through /tmp, which is usually world-writable. */
        chmod(etc, 0755);
        struct stat tmp_st;
        _cleanup_free_ char *tmp_real = realpath("/tmp", NULL);
        _cleanup_free_ char *bad_tmp = fmt("bad ownership or modes for directory %s", tmp_real ?: "/tmp");
        bool tmp_unsafe = stat("/tmp", &tmp_st) == 0 && (tmp_st.st_mode & 022) && strneq(t, "/tmp/", 5);
        free(reason);
        reason = NULL;
        if (tmp_unsafe)
                CHECK(secure_is(alice, me, home, -EPERM, bad_tmp, &reason),
                      "outside home the walk reaches a world-writable /tmp: %s", reason ?: "(none)");
        else
                printf("# /tmp is not world-writable here: the walk up to / is not shown by a refusal\n");

        /* Symlinks: the real directory is checked and named. */
        _cleanup_free_ char *real_ssh = fmt("%s/home/real-ssh", t), *real_file = fmt("%s/home/real-ssh/ak", t);
        _cleanup_free_ char *via = fmt("%s/home/.ssh/link", t);
        CHECK(mkdir(real_ssh, 0700) == 0 && write_file(real_file, "", 0, 0600) == 0 && symlink(real_file, via) == 0,
              "make .ssh/link -> real-ssh/ak");
        free(reason);
        reason = NULL;
        CHECK(secure_is(via, me, home, 0, NULL, &reason), "a symlinked file in safe directories passes");
        chmod(real_ssh, 0770);
        _cleanup_free_ char *bad_real = fmt("bad ownership or modes for directory %s", real_ssh);
        free(reason);
        reason = NULL;
        CHECK(secure_is(via, me, home, -EPERM, bad_real, &reason),
              "the symlink target's directory is checked: %s", reason ?: "(none)");
        chmod(real_ssh, 0700);

        /* The check follows the open file, not its name: open, then move it into a bad directory. */
        _cleanup_free_ char *open_dir = fmt("%s/home/open", t), *moved = fmt("%s/home/open/ak", t);
        CHECK(mkdir(open_dir, 0777) == 0 && chmod(open_dir, 0777) == 0, "make a world-writable home/open");
        _cleanup_close_ int fd = authorized_keys_open(file);
        CHECK(fd >= 0 && rename(file, moved) == 0, "open the key file, then move it to home/open");
        free(reason);
        reason = NULL;
        _cleanup_free_ char *bad_open = fmt("bad ownership or modes for directory %s", open_dir);
        CHECK(fd >= 0 && secure_path_check(fd, file, me, home, &reason) == -EPERM && reason && streq(reason, bad_open),
              "the directory the open file is in now is checked: %s", reason ?: "(none)");
        CHECK(rename(moved, file) == 0, "move it back");

        /* Replaced under the same name after the open: not the file we hold, so not a pass. */
        CHECK(unlink(file) == 0 && write_file(file, "", 0, 0600) == 0, "replace the key file by another");
        free(reason);
        reason = NULL;
        CHECK(fd >= 0 && secure_path_check(fd, file, me, home, &reason) < 0, "an fd whose file was replaced fails");
        fd = safe_close(fd);

        /* Deleted after the open, and a decoy named like /proc's "<path> (deleted)" put in its place. */
        _cleanup_free_ char *decoy = fmt("%s (deleted)", file);
        fd = authorized_keys_open(file);
        CHECK(fd >= 0 && unlink(file) == 0 && write_file(decoy, "", 0, 0600) == 0,
              "open the key file, delete it, create \"authorized_keys (deleted)\"");
        free(reason);
        reason = NULL;
        CHECK(fd >= 0 && secure_path_check(fd, file, me, home, &reason) == -EPERM && reason && strstr(reason, "changed"),
              "a decoy at the deleted file's /proc name is told apart by inode: %s", reason ?: "(none)");
        fd = safe_close(fd);
        CHECK(unlink(decoy) == 0 && write_file(file, "", 0, 0600) == 0, "put a key file back");

        /* Not a regular file. */
        _cleanup_close_ int dfd = open(ssh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *not_reg = fmt("%s is not a regular file", ssh);
        free(reason);
        reason = NULL;
        CHECK(dfd >= 0 && secure_path_check(dfd, ssh, me, home, &reason) == -EPERM && reason && streq(reason, not_reg),
              "a directory fd is refused: %s", reason ?: "(none)");
        CHECK(secure_path_check(-EBADF, file, me, home, NULL) == -EINVAL, "a bad fd is an error");

        /* Ownership needs root to set up. */
        if (me == 0) {
                const uid_t alice_uid = 2001, other_uid = 4242;
                CHECK(chown(home, alice_uid, alice_uid) == 0 && chown(ssh, alice_uid, alice_uid) == 0 &&
                      chown(file, alice_uid, alice_uid) == 0, "chown the tree to uid %u", alice_uid);
                free(reason);
                reason = NULL;
                CHECK(secure_is(file, alice_uid, home, 0, NULL, &reason), "a tree owned by the user passes");
                free(reason);
                reason = NULL;
                CHECK(secure_is(file, 2002, home, -EPERM, bad_file, &reason), "the same tree is refused for another uid");
                CHECK(chown(file, 0, 0) == 0, "chown the file to root");
                free(reason);
                reason = NULL;
                CHECK(secure_is(file, alice_uid, home, 0, NULL, &reason), "a root-owned file passes");
                CHECK(chown(ssh, other_uid, other_uid) == 0, "chown .ssh to uid %u", other_uid);
                free(reason);
                reason = NULL;
                CHECK(secure_is(file, alice_uid, home, -EPERM, bad_ssh, &reason),
                      ".ssh owned by someone else is refused: %s", reason ?: "(none)");
                CHECK(chown(ssh, alice_uid, alice_uid) == 0 && chown(home, other_uid, other_uid) == 0,
                      "chown home to uid %u", other_uid);
                free(reason);
                reason = NULL;
                CHECK(secure_is(file, alice_uid, home, -EPERM, bad_home, &reason),
                      "a home owned by someone else is refused: %s", reason ?: "(none)");
        } else
                printf("# not root: the ownership checks (user, root, someone else) are skipped\n");
#undef SECURE
        free(reason);

        unlink(via);
        unlink(real_file);
        rmdir(real_ssh);
        rmdir(open_dir);
        unlink(file);
        rmdir(ssh);
        rmdir(home);
        unlink(alice);
        rmdir(keys);
        rmdir(etc);
}

int main(void) {
        int fd_before = lowest_free_fd();
        log_set_level(LOG_LEVEL_DEBUG1);
        log_set_callback(log_capture, NULL);

        CHECK(key_load("ed25519", &ed) == 0 && key_load("ecdsa", &ec) == 0 && key_load("rsa", &rsa) == 0 &&
              key_load("other", &other) == 0 && key_load("sk-ed25519", &sked) == 0 &&
              key_load("sk-ecdsa", &skec) == 0,
              "fixture keys load (ssh-keygen .pub files under TEST_SRCDIR/authkeys)");
        if (!ed.blob || !ec.blob || !rsa.blob || !other.blob || !sked.blob || !skec.blob)
                return test_summary();
        CHECK(streq(ed.type, "ssh-ed25519") && streq(ec.type, "ecdsa-sha2-nistp256") && streq(rsa.type, "ssh-rsa") &&
              rsa.len > 384, "fixtures are ed25519, ecdsa-256 and rsa-3072");

        test_algorithms();
        test_match();
        test_type_vs_blob();
        test_options();
        test_refusing_options();
        test_malformed();
        test_skipped_types();
        test_security_keys();
        test_limits();
        test_expand();

        char tmpl[] = "/tmp/authkeys-test-XXXXXX";
        char *t = mkdtemp(tmpl);
        CHECK(t != NULL, "temporary directory");
        if (t) {
                test_fd(t);
                test_open(t);
                test_secure_path(t);
                chmod(t, 0700);
                CHECK(rmdir(t) == 0, "temporary directory left empty");
        }

        key_done(&ed);
        key_done(&ec);
        key_done(&rsa);
        key_done(&other);
        key_done(&sked);
        key_done(&skec);
        log_set_callback(NULL, NULL);
        CHECK(lowest_free_fd() == fd_before, "no file descriptor leaked");
        return test_summary();
}
