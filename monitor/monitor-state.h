#pragma once
/*
 * The gate: runs on every datagram from the worker after framing checks (known type, direction,
 * fd count: common/ipc-socket.c) and BEFORE the payload is decoded. It refuses a message that is
 * not allowed in the connection's current state or that exceeds its per-connection budget; the
 * caller treats a refusal as a protocol violation and tears the connection down.
 *
 * State transitions are made here too, so that they are all in one place:
 *   INIT --READY--> PREAUTH --auth success--> AUTHED
 *                   PREAUTH --too many failures / user changed--> REFUSED
 */

#include "common/ipc-payloads.h"
#include "monitor/monitor.h"

int monitor_state_gate(void *userdata, IpcType type, const IpcRow *row);
const char *monitor_state_to_string(IpcState s);
void monitor_state_set(Monitor *m, IpcState s);
