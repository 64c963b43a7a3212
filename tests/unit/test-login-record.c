/* Login records (monitor/login-record.c) written to files in a temporary directory and read back. */

#include <errno.h>
#include <fcntl.h>
#include <lastlog.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utmpx.h>
#include <arpa/inet.h>

#include "common/macro.h"
#include "monitor/login-record.h"
#include "test-helpers.h"

static char dir[] = "/tmp/privsshd-login-record-XXXXXX";
static char utmp[128], wtmp[128], btmp[128], lastlog[128];

static void touch(const char *path) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0)
                close(fd);
}

/* The entries of a utmp-format file. */
static size_t read_entries(const char *path, struct utmpx *out, size_t max) {
        size_t n = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        while (n < max && read(fd, &out[n], sizeof out[n]) == (ssize_t) sizeof out[n])
                n++;
        close(fd);
        return n;
}

int main(void) {
        if (!mkdtemp(dir)) {
                printf("not ok - mkdtemp: %s\n", strerror(errno));
                return 1;
        }
        snprintf(utmp, sizeof utmp, "%s/utmp", dir);
        snprintf(wtmp, sizeof wtmp, "%s/wtmp", dir);
        snprintf(btmp, sizeof btmp, "%s/btmp", dir);
        snprintf(lastlog, sizeof lastlog, "%s/lastlog", dir);
        touch(utmp);
        touch(wtmp);
        touch(lastlog);
        login_record_set_paths(&(LoginRecordPaths) { utmp, wtmp, btmp, lastlog });

        char *msg = (char *) "unset";
        CHECK(lastlog_previous_message(1000, &msg) == 0 && msg == NULL, "no previous login: no message");

        LoginRecord r = { .user = "alice", .uid = 1000, .tty = "/dev/pts/7", .pid = getpid(), .host = "192.0.2.5" };
        CHECK(login_record_login(&r) == 0, "login recorded");

        struct utmpx e[8];
        size_t n = read_entries(utmp, e, 8);
        CHECK(n == 1 && e[0].ut_type == USER_PROCESS && streq(e[0].ut_line, "pts/7") &&
              strneq(e[0].ut_user, "alice", sizeof e[0].ut_user) && strneq(e[0].ut_host, "192.0.2.5", 10) &&
              e[0].ut_pid == getpid() && (uint32_t) e[0].ut_addr_v6[0] == htonl(0xc0000205u),
              "utmp: USER_PROCESS alice on pts/7 from 192.0.2.5 with the address (n=%zu)", n);
        n = read_entries(wtmp, e, 8);
        CHECK(n == 1 && e[0].ut_type == USER_PROCESS && strneq(e[0].ut_user, "alice", 6), "wtmp: one login entry");

        struct lastlog ll = {};
        int fd = open(lastlog, O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0 && pread(fd, &ll, sizeof ll, 1000 * (off_t) sizeof ll) == (ssize_t) sizeof ll &&
              ll.ll_time != 0 && strneq(ll.ll_line, "pts/7", 6) && strneq(ll.ll_host, "192.0.2.5", 10),
              "lastlog: the record is at uid 1000's offset");
        if (fd >= 0)
                close(fd);
        CHECK(lastlog_previous_message(1000, &msg) == 0 && msg && strneq(msg, "Last login: ", 12) &&
              strstr(msg, " from 192.0.2.5\n"), "the next login reads \"Last login: ... from 192.0.2.5\" (%s)",
              msg ?: "(null)");
        free(msg);
        CHECK(lastlog_previous_message(999, &msg) == 0 && msg == NULL, "another uid has no record");

        CHECK(login_record_logout(&r) == 0, "logout recorded");
        n = read_entries(utmp, e, 8);
        CHECK(n == 1 && e[0].ut_type == DEAD_PROCESS && streq(e[0].ut_line, "pts/7") && e[0].ut_user[0] == 0,
              "utmp: the same entry is now DEAD_PROCESS without a user");
        n = read_entries(wtmp, e, 8);
        CHECK(n == 2 && e[1].ut_type == DEAD_PROCESS && streq(e[1].ut_line, "pts/7"), "wtmp: a logout entry follows");

        /* IPv6, and a uid whose offset is far beyond 4 GiB (a sparse file). */
        LoginRecord r6 = { .user = "bob", .uid = 4000000000u, .tty = "/dev/pts/12", .pid = getpid(), .host = "2001:db8::1" };
        CHECK(login_record_login(&r6) == 0, "login from IPv6 with a large uid");
        n = read_entries(utmp, e, 8);
        CHECK(n == 2 && e[1].ut_type == USER_PROCESS && (uint32_t) e[1].ut_addr_v6[0] == htonl(0x20010db8u) &&
              strneq(e[1].ut_line, "pts/12", 7), "utmp: a second entry with the IPv6 address");
        CHECK(lastlog_previous_message(4000000000u, &msg) == 0 && msg && strstr(msg, "from 2001:db8::1"),
              "lastlog at uid 4000000000");
        free(msg);

        /* btmp: only when the file exists, as OpenSSH. */
        CHECK(login_record_failed("mallory", "198.51.100.9") == 0 && access(btmp, F_OK) < 0,
              "no btmp file: nothing is created");
        touch(btmp);
        CHECK(login_record_failed("mallory", "198.51.100.9") == 0, "failed login recorded");
        n = read_entries(btmp, e, 8);
        CHECK(n == 1 && strneq(e[0].ut_user, "mallory", 8) && streq(e[0].ut_line, "ssh:notty") &&
              strneq(e[0].ut_host, "198.51.100.9", 13), "btmp: mallory on ssh:notty from 198.51.100.9");

        unlink(utmp);
        unlink(wtmp);
        unlink(btmp);
        unlink(lastlog);
        rmdir(dir);
        return test_summary();
}
