/* See hostcert.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/wire.h"
#include "monitor/hostcert.h"
#include "monitor/ssh-key.h"

#define CERT_SUFFIX "-cert-v01@openssh.com"

/* The certificate types whose keys the monitor holds, with the number of public key fields that
 * follow the nonce (PROTOCOL.certkeys: ed25519 pk; ecdsa curve, Q; rsa e, n). */
static const struct {
        const char *name;
        const char *plain;
        unsigned key_fields;
} cert_types[] = {
        { "ssh-ed25519" CERT_SUFFIX,          "ssh-ed25519",          1 },
        { "ecdsa-sha2-nistp256" CERT_SUFFIX,  "ecdsa-sha2-nistp256",  2 },
        { "ecdsa-sha2-nistp384" CERT_SUFFIX,  "ecdsa-sha2-nistp384",  2 },
        { "ecdsa-sha2-nistp521" CERT_SUFFIX,  "ecdsa-sha2-nistp521",  2 },
        { "ssh-rsa" CERT_SUFFIX,              "ssh-rsa",              2 },
};

static int get_u64(WireReader *r) {
        uint32_t hi, lo;
        return wire_get_u32(r, &hi) < 0 || wire_get_u32(r, &lo) < 0 ? -EBADMSG : 0;
}

/* Does the CA's signature over blob[0, signed_len) verify? */
static bool ca_signature_ok(const uint8_t *ca, size_t ca_len, const uint8_t *sig, size_t sig_len,
                            const uint8_t *blob, size_t signed_len) {
        _cleanup_(ssh_key_freep) SshKey *k = NULL;
        if (ssh_key_from_blob(ca, ca_len, 0, &k) < 0)
                return false;
        WireReader sr = wire_reader(sig, sig_len);
        _cleanup_free_ char *alg = NULL;
        if (wire_get_string(&sr, 64, &alg) < 0 || !ssh_key_algorithm_matches(k, alg))
                return false;
        SshSkSignature sk = {};
        return ssh_key_verify(k, alg, sig, sig_len, blob, signed_len, &sk) == 0;
}

int hostcert_parse(const uint8_t *blob, size_t len, HostCert *ret) {
        WireReader r = wire_reader(blob, len);
        _cleanup_free_ char *name = NULL;
        if (wire_get_string(&r, 64, &name) < 0)
                return -EBADMSG;
        size_t t = 0;
        while (t < ELEMENTSOF(cert_types) && !streq(cert_types[t].name, name))
                t++;
        if (t == ELEMENTSOF(cert_types)) {
                size_t n = strlen(name), k = strlen(CERT_SUFFIX);
                /* A certificate of a type we hold no keys of is malformed to us; a plain key is none. */
                return n > k && streq(name + n - k, CERT_SUFFIX) ? -EBADMSG : -EPROTONOSUPPORT;
        }
        const uint8_t *v;
        size_t vn;
        if (wire_get_blob_ref(&r, 64, &v, &vn) < 0)     /* nonce */
                return -EBADMSG;
        size_t key_start = r.pos;
        for (unsigned i = 0; i < cert_types[t].key_fields; i++)
                if (wire_get_blob_ref(&r, AUTH_MAX_KEY_BLOB, &v, &vn) < 0)
                        return -EBADMSG;
        size_t key_end = r.pos;
        uint32_t cert_type;
        const uint8_t *ca, *sig;
        size_t ca_len, sig_len;
        if (get_u64(&r) < 0 || wire_get_u32(&r, &cert_type) < 0 ||
            wire_get_blob_ref(&r, AUTH_MAX_KEY_BLOB, &v, &vn) < 0 ||    /* key id */
            wire_get_blob_ref(&r, AUTH_MAX_KEY_BLOB, &v, &vn) < 0 ||    /* valid principals */
            get_u64(&r) < 0 || get_u64(&r) < 0 ||                       /* valid after, before */
            wire_get_blob_ref(&r, AUTH_MAX_KEY_BLOB, &v, &vn) < 0 ||    /* critical options */
            wire_get_blob_ref(&r, AUTH_MAX_KEY_BLOB, &v, &vn) < 0 ||    /* extensions */
            wire_get_blob_ref(&r, AUTH_MAX_KEY_BLOB, &v, &vn) < 0 ||    /* reserved */
            wire_get_blob_ref(&r, AUTH_MAX_KEY_BLOB, &ca, &ca_len) < 0)
                return -EBADMSG;
        size_t signed_len = r.pos;
        if (wire_get_blob_ref(&r, AUTH_MAX_KEY_BLOB, &sig, &sig_len) < 0 || wire_end(&r) < 0)
                return -EBADMSG;
        if (cert_type != HOSTCERT_TYPE_USER && cert_type != HOSTCERT_TYPE_HOST)
                return -EBADMSG;

        /* The plain blob: the plain type name, then the same key fields. */
        const char *plain = cert_types[t].plain;
        size_t pn = strlen(plain), kn = key_end - key_start;
        uint8_t *p = malloc(4 + pn + kn);
        if (!p)
                return -ENOMEM;
        p[0] = (uint8_t) (pn >> 24);
        p[1] = (uint8_t) (pn >> 16);
        p[2] = (uint8_t) (pn >> 8);
        p[3] = (uint8_t) pn;
        memcpy(p + 4, plain, pn);
        memcpy(p + 4 + pn, blob + key_start, kn);
        *ret = (HostCert) {
                .plain_blob = p,
                .plain_blob_len = 4 + pn + kn,
                .cert_type = cert_type,
                .signature_ok = ca_signature_ok(ca, ca_len, sig, sig_len, blob, signed_len),
        };
        return 0;
}

const char *hostcert_algorithm(const char *alg, char *buf, size_t size) {
        size_t n = strlen(alg);
        if (n + strlen(CERT_SUFFIX) + 1 > size)
                return NULL;
        memcpy(buf, alg, n);
        strcpy(buf + n, CERT_SUFFIX);
        return buf;
}

/* The first "type base64 [comment]" line of a public key file: its blob and its type word. */
static int read_cert_file(const char *path, uint8_t **ret_blob, size_t *ret_len, char **ret_type) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = read_full_fd(fd, HOSTKEY_MAX_FILE_SIZE, &text, &len);
        if (r < 0)
                return r;
        if (memchr(text, '\0', len))
                return -EBADMSG;
        for (char *line = text, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                line += strspn(line, " \t\r");
                if (*line == '\0' || *line == '#')
                        continue;
                size_t tn = strcspn(line, " \t");
                char *b64 = line + tn;
                b64 += strspn(b64, " \t");
                size_t bn = strcspn(b64, " \t\r");
                if (tn == 0 || bn == 0)
                        return -EBADMSG;
                _cleanup_free_ char *type = strndup(line, tn);
                if (!type)
                        return -ENOMEM;
                r = base64_decode(b64, bn, ret_blob, ret_len);
                if (r < 0)
                        return r == -ENOMEM ? r : -EBADMSG;
                *ret_type = TAKE_PTR(type);
                return 0;
        }
        return -EBADMSG;
}

/* OpenSSH's error_r() suffix for what sshkey_load_public() returned. */
static const char *load_error(int r) {
        return r == -EBADMSG || r == -EPROTONOSUPPORT ? "invalid format" :
               r == -EFBIG ? "too large (AUTH_MAX_KEY_BLOB)" :
               r == -EKEYREJECTED ? "incorrect signature" : strerror(-r);
}

/* 0 and the host key index, or a negative error (logged). */
static int hostcert_load_one(Monitor *m, const char *path, uint8_t **ret_blob, size_t *ret_len) {
        _cleanup_free_ uint8_t *blob = NULL;
        _cleanup_free_ char *type = NULL;
        size_t len = 0;
        HostCert hc = {};
        int r = read_cert_file(path, &blob, &len, &type);
        if (r >= 0 && len > AUTH_MAX_KEY_BLOB)
                r = -EFBIG;     /* SETUP carries it as one string of at most IPC_MAX_STRING */
        if (r >= 0) {
                r = hostcert_parse(blob, len, &hc);
                if (r == -EPROTONOSUPPORT) {
                        /* A key (not a certificate) is "not a certificate" to OpenSSH, else the file is
                         * unreadable to it. */
                        _cleanup_(ssh_key_freep) SshKey *k = NULL;
                        if (ssh_key_from_blob(blob, len, 0, &k) >= 0) {
                                log_error("Certificate file is not a certificate: %s", path);
                                return -EINVAL;
                        }
                }
        }
        _cleanup_free_ uint8_t *plain = hc.plain_blob;
        if (r >= 0) {
                /* The type word must name the blob's type (OpenSSH's sshkey_read()). */
                WireReader rd = wire_reader(blob, len);
                _cleanup_free_ char *inner = NULL;
                if (wire_get_string(&rd, 64, &inner) < 0 || !streq(inner, type))
                        r = -EBADMSG;
                else if (!hc.signature_ok)
                        r = -EKEYREJECTED;
        }
        if (r < 0) {
                /* OpenSSH 9.2's sshkey_load_public() reports every failure as ENOENT (it tries FILE.pub
                 * and the private key last): its line as it is, then what really went wrong. */
                log_error("Could not load host certificate \"%s\": %s", path, strerror(ENOENT));
                if (r != -ENOENT)
                        log_error("host certificate \"%s\": %s", path, load_error(r));
                return r;
        }
        if (hc.cert_type != HOSTCERT_TYPE_HOST) {
                /* OpenSSH would serve it and every client would refuse it; say so instead. */
                log_error("Certificate file is not a host certificate: %s", path);
                return -EINVAL;
        }
        for (size_t j = 0; j < m->n_hostkeys; j++) {
                const SshKey *k = m->hostkeys[j];
                if (k->blob_len == hc.plain_blob_len && memcmp(k->blob, plain, k->blob_len) == 0) {
                        *ret_blob = TAKE_PTR(blob);
                        *ret_len = len;
                        return (int) j;
                }
        }
        log_error("No matching private key for certificate: %s", path);
        return -ENOKEY;
}

void hostcerts_load(Monitor *m) {
        const Config *c = m->config;
        for (size_t i = 0; i < c->n_host_certificates; i++) {
                uint8_t *blob = NULL;
                size_t len = 0;
                int j = hostcert_load_one(m, c->host_certificates[i], &blob, &len);
                if (j < 0)
                        continue;
                /* A later certificate for the same key replaces the earlier one, as in OpenSSH. */
                free(m->hostcerts[j]);
                m->hostcerts[j] = blob;
                m->hostcert_lens[j] = len;
                log_debug("host certificate: #%d %s", j, c->host_certificates[i]);
        }
}

void hostcerts_free(Monitor *m) {
        for (size_t i = 0; i < ELEMENTSOF(m->hostcerts); i++) {
                free(m->hostcerts[i]);
                m->hostcerts[i] = NULL;
                m->hostcert_lens[i] = 0;
        }
}

int hostcerts_lines(const Monitor *m, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(m->n_hostkeys + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_hostkeys; i++) {
                if (!m->hostcerts[i]) {
                        l[i] = strdup("");
                        if (!l[i])
                                return -ENOMEM;
                        continue;
                }
                WireReader rd = wire_reader(m->hostcerts[i], m->hostcert_lens[i]);
                _cleanup_free_ char *type = NULL, *b64 = NULL;
                if (wire_get_string(&rd, 64, &type) < 0)
                        return -EBADMSG;
                int r = base64_encode(m->hostcerts[i], m->hostcert_lens[i], true, &b64);
                if (r < 0)
                        return r;
                if (asprintf(&l[i], "%s %s", type, b64) < 0) {
                        l[i] = NULL;
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}
