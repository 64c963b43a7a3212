/* See authorized-keys.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "monitor/authorized-keys.h"

void authorized_key_match_done(AuthorizedKeyMatch *m) {
        free(m->forced_command);
        *m = (AuthorizedKeyMatch) {};
}

static const char *const key_types[] = {
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
};

static bool is_key_type(const char *s, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(key_types); i++)
                if (strlen(key_types[i]) == n && strneq(s, key_types[i], n))
                        return true;
        return false;
}

/* Recognised but never matched: certificates and FIDO keys need checks libssh 0.10 does not do. */
static bool is_skipped_type(const char *s, size_t n) {
        static const char *const suffix = "-cert-v01@openssh.com";
        size_t sl = strlen(suffix);
        return (n > sl && strneq(s + n - sl, suffix, sl)) || (n > 3 && strneq(s, "sk-", 3));
}

const char *authorized_keys_type_for_algorithm(const char *algorithm) {
        if (!algorithm)
                return NULL;
        if (streq(algorithm, "rsa-sha2-256") || streq(algorithm, "rsa-sha2-512"))
                return "ssh-rsa";
        for (size_t i = 0; i < ELEMENTSOF(key_types); i++)
                if (streq(algorithm, key_types[i]))
                        return key_types[i];
        return NULL;
}

/* Parse the option list at *p (up to unquoted whitespace). 0, or -EINVAL (malformed), -EPERM (refuse). */
static int parse_options(const char **p, const char *end, AuthorizedKeyMatch *m, const char *origin,
                         unsigned line) {
        const char *s = *p;
        while (s < end && *s != ' ' && *s != '\t') {
                const char *name = s;
                while (s < end && *s != '=' && *s != ',' && *s != ' ' && *s != '\t')
                        s++;
                size_t nlen = (size_t) (s - name);
                char *value = NULL;
                if (s < end && *s == '=') {
                        s++;
                        if (s >= end || *s != '"')
                                return -EINVAL;
                        s++;
                        size_t cap = (size_t) (end - s) + 1, vl = 0;
                        value = malloc(cap);
                        if (!value)
                                return -ENOMEM;
                        while (s < end && *s != '"') {
                                if (*s == '\\' && s + 1 < end && s[1] == '"')
                                        s++;
                                value[vl++] = *s++;
                        }
                        if (s >= end) {
                                free(value);
                                return -EINVAL;         /* unterminated quote */
                        }
                        s++;
                        value[vl] = '\0';
                }
#define OPT(n) (nlen == strlen(n) && strncasecmp(name, n, nlen) == 0)
                int r = 0;
                if (OPT("command") && value) {
                        free(m->forced_command);
                        m->forced_command = TAKE_PTR(value);
                } else if (OPT("restrict") && !value) {
                        m->flags |= AUTHKEY_RESTRICT | AUTHKEY_NO_PTY | AUTHKEY_NO_PORT_FORWARDING |
                                AUTHKEY_NO_AGENT_FORWARDING | AUTHKEY_NO_X11_FORWARDING | AUTHKEY_NO_USER_RC;
                } else if (OPT("no-pty") && !value) {
                        m->flags |= AUTHKEY_NO_PTY;
                } else if (OPT("no-port-forwarding") && !value) {
                        m->flags |= AUTHKEY_NO_PORT_FORWARDING;
                } else if (OPT("no-agent-forwarding") && !value) {
                        m->flags |= AUTHKEY_NO_AGENT_FORWARDING;
                } else if (OPT("no-X11-forwarding") && !value) {
                        m->flags |= AUTHKEY_NO_X11_FORWARDING;
                } else if (OPT("no-user-rc") && !value) {
                        m->flags |= AUTHKEY_NO_USER_RC;
                } else if ((OPT("pty") || OPT("port-forwarding") || OPT("agent-forwarding") ||
                            OPT("X11-forwarding") || OPT("user-rc")) && !value) {
                        /* re-allow after restrict: we allow none of these beyond the config anyway */
                        if (OPT("pty"))
                                m->flags &= ~(unsigned) AUTHKEY_NO_PTY;
                } else if ((OPT("environment") || OPT("permitopen") || OPT("permitlisten")) && value) {
                        /* environment= needs PermitUserEnvironment (not supported: ignored, allows
                         * nothing); permitopen/permitlisten restrict forwarding, which is off. */
                } else {
                        /* from=, expiry-time=, principals=, cert-authority, tunnel=, unknown: refuse. */
                        log_verbose("%s:%u: key option \"%.*s\" is not supported; the key is refused",
                                    origin, line, (int) nlen, name);
                        r = -EPERM;
                }
#undef OPT
                free(value);
                if (r < 0)
                        return r;
                if (s < end && *s == ',')
                        s++;
                else if (s < end && *s != ' ' && *s != '\t')
                        return -EINVAL;
        }
        *p = s;
        return 0;
}

static const char *skip_ws(const char *s, const char *end) {
        while (s < end && (*s == ' ' || *s == '\t'))
                s++;
        return s;
}

/* 1 match, 0 no match (or skipped line). */
static int check_line(const char *s, const char *end, const char *origin, unsigned line, const char *type,
                      const uint8_t *blob, size_t blob_len, AuthorizedKeyMatch *ret) {
        AuthorizedKeyMatch m = { .line = line };
        _cleanup_free_ uint8_t *decoded = NULL;         /* before any goto: cleanup runs on every exit */
        size_t dlen = 0;
        int r;

        s = skip_ws(s, end);
        if (s >= end || *s == '#')
                return 0;

        const char *tok_end = s;
        while (tok_end < end && *tok_end != ' ' && *tok_end != '\t')
                tok_end++;
        if (!is_key_type(s, (size_t) (tok_end - s)) && !is_skipped_type(s, (size_t) (tok_end - s))) {
                r = parse_options(&s, end, &m, origin, line);
                if (r < 0) {
                        if (r == -EINVAL)
                                log_debug("%s:%u: bad key options, line skipped", origin, line);
                        authorized_key_match_done(&m);
                        return r == -ENOMEM ? r : 0;
                }
                s = skip_ws(s, end);
                tok_end = s;
                while (tok_end < end && *tok_end != ' ' && *tok_end != '\t')
                        tok_end++;
        }
        size_t tlen = (size_t) (tok_end - s);
        if (is_skipped_type(s, tlen)) {
                log_debug("%s:%u: certificate and security-key types are not supported, line skipped", origin, line);
                goto no;
        }
        if (!is_key_type(s, tlen)) {
                log_debug("%s:%u: unknown key type, line skipped", origin, line);
                goto no;
        }
        if (strlen(type) != tlen || !strneq(s, type, tlen))
                goto no;

        const char *b = skip_ws(tok_end, end);
        const char *b_end = b;
        while (b_end < end && *b_end != ' ' && *b_end != '\t')
                b_end++;
        if (b == b_end || base64_decode(b, (size_t) (b_end - b), &decoded, &dlen) < 0) {
                log_debug("%s:%u: bad key data, line skipped", origin, line);
                goto no;
        }
        /* The blob starts with its own type string, which must agree with the line's. */
        if (dlen < 4 || ((size_t) decoded[0] << 24 | (size_t) decoded[1] << 16 | (size_t) decoded[2] << 8 |
                         decoded[3]) != tlen || dlen < 4 + tlen || memcmp(decoded + 4, s, tlen) != 0) {
                log_debug("%s:%u: key type does not match the key data, line skipped", origin, line);
                goto no;
        }
        if (dlen != blob_len || memcmp(decoded, blob, dlen) != 0)
                goto no;

        *ret = m;
        return 1;
no:
        authorized_key_match_done(&m);
        return 0;
}

int authorized_keys_check_buffer(const char *data, size_t size, const char *origin, const char *algorithm,
                                 const uint8_t *blob, size_t blob_len, AuthorizedKeyMatch *ret) {
        const char *type = authorized_keys_type_for_algorithm(algorithm);
        if (!type)
                return 0;
        unsigned line = 0;
        const char *p = data, *end = data + size;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *le = nl ? nl : end;
                line++;
                const char *e = le;
                if (e > p && e[-1] == '\r')
                        e--;
                if ((size_t) (e - p) > AUTHKEYS_MAX_LINE)
                        log_debug("%s:%u: line too long, skipped", origin, line);
                else {
                        int r = check_line(p, e, origin, line, type, blob, blob_len, ret);
                        if (r != 0)
                                return r;
                }
                p = nl ? nl + 1 : end;
        }
        return 0;
}

int authorized_keys_check_fd(int fd, const char *origin, const char *algorithm, const uint8_t *blob,
                             size_t blob_len, AuthorizedKeyMatch *ret) {
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r = read_full_fd(fd, AUTHKEYS_MAX_FILE_SIZE, &data, &size);
        if (r < 0)
                return r;
        return authorized_keys_check_buffer(data, size, origin, algorithm, blob, blob_len, ret);
}

int authorized_keys_expand_path(const char *pattern, const char *user, uid_t uid, const char *home, char **ret) {
        size_t cap = strlen(pattern) + 1, len = 0;
        char *out = NULL;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return -ENOMEM;
        (void) cap;
        bool relative = pattern[0] != '/' && !(pattern[0] == '%' && (pattern[1] == 'h'));
        if (relative)
                fprintf(f, "%s/", home);
        for (const char *p = pattern; *p; p++) {
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
                        fprintf(f, "%u", (unsigned) uid);
                        break;
                case '%':
                        fputc('%', f);
                        break;
                default:
                        fclose(f);
                        free(out);
                        return -EINVAL;
                }
        }
        if (fclose(f) != 0) {
                free(out);
                return -ENOMEM;
        }
        *ret = out;
        return 0;
}

int authorized_keys_open(const char *path) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                safe_close(fd);
                return -EPERM;
        }
        int r = fd_set_nonblock(fd, false);
        if (r < 0) {
                safe_close(fd);
                return r;
        }
        return fd;
}
