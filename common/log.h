#pragma once
/*
 * Logging: one process-wide target (stderr, syslog under facility AUTH, or an append-only file) and
 * OpenSSH's LogLevel names. Authentication lines are worded exactly as OpenSSH's, so fail2ban's stock
 * sshd filter matches them; those wordings live in monitor/auth-log.c, not here.
 */

#include <stdarg.h>
#include <stdbool.h>

#include "common/macro.h"

typedef enum LogLevel {
        LOG_LEVEL_QUIET,
        LOG_LEVEL_FATAL,
        LOG_LEVEL_ERROR,
        LOG_LEVEL_INFO,
        LOG_LEVEL_VERBOSE,
        LOG_LEVEL_DEBUG1,
        LOG_LEVEL_DEBUG2,
        LOG_LEVEL_DEBUG3,
        _LOG_LEVEL_MAX,
        _LOG_LEVEL_INVALID = -1,
} LogLevel;

#define LOG_LEVEL_DEBUG LOG_LEVEL_DEBUG1

typedef enum LogTarget {
        LOG_TARGET_STDERR,
        LOG_TARGET_SYSLOG,
        LOG_TARGET_FILE,
        LOG_TARGET_CALLBACK,    /* the worker: lines go to the monitor over IPC */
        LOG_TARGET_JOURNAL,     /* the monitor and listener under systemd: lines with fields (log_open_journal) */
} LogTarget;

/* What the process knows of its connection: sent with every line as journal fields (PRIVSSHD_USER, ...).
 * Other targets print the line alone, as OpenSSH's text says it all. */
typedef enum LogContextField {
        LOG_CONTEXT_USER,               /* the user asked for (maybe an invalid one), once known */
        LOG_CONTEXT_REMOTE_ADDR,
        LOG_CONTEXT_REMOTE_PORT,
        LOG_CONTEXT_SESSION,            /* one random identifier per connection: all its lines */
        _LOG_CONTEXT_MAX,
} LogContextField;

/* What one line is about, beyond its text: NULL members are left out. */
typedef struct LogFields {
        const char *message_id;         /* a LOG_MESSAGE_ID_* of monitor/log-journal.h: the kind of event */
        const char *auth_method;
        const char *key_fingerprint;
        const char *channel;            /* the session channel's id, as in "id 0" */
        bool from_worker;               /* the worker's (untrusted) words */
} LogFields;

/* Where LOG_TARGET_JOURNAL lines go: set by the journal module, which alone links libsystemd. `line` is
 * the text every other target gets; `priority` its syslog priority. */
typedef void (*LogJournalSink)(int priority, const char *line, const LogFields *fields,
                               const char *const context[_LOG_CONTEXT_MAX]);

const char *log_level_to_string(LogLevel l);     /* "INFO", "DEBUG1", ... */
LogLevel log_level_from_string(const char *s);    /* case-insensitive; "DEBUG" = DEBUG1 */

void log_set_level(LogLevel l);
LogLevel log_get_level(void);
void log_set_ident(const char *ident);            /* syslog ident, default "privsshd" */
/* Suffix appended to every line, e.g. " [preauth]"; NULL for none. Not copied. */
void log_set_suffix(const char *suffix);
int log_open_stderr(void);
int log_open_syslog(void);
int log_open_file(const char *path);              /* -E: append */
LogTarget log_get_target(void);                   /* where this process logs now */
void log_set_callback(void (*cb)(LogLevel level, const char *line, void *userdata), void *userdata);
void log_set_journal_sink(LogJournalSink sink);  /* and makes the journal the target; NULL: stderr */
/* Copied (truncated to 255 bytes); NULL clears. */
void log_set_context(LogContextField f, const char *value);

bool log_would_log(LogLevel l);
void log_internal(LogLevel l, const char *fmt, ...) _printf_(2, 3);
void log_internalv(LogLevel l, const char *fmt, va_list ap) _printf_(2, 0);
/* A line with fields for the journal; the same text as log_internal() everywhere else. */
void log_fields(LogLevel l, const LogFields *fields, const char *fmt, ...) _printf_(3, 4);
void log_fieldsv(LogLevel l, const LogFields *fields, const char *fmt, va_list ap) _printf_(3, 0);

#define log_error(...)   log_internal(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_info(...)    log_internal(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_verbose(...) log_internal(LOG_LEVEL_VERBOSE, __VA_ARGS__)
#define log_debug(...)   log_internal(LOG_LEVEL_DEBUG1, __VA_ARGS__)
#define log_debug2(...)  log_internal(LOG_LEVEL_DEBUG2, __VA_ARGS__)
#define log_debug3(...)  log_internal(LOG_LEVEL_DEBUG3, __VA_ARGS__)

/* Log at `l` and return `r` (a negative errno), for "log once, at the edge". */
#define log_error_errno(r, ...) ({ log_error(__VA_ARGS__); (r); })
