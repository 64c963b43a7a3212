/* See revoked-keys.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "monitor/authorized-keys.h"
#include "monitor/revoked-keys.h"

#define CERT_SUFFIX "-cert-v01@openssh.com"

static uint32_t be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/* Skip one SSH string at *pos in blob; false when it does not fit. */
static bool skip_string(const uint8_t *blob, size_t len, size_t *pos) {
        if (len - *pos < 4)
                return false;
        uint32_t n = be32(blob + *pos);
        if (len - *pos - 4 < n)
                return false;
        *pos += 4 + (size_t) n;
        return true;
}

/*
 * The plain key a certificate blob certifies: its type without the certificate suffix, then the key's
 * fields, which follow the nonce in the same order as in the plain key (PROTOCOL.certkeys). Only the
 * types whose field counts we know; anything else is -EINVAL (the line is skipped).
 */
static int cert_plain_blob(const uint8_t *blob, size_t len, uint8_t **ret, size_t *ret_len) {
        static const struct {
                const char *type;
                unsigned fields;
        } types[] = {
                { "ssh-ed25519", 1 },
                { "ssh-rsa", 2 },
                { "ecdsa-sha2-nistp256", 2 },
                { "ecdsa-sha2-nistp384", 2 },
                { "ecdsa-sha2-nistp521", 2 },
                { "sk-ssh-ed25519@openssh.com", 2 },
                { "sk-ecdsa-sha2-nistp256@openssh.com", 3 },
        };
        size_t pos = 0;
        if (!skip_string(blob, len, &pos))
                return -EINVAL;
        size_t tlen = pos - 4, slen = sizeof CERT_SUFFIX - 1;
        const char *t = (const char *) blob + 4;
        if (tlen <= slen || memcmp(t + tlen - slen, CERT_SUFFIX, slen) != 0)
                return -EINVAL;
        size_t plen = tlen - slen;
        unsigned fields = 0;
        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                if (strlen(types[i].type) == plen && memcmp(types[i].type, t, plen) == 0)
                        fields = types[i].fields;
        if (fields == 0 || !skip_string(blob, len, &pos))       /* the nonce */
                return -EINVAL;
        size_t start = pos;
        for (unsigned i = 0; i < fields; i++)
                if (!skip_string(blob, len, &pos))
                        return -EINVAL;
        size_t n = 4 + plen + (pos - start);
        uint8_t *out = malloc(n);
        if (!out)
                return -ENOMEM;
        out[0] = (uint8_t) (plen >> 24);
        out[1] = (uint8_t) (plen >> 16);
        out[2] = (uint8_t) (plen >> 8);
        out[3] = (uint8_t) plen;
        memcpy(out + 4, t, plen);
        memcpy(out + 4 + plen, blob + start, pos - start);
        *ret = out;
        *ret_len = n;
        return 0;
}

/* One line of a plain list: "type base64 [comment]". 0 (added or skipped), -ENOMEM. */
static int list_line(Krl *k, const char *p, const char *end, unsigned line) {
        while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        if (p == end || *p == '#')
                return 0;
        const char *type = p;
        while (p < end && *p != ' ' && *p != '\t')
                p++;
        size_t tlen = (size_t) (p - type);
        while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        const char *b64 = p;
        while (p < end && *p != ' ' && *p != '\t')
                p++;
        _cleanup_free_ uint8_t *blob = NULL;
        size_t blen = 0;
        if (p == b64 || base64_decode(b64, (size_t) (p - b64), &blob, &blen) < 0 || blen < 4 ||
            be32(blob) != tlen || blen - 4 < tlen || memcmp(blob + 4, type, tlen) != 0) {
                log_debug("RevokedKeys line %u: not a public key, skipped", line);
                return 0;
        }
        size_t slen = sizeof CERT_SUFFIX - 1;
        if (tlen > slen && memcmp(type + tlen - slen, CERT_SUFFIX, slen) == 0) {
                _cleanup_free_ uint8_t *plain = NULL;
                size_t plen = 0;
                int r = cert_plain_blob(blob, blen, &plain, &plen);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        log_debug("RevokedKeys line %u: certificate of an unknown type, skipped", line);
                        return 0;
                }
                return krl_add_key(k, plain, plen);
        }
        return krl_add_key(k, blob, blen);
}

int revoked_keys_parse(const uint8_t *data, size_t size, Krl **ret, const char **ret_why) {
        if (!data && size > 0)
                return -EINVAL;
        _cleanup_krl_free_ Krl *k = krl_new();
        if (!k)
                return -ENOMEM;
        if (krl_has_magic(data, size)) {
                int r = krl_parse(k, data, size, ret_why);
                if (r < 0)
                        return r;
        } else {
                unsigned line = 0;
                const char *text = (const char *) data;
                for (size_t pos = 0; pos < size; ) {
                        const char *nl = memchr(text + pos, '\n', size - pos);
                        size_t next = nl ? (size_t) (nl - text) + 1 : size;
                        size_t len = (nl ? (size_t) (nl - text) : size) - pos;
                        line++;
                        if (len > 0 && text[pos + len - 1] == '\r')
                                len--;
                        if (!memchr(text + pos, '\0', len)) {
                                int r = list_line(k, text + pos, text + pos + len, line);
                                if (r < 0)
                                        return r;
                        }
                        pos = next;
                }
        }
        *ret = TAKE_PTR(k);
        return 0;
}

int revoked_keys_load(const char *path, Krl **ret, const char **ret_why) {
        if (isempty(path))
                return -EINVAL;
        /* A regular file only (a FIFO put there must not hang the monitor): as authorized_keys. */
        _cleanup_close_ int fd = authorized_keys_open(path);
        if (fd < 0)
                return fd;
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r = read_full_fd(fd, REVOKED_KEYS_MAX_FILE_SIZE, &data, &size);
        if (r < 0)
                return r;
        return revoked_keys_parse((const uint8_t *) data, size, ret, ret_why);
}

/* Load once per connection. 0 with the set (NULL: RevokedKeys none), or the error, remembered. */
static int revoked_keys_get(Monitor *m, const Krl **ret) {
        if (!m->revoked_keys_loaded) {
                m->revoked_keys_loaded = true;
                if (m->config->revoked_keys) {
                        const char *why = NULL;
                        Krl *k = NULL;
                        int r = revoked_keys_load(m->config->revoked_keys, &k, &why);
                        if (r < 0) {
                                m->revoked_keys_error = r;
                                if (why)
                                        log_debug("RevokedKeys %s: %s", m->config->revoked_keys, why);
                        } else {
                                m->revoked_keys = k;
                                log_debug("RevokedKeys %s: %zu entries", m->config->revoked_keys,
                                          krl_n_entries(k));
                        }
                }
        }
        *ret = m->revoked_keys;
        return m->revoked_keys_error;
}

/* OpenSSH's wording for what went wrong reading the file: ssh_err() strings. */
static const char *load_error_string(int r) {
        switch (r) {
        case -EBADMSG:
                return "invalid format";
        case -ENOMEM:
                return "memory allocation failed";
        default:
                return strerror(-r);
        }
}

bool revoked_keys_refuse_key(Monitor *m, const uint8_t *blob, size_t len, const char *key_info) {
        const Krl *k = NULL;
        int r = revoked_keys_get(m, &k);
        if (r < 0) {
                log_error("Error checking authentication key %s in revoked keys file %s: %s", key_info,
                          m->config->revoked_keys, load_error_string(r));
                return true;
        }
        if (k && krl_key_revoked(k, blob, len)) {
                log_error("Authentication key %s revoked by file %s", key_info, m->config->revoked_keys);
                return true;
        }
        return false;
}

bool revoked_keys_refuse_cert(Monitor *m, const uint8_t *ca_blob, size_t ca_len, uint64_t serial,
                              const char *key_id, const char *cert_info) {
        const Krl *k = NULL;
        int r = revoked_keys_get(m, &k);
        if (r < 0) {
                log_error("Error checking authentication key %s in revoked keys file %s: %s", cert_info,
                          m->config->revoked_keys, load_error_string(r));
                return true;
        }
        if (k && krl_cert_revoked(k, ca_blob, ca_len, serial, key_id)) {
                log_error("Authentication key %s revoked by file %s", cert_info, m->config->revoked_keys);
                return true;
        }
        return false;
}
