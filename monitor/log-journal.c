/* See log-journal.h. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "common/log.h"
#include "common/macro.h"
#include "monitor/log-journal.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

bool log_journal_available(void) {
        return access(JOURNAL_SOCKET, W_OK) == 0;
}

/* One "NAME=value" field into `buf`, pointed at by the next iovec. */
static void add_field(struct iovec *iov, size_t *n, char *buf, size_t size, const char *name, const char *value) {
        if (!value)
                return;
        int k = snprintf(buf, size, "%s=%s", name, value);
        if (k < 0)
                return;
        iov[*n] = (struct iovec) { .iov_base = buf, .iov_len = (size_t) k < size ? (size_t) k : size - 1 };
        (*n)++;
}

static void journal_sink(int priority, const char *line, const LogFields *f,
                         const char *const context[_LOG_CONTEXT_MAX]) {
        static const char *const context_names[_LOG_CONTEXT_MAX] = {
                [LOG_CONTEXT_USER] = "PRIVSSHD_USER",
                [LOG_CONTEXT_REMOTE_ADDR] = "PRIVSSHD_REMOTE_ADDR",
                [LOG_CONTEXT_REMOTE_PORT] = "PRIVSSHD_REMOTE_PORT",
                [LOG_CONTEXT_SESSION] = "PRIVSSHD_SESSION",
        };
        char message[2100], prio[16], pid[32], ctx[_LOG_CONTEXT_MAX][300];
        char id[64], method[96], fingerprint[160], channel[48];
        struct iovec iov[16];   /* 5 fixed + 4 context + 5 per line */
        size_t n = 0;
        char prio_value[4], pid_value[16];

        snprintf(prio_value, sizeof prio_value, "%d", priority);
        snprintf(pid_value, sizeof pid_value, "%d", (int) getpid());
        add_field(iov, &n, message, sizeof message, "MESSAGE", line);
        add_field(iov, &n, prio, sizeof prio, "PRIORITY", prio_value);
        /* AUTH, as our syslog lines (journalctl SYSLOG_FACILITY=4 finds both ours and sshd's). */
        iov[n++] = (struct iovec) { .iov_base = (char *) "SYSLOG_FACILITY=4", .iov_len = strlen("SYSLOG_FACILITY=4") };
        iov[n++] = (struct iovec) { .iov_base = (char *) "SYSLOG_IDENTIFIER=privsshd",
                                    .iov_len = strlen("SYSLOG_IDENTIFIER=privsshd") };
        add_field(iov, &n, pid, sizeof pid, "SYSLOG_PID", pid_value);
        for (int i = 0; i < _LOG_CONTEXT_MAX; i++)
                add_field(iov, &n, ctx[i], sizeof ctx[i], context_names[i], context[i]);
        if (f) {
                add_field(iov, &n, id, sizeof id, "MESSAGE_ID", f->message_id);
                add_field(iov, &n, method, sizeof method, "PRIVSSHD_AUTH_METHOD", f->auth_method);
                add_field(iov, &n, fingerprint, sizeof fingerprint, "PRIVSSHD_KEY_FINGERPRINT", f->key_fingerprint);
                add_field(iov, &n, channel, sizeof channel, "PRIVSSHD_CHANNEL", f->channel);
                if (f->from_worker)
                        iov[n++] = (struct iovec) { .iov_base = (char *) "PRIVSSHD_UNTRUSTED=1",
                                                    .iov_len = strlen("PRIVSSHD_UNTRUSTED=1") };
        }
        /* journald gone (stopped, restarting): the line still goes somewhere an operator looks. */
        if (sd_journal_sendv(iov, (int) n) < 0)
                syslog(LOG_AUTH | priority, "%s", line);
}

void log_open_journal(void) {
        log_set_journal_sink(journal_sink);
}

int log_new_session_id(void) {
        uint8_t raw[16];
        char hex[2 * sizeof raw + 1];
        if (getrandom(raw, sizeof raw, 0) != (ssize_t) sizeof raw)
                return -EIO;
        for (size_t i = 0; i < sizeof raw; i++)
                snprintf(hex + 2 * i, 3, "%02x", raw[i]);
        log_set_context(LOG_CONTEXT_SESSION, hex);
        return 0;
}
