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
} LogTarget;

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

bool log_would_log(LogLevel l);
void log_internal(LogLevel l, const char *fmt, ...) _printf_(2, 3);
void log_internalv(LogLevel l, const char *fmt, va_list ap) _printf_(2, 0);

#define log_error(...)   log_internal(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_info(...)    log_internal(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_verbose(...) log_internal(LOG_LEVEL_VERBOSE, __VA_ARGS__)
#define log_debug(...)   log_internal(LOG_LEVEL_DEBUG1, __VA_ARGS__)
#define log_debug2(...)  log_internal(LOG_LEVEL_DEBUG2, __VA_ARGS__)
#define log_debug3(...)  log_internal(LOG_LEVEL_DEBUG3, __VA_ARGS__)

/* Log at `l` and return `r` (a negative errno), for "log once, at the edge". */
#define log_error_errno(r, ...) ({ log_error(__VA_ARGS__); (r); })
