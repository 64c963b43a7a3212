#pragma once
/*
 * The journal as a log target: the same line as syslog gets, plus structured fields
 * (SYSLOG_IDENTIFIER=privsshd, MESSAGE_ID per kind of event, PRIVSSHD_USER, PRIVSSHD_REMOTE_ADDR,
 * PRIVSSHD_REMOTE_PORT, PRIVSSHD_AUTH_METHOD, PRIVSSHD_KEY_FINGERPRINT, PRIVSSHD_SESSION, ...), so that
 * fail2ban's journal backend matches the unchanged text and operators can filter by field. Only the
 * monitor and the listener link libsystemd; the worker's lines reach the journal through its monitor.
 */

#include <stdbool.h>

/* Stable identifiers of the events (journalctl MESSAGE_ID=...): never change one once released. */
#define LOG_MESSAGE_ID_ACCEPTED         "c7b2a8b1e46b4e558718bb7e098f870b"     /* Accepted <method> for */
#define LOG_MESSAGE_ID_FAILED           "e9969433f8ec42b6849e27dc5ae69763"     /* Failed <method> for */
#define LOG_MESSAGE_ID_INVALID_USER     "9447fc80ccce4bc1abf0e3b9d79e5ad3"     /* Invalid user */
#define LOG_MESSAGE_ID_MAX_TRIES        "26a1182557d64883812b7bceabd29114"     /* maximum authentication ... */
#define LOG_MESSAGE_ID_ROOT_REFUSED     "81a44db139bd491ba7376b7a4fd6d3c9"     /* ROOT LOGIN REFUSED */
#define LOG_MESSAGE_ID_DISCONNECTED     "ac7ffacb7fd94c7aa9532ab4778f0d80"     /* Disconnected from user */
#define LOG_MESSAGE_ID_CLOSED_PREAUTH   "23e2d3d1a29e450983ad102e98912b11"     /* Connection closed ... [preauth] */
#define LOG_MESSAGE_ID_SESSION_OPENED   "43683743abc94cd3a60b5b1cfec1f71c"     /* Starting session: */
#define LOG_MESSAGE_ID_SESSION_CLOSED   "d644dbbb12684b79b86ed70b59a2a7cb"     /* Close session: */

/* Whether journald listens on this machine (its native socket exists and is writable). */
bool log_journal_available(void);
/* Makes the journal the log target. */
void log_open_journal(void);
/* Gives the connection a fresh random PRIVSSHD_SESSION identifier (32 hex digits). */
int log_new_session_id(void);
