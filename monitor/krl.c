/* See krl.h. Written from OpenSSH's PROTOCOL.krl. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/limits.h"
#include "common/sha256.h"
#include "monitor/krl.h"

#define KRL_FORMAT_VERSION 1u

enum {
        KRL_SECTION_CERTIFICATES = 1,
        KRL_SECTION_EXPLICIT_KEY = 2,
        KRL_SECTION_FINGERPRINT_SHA1 = 3,
        KRL_SECTION_SIGNATURE = 4,
        KRL_SECTION_FINGERPRINT_SHA256 = 5,
};

enum {
        KRL_CERT_SERIAL_LIST = 0x20,
        KRL_CERT_SERIAL_RANGE = 0x21,
        KRL_CERT_SERIAL_BITMAP = 0x22,
        KRL_CERT_KEY_ID = 0x23,
};

#define SHA1_LEN 20u

typedef struct KrlBlob {
        const uint8_t *data;
        size_t len;
} KrlBlob;

typedef struct KrlRange {
        uint64_t lo, hi;
} KrlRange;

typedef struct KrlBitmap {
        uint64_t offset;
        const uint8_t *bits;            /* big-endian: the last byte's lowest bit is serial `offset` */
        size_t len;
} KrlBitmap;

typedef struct KrlCertSection {
        KrlBlob ca;                     /* len 0: any CA */
        KrlRange *ranges;               /* serial lists and ranges */
        size_t n_ranges;
        KrlBitmap *bitmaps;
        size_t n_bitmaps;
        KrlBlob *key_ids;
        size_t n_key_ids;
} KrlCertSection;

struct Krl {
        uint8_t *data;                  /* the parsed KRL; every KrlBlob points into it */
        KrlBlob *keys;
        size_t n_keys;
        uint8_t **owned;                /* krl_add_key()'s copies */
        KrlBlob *sha1;
        size_t n_sha1;
        KrlBlob *sha256;
        size_t n_sha256;
        KrlCertSection *certs;
        size_t n_certs;
};

Krl *krl_new(void) {
        return calloc(1, sizeof(Krl));
}

Krl *krl_free(Krl *k) {
        if (!k)
                return NULL;
        for (size_t i = 0; i < k->n_certs; i++) {
                free(k->certs[i].ranges);
                free(k->certs[i].bitmaps);
                free(k->certs[i].key_ids);
        }
        free(k->certs);
        if (k->owned)
                for (size_t i = 0; i < k->n_keys; i++)
                        free(k->owned[i]);
        free(k->owned);
        free(k->keys);
        free(k->sha1);
        free(k->sha256);
        free(k->data);
        free(k);
        return NULL;
}

bool krl_has_magic(const uint8_t *data, size_t size) {
        return data && size >= KRL_MAGIC_LEN && memcmp(data, KRL_MAGIC, KRL_MAGIC_LEN) == 0;
}

size_t krl_n_entries(const Krl *k) {
        return k ? k->n_keys + k->n_sha1 + k->n_sha256 + k->n_certs : 0;
}

/* Room for element n of an array that holds n: capacity doubles from 4 at n = 0, 4, 8, 16, ... */
static int grow(void *array, size_t n, size_t size) {
        void **a = array;
        if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
                return 0;
        size_t cap = n == 0 ? 4 : n * 2, bytes;
        if (__builtin_mul_overflow(cap, size, &bytes))
                return -ENOMEM;
        void *p = realloc(*a, bytes);
        if (!p)
                return -ENOMEM;
        *a = p;
        return 0;
}

/* ---- reading ---------------------------------------------------------------------------------------- */

typedef struct Reader {
        const uint8_t *p;
        size_t left;
} Reader;

static bool get_u8(Reader *r, uint8_t *ret) {
        if (r->left < 1)
                return false;
        *ret = *r->p++;
        r->left--;
        return true;
}

static bool get_u32(Reader *r, uint32_t *ret) {
        if (r->left < 4)
                return false;
        *ret = (uint32_t) r->p[0] << 24 | (uint32_t) r->p[1] << 16 | (uint32_t) r->p[2] << 8 | r->p[3];
        r->p += 4;
        r->left -= 4;
        return true;
}

static bool get_u64(Reader *r, uint64_t *ret) {
        uint32_t hi, lo;
        if (!get_u32(r, &hi) || !get_u32(r, &lo))
                return false;
        *ret = (uint64_t) hi << 32 | lo;
        return true;
}

static bool get_string(Reader *r, KrlBlob *ret) {
        uint32_t len;
        if (!get_u32(r, &len) || len > r->left)
                return false;
        *ret = (KrlBlob) { .data = r->p, .len = len };
        r->p += len;
        r->left -= len;
        return true;
}

static Reader sub_reader(const KrlBlob *b) {
        return (Reader) { .p = b->data, .left = b->len };
}

#define BAD(why) ({ *ret_why = (why); -EBADMSG; })

/* A public key blob: at least its type name, a non-empty string with nothing odd in it. */
static bool key_blob_plausible(const KrlBlob *b) {
        Reader r = sub_reader(b);
        KrlBlob type;
        if (!get_string(&r, &type) || type.len == 0 || type.len > 64)
                return false;
        for (size_t i = 0; i < type.len; i++)
                if (type.data[i] <= ' ' || type.data[i] >= 0x7f)
                        return false;
        return true;
}

static int add_range(KrlCertSection *c, uint64_t lo, uint64_t hi) {
        if (grow(&c->ranges, c->n_ranges, sizeof(KrlRange)) < 0)
                return -ENOMEM;
        c->ranges[c->n_ranges++] = (KrlRange) { lo, hi };
        return 0;
}

static int parse_cert_subsection(KrlCertSection *c, uint8_t type, const KrlBlob *data, const char **ret_why) {
        Reader r = sub_reader(data);
        uint64_t lo, hi;

        switch (type) {
        case KRL_CERT_SERIAL_LIST:
                while (r.left > 0) {
                        if (!get_u64(&r, &lo))
                                return BAD("truncated serial list");
                        if (lo == 0)
                                return BAD("serial 0 in a serial list");
                        if (add_range(c, lo, lo) < 0)
                                return -ENOMEM;
                }
                return 0;
        case KRL_CERT_SERIAL_RANGE:
                if (!get_u64(&r, &lo) || !get_u64(&r, &hi) || r.left != 0)
                        return BAD("malformed serial range");
                if (lo == 0 || lo > hi)
                        return BAD("invalid serial range");
                return add_range(c, lo, hi);
        case KRL_CERT_SERIAL_BITMAP: {
                KrlBlob bits;
                if (!get_u64(&r, &lo) || !get_string(&r, &bits) || r.left != 0)
                        return BAD("malformed serial bitmap");
                /* An SSH mpint: positive (top bit clear), OpenSSH's size limit. */
                if (bits.len > KRL_MAX_BITMAP_BYTES || (bits.len > 0 && (bits.data[0] & 0x80)) ||
                    (bits.len == KRL_MAX_BITMAP_BYTES && bits.data[0] != 0))
                        return BAD("invalid serial bitmap");
                if (bits.len > 0 && (uint64_t) bits.len * 8 > UINT64_MAX - lo)
                        return BAD("serial bitmap overflows");
                if (grow(&c->bitmaps, c->n_bitmaps, sizeof(KrlBitmap)) < 0)
                        return -ENOMEM;
                c->bitmaps[c->n_bitmaps++] = (KrlBitmap) { .offset = lo, .bits = bits.data, .len = bits.len };
                return 0;
        }
        case KRL_CERT_KEY_ID:
                while (r.left > 0) {
                        KrlBlob id;
                        if (!get_string(&r, &id))
                                return BAD("truncated key ID list");
                        if (memchr(id.data, '\0', id.len))
                                return BAD("NUL in a key ID");
                        if (grow(&c->key_ids, c->n_key_ids, sizeof(KrlBlob)) < 0)
                                return -ENOMEM;
                        c->key_ids[c->n_key_ids++] = id;
                }
                return 0;
        default:
                return BAD("unknown certificate subsection");
        }
}

static int parse_cert_section(Krl *k, const KrlBlob *data, const char **ret_why) {
        Reader r = sub_reader(data);
        KrlBlob ca, reserved;
        if (!get_string(&r, &ca) || !get_string(&r, &reserved))
                return BAD("malformed certificate section header");
        if (ca.len > 0 && !key_blob_plausible(&ca))
                return BAD("invalid CA key");
        if (grow(&k->certs, k->n_certs, sizeof(KrlCertSection)) < 0)
                return -ENOMEM;
        KrlCertSection *c = &k->certs[k->n_certs++];
        *c = (KrlCertSection) { .ca = ca };
        while (r.left > 0) {
                uint8_t type;
                KrlBlob sub;
                if (!get_u8(&r, &type) || !get_string(&r, &sub))
                        return BAD("truncated certificate subsection");
                int e = parse_cert_subsection(c, type, &sub, ret_why);
                if (e < 0)
                        return e;
        }
        return 0;
}

/* A section of strings: key blobs (expected 0) or hashes of exactly `expected` bytes. */
static int parse_blob_section(KrlBlob **array, size_t *n, const KrlBlob *data, size_t expected,
                              const char **ret_why) {
        Reader r = sub_reader(data);
        while (r.left > 0) {
                KrlBlob b;
                if (!get_string(&r, &b))
                        return BAD("truncated key or hash section");
                if (expected ? b.len != expected : !key_blob_plausible(&b))
                        return BAD(expected ? "hash of the wrong length" : "invalid revoked key");
                if (grow(array, *n, sizeof(KrlBlob)) < 0)
                        return -ENOMEM;
                (*array)[(*n)++] = b;
        }
        return 0;
}

int krl_parse(Krl *k, const uint8_t *data, size_t size, const char **ret_why) {
        const char *why_unused;
        if (!ret_why)
                ret_why = &why_unused;
        if (!k || k->data || krl_n_entries(k) > 0)
                return -EINVAL;
        if (!krl_has_magic(data, size))
                return BAD("no KRL magic");
        k->data = malloc(size);
        if (!k->data)
                return -ENOMEM;
        memcpy(k->data, data, size);

        Reader r = { .p = k->data + KRL_MAGIC_LEN, .left = size - KRL_MAGIC_LEN };
        uint32_t format;
        uint64_t version, date, flags;
        KrlBlob reserved, comment;
        if (!get_u32(&r, &format) || !get_u64(&r, &version) || !get_u64(&r, &date) || !get_u64(&r, &flags) ||
            !get_string(&r, &reserved) || !get_string(&r, &comment))
                return BAD("truncated header");
        if (format != KRL_FORMAT_VERSION)
                return BAD("unsupported KRL format version");

        bool signatures = false;
        while (r.left > 0) {
                uint8_t type;
                KrlBlob sect;
                if (!get_u8(&r, &type) || !get_string(&r, &sect))
                        return BAD("truncated section");
                if (signatures && type != KRL_SECTION_SIGNATURE)
                        return BAD("section after a signature");
                int e;
                switch (type) {
                case KRL_SECTION_CERTIFICATES:
                        e = parse_cert_section(k, &sect, ret_why);
                        break;
                case KRL_SECTION_EXPLICIT_KEY:
                        e = parse_blob_section(&k->keys, &k->n_keys, &sect, 0, ret_why);
                        break;
                case KRL_SECTION_FINGERPRINT_SHA1:
                        e = parse_blob_section(&k->sha1, &k->n_sha1, &sect, SHA1_LEN, ret_why);
                        break;
                case KRL_SECTION_FINGERPRINT_SHA256:
                        e = parse_blob_section(&k->sha256, &k->n_sha256, &sect, SHA256_DIGEST_SIZE, ret_why);
                        break;
                case KRL_SECTION_SIGNATURE: {
                        /* Not verified, as by sshd; but well-formed: a key and a signature, nothing else. */
                        Reader s = sub_reader(&sect);
                        KrlBlob key, sig;
                        if (!get_string(&s, &key) || !get_string(&s, &sig) || s.left != 0)
                                return BAD("malformed signature section");
                        signatures = true;
                        e = 0;
                        break;
                }
                default:
                        return BAD("unknown section type");
                }
                if (e < 0)
                        return e;
        }
        return 0;
}

int krl_add_key(Krl *k, const uint8_t *blob, size_t len) {
        if (!k || !blob || len == 0 || k->data)
                return -EINVAL;         /* a parsed KRL is complete: keys are added to list sets only */
        /* owned[] runs beside keys[]: a KRL's keys have NULL there, and only one of the two ways fills
         * a set, but keep them the same length either way. */
        if (grow(&k->keys, k->n_keys, sizeof(KrlBlob)) < 0 || grow(&k->owned, k->n_keys, sizeof(uint8_t *)) < 0)
                return -ENOMEM;
        uint8_t *copy = malloc(len);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, blob, len);
        k->owned[k->n_keys] = copy;
        k->keys[k->n_keys++] = (KrlBlob) { .data = copy, .len = len };
        return 0;
}

/* ---- queries ---------------------------------------------------------------------------------------- */

static bool blob_in(const KrlBlob *a, size_t n, const uint8_t *data, size_t len) {
        for (size_t i = 0; i < n; i++)
                if (a[i].len == len && memcmp(a[i].data, data, len) == 0)
                        return true;
        return false;
}

bool krl_key_revoked(const Krl *k, const uint8_t *blob, size_t len) {
        if (!k || !blob || len == 0)
                return false;
        if (blob_in(k->keys, k->n_keys, blob, len))
                return true;
        if (k->n_sha256 > 0) {
                uint8_t d[SHA256_DIGEST_SIZE];
                sha256_digest(blob, len, d);
                if (blob_in(k->sha256, k->n_sha256, d, sizeof d))
                        return true;
        }
        if (k->n_sha1 > 0) {
                uint8_t d[SHA1_LEN];
                unsigned dlen = 0;
                /* Should SHA-1 be unavailable, nothing can be shown not to be revoked: say revoked. */
                if (EVP_Digest(blob, len, d, &dlen, EVP_sha1(), NULL) != 1 || dlen != SHA1_LEN)
                        return true;
                if (blob_in(k->sha1, k->n_sha1, d, sizeof d))
                        return true;
        }
        return false;
}

static bool bitmap_has(const KrlBitmap *b, uint64_t serial) {
        if (serial < b->offset)
                return false;
        uint64_t bit = serial - b->offset;
        if (bit / 8 >= b->len)
                return false;
        return (b->bits[b->len - 1 - bit / 8] >> (bit % 8)) & 1;
}

bool krl_cert_revoked(const Krl *k, const uint8_t *ca_blob, size_t ca_len, uint64_t serial, const char *key_id) {
        if (!k || !ca_blob || ca_len == 0)
                return false;
        if (krl_key_revoked(k, ca_blob, ca_len))
                return true;
        size_t id_len = key_id ? strlen(key_id) : 0;
        for (size_t i = 0; i < k->n_certs; i++) {
                const KrlCertSection *c = &k->certs[i];
                if (c->ca.len != 0 && (c->ca.len != ca_len || memcmp(c->ca.data, ca_blob, ca_len) != 0))
                        continue;
                if (key_id && blob_in(c->key_ids, c->n_key_ids, (const uint8_t *) key_id, id_len))
                        return true;
                if (serial == 0)
                        continue;
                for (size_t j = 0; j < c->n_ranges; j++)
                        if (serial >= c->ranges[j].lo && serial <= c->ranges[j].hi)
                                return true;
                for (size_t j = 0; j < c->n_bitmaps; j++)
                        if (bitmap_has(&c->bitmaps[j], serial))
                                return true;
        }
        return false;
}
