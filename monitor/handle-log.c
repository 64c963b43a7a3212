/* See handle-log.h. */

#include <errno.h>
#include <stdio.h>

#include "common/log.h"
#include "common/macro.h"
#include "monitor/handle-log.h"

int handle_log(Monitor *m, const IpcLog *p) {
        LogLevel l = p->level < _LOG_LEVEL_MAX ? (LogLevel) p->level : LOG_LEVEL_DEBUG3;
        /* A worker cannot make its lines look more important than errors. */
        if (l < LOG_LEVEL_ERROR)
                l = LOG_LEVEL_ERROR;
        /* The volume it can make us write at the levels every configuration writes is bounded; DEBUG
         * lines are written only when the operator asked for them, and are not counted (ipc-messages.h). */
        if (l <= LOG_LEVEL_VERBOSE && log_would_log(l) && ++m->worker_log_lines > IPC_MAX_LOG_MESSAGES) {
                log_error("worker for %s port %u exceeded its budget of %u log lines", m->peer_address,
                          m->peer_port, IPC_MAX_LOG_MESSAGES);
                return -EDQUOT;
        }
        /* log_internal() replaces control characters, so the marker cannot be pushed onto another line. */
        log_fields(l, &(LogFields) { .from_worker = true }, WORKER_LOG_MARKER "%s%s", p->line, m->state == IPC_ST_AUTHED ? "" : " [preauth]");
        return 0;
}

/* The worker's text, made safe for one log line: printable ASCII only, quotes and backslashes escaped,
 * at most `max` input characters. `size` must hold 4 output bytes per input byte, plus the NUL. */
static void escape(char *out, size_t size, const char *in, size_t max) {
        size_t k = 0;
        for (size_t i = 0; in[i] && i < max && k + 4 < size; i++) {
                unsigned char c = (unsigned char) in[i];
                if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
                        out[k++] = (char) c;
                else
                        k += (size_t) snprintf(out + k, size - k, "\\%03o", c);
        }
        out[k] = '\0';
}

/* OpenSSH's names for what was negotiated ("no matching cipher found"). */
static const char *const negotiation_names[_IPC_NEGOTIATION_MAX] = {
        [IPC_NEGOTIATION_KEX] = "key exchange method",
        [IPC_NEGOTIATION_HOSTKEY] = "host key type",
        [IPC_NEGOTIATION_CIPHER] = "cipher",
        [IPC_NEGOTIATION_MAC] = "MAC",
        [IPC_NEGOTIATION_COMPRESSION] = "compression method",
};

int handle_event(Monitor *m, const IpcEvent *p) {
        const char *addr = m->peer_address;
        unsigned port = m->peer_port;
        char text[IPC_MAX_EVENT_TEXT * 4 + 1];

        /* The handshake failures happen before authentication, the timeouts after it: a worker
         * that says otherwise is lying. */
        bool preauth = p->kind != IPC_EVENT_CLIENT_TIMEOUT && p->kind != IPC_EVENT_UNUSED_CONNECTION;
        if (preauth != (m->state == IPC_ST_PREAUTH) || p->kind >= _IPC_EVENT_KIND_MAX)
                return -EPROTO;
        /* As much of the client's words as OpenSSH shows: its identification line or offer, or our
         * library's error message. */
        escape(text, sizeof text, p->text ?: "", p->kind == IPC_EVENT_HANDSHAKE_FAILED ? 400 : 256);

        switch ((IpcEventKind) p->kind) {
        case IPC_EVENT_BANNER_TOO_LONG:
                log_error("kex_exchange_identification: banner line too long [preauth]");
                log_info("banner exchange: Connection from %s port %u: invalid format [preauth]", addr, port);
                return 0;
        case IPC_EVENT_CONNECTION_RESET:
                log_info("kex_exchange_identification: read: Connection reset by peer [preauth]");
                return 0;
        case IPC_EVENT_CONNECTION_CLOSED:
                log_info("kex_exchange_identification: Connection closed by remote host [preauth]");
                return 0;
        case IPC_EVENT_INVALID_IDENTIFIER:
                log_error("kex_exchange_identification: client sent invalid protocol identifier \"%s\" [preauth]",
                          text);
                log_info("banner exchange: Connection from %s port %u: invalid format [preauth]", addr, port);
                return 0;
        case IPC_EVENT_PROTOCOL_MISMATCH: {
                /* The major version from the client's line as the worker passed it on; a line that has
                 * none, or ours, is not a mismatch. */
                int major = 0, minor = 0, n = 0;
                if (!p->text || sscanf(p->text, "SSH-%d.%d-%n", &major, &minor, &n) != 2 || n == 0 ||
                    !p->text[n] || major == 2 || (major == 1 && minor == 99))
                        return -EPROTO;
                log_error("Protocol major versions differ: 2 vs. %d [preauth]", major);
                log_info("banner exchange: Connection from %s port %u: could not read protocol version "
                         "[preauth]", addr, port);
                return 0;
        }
        case IPC_EVENT_NO_MATCHING_METHOD:
                if (p->method >= _IPC_NEGOTIATION_MAX)
                        return -EPROTO;
                log_info("Unable to negotiate with %s port %u: no matching %s found. Their offer: %s [preauth]",
                         addr, port, negotiation_names[p->method], text);
                return 0;
        case IPC_EVENT_HANDSHAKE_FAILED:
                log_info("ssh_dispatch_run_fatal: Connection from %s port %u: %s [preauth]", addr, port, text);
                return 0;
        case IPC_EVENT_CLIENT_TIMEOUT:
                log_info("Timeout, client not responding from user %s %s port %u",
                         m->user ? m->user->name : "", addr, port);
                return 0;
        case IPC_EVENT_UNUSED_CONNECTION:
                /* OpenSSH's serverloop.c words it so (UnusedConnectionTimeout). */
                log_info("terminating inactive connection from user %s %s port %u",
                         m->user ? m->user->name : "", addr, port);
                return 0;
        case _IPC_EVENT_KIND_MAX:
        default:
                return -EPROTO;
        }
}
