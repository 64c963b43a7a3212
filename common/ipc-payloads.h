#pragma once
/*
 * Expansions of the message table (common/ipc-messages.h): the IpcType enum, the row lookup the
 * gate uses, one struct per payload, and the strict codecs. Handlers only ever see decoded structs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ipc-messages.h"
#include "common/wire.h"

typedef enum IpcType {
#define IPC_ENUM_ROW(id, dir, states, budget, fds, payload) IPC_##id,
        IPC_MESSAGES(IPC_ENUM_ROW)
#undef IPC_ENUM_ROW
        _IPC_TYPE_MAX,
} IpcType;

typedef struct IpcRow {
        const char *name;
        IpcDirection dir;
        unsigned states;
        unsigned budget;
        unsigned fds;
} IpcRow;

/* NULL for an unknown type (a number outside the table). */
const IpcRow *ipc_row(uint32_t type);
const char *ipc_type_name(uint32_t type);

/* Payload structs, generated from the field tables. */
#define IPC_DECL_U8(n) uint8_t n;
#define IPC_DECL_BOOL(n) bool n;
#define IPC_DECL_U16(n) uint16_t n;
#define IPC_DECL_U32(n) uint32_t n;
#define IPC_DECL_I32(n) int32_t n;
#define IPC_DECL_STRING(n) char *n;
#define IPC_DECL_SECRET(n) char *n;
#define IPC_DECL_BLOB(n) uint8_t *n; size_t n##_len;
#define IPC_DECL_STRV(n) char **n; size_t n_##n;
#define IPC_DECL_FIELD(kind, name, max) IPC_DECL_##kind(name)

#define IPC_STRUCT_ROW(id, dir, states, budget, fds, payload)          \
        typedef struct Ipc##payload { IPC_PAYLOAD_FIELDS_##payload(IPC_DECL_FIELD) } Ipc##payload;
IPC_MESSAGES(IPC_STRUCT_ROW)
#undef IPC_STRUCT_ROW

/*
 * The longest encoding of a payload, from its field table: fixed-size fields, strings and blobs at
 * their bound, and for a list its count and each entry's length prefix (the entries' bytes are
 * bounded separately, see below). The type header is included.
 */
#define IPC_SIZE_U8(max) 1u
#define IPC_SIZE_BOOL(max) 1u
#define IPC_SIZE_U16(max) 2u
#define IPC_SIZE_U32(max) 4u
#define IPC_SIZE_I32(max) 4u
#define IPC_SIZE_STRING(max) (4u + (max))
#define IPC_SIZE_SECRET(max) (4u + (max))
#define IPC_SIZE_BLOB(max) (4u + (max))
#define IPC_SIZE_STRV(max) (4u + 4u * (max))
#define IPC_SIZE_FIELD(kind, name, max) + IPC_SIZE_##kind(max)
#define IPC_MAX_ENCODED(payload) (4u IPC_PAYLOAD_FIELDS_##payload(IPC_SIZE_FIELD))

/* The largest SESSION_START the worker sends (a command of SESSION_MAX_COMMAND bytes, env requests of
 * SESSION_MAX_ENV_TOTAL bytes together: worker/channel.c refuses more on the channel alone) is one
 * datagram. If a limit grows past this, the build fails here rather than a connection at run time. */
_Static_assert(IPC_MAX_ENCODED(SessionStart) + SESSION_MAX_ENV_TOTAL <= IPC_MAX_MESSAGE,
               "the largest SESSION_START does not fit in IPC_MAX_MESSAGE");
_Static_assert(SESSION_MAX_ENV_REQUEST <= IPC_MAX_STRING && SESSION_MAX_ENV_REQUEST <= SESSION_MAX_ENV_TOTAL,
               "one env request must fit in a list entry and in the total");

/* Any payload; which member is valid follows from the IpcType. */
typedef union IpcPayload {
#define IPC_UNION_ROW(id, dir, states, budget, fds, payload) Ipc##payload id;
        IPC_MESSAGES(IPC_UNION_ROW)
#undef IPC_UNION_ROW
} IpcPayload;

/*
 * Decode a payload of the given type (the bytes after the header). On failure nothing is left
 * allocated and *ret is zeroed. -EBADMSG for malformed input, -EMSGSIZE for an over-long field.
 */
int ipc_payload_decode(IpcType type, const void *data, size_t size, IpcPayload *ret);
/* Encode header + payload into w. */
int ipc_message_encode(IpcType type, const IpcPayload *p, WireWriter *w);
/* Free what decode allocated (secrets wiped); leaves *p zeroed. NULL-safe. */
void ipc_payload_free(IpcType type, IpcPayload *p);
