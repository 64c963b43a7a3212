/* See log.h. One target per process; the worker uses LOG_TARGET_CALLBACK to ship lines to its monitor. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/log.h"

static LogLevel log_level = LOG_LEVEL_INFO;
static LogTarget log_target = LOG_TARGET_STDERR;
static int log_file_fd = -EBADF;
static const char *log_ident = "privsshd";
static const char *log_suffix = NULL;
static void (*log_cb)(LogLevel, const char *, void *) = NULL;
static void *log_cb_userdata = NULL;
static LogJournalSink log_journal_sink = NULL;
static char log_context_buf[_LOG_CONTEXT_MAX][256];
static const char *log_context[_LOG_CONTEXT_MAX];

static const char *const level_names[_LOG_LEVEL_MAX] = {
        [LOG_LEVEL_QUIET] = "QUIET",     [LOG_LEVEL_FATAL] = "FATAL",   [LOG_LEVEL_ERROR] = "ERROR",
        [LOG_LEVEL_INFO] = "INFO",       [LOG_LEVEL_VERBOSE] = "VERBOSE", [LOG_LEVEL_DEBUG1] = "DEBUG1",
        [LOG_LEVEL_DEBUG2] = "DEBUG2",   [LOG_LEVEL_DEBUG3] = "DEBUG3",
};

const char *log_level_to_string(LogLevel l) {
        if (l < 0 || l >= _LOG_LEVEL_MAX)
                return NULL;
        return level_names[l];
}

LogLevel log_level_from_string(const char *s) {
        if (!s)
                return _LOG_LEVEL_INVALID;
        if (strcasecmp(s, "DEBUG") == 0)
                return LOG_LEVEL_DEBUG1;
        for (int i = 0; i < _LOG_LEVEL_MAX; i++)
                if (strcasecmp(s, level_names[i]) == 0)
                        return (LogLevel) i;
        return _LOG_LEVEL_INVALID;
}

void log_set_level(LogLevel l) {
        log_level = l;
}

LogLevel log_get_level(void) {
        return log_level;
}

void log_set_ident(const char *ident) {
        log_ident = ident;
}

void log_set_suffix(const char *suffix) {
        log_suffix = suffix;
}

int log_open_stderr(void) {
        log_target = LOG_TARGET_STDERR;
        return 0;
}

int log_open_syslog(void) {
        openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_AUTH);
        log_target = LOG_TARGET_SYSLOG;
        return 0;
}

int log_open_file(const char *path) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return negative_errno();
        safe_close(log_file_fd);
        log_file_fd = fd;
        log_target = LOG_TARGET_FILE;
        return 0;
}

LogTarget log_get_target(void) {
        return log_target;
}

void log_set_callback(void (*cb)(LogLevel, const char *, void *), void *userdata) {
        log_cb = cb;
        log_cb_userdata = userdata;
        log_target = cb ? LOG_TARGET_CALLBACK : LOG_TARGET_STDERR;
}

void log_set_journal_sink(LogJournalSink sink) {
        log_journal_sink = sink;
        log_target = sink ? LOG_TARGET_JOURNAL : LOG_TARGET_STDERR;
}

void log_set_context(LogContextField f, const char *value) {
        if (f < 0 || f >= _LOG_CONTEXT_MAX)
                return;
        if (!value) {
                log_context[f] = NULL;
                return;
        }
        snprintf(log_context_buf[f], sizeof log_context_buf[f], "%s", value);
        log_context[f] = log_context_buf[f];
}

bool log_would_log(LogLevel l) {
        return l != LOG_LEVEL_QUIET && l <= log_level;
}

static int syslog_priority(LogLevel l) {
        switch (l) {
        case LOG_LEVEL_FATAL:
                return LOG_CRIT;
        case LOG_LEVEL_ERROR:
                return LOG_ERR;
        case LOG_LEVEL_INFO:
        case LOG_LEVEL_QUIET:
                return LOG_INFO;
        case LOG_LEVEL_VERBOSE:
                return LOG_INFO;
        case LOG_LEVEL_DEBUG1:
        case LOG_LEVEL_DEBUG2:
        case LOG_LEVEL_DEBUG3:
        case _LOG_LEVEL_MAX:
        case _LOG_LEVEL_INVALID:
        default:
                return LOG_DEBUG;
        }
}

void log_fieldsv(LogLevel l, const LogFields *fields, const char *fmt, va_list ap) {
        if (!log_would_log(l))
                return;

        int saved_errno = errno;
        char line[2048];
        int n = vsnprintf(line, sizeof line, fmt, ap);
        if (n < 0)
                goto out;
        /* Control characters in a line (user names, commands) must not forge further log lines. */
        for (char *p = line; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        *p = '?';
        if (log_suffix)
                strncat(line, log_suffix, sizeof line - strlen(line) - 1);

        switch (log_target) {
        case LOG_TARGET_JOURNAL:
                if (log_journal_sink) {
                        log_journal_sink(syslog_priority(l), line, fields, log_context);
                        break;
                }
                _fallthrough_;
        case LOG_TARGET_SYSLOG:
                syslog(syslog_priority(l), "%s", line);
                break;
        case LOG_TARGET_CALLBACK:
                if (log_cb) {
                        log_cb(l, line, log_cb_userdata);
                        break;
                }
                _fallthrough_;
        case LOG_TARGET_STDERR:
                dprintf(STDERR_FILENO, "%s\n", line);
                break;
        case LOG_TARGET_FILE: {
                char stamp[64];
                time_t t = time(NULL);
                struct tm tm;
                if (!localtime_r(&t, &tm) || strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm) == 0)
                        stamp[0] = '\0';
                dprintf(log_file_fd, "%s %s[%d]: %s\n", stamp, log_ident, (int) getpid(), line);
                break;
        }
        default:
                break;
        }
out:
        errno = saved_errno;
}

void log_internalv(LogLevel l, const char *fmt, va_list ap) {
        log_fieldsv(l, NULL, fmt, ap);
}

void log_fields(LogLevel l, const LogFields *fields, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_fieldsv(l, fields, fmt, ap);
        va_end(ap);
}

void log_internal(LogLevel l, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_internalv(l, fmt, ap);
        va_end(ap);
}
