/* See wire.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "common/wire.h"

static int reader_fail(WireReader *r, int e) {
        if (r->error == 0)
                r->error = e;
        return r->error;
}

static int reader_take(WireReader *r, size_t n, const uint8_t **ret) {
        if (r->error)
                return r->error;
        if (n > r->size - r->pos)
                return reader_fail(r, -EBADMSG);
        *ret = r->data + r->pos;
        r->pos += n;
        return 0;
}

int wire_get_u8(WireReader *r, uint8_t *ret) {
        const uint8_t *p = NULL;
        int e = reader_take(r, 1, &p);
        if (e < 0)
                return e;
        *ret = p[0];
        return 0;
}

int wire_get_bool(WireReader *r, bool *ret) {
        uint8_t v;
        int e = wire_get_u8(r, &v);
        if (e < 0)
                return e;
        if (v > 1)
                return reader_fail(r, -EBADMSG);
        *ret = v;
        return 0;
}

int wire_get_u16(WireReader *r, uint16_t *ret) {
        const uint8_t *p = NULL;
        int e = reader_take(r, 2, &p);
        if (e < 0)
                return e;
        *ret = (uint16_t) ((p[0] << 8) | p[1]);
        return 0;
}

int wire_get_u32(WireReader *r, uint32_t *ret) {
        const uint8_t *p = NULL;
        int e = reader_take(r, 4, &p);
        if (e < 0)
                return e;
        *ret = ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
        return 0;
}

int wire_get_i32(WireReader *r, int32_t *ret) {
        uint32_t v;
        int e = wire_get_u32(r, &v);
        if (e < 0)
                return e;
        *ret = (int32_t) v;
        return 0;
}

int wire_get_blob_ref(WireReader *r, size_t max, const uint8_t **ret, size_t *ret_len) {
        uint32_t len;
        int e = wire_get_u32(r, &len);
        if (e < 0)
                return e;
        if (len > max)
                return reader_fail(r, -EMSGSIZE);
        const uint8_t *p = NULL;
        e = reader_take(r, len, &p);
        if (e < 0)
                return e;
        *ret = p;
        *ret_len = len;
        return 0;
}

int wire_get_blob(WireReader *r, size_t max, uint8_t **ret, size_t *ret_len) {
        const uint8_t *p = NULL;
        size_t len;
        int e = wire_get_blob_ref(r, max, &p, &len);
        if (e < 0)
                return e;
        uint8_t *copy = NULL;
        if (len > 0) {
                copy = malloc(len);
                if (!copy)
                        return reader_fail(r, -ENOMEM);
                memcpy(copy, p, len);
        }
        *ret = copy;
        *ret_len = len;
        return 0;
}

int wire_get_string(WireReader *r, size_t max, char **ret) {
        const uint8_t *p = NULL;
        size_t len;
        int e = wire_get_blob_ref(r, max, &p, &len);
        if (e < 0)
                return e;
        if (memchr(p, 0, len))
                return reader_fail(r, -EBADMSG);
        char *s = malloc(len + 1);
        if (!s)
                return reader_fail(r, -ENOMEM);
        memcpy(s, p, len);
        s[len] = '\0';
        *ret = s;
        return 0;
}

int wire_end(WireReader *r) {
        if (r->error)
                return r->error;
        if (r->pos != r->size)
                return reader_fail(r, -EBADMSG);
        return 0;
}

void wire_writer_done(WireWriter *w) {
        if (w->data) {
                explicit_bzero(w->data, w->alloc);
                free(w->data);
        }
        *w = (WireWriter) { .max = w->max };
}

static int writer_fail(WireWriter *w, int e) {
        if (w->error == 0)
                w->error = e;
        return w->error;
}

static int writer_append(WireWriter *w, const void *p, size_t n) {
        if (w->error)
                return w->error;
        if (n > w->max - w->size)
                return writer_fail(w, -EMSGSIZE);
        if (w->size + n > w->alloc) {
                size_t a = MAX(w->alloc * 2, (size_t) 256);
                while (a < w->size + n)
                        a *= 2;
                a = MIN(a, w->max);
                uint8_t *d = malloc(a);         /* not realloc: the old buffer may hold secrets to wipe */
                if (!d)
                        return writer_fail(w, -ENOMEM);
                if (w->data) {
                        memcpy(d, w->data, w->size);
                        explicit_bzero(w->data, w->alloc);
                        free(w->data);
                }
                w->data = d;
                w->alloc = a;
        }
        if (n > 0)
                memcpy(w->data + w->size, p, n);
        w->size += n;
        return 0;
}

int wire_put_u8(WireWriter *w, uint8_t v) {
        return writer_append(w, &v, 1);
}

int wire_put_bool(WireWriter *w, bool v) {
        return wire_put_u8(w, v ? 1 : 0);
}

int wire_put_u16(WireWriter *w, uint16_t v) {
        uint8_t b[2] = { (uint8_t) (v >> 8), (uint8_t) v };
        return writer_append(w, b, 2);
}

int wire_put_u32(WireWriter *w, uint32_t v) {
        uint8_t b[4] = { (uint8_t) (v >> 24), (uint8_t) (v >> 16), (uint8_t) (v >> 8), (uint8_t) v };
        return writer_append(w, b, 4);
}

int wire_put_i32(WireWriter *w, int32_t v) {
        return wire_put_u32(w, (uint32_t) v);
}

int wire_put_blob(WireWriter *w, const void *data, size_t len) {
        if (len > UINT32_MAX)
                return writer_fail(w, -EMSGSIZE);
        int e = wire_put_u32(w, (uint32_t) len);
        if (e < 0)
                return e;
        return writer_append(w, data, len);
}

int wire_put_string(WireWriter *w, const char *s) {
        return wire_put_blob(w, s, s ? strlen(s) : 0);
}
