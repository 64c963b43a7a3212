/* See login-record.h. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <lastlog.h>
#include <paths.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utmp.h>
#include <utmpx.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "monitor/login-record.h"

#ifndef _PATH_BTMP
#define _PATH_BTMP "/var/log/btmp"
#endif
#ifndef _PATH_LASTLOG
#define _PATH_LASTLOG "/var/log/lastlog"
#endif

static LoginRecordPaths paths;

/* utmp fields are fixed-size and need no terminating NUL when full. */
static void copy_field(char *dst, size_t size, const char *src) {
        size_t n = strnlen(src, size);
        memset(dst, 0, size);
        memcpy(dst, src, n);
}
#define COPY_FIELD(dst, src) copy_field((dst), sizeof(dst), (src))

void login_record_set_paths(const LoginRecordPaths *p) {
        paths = p ? *p : (LoginRecordPaths) {};
}

static const char *utmp_path(void) {
        return paths.utmp ?: _PATH_UTMP;
}
static const char *wtmp_path(void) {
        return paths.wtmp ?: _PATH_WTMP;
}
static const char *btmp_path(void) {
        return paths.btmp ?: _PATH_BTMP;
}
static const char *lastlog_path(void) {
        return paths.lastlog ?: _PATH_LASTLOG;
}

/* "/dev/pts/3" -> "pts/3" (ut_line), as login(1) and OpenSSH write it. */
static const char *tty_line(const char *tty) {
        return strncmp(tty, "/dev/", 5) == 0 ? tty + 5 : tty;
}

/* ut_id: the last four characters of the line ("ts/3"), as OpenSSH's line_abbrevname. */
static void tty_id(const char *line, char id[4]) {
        size_t n = strlen(line);
        const char *p = n > sizeof ((struct utmpx *) 0)->ut_id ? line + n - 4 : line;
        copy_field(id, 4, p);
}

static void set_host(struct utmpx *u, const char *host) {
        if (!host)
                return;
        COPY_FIELD(u->ut_host, host);
        struct in6_addr a6;
        struct in_addr a4;
        if (inet_pton(AF_INET, host, &a4) == 1)
                memcpy(u->ut_addr_v6, &a4, sizeof a4);
        else if (inet_pton(AF_INET6, host, &a6) == 1)
                memcpy(u->ut_addr_v6, &a6, sizeof a6);
}

static void set_now(struct utmpx *u) {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        u->ut_tv.tv_sec = (int32_t) tv.tv_sec;
        u->ut_tv.tv_usec = (int32_t) tv.tv_usec;
}

/* Write u to utmp (replacing the entry with the same ut_id) and append it to wtmp. */
static int write_utmp_wtmp(const struct utmpx *u) {
        int r = 0;
        if (utmpxname(utmp_path()) < 0) {
                r = -ENOMEM;
        } else {
                setutxent();
                if (!pututxline(u)) {
                        r = -errno;
                        log_error("login records: cannot write %s: %s", utmp_path(), strerror(errno));
                }
                endutxent();
        }
        /* updwtmpx appends; it does not create the file (as login(1) and OpenSSH expect it to exist). */
        updwtmpx(wtmp_path(), u);
        return r;
}

int login_record_login(const LoginRecord *r) {
        if (!r || !r->tty || !r->user)
                return -EINVAL;
        struct utmpx u = { .ut_type = USER_PROCESS, .ut_pid = r->pid };
        const char *line = tty_line(r->tty);
        COPY_FIELD(u.ut_line, line);
        tty_id(line, u.ut_id);
        COPY_FIELD(u.ut_user, r->user);
        set_host(&u, r->host);
        u.ut_session = r->pid;          /* the leader called setsid(): its pid is the session id */
        set_now(&u);
        int ret = write_utmp_wtmp(&u);

        /* lastlog: one record per uid at uid * sizeof(struct lastlog), in a sparse file. OpenSSH
         * does not create the file when it is missing, and neither do we. */
        struct lastlog ll = { .ll_time = u.ut_tv.tv_sec };
        COPY_FIELD(ll.ll_line, line);
        if (r->host)
                COPY_FIELD(ll.ll_host, r->host);
        _cleanup_close_ int fd = open(lastlog_path(), O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0) {
                if (errno != ENOENT)
                        log_error("login records: cannot open %s: %m", lastlog_path());
                else
                        log_debug("login records: %s does not exist; not written", lastlog_path());
        } else if (pwrite(fd, &ll, sizeof ll, (off_t) r->uid * (off_t) sizeof ll) != (ssize_t) sizeof ll) {
                log_error("login records: cannot write %s: %m", lastlog_path());
        }
        return ret;
}

int login_record_logout(const LoginRecord *r) {
        if (!r || !r->tty)
                return -EINVAL;
        /* As logout(3): the entry becomes DEAD_PROCESS with user and host cleared. */
        struct utmpx u = { .ut_type = DEAD_PROCESS, .ut_pid = r->pid };
        const char *line = tty_line(r->tty);
        COPY_FIELD(u.ut_line, line);
        tty_id(line, u.ut_id);
        set_now(&u);
        return write_utmp_wtmp(&u);
}

int login_record_failed(const char *user, const char *host) {
        /* As OpenSSH's record_failed_login: only to an existing btmp, line "ssh:notty". */
        struct stat st;
        if (stat(btmp_path(), &st) < 0) {
                log_debug("login records: %s does not exist; failed login not recorded", btmp_path());
                return 0;
        }
        struct utmpx u = { .ut_type = LOGIN_PROCESS, .ut_pid = getpid() };
        COPY_FIELD(u.ut_line, "ssh:notty");
        COPY_FIELD(u.ut_user, user ?: "");
        set_host(&u, host);
        set_now(&u);
        updwtmpx(btmp_path(), &u);
        return 0;
}

int lastlog_previous_message(uid_t uid, char **ret) {
        *ret = NULL;
        _cleanup_close_ int fd = open(lastlog_path(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        struct lastlog ll = {};
        ssize_t n = pread(fd, &ll, sizeof ll, (off_t) uid * (off_t) sizeof ll);
        if (n < 0)
                return -errno;
        if (n != (ssize_t) sizeof ll || ll.ll_time == 0)
                return 0;       /* never logged in (or a hole in the sparse file) */

        time_t t = ll.ll_time;
        struct tm tm;
        char when[64];
        if (!localtime_r(&t, &tm) || strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm) == 0)
                return 0;
        char host[sizeof ll.ll_host + 1];
        memcpy(host, ll.ll_host, sizeof ll.ll_host);
        host[sizeof ll.ll_host] = 0;
        int k = host[0] ? asprintf(ret, "Last login: %s from %s\n", when, host) :
                          asprintf(ret, "Last login: %s\n", when);
        if (k < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}
