/* See monitor-state.h. */

#include <errno.h>

#include "common/log.h"
#include "monitor/monitor-state.h"

const char *monitor_state_to_string(IpcState s) {
        switch (s) {
        case IPC_ST_INIT:
                return "init";
        case IPC_ST_PREAUTH:
                return "preauth";
        case IPC_ST_AUTHED:
                return "authenticated";
        case IPC_ST_REFUSED:
                return "refused";
        default:
                return "invalid";
        }
}

int monitor_state_gate(void *userdata, IpcType type, const IpcRow *row) {
        Monitor *m = userdata;

        if (!(row->states & m->state)) {
                log_error("monitor: worker sent %s in state %s: not allowed", row->name,
                          monitor_state_to_string(m->state));
                return -EPROTO;
        }
        if (row->budget != 0 && m->used[type] >= row->budget) {
                log_error("monitor: worker exceeded the budget of %u %s messages", row->budget, row->name);
                return -EDQUOT;
        }
        m->used[type]++;
        return 0;
}

void monitor_state_set(Monitor *m, IpcState s) {
        log_debug("monitor: state %s -> %s", monitor_state_to_string(m->state), monitor_state_to_string(s));
        m->state = s;
        /* From now on the connection no longer counts against MaxStartups, and is never penalised. */
        if (s == IPC_ST_AUTHED)
                monitor_startup_done(m);
}
