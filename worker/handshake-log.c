/* See handshake-log.h. */

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "worker/handshake-log.h"

/* A peer's text, made safe for one log line: printable ASCII only, at most `max` characters. */
static void sanitize(char *out, size_t size, const char *in, size_t max) {
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

/* libssh's names for the negotiated method kinds ("kex error : no match for method NAME: server
 * [...], client [...]"), and OpenSSH's. */
static const struct {
        const char *libssh, *openssh;
} method_names[] = {
        { "kex algos", "key exchange method" },
        { "server host key algo", "host key type" },
        { "encryption client->server", "cipher" },
        { "encryption server->client", "cipher" },
        { "mac algo client->server", "MAC" },
        { "mac algo server->client", "MAC" },
        { "compression algo client->server", "compression method" },
        { "compression algo server->client", "compression method" },
};

static bool log_no_match(Worker *w, const char *err) {
        const char *p = strstr(err, "no match for method ");
        if (!p)
                return false;
        p += strlen("no match for method ");
        for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++) {
                size_t n = strlen(method_names[i].libssh);
                if (strncmp(p, method_names[i].libssh, n) != 0 || p[n] != ':')
                        continue;
                const char *offer = strstr(p, "client [");
                char their[512] = "";
                if (offer) {
                        offer += strlen("client [");
                        const char *end = strchr(offer, ']');
                        sanitize(their, sizeof their, offer, end ? (size_t) (end - offer) : 256);
                }
                log_info("Unable to negotiate with %s port %u: no matching %s found. Their offer: %s",
                         w->setup.peer_address, w->setup.peer_port, method_names[i].openssh, their);
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
                if (strstr(err, "too large banner")) {
                        log_error("kex_exchange_identification: banner line too long");
                        log_info("banner exchange: Connection from %s port %u: invalid format",
                                 w->setup.peer_address, w->setup.peer_port);
                } else if (strstr(err, "reset by peer"))
                        log_info("kex_exchange_identification: read: Connection reset by peer");
                else
                        log_info("kex_exchange_identification: Connection closed by remote host");
                return;
        }
        if (strncmp(banner, "SSH-2.0-", 8) != 0 && strncmp(banner, "SSH-1.99-", 9) != 0) {
                char shown[256 * 4 + 1];
                sanitize(shown, sizeof shown, banner, 256);
                log_error("kex_exchange_identification: client sent invalid protocol identifier \"%s\"", shown);
                log_info("banner exchange: Connection from %s port %u: invalid format",
                         w->setup.peer_address, w->setup.peer_port);
                return;
        }
        if (log_no_match(w, err))
                return;
        char shown[512];
        sanitize(shown, sizeof shown, err, 400);
        log_info("ssh_dispatch_run_fatal: Connection from %s port %u: %s", w->setup.peer_address,
                 w->setup.peer_port, shown);
}
