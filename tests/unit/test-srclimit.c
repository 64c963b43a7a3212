/*
 * Admission control (monitor/srclimit.c) and the address helpers it uses (common/net-addr.c), run
 * on the unit's own clock: random early drop as a function, per-source counting with netblocks,
 * penalties that accumulate, activate past min, cap at max, expire, skip exempt sources and
 * overflow as configured, and the exit statuses that decide a penalty. Fds: the startup pipes are
 * real pipes, and none may leak.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/net-addr.h"
#include "monitor/srclimit.h"
#include "test-helpers.h"

#define SEC 1000000ull

static NetAddr addr(const char *s) {
        NetAddr a = {};
        if (net_addr_from_string(s, &a) < 0)
                printf("# bad test address %s\n", s);
        return a;
}

static void test_net_addr(void) {
        NetAddr a = addr("192.0.2.77"), b;
        char buf[NET_ADDR_STRLEN];
        CHECK(a.family == AF_INET && streq(net_addr_to_string(&a, buf, sizeof buf), "192.0.2.77"), "IPv4 parses");
        CHECK(net_addr_from_string("::ffff:192.0.2.77", &b) == 0 && net_addr_equal(&a, &b),
              "an IPv4-mapped IPv6 address is the IPv4 address");
        CHECK(net_addr_from_string("192.0.2.256", &b) == -EINVAL && net_addr_from_string("", &b) == -EINVAL,
              "malformed addresses are refused");
        NetAddr m = net_addr_masked(&a, 20);
        CHECK(streq(net_addr_to_string(&m, buf, sizeof buf), "192.0.0.0"), "masked to /20: 192.0.0.0 (%s)", buf);
        NetAddr v6 = addr("2001:db8:1:2:3:4:5:6");
        m = net_addr_masked(&v6, 56);
        CHECK(streq(net_addr_to_string(&m, buf, sizeof buf), "2001:db8:1::"), "IPv6 /56 (%s)", buf);
        CHECK(net_addr_match_list(&a, "10.0.0.0/8,192.0.2.0/24") == 1, "list: 192.0.2.0/24 matches");
        CHECK(net_addr_match_list(&a, "192.0.2.0/24,!192.0.2.77") == -1, "list: a negated entry wins");
        CHECK(net_addr_match_list(&a, "10.0.0.0/8,2001:db8::/32") == 0, "list: nothing matches");
        CHECK(net_addr_match_list(&v6, "2001:db8::/32") == 1, "list: an IPv6 prefix");
        CHECK(net_addr_match_list(&a, "192.0.2.0/24,bogus") == -EINVAL &&
              net_addr_match_list(&a, "10.0.0.0/33") == -EINVAL && net_addr_match_list(&a, "a,,b") == -EINVAL,
              "list: any malformed entry makes the list malformed");
        CHECK(net_addr_match_list(&a, NULL) == 0, "no list matches nothing");
}

static void test_early_drop(void) {
        MaxStartups m = { .begin = 10, .rate = 30, .full = 100 };
        bool below = false, full = true;
        for (unsigned r = 0; r < 100; r++) {
                below = below || srclimit_early_drop(&m, 9, r);
                full = full && srclimit_early_drop(&m, 100, r);
        }
        CHECK(!below, "below start nothing is dropped");
        CHECK(full, "at full everything is dropped");
        unsigned at_begin = 0, halfway = 0;
        for (unsigned r = 0; r < 100; r++) {
                at_begin += srclimit_early_drop(&m, 10, r);
                halfway += srclimit_early_drop(&m, 55, r);
        }
        CHECK(at_begin == 30, "at start, rate %% of the random numbers drop (%u)", at_begin);
        CHECK(halfway == 65, "halfway to full, 65 %% (%u)", halfway);
        MaxStartups one = { .begin = 3, .rate = 100, .full = 3 };
        CHECK(!srclimit_early_drop(&one, 2, 99) && srclimit_early_drop(&one, 3, 0), "MaxStartups 3: a hard limit");
}

static void test_per_source(void) {
        Config c;
        config_init(&c);
        c.max_startups = (MaxStartups) { 100, 30, 200 };
        c.per_source_max_startups = 2;
        c.per_source_net_block_size = (NetBlockSize) { 24, 64 };
        SrcLimit *s;
        int fd_before = lowest_free_fd();
        CHECK(srclimit_new(&c, &s) == 0, "srclimit_new");
        NetAddr a1 = addr("198.51.100.1"), a2 = addr("198.51.100.2"), b = addr("203.0.113.9");
        int p[2][2];
        CHECK(pipe2(p[0], O_CLOEXEC | O_NONBLOCK) == 0 && pipe2(p[1], O_CLOEXEC | O_NONBLOCK) == 0,
              "two startup pipes");
        CHECK(srclimit_admit(s, &a1, "[198.51.100.1]:1 on [192.0.2.1]:22", 0), "first from 198.51.100.0/24");
        srclimit_child_add(s, 101, p[0][0], &a1);
        CHECK(srclimit_admit(s, &a2, "[198.51.100.2]:1 on [192.0.2.1]:22", 0), "second from the same /24");
        srclimit_child_add(s, 102, p[1][0], &a2);
        CHECK(!srclimit_admit(s, &a1, "[198.51.100.1]:2 on [192.0.2.1]:22", 0),
              "a third from 198.51.100.0/24 is refused (PerSourceMaxStartups 2, PerSourceNetBlockSize 24)");
        CHECK(srclimit_admit(s, &b, "[203.0.113.9]:1 on [192.0.2.1]:22", 0), "another source is admitted");
        CHECK(srclimit_startups(s) == 2 && srclimit_children(s) == 2, "2 startups, 2 children");

        /* Child 101 authenticates: it writes its byte on the pipe. */
        char one = SRCLIMIT_STARTUP_AUTHENTICATED;
        CHECK(write(p[0][1], &one, 1) == 1, "monitor 101 says authenticated");
        struct pollfd pf[4];
        size_t n = srclimit_poll_fill(s, pf, ELEMENTSOF(pf));
        CHECK(n == 2, "two pipes to poll");
        CHECK(poll(pf, n, 1000) == 1, "one is readable");
        srclimit_poll_handle(s, pf, n);
        CHECK(srclimit_startups(s) == 1 && srclimit_children(s) == 2, "authenticated: 1 startup, still 2 children");
        CHECK(srclimit_admit(s, &a1, "[198.51.100.1]:3 on [192.0.2.1]:22", 0), "so the /24 may start one more");

        /* Then its session figures: 1, 3 (the latest counts), for STATUS=. */
        uint8_t figures[] = { 1, 3 };
        CHECK(write(p[0][1], figures, sizeof figures) == 2, "monitor 101 reports its sessions");
        n = srclimit_poll_fill(s, pf, ELEMENTSOF(pf));
        CHECK(n == 2 && poll(pf, n, 1000) == 1, "its pipe is still polled after authentication");
        srclimit_poll_handle(s, pf, n);
        CHECK(srclimit_sessions(s) == 3, "3 sessions open");

        /* Child 102 closes its pipe (exiting) and is reaped with a failed-authentication status. */
        close(p[1][1]);
        n = srclimit_poll_fill(s, pf, ELEMENTSOF(pf));
        CHECK(n == 2 && poll(pf, n, 1000) == 1, "the other pipe reports EOF");
        srclimit_poll_handle(s, pf, n);
        CHECK(srclimit_startups(s) == 1, "a closed pipe still counts until the child is reaped");
        srclimit_child_exited(s, 102, MONITOR_EXIT_AUTH_ATTEMPTED << 8, 0);
        srclimit_child_exited(s, 101, 0, 0);
        CHECK(srclimit_startups(s) == 0 && srclimit_children(s) == 0, "both reaped");
        CHECK(srclimit_sessions(s) == 0, "and their sessions no longer count");
        close(p[0][1]);

        /* Reaped before its byte was read: an authenticated monitor is not penalised whatever its
         * status; one that never authenticated is (noauth:60 here, so active at once). */
        c.per_source_penalties.noauth = 60;
        NetAddr d = addr("192.0.2.50"), e = addr("203.0.113.60");     /* different /24s */
        CHECK(pipe2(p[0], O_CLOEXEC | O_NONBLOCK) == 0 && pipe2(p[1], O_CLOEXEC | O_NONBLOCK) == 0,
              "two more pipes");
        srclimit_child_add(s, 201, p[0][0], &d);
        srclimit_child_add(s, 202, p[1][0], &e);
        CHECK(write(p[0][1], &one, 1) == 1, "monitor 201 says authenticated, then exits at once");
        close(p[0][1]);
        close(p[1][1]);
        srclimit_child_exited(s, 201, 255 << 8, 0);
        srclimit_child_exited(s, 202, 255 << 8, 0);
        CHECK(!srclimit_penalty_check(s, &d, 0), "the authenticated one earns no penalty");
        CHECK(srclimit_penalty_check(s, &e, 0), "the other one earns noauth (control)");
        CHECK(srclimit_startups(s) == 0 && srclimit_children(s) == 0, "both reaped");
        srclimit_free(s);
        CHECK(lowest_free_fd() == fd_before, "no descriptor leaked");
        config_done(&c);
}

static void test_penalties(void) {
        Config c;
        config_init(&c);        /* crash:90 authfail:5 noauth:1 grace-exceeded:10 max:600 min:15 */
        SrcLimit *s;
        srclimit_new(&c, &s);
        NetAddr a = addr("192.0.2.10");
        uint64_t t = 1000 * SEC;

        srclimit_penalise(s, &a, SRCLIMIT_PENALTY_AUTHFAIL, t);
        CHECK(!srclimit_penalty_check(s, &a, t), "5 s of authfail is below min 15: deferred, not refused");
        for (int i = 0; i < 3; i++)
                srclimit_penalise(s, &a, SRCLIMIT_PENALTY_AUTHFAIL, t);
        const char *why = srclimit_penalty_check(s, &a, t);
        CHECK(why && streq(why, "penalty: failed authentication"), "20 s accumulated: refused (%s)", why ?: "-");
        CHECK(!srclimit_penalty_check(s, &a, t + 21 * SEC), "expired after 20 s");

        srclimit_penalise(s, &a, SRCLIMIT_PENALTY_CRASH, t);
        why = srclimit_penalty_check(s, &a, t);
        CHECK(why && streq(why, "penalty: caused crash"), "a crash is 90 s at once (%s)", why ?: "-");
        for (int i = 0; i < 20; i++)
                srclimit_penalise(s, &a, SRCLIMIT_PENALTY_CRASH, t);
        CHECK(srclimit_penalty_check(s, &a, t + 599 * SEC) && !srclimit_penalty_check(s, &a, t + 601 * SEC),
              "penalties accumulate up to max 600 s");

        NetAddr other = addr("192.0.2.11");
        CHECK(!srclimit_penalty_check(s, &other, t), "a neighbour in another /32 is not refused");
        srclimit_free(s);

        /* Exempt list, netblock, penalties off. */
        free(c.per_source_penalty_exempt);
        c.per_source_penalty_exempt = strdup("192.0.2.0/24,!192.0.2.99");
        c.per_source_net_block_size.ipv6 = 64;
        srclimit_new(&c, &s);
        srclimit_penalise(s, &a, SRCLIMIT_PENALTY_CRASH, t);
        CHECK(!srclimit_penalty_check(s, &a, t), "an exempt source is never penalised");
        NetAddr neg = addr("192.0.2.99");
        srclimit_penalise(s, &neg, SRCLIMIT_PENALTY_CRASH, t);
        CHECK(srclimit_penalty_check(s, &neg, t), "a negated entry is not exempt");
        NetAddr v6a = addr("2001:db8::1"), v6b = addr("2001:db8::ffff:2");
        srclimit_penalise(s, &v6a, SRCLIMIT_PENALTY_CRASH, t);
        CHECK(srclimit_penalty_check(s, &v6b, t), "the whole IPv6 /64 is one source");
        CHECK(!srclimit_admit(s, &v6b, "[2001:db8::ffff:2]:1 on [::1]:22", t), "and its connections are dropped");
        srclimit_free(s);

        c.per_source_penalties.enabled = false;
        srclimit_new(&c, &s);
        srclimit_penalise(s, &neg, SRCLIMIT_PENALTY_CRASH, t);
        CHECK(!srclimit_penalty_check(s, &neg, t), "PerSourcePenalties no: nothing is penalised");
        srclimit_free(s);

        /* Overflow: permissive forgets the soonest to expire; deny-all refuses every IPv4 source. */
        c.per_source_penalties.enabled = true;
        c.per_source_penalties.max_sources4 = 2;
        srclimit_new(&c, &s);
        NetAddr x = addr("198.51.100.1"), y = addr("198.51.100.2"), z = addr("198.51.100.3");
        srclimit_penalise(s, &x, SRCLIMIT_PENALTY_CRASH, t);
        srclimit_penalise(s, &y, SRCLIMIT_PENALTY_CRASH, t + SEC);
        srclimit_penalise(s, &z, SRCLIMIT_PENALTY_CRASH, t + 2 * SEC);
        CHECK(!srclimit_penalty_check(s, &x, t + 2 * SEC) && srclimit_penalty_check(s, &y, t + 2 * SEC) &&
              srclimit_penalty_check(s, &z, t + 2 * SEC), "overflow:permissive forgets the oldest penalty");
        srclimit_free(s);
        c.per_source_penalties.overflow_deny_all = true;
        srclimit_new(&c, &s);
        srclimit_penalise(s, &x, SRCLIMIT_PENALTY_CRASH, t);
        srclimit_penalise(s, &y, SRCLIMIT_PENALTY_CRASH, t);
        why = srclimit_penalty_check(s, &z, t);
        CHECK(why && streq(why, "too many penalised addresses"), "overflow:deny-all refuses everybody (%s)",
              why ?: "-");
        srclimit_free(s);
        config_done(&c);
}

typedef struct LogCount {
        unsigned drops, summaries;
        char last_summary[256];
} LogCount;

static void count_lines(LogLevel level, const char *line, void *userdata) {
        LogCount *n = userdata;
        if (level <= LOG_LEVEL_INFO && strneq(line, "drop connection #", 17))
                n->drops++;
        if (strstr(line, "logging rate-limited")) {
                n->summaries++;
                snprintf(n->last_summary, sizeof n->last_summary, "%s", line);
        }
}

static void test_penalty_log_rate(void) {
        Config c;
        config_init(&c);
        SrcLimit *s;
        srclimit_new(&c, &s);
        NetAddr a = addr("192.0.2.10");
        uint64_t t = 1000 * SEC;
        LogCount n = {};
        log_set_level(LOG_LEVEL_INFO);
        log_set_callback(count_lines, &n);

        srclimit_penalise(s, &a, SRCLIMIT_PENALTY_CRASH, t);
        unsigned refused = 0;
        for (int i = 0; i < 100; i++)
                refused += !srclimit_admit(s, &a, "[192.0.2.10]:1 on [192.0.2.1]:22", t);
        CHECK(refused == 100, "a source with an active crash penalty is refused 100 times (%u)", refused);
        CHECK(n.drops == 8, "100 refusals in one second: 8 drop lines at INFO, the rest rate-limited (%u)",
              n.drops);
        CHECK(n.summaries == 0, "no summary yet");
        CHECK(!srclimit_admit(s, &a, "[192.0.2.10]:1 on [192.0.2.1]:22", t + 80 * SEC), "80 s later: refused");
        CHECK(n.drops == 9 && n.summaries == 1 &&
              streq(n.last_summary, "PerSourcePenalties logging rate-limited: additional 92 connections dropped"),
              "quiet again: the drop is logged, after OpenSSH's summary (%s)", n.last_summary);

        log_set_callback(NULL, NULL);
        log_set_level(LOG_LEVEL_QUIET);
        srclimit_free(s);
        config_done(&c);
}

typedef struct CapCount {
        unsigned drops, summaries;
        char last_summary[160];
} CapCount;

static void count_cap_lines(LogLevel level, const char *line, void *userdata) {
        CapCount *n = userdata;
        if (level > LOG_LEVEL_ERROR)
                return;
        if (strneq(line, "drop connection #", 17) && strstr(line, "connections in progress"))
                n->drops++;
        if (strstr(line, "more connections dropped at")) {
                n->summaries++;
                snprintf(n->last_summary, sizeof n->last_summary, "%s", line);
        }
}

/* At the hard cap (every connection counts, authenticated or not), a flood writes one line, then a
 * summary at most every two minutes. */
static void test_cap_log_rate(void) {
        Config c;
        config_init(&c);
        SrcLimit *s;
        srclimit_new(&c, &s);
        unsigned added = 0;
        for (unsigned i = 0; i < LISTEN_MAX_CHILDREN; i++)
                added += srclimit_child_add(s, (pid_t) (1000 + i), -EBADF, NULL) == 0;
        CHECK(added == LISTEN_MAX_CHILDREN, "%u connections in progress", added);
        CHECK(srclimit_child_add(s, 99999, -EBADF, NULL) == -EUSERS, "the cap holds");
        NetAddr a = addr("192.0.2.20");
        uint64_t t = 5000 * SEC;
        CapCount n = {};
        log_set_level(LOG_LEVEL_INFO);
        log_set_callback(count_cap_lines, &n);
        unsigned refused = 0;
        for (int i = 0; i < 100; i++)
                refused += !srclimit_admit(s, &a, "[192.0.2.20]:1 on [192.0.2.1]:22", t + (uint64_t) i * SEC);
        CHECK(refused == 100, "at the cap, 100 connections are refused (%u)", refused);
        CHECK(n.drops == 1 && n.summaries == 0, "one drop line for 100 refusals within two minutes (%u, %u)",
              n.drops, n.summaries);
        CHECK(!srclimit_admit(s, &a, "[192.0.2.20]:1 on [192.0.2.1]:22", t + 125 * SEC), "later: refused");
        CHECK(n.drops == 2 && n.summaries == 1 && strstr(n.last_summary, "99 more connections dropped at 1024 "
              "connections in progress in the last 125 s"), "then a summary and the drop line (%s)",
              n.last_summary);
        log_set_callback(NULL, NULL);
        log_set_level(LOG_LEVEL_QUIET);
        srclimit_free(s);
        config_done(&c);
}

static void test_statuses(void) {
        CHECK(srclimit_penalty_from_status(0) == SRCLIMIT_PENALTY_NONE, "exit 0: no penalty");
        CHECK(srclimit_penalty_from_status(MONITOR_EXIT_LOGIN_GRACE << 8) == SRCLIMIT_PENALTY_GRACE_EXCEEDED,
              "exit 3: grace-exceeded");
        CHECK(srclimit_penalty_from_status(MONITOR_EXIT_WORKER_CRASH << 8) == SRCLIMIT_PENALTY_CRASH, "exit 4: crash");
        CHECK(srclimit_penalty_from_status(MONITOR_EXIT_AUTH_ATTEMPTED << 8) == SRCLIMIT_PENALTY_AUTHFAIL,
              "exit 5: authfail");
        CHECK(srclimit_penalty_from_status(255 << 8) == SRCLIMIT_PENALTY_NOAUTH, "exit 255: noauth");
        CHECK(srclimit_penalty_from_status(SIGSEGV) == SRCLIMIT_PENALTY_CRASH, "killed by SIGSEGV: crash");
        CHECK(srclimit_penalty_from_status(SIGTERM) == SRCLIMIT_PENALTY_NONE, "killed by SIGTERM: none");
}

int main(void) {
        log_set_level(LOG_LEVEL_QUIET);
        test_net_addr();
        test_early_drop();
        test_per_source();
        test_penalties();
        test_penalty_log_rate();
        test_cap_log_rate();
        test_statuses();
        return test_summary();
}
