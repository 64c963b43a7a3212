#pragma once
/*
 * Bounds-checked reader and writer for IPC payloads. Integers are big-endian; strings and blobs are
 * a u32 length followed by the bytes. The reader is a cursor: every get checks the remaining length,
 * the first failure sticks (later gets fail too), strings reject embedded NULs, and wire_end() rejects
 * trailing bytes. The writer grows up to a hard maximum and likewise remembers its first failure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct WireReader {
        const uint8_t *data;
        size_t size;
        size_t pos;
        int error;              /* 0 or the first -errno */
} WireReader;

static inline WireReader wire_reader(const void *data, size_t size) {
        return (WireReader) { .data = data, .size = size };
}

int wire_get_u8(WireReader *r, uint8_t *ret);
int wire_get_bool(WireReader *r, bool *ret);        /* only 0 or 1 */
int wire_get_u16(WireReader *r, uint16_t *ret);
int wire_get_u32(WireReader *r, uint32_t *ret);
int wire_get_i32(WireReader *r, int32_t *ret);
/* A blob: *ret points INTO the reader's buffer (valid while it is). */
int wire_get_blob_ref(WireReader *r, size_t max, const uint8_t **ret, size_t *ret_len);
/* A blob copied to a fresh allocation (NULL for empty). */
int wire_get_blob(WireReader *r, size_t max, uint8_t **ret, size_t *ret_len);
/* A string without embedded NULs, copied and NUL-terminated. */
int wire_get_string(WireReader *r, size_t max, char **ret);
/* Succeeds only when every byte was consumed and no get failed. */
int wire_end(WireReader *r);

typedef struct WireWriter {
        uint8_t *data;
        size_t size;
        size_t alloc;
        size_t max;
        int error;
} WireWriter;

static inline WireWriter wire_writer(size_t max) {
        return (WireWriter) { .max = max };
}
void wire_writer_done(WireWriter *w);   /* wipes (payloads may hold passwords) and frees */

int wire_put_u8(WireWriter *w, uint8_t v);
int wire_put_bool(WireWriter *w, bool v);
int wire_put_u16(WireWriter *w, uint16_t v);
int wire_put_u32(WireWriter *w, uint32_t v);
int wire_put_i32(WireWriter *w, int32_t v);
int wire_put_blob(WireWriter *w, const void *data, size_t len);
int wire_put_string(WireWriter *w, const char *s);  /* NULL is written as "" */
