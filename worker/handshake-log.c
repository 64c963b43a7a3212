/* See handshake-log.h. */

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/macro.h"
#include "worker/handshake-log.h"

/* Tell the monitor; it writes OpenSSH's line with the peer address it knows (monitor/handle-log.c). The
 * text is sent raw and cut to what the message allows; the monitor escapes it. */
static void report(Worker *w, IpcEventKind kind, IpcNegotiation method, const char *text, size_t max) {
        char cut[IPC_MAX_EVENT_TEXT + 1];
        snprintf(cut, MIN(sizeof cut, max + 1), "%s", text ?: "");
        IpcPayload p = {};
        p.EVENT.kind = (uint8_t) kind;
        p.EVENT.method = (uint8_t) method;
        p.EVENT.text = cut;
        (void) monitor_client_send(w, IPC_EVENT, &p);
}

/* libssh's names for the negotiated method kinds ("kex error : no match for method NAME: server
 * [...], client [...]"). */
static const struct {
        const char *libssh;
        IpcNegotiation method;
} method_names[] = {
        { "kex algos", IPC_NEGOTIATION_KEX },
        { "server host key algo", IPC_NEGOTIATION_HOSTKEY },
        { "encryption client->server", IPC_NEGOTIATION_CIPHER },
        { "encryption server->client", IPC_NEGOTIATION_CIPHER },
        { "mac algo client->server", IPC_NEGOTIATION_MAC },
        { "mac algo server->client", IPC_NEGOTIATION_MAC },
        { "compression algo client->server", IPC_NEGOTIATION_COMPRESSION },
        { "compression algo server->client", IPC_NEGOTIATION_COMPRESSION },
};

static bool report_no_match(Worker *w, const char *err) {
        const char *p = strstr(err, "no match for method ");
        if (!p)
                return false;
        p += strlen("no match for method ");
        for (size_t i = 0; i < ELEMENTSOF(method_names); i++) {
                size_t n = strlen(method_names[i].libssh);
                if (strncmp(p, method_names[i].libssh, n) != 0 || p[n] != ':')
                        continue;
                const char *offer = strstr(p, "client [");
                char their[257] = "";
                if (offer) {
                        offer += strlen("client [");
                        const char *end = strchr(offer, ']');
                        snprintf(their, sizeof their, "%.*s", end ? (int) MIN(end - offer, 256) : 256, offer);
                }
                report(w, IPC_EVENT_NO_MATCHING_METHOD, method_names[i].method, their, 256);
                return true;
        }
        return false;
}

void handshake_log_failure(Worker *w) {
        const char *err = ssh_get_error(w->session);
        const char *banner = ssh_get_clientbanner(w->session);
        if (!err)
                err = "";

        if (!banner) {
                if (strstr(err, "too large banner"))
                        report(w, IPC_EVENT_BANNER_TOO_LONG, 0, NULL, 0);
                else if (strstr(err, "reset by peer"))
                        report(w, IPC_EVENT_CONNECTION_RESET, 0, NULL, 0);
                else
                        report(w, IPC_EVENT_CONNECTION_CLOSED, 0, NULL, 0);
                return;
        }
        if (strncmp(banner, "SSH-2.0-", 8) != 0 && strncmp(banner, "SSH-1.99-", 9) != 0) {
                /* libssh answered it as OpenSSH's sshd does (patches/libssh/0008): another version
                 * of the protocol, or not an identification string at all. */
                int major = 0, minor = 0, n = 0;
                /* libssh's test (0008), which the monitor repeats: a line that reads as 2.0 or 1.99 but
                 * is not spelled so ("SSH-02.0-") is refused as no identification string at all. */
                if (sscanf(banner, "SSH-%d.%d-%n", &major, &minor, &n) == 2 && n > 0 && banner[n] &&
                    major != 2 && !(major == 1 && minor == 99))
                        report(w, IPC_EVENT_PROTOCOL_MISMATCH, 0, banner, 256);
                else
                        report(w, IPC_EVENT_INVALID_IDENTIFIER, 0, banner, 256);
                return;
        }
        if (report_no_match(w, err))
                return;
        report(w, IPC_EVENT_HANDSHAKE_FAILED, 0, err, 400);
}
