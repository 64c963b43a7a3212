/*
 * Fuzz target: the monitor's view of a datagram from a hostile worker. The first four bytes are the
 * type, as on the wire; every row's decoder must refuse or accept without crashing, leaking or
 * reading out of bounds, and what it accepts must encode again.
 */

#include <stdint.h>
#include <string.h>

#include "common/ipc-payloads.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 4)
                return 0;
        uint32_t type = ((uint32_t) data[0] << 24) | ((uint32_t) data[1] << 16) | ((uint32_t) data[2] << 8) | data[3];
        if (!ipc_row(type))
                return 0;
        IpcPayload p;
        if (ipc_payload_decode((IpcType) type, data + 4, size - 4, &p) < 0)
                return 0;
        WireWriter w = wire_writer(IPC_MAX_MESSAGE * 2);
        int r = ipc_message_encode((IpcType) type, &p, &w);
        /* A payload that decoded must encode back to exactly the same bytes. */
        if (r < 0 || w.size != size || memcmp(w.data, data, size) != 0)
                __builtin_trap();
        wire_writer_done(&w);
        ipc_payload_free((IpcType) type, &p);
        return 0;
}
