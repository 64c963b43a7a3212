#pragma once
/*
 * Login records for terminal sessions, written by the monitor as OpenSSH's sshd writes them on
 * Debian: utmp (USER_PROCESS at login, DEAD_PROCESS at logout) so that who(1) sees the session,
 * wtmp entries for both so that last(1) shows it with its end, lastlog for "Last login", and btmp
 * for failed logins (lastb). Failures are logged and never stop a login.
 */

#include <sys/types.h>

typedef struct LoginRecord {
        const char *user;       /* login name (login only) */
        uid_t uid;              /* (login only) */
        const char *tty;        /* "/dev/pts/3" */
        pid_t pid;              /* the session leader */
        const char *host;       /* the peer's address as text (login only) */
} LoginRecord;

/* The files; NULL members mean the system's (_PATH_UTMP, _PATH_WTMP, _PATH_BTMP, _PATH_LASTLOG).
 * For tests. */
typedef struct LoginRecordPaths {
        const char *utmp, *wtmp, *btmp, *lastlog;
} LoginRecordPaths;
void login_record_set_paths(const LoginRecordPaths *p);

int login_record_login(const LoginRecord *r);
int login_record_logout(const LoginRecord *r);
int login_record_failed(const char *user, const char *host);

/* "Last login: Sun Nov 22 12:00:00 2026 from 192.0.2.1\n" for the previous login of uid (read before
 * login_record_login replaces it); *ret = NULL when there is none. */
int lastlog_previous_message(uid_t uid, char **ret);
