/*
 * Codecs for every payload in common/ipc-messages.h, generated from the field tables: one generic
 * encoder, decoder and destructor per field kind, applied field by field.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/ipc-payloads.h"
#include "common/macro.h"

static const IpcRow ipc_rows[_IPC_TYPE_MAX] = {
#define IPC_ROW(id, d, st, b, f, payload) \
        [IPC_##id] = { .name = #id, .dir = d, .states = st, .budget = b, .fds = f },
        IPC_MESSAGES(IPC_ROW)
#undef IPC_ROW
};

const IpcRow *ipc_row(uint32_t type) {
        if (type >= _IPC_TYPE_MAX)
                return NULL;
        return &ipc_rows[type];
}

const char *ipc_type_name(uint32_t type) {
        const IpcRow *r = ipc_row(type);
        return r ? r->name : "UNKNOWN";
}

/* ---- per-kind encoders --------------------------------------------------- */

/* Field bounds hold on both sides: a sender never sends what the receiver's decoder would refuse (a
 * protocol violation there); it gets -EMSGSIZE instead, with nothing sent. */
#define ENC_U8(w, p, n, max) wire_put_u8(w, (p)->n)
#define ENC_BOOL(w, p, n, max) wire_put_bool(w, (p)->n)
#define ENC_U16(w, p, n, max) wire_put_u16(w, (p)->n)
#define ENC_U32(w, p, n, max) wire_put_u32(w, (p)->n)
#define ENC_I32(w, p, n, max) wire_put_i32(w, (p)->n)
#define ENC_STRING(w, p, n, max) enc_string(w, (p)->n, max)
#define ENC_SECRET(w, p, n, max) enc_string(w, (p)->n, max)
#define ENC_BLOB(w, p, n, max) ((p)->n##_len > (max) ? -EMSGSIZE : wire_put_blob(w, (p)->n, (p)->n##_len))
#define ENC_STRV(w, p, n, max) enc_strv(w, (p)->n, (p)->n_##n, max)

static int enc_string(WireWriter *w, const char *s, size_t max) {
        if (s && strlen(s) > max)
                return -EMSGSIZE;
        return wire_put_string(w, s);
}

static int enc_strv(WireWriter *w, char *const *l, size_t n, size_t max) {
        if (n > max)
                return -EMSGSIZE;
        int e = wire_put_u32(w, (uint32_t) n);
        for (size_t i = 0; i < n && e >= 0; i++)
                e = enc_string(w, l[i], IPC_MAX_STRING);
        return e;
}

/* ---- per-kind decoders --------------------------------------------------- */

#define DEC_U8(r, p, n, max) wire_get_u8(r, &(p)->n)
#define DEC_BOOL(r, p, n, max) wire_get_bool(r, &(p)->n)
#define DEC_U16(r, p, n, max) wire_get_u16(r, &(p)->n)
#define DEC_U32(r, p, n, max) wire_get_u32(r, &(p)->n)
#define DEC_I32(r, p, n, max) wire_get_i32(r, &(p)->n)
#define DEC_STRING(r, p, n, max) wire_get_string(r, max, &(p)->n)
#define DEC_SECRET(r, p, n, max) wire_get_string(r, max, &(p)->n)
#define DEC_BLOB(r, p, n, max) wire_get_blob(r, max, &(p)->n, &(p)->n##_len)
#define DEC_STRV(r, p, n, max) dec_strv(r, max, &(p)->n, &(p)->n_##n)

static int dec_strv(WireReader *r, size_t max, char ***ret, size_t *ret_n) {
        uint32_t n;
        int e = wire_get_u32(r, &n);
        if (e < 0)
                return e;
        if (n > max) {
                r->error = -EMSGSIZE;
                return r->error;
        }
        char **l = calloc((size_t) n + 1, sizeof(char *));
        if (!l) {
                r->error = -ENOMEM;
                return r->error;
        }
        for (uint32_t i = 0; i < n; i++) {
                e = wire_get_string(r, IPC_MAX_STRING, &l[i]);
                if (e < 0) {
                        strv_free(l);
                        return e;
                }
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

/* ---- per-kind destructors ------------------------------------------------ */

#define FREE_U8(p, n)
#define FREE_BOOL(p, n)
#define FREE_U16(p, n)
#define FREE_U32(p, n)
#define FREE_I32(p, n)
#define FREE_STRING(p, n) free((p)->n);
#define FREE_SECRET(p, n) erase_and_free((p)->n);
#define FREE_BLOB(p, n) free((p)->n);
#define FREE_STRV(p, n) strv_free((p)->n);

/* ---- generated per-payload functions ------------------------------------- */

#define ENC_FIELD(kind, name, max) if (e >= 0) e = ENC_##kind(w, p, name, max);
#define DEC_FIELD(kind, name, max) if (e >= 0) e = DEC_##kind(&r, p, name, max);
#define FREE_FIELD(kind, name, max) FREE_##kind(p, name)

#define IPC_CODEC_ROW(id, dir, states, budget, fds, payload)                                    \
        static void free_##id(Ipc##payload *p) {                                               \
                IPC_PAYLOAD_FIELDS_##payload(FREE_FIELD)                                        \
                memset(p, 0, sizeof *p);                                                        \
        }                                                                                       \
        static int encode_##id(const Ipc##payload *p, WireWriter *w) {                         \
                int e = 0;                                                                      \
                IPC_PAYLOAD_FIELDS_##payload(ENC_FIELD)                                         \
                return e;                                                                       \
        }                                                                                       \
        static int decode_##id(const void *data, size_t size, Ipc##payload *p) {               \
                WireReader r = wire_reader(data, size);                                         \
                int e = 0;                                                                      \
                memset(p, 0, sizeof *p);                                                        \
                IPC_PAYLOAD_FIELDS_##payload(DEC_FIELD)                                         \
                if (e >= 0)                                                                     \
                        e = wire_end(&r);                                                       \
                if (e < 0)                                                                      \
                        free_##id(p);                                                           \
                return e;                                                                       \
        }
IPC_MESSAGES(IPC_CODEC_ROW)
#undef IPC_CODEC_ROW

int ipc_payload_decode(IpcType type, const void *data, size_t size, IpcPayload *ret) {
        memset(ret, 0, sizeof *ret);
        switch (type) {
#define IPC_DECODE_CASE(id, dir, states, budget, fds, payload) \
        case IPC_##id: return decode_##id(data, size, &ret->id);
        IPC_MESSAGES(IPC_DECODE_CASE)
#undef IPC_DECODE_CASE
        case _IPC_TYPE_MAX:
        default:
                return -EBADMSG;
        }
}

int ipc_message_encode(IpcType type, const IpcPayload *p, WireWriter *w) {
        int e = wire_put_u32(w, (uint32_t) type);
        if (e < 0)
                return e;
        switch (type) {
#define IPC_ENCODE_CASE(id, dir, states, budget, fds, payload) \
        case IPC_##id: return encode_##id(&p->id, w);
        IPC_MESSAGES(IPC_ENCODE_CASE)
#undef IPC_ENCODE_CASE
        case _IPC_TYPE_MAX:
        default:
                return -EINVAL;
        }
}

void ipc_payload_free(IpcType type, IpcPayload *p) {
        if (!p)
                return;
        switch (type) {
#define IPC_FREE_CASE(id, dir, states, budget, fds, payload) \
        case IPC_##id: free_##id(&p->id); return;
        IPC_MESSAGES(IPC_FREE_CASE)
#undef IPC_FREE_CASE
        case _IPC_TYPE_MAX:
        default:
                return;
        }
}
