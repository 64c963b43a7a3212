/*
 * See srclimit.h. The numbers and the log lines are OpenSSH 9.8/9.9's (sshd.c drop_connection(),
 * should_drop_connection(), child_reap(); srclimit.c), so that operators and their tools read them
 * the same; the code is ours. Penalties are a flat array scanned linearly: at most max-sources4 +
 * max-sources6 entries of 40 bytes, touched once per accepted connection and once per exit.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "monitor/srclimit.h"

#define USEC_PER_SEC 1000000u
#define THROTTLE_LOG_INTERVAL_USEC (5u * 60u * USEC_PER_SEC)   /* OpenSSH's SSHD_MAXSTARTUPS_LOG_INTERVAL */

typedef struct SrcLimitChild {
        pid_t pid;
        int startup_fd;         /* read end of the startup pipe; -EBADF once closed */
        bool startup;           /* not authenticated (yet): counts against MaxStartups */
        uint8_t sessions;       /* authenticated: its open sessions, as its monitor last said */
        bool have_addr;
        NetAddr addr;           /* the peer, unmasked */
} SrcLimitChild;

typedef struct Penalty {
        NetAddr source;         /* masked to PerSourceNetBlockSize */
        uint64_t expiry;        /* usec, monotonic */
        bool active;            /* refuses connections (the penalty exceeded min at some point) */
        const char *reason;     /* static */
} Penalty;

struct SrcLimit {
        const Config *config;
        SrcLimitChild children[LISTEN_MAX_CHILDREN];
        unsigned n_children;
        unsigned startups;
        unsigned sessions;      /* the sum of the children's */

        Penalty *penalties;
        size_t n_penalties, n_allocated;
        size_t n_family[2];     /* [0] IPv4, [1] IPv6 */

        /* MaxStartups throttling, for its log lines */
        uint64_t first_drop, last_drop;
        unsigned n_dropped;

        /* Penalty drops, rate-limited as OpenSSH 10 does (a penalised source that keeps connecting
         * must not be able to write a line per attempt): events accumulate, one drains per second;
         * from PENALTY_LOG_THRESHOLD on, drops are logged at DEBUG3 and counted, and a summary line
         * says how many every PENALTY_LOG_EVERY_USEC and when it ends. */
        uint64_t penalty_log_last;
        unsigned penalty_log_accumulated;
        unsigned penalty_log_suppressed;
        uint64_t penalty_log_summary;

        /* Drops at the hard cap (LISTEN_MAX_CHILDREN): the first is logged, then one summary per
         * PENALTY_LOG_EVERY_USEC, so a flood at the cap cannot write a line per attempt. */
        uint64_t cap_log_last;
        unsigned cap_log_suppressed;
        bool penalty_log_limited;
};

#define PENALTY_LOG_THRESHOLD 8u
#define PENALTY_LOG_MAX_ACCUMULATED 60u
#define PENALTY_LOG_EVERY_USEC (2u * 60u * USEC_PER_SEC)

static const char *const penalty_reasons[_SRCLIMIT_PENALTY_MAX] = {
        [SRCLIMIT_PENALTY_NONE] = NULL,
        [SRCLIMIT_PENALTY_CRASH] = "penalty: caused crash",
        [SRCLIMIT_PENALTY_AUTHFAIL] = "penalty: failed authentication",
        [SRCLIMIT_PENALTY_NOAUTH] = "penalty: connections without attempting authentication",
        [SRCLIMIT_PENALTY_GRACE_EXCEEDED] = "penalty: exceeded LoginGraceTime",
};

int srclimit_new(const Config *c, SrcLimit **ret) {
        SrcLimit *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->config = c;
        for (size_t i = 0; i < ELEMENTSOF(s->children); i++)
                s->children[i].startup_fd = -EBADF;
        *ret = s;
        return 0;
}

SrcLimit *srclimit_free(SrcLimit *s) {
        if (!s)
                return NULL;
        for (unsigned i = 0; i < s->n_children; i++)
                safe_close(s->children[i].startup_fd);
        free(s->penalties);
        free(s);
        return NULL;
}

unsigned srclimit_startups(const SrcLimit *s) {
        return s->startups;
}

unsigned srclimit_children(const SrcLimit *s) {
        return s->n_children;
}

unsigned srclimit_sessions(const SrcLimit *s) {
        return s->sessions;
}

static unsigned source_bits(const SrcLimit *s, const NetAddr *a) {
        return a->family == AF_INET ? s->config->per_source_net_block_size.ipv4 :
                                      s->config->per_source_net_block_size.ipv6;
}

static NetAddr source_of(const SrcLimit *s, const NetAddr *a) {
        return net_addr_masked(a, source_bits(s, a));
}

/* "ADDR/BITS" of the source, for the penalty lines. */
static const char *source_name(const SrcLimit *s, const NetAddr *a, char *buf, size_t size) {
        char addr[NET_ADDR_STRLEN];
        NetAddr m = source_of(s, a);
        snprintf(buf, size, "%s/%u", net_addr_to_string(&m, addr, sizeof addr), source_bits(s, a));
        return buf;
}

/* OpenSSH's fmt_timeframe() for under a day: HH:MM:SS. */
static const char *timeframe(uint64_t usec, char *buf, size_t size) {
        uint64_t t = usec / USEC_PER_SEC;
        snprintf(buf, size, "%02u:%02u:%02u", (unsigned) (t / 3600), (unsigned) (t / 60 % 60),
                 (unsigned) (t % 60));
        return buf;
}

/* ---- penalties --------------------------------------------------------------------------------- */

static size_t family_index(int family) {
        return family == AF_INET ? 0 : 1;
}

static void penalty_remove(SrcLimit *s, size_t i) {
        s->n_family[family_index(s->penalties[i].source.family)]--;
        s->penalties[i] = s->penalties[--s->n_penalties];
}

static void penalties_expire(SrcLimit *s, uint64_t now) {
        for (size_t i = 0; i < s->n_penalties;)
                if (s->penalties[i].expiry < now)
                        penalty_remove(s, i);
                else
                        i++;
}

static Penalty *penalty_find(SrcLimit *s, const NetAddr *source) {
        for (size_t i = 0; i < s->n_penalties; i++)
                if (net_addr_equal(&s->penalties[i].source, source))
                        return &s->penalties[i];
        return NULL;
}

static bool penalty_exempt(const SrcLimit *s, const NetAddr *addr) {
        return net_addr_match_list(addr, s->config->per_source_penalty_exempt) == 1;
}

static size_t penalty_max_sources(const SrcLimit *s, int family) {
        const PerSourcePenalties *p = &s->config->per_source_penalties;
        return family == AF_INET ? p->max_sources4 : p->max_sources6;
}

static bool penalty_deny_all(const SrcLimit *s, int family) {
        const PerSourcePenalties *p = &s->config->per_source_penalties;
        return family == AF_INET ? p->overflow_deny_all : p->overflow6_deny_all;
}

const char *srclimit_penalty_check(SrcLimit *s, const NetAddr *addr, uint64_t now) {
        if (!s->config->per_source_penalties.enabled || penalty_exempt(s, addr))
                return NULL;
        penalties_expire(s, now);
        if (s->n_family[family_index(addr->family)] >= penalty_max_sources(s, addr->family) &&
            penalty_deny_all(s, addr->family))
                return "too many penalised addresses";
        NetAddr source = source_of(s, addr);
        Penalty *p = penalty_find(s, &source);
        return p && p->active ? p->reason : NULL;
}

/* overflow:permissive: forget the penalties that would run out first until the family fits. */
static void penalties_shrink(SrcLimit *s, int family) {
        while (s->n_family[family_index(family)] > penalty_max_sources(s, family)) {
                size_t oldest = SIZE_MAX;
                for (size_t i = 0; i < s->n_penalties; i++)
                        if (s->penalties[i].source.family == family &&
                            (oldest == SIZE_MAX || s->penalties[i].expiry < s->penalties[oldest].expiry))
                                oldest = i;
                if (oldest == SIZE_MAX)
                        return;
                char name[NET_ADDR_STRLEN + 8];
                log_debug3("srclimit_penalise: %s overflow, remove %s", family == AF_INET ? "ipv4" : "ipv6",
                           source_name(s, &s->penalties[oldest].source, name, sizeof name));
                penalty_remove(s, oldest);
        }
}

void srclimit_penalise(SrcLimit *s, const NetAddr *addr, SrcLimitPenalty type, uint64_t now) {
        const PerSourcePenalties *cfg = &s->config->per_source_penalties;
        char name[NET_ADDR_STRLEN + 8];
        unsigned secs;

        if (!cfg->enabled || type <= SRCLIMIT_PENALTY_NONE || type >= _SRCLIMIT_PENALTY_MAX)
                return;
        if (penalty_exempt(s, addr)) {
                char a[NET_ADDR_STRLEN];
                log_debug3("srclimit_penalise: address %s is exempt", net_addr_to_string(addr, a, sizeof a));
                return;
        }
        switch (type) {
        case SRCLIMIT_PENALTY_CRASH:
                secs = cfg->crash;
                break;
        case SRCLIMIT_PENALTY_AUTHFAIL:
                secs = cfg->authfail;
                break;
        case SRCLIMIT_PENALTY_NOAUTH:
                secs = cfg->noauth;
                break;
        case SRCLIMIT_PENALTY_GRACE_EXCEEDED:
                secs = cfg->grace_exceeded;
                break;
        case SRCLIMIT_PENALTY_NONE:
        case _SRCLIMIT_PENALTY_MAX:
        default:
                return;
        }
        if (secs == 0)
                return;

        const char *reason = penalty_reasons[type];
        const char *t = addr->family == AF_INET ? "ipv4" : "ipv6";
        source_name(s, addr, name, sizeof name);
        penalties_expire(s, now);

        NetAddr source = source_of(s, addr);
        Penalty *p = penalty_find(s, &source);
        if (!p) {
                size_t fi = family_index(addr->family);
                if (s->n_family[fi] >= penalty_max_sources(s, addr->family) &&
                    penalty_deny_all(s, addr->family)) {
                        log_verbose("srclimit_penalise: %s penalty table full, cannot penalise %s for %s", t,
                                    name, reason);
                        return;
                }
                if (s->n_penalties == s->n_allocated) {
                        size_t n = s->n_allocated ? s->n_allocated * 2 : 64;
                        Penalty *np = reallocarray(s->penalties, n, sizeof *np);
                        if (!np) {
                                log_error("srclimit_penalise: out of memory; %s not penalised", name);
                                return;
                        }
                        s->penalties = np;
                        s->n_allocated = n;
                }
                p = &s->penalties[s->n_penalties++];
                *p = (Penalty) {
                        .source = source,
                        .expiry = now + (uint64_t) secs * USEC_PER_SEC,
                        .active = secs > cfg->min,
                        .reason = reason,
                };
                s->n_family[fi]++;
                log_internal(p->active ? LOG_LEVEL_INFO : LOG_LEVEL_VERBOSE,
                             "srclimit_penalise: %s: new %s %s penalty of %u seconds for %s", t, name,
                             p->active ? "active" : "deferred", secs, reason);
                if (!penalty_deny_all(s, addr->family))
                        penalties_shrink(s, addr->family);
                return;
        }

        /* An existing penalty accumulates, up to max. */
        uint64_t left = p->expiry - now + (uint64_t) secs * USEC_PER_SEC;
        if (left > (uint64_t) cfg->max * USEC_PER_SEC)
                left = (uint64_t) cfg->max * USEC_PER_SEC;
        log_debug("srclimit_penalise: %s penalty for %s %s already exists, %llu seconds remaining",
                  p->active ? "active" : "inactive", t, name,
                  (unsigned long long) ((p->expiry - now) / USEC_PER_SEC));
        p->expiry = now + left;
        p->reason = reason;
        if (!p->active && left > (uint64_t) cfg->min * USEC_PER_SEC) {
                p->active = true;
                log_info("srclimit_penalise: %s: activating %s penalty of %llu seconds for %s", name, t,
                         (unsigned long long) (left / USEC_PER_SEC), reason);
        }
}

SrcLimitPenalty srclimit_penalty_from_status(int status) {
        if (WIFSIGNALED(status)) {
                switch (WTERMSIG(status)) {
                /* OpenSSH's signal_is_crash(): a monitor killed like this crashed. */
                case SIGSEGV:
                case SIGBUS:
                case SIGTRAP:
                case SIGSYS:
                case SIGFPE:
                case SIGILL:
                case SIGABRT:
                        return SRCLIMIT_PENALTY_CRASH;
                default:
                        return SRCLIMIT_PENALTY_NONE;   /* an operator's SIGTERM or SIGKILL */
                }
        }
        if (!WIFEXITED(status))
                return SRCLIMIT_PENALTY_CRASH;
        switch (WEXITSTATUS(status)) {
        case 0:
                return SRCLIMIT_PENALTY_NONE;
        case MONITOR_EXIT_LOGIN_GRACE:
                return SRCLIMIT_PENALTY_GRACE_EXCEEDED;
        case MONITOR_EXIT_WORKER_CRASH:
                return SRCLIMIT_PENALTY_CRASH;
        case MONITOR_EXIT_AUTH_ATTEMPTED:
                return SRCLIMIT_PENALTY_AUTHFAIL;
        default:
                return SRCLIMIT_PENALTY_NOAUTH;
        }
}

/* Log a penalty drop at INFO unless too many came lately (see SrcLimit). */
static void penalty_log_drop(SrcLimit *s, const char *from_on, const char *reason, uint64_t now) {
        uint64_t elapsed = s->penalty_log_last ? (now - s->penalty_log_last) / USEC_PER_SEC : 0;
        s->penalty_log_accumulated = elapsed >= s->penalty_log_accumulated ? 0 :
                                     s->penalty_log_accumulated - (unsigned) elapsed;
        s->penalty_log_accumulated = MIN(s->penalty_log_accumulated + 1, PENALTY_LOG_MAX_ACCUMULATED);
        s->penalty_log_last = now ?: 1;

        if (s->penalty_log_accumulated < PENALTY_LOG_THRESHOLD) {
                if (s->penalty_log_limited && s->penalty_log_suppressed > 0)
                        log_info("PerSourcePenalties logging rate-limited: additional %u connections dropped",
                                 s->penalty_log_suppressed);
                s->penalty_log_limited = false;
                s->penalty_log_suppressed = 0;
                log_info("drop connection #%u from %s %s", s->startups, from_on, reason);
                return;
        }
        if (!s->penalty_log_limited) {
                s->penalty_log_limited = true;
                s->penalty_log_summary = now;
                log_info("drop connection #%u from %s %s", s->startups, from_on, reason);
                return;
        }
        s->penalty_log_suppressed++;
        log_debug3("drop connection #%u from %s %s", s->startups, from_on, reason);
        if (now - s->penalty_log_summary >= PENALTY_LOG_EVERY_USEC) {
                log_info("PerSourcePenalties logging rate-limited: additional %u connections dropped",
                         s->penalty_log_suppressed);
                s->penalty_log_suppressed = 0;
                s->penalty_log_summary = now;
        }
}

/* ---- MaxStartups -------------------------------------------------------------------------------- */

bool srclimit_early_drop(const MaxStartups *m, unsigned startups, unsigned r) {
        if (startups < m->begin)
                return false;
        if (startups >= m->full || m->rate >= 100)
                return true;
        /* From rate % at begin, linearly to 100 % at full. */
        unsigned p = (100 - m->rate) * (startups - m->begin) / (m->full - m->begin) + m->rate;
        return r < p;
}

static unsigned startups_from(const SrcLimit *s, const NetAddr *peer) {
        NetAddr source = source_of(s, peer);
        unsigned n = 0;
        for (unsigned i = 0; i < s->n_children; i++) {
                const SrcLimitChild *c = &s->children[i];
                if (!c->startup || !c->have_addr || c->addr.family != peer->family)
                        continue;
                NetAddr cs = source_of(s, &c->addr);
                if (net_addr_equal(&cs, &source))
                        n++;
        }
        return n;
}

static bool maxstartups_allows(SrcLimit *s, const NetAddr *peer) {
        if (srclimit_early_drop(&s->config->max_startups, s->startups, arc4random_uniform(100)))
                return false;
        if (peer && s->config->per_source_max_startups != CONFIG_UNLIMITED &&
            startups_from(s, peer) >= s->config->per_source_max_startups)
                return false;
        return true;
}

bool srclimit_admit(SrcLimit *s, const NetAddr *peer, const char *from_on, uint64_t now) {
        char buf[32];
        const char *reason = peer ? srclimit_penalty_check(s, peer, now) : NULL;
        if (reason) {
                penalty_log_drop(s, from_on, reason, now);
                return false;
        }
        if (s->n_children >= LISTEN_MAX_CHILDREN) {
                if (s->cap_log_last == 0 || now - s->cap_log_last >= PENALTY_LOG_EVERY_USEC) {
                        if (s->cap_log_suppressed)
                                log_error("%u more connections dropped at %u connections in progress in the "
                                          "last %u s", s->cap_log_suppressed, LISTEN_MAX_CHILDREN,
                                          (unsigned) ((now - s->cap_log_last) / USEC_PER_SEC));
                        log_error("drop connection #%u from %s: %u connections in progress", s->startups,
                                  from_on, s->n_children);
                        s->cap_log_last = now ?: 1;
                        s->cap_log_suppressed = 0;
                } else {
                        s->cap_log_suppressed++;
                        log_debug3("drop connection #%u from %s: %u connections in progress", s->startups,
                                   from_on, s->n_children);
                }
                return false;
        }

        if (maxstartups_allows(s, peer)) {
                if (s->last_drop != 0 && s->startups + 1 < s->config->max_startups.begin) {
                        log_info("exited MaxStartups throttling after %s, %u connections dropped",
                                 timeframe(now - s->first_drop, buf, sizeof buf), s->n_dropped);
                        s->last_drop = 0;
                }
                return true;
        }

        LogLevel level = LOG_LEVEL_VERBOSE;
        if (s->last_drop == 0) {
                log_error("beginning MaxStartups throttling");
                level = LOG_LEVEL_INFO;
                s->first_drop = now;
                s->n_dropped = 0;
        } else if (s->last_drop + THROTTLE_LOG_INTERVAL_USEC < now) {
                log_error("in MaxStartups throttling for %s, %u connections dropped",
                          timeframe(now - s->first_drop, buf, sizeof buf), s->n_dropped + 1);
                level = LOG_LEVEL_INFO;
        }
        s->last_drop = now ?: 1;
        s->n_dropped++;
        log_internal(level, "drop connection #%u from %s past Maxstartups", s->startups, from_on);
        return false;
}

/* ---- children ----------------------------------------------------------------------------------- */

int srclimit_child_add(SrcLimit *s, pid_t pid, int startup_fd, const NetAddr *peer) {
        if (s->n_children >= LISTEN_MAX_CHILDREN) {
                safe_close(startup_fd);
                return -EUSERS;
        }
        s->children[s->n_children++] = (SrcLimitChild) {
                .pid = pid,
                .startup_fd = startup_fd,
                .startup = true,
                .have_addr = peer != NULL,
                .addr = peer ? *peer : (NetAddr) {},
        };
        s->startups++;
        return 0;
}

static SrcLimitChild *child_find(SrcLimit *s, pid_t pid) {
        for (unsigned i = 0; i < s->n_children; i++)
                if (s->children[i].pid == pid)
                        return &s->children[i];
        return NULL;
}

static void child_authenticated(SrcLimit *s, SrcLimitChild *c) {
        if (c->startup) {
                c->startup = false;
                s->startups--;
        }
}

size_t srclimit_poll_fill(const SrcLimit *s, struct pollfd *p, size_t max) {
        size_t n = 0;
        for (unsigned i = 0; i < s->n_children && n < max; i++)
                if (s->children[i].startup_fd >= 0)
                        p[n++] = (struct pollfd) { .fd = s->children[i].startup_fd, .events = POLLIN };
        return n;
}

/* Read what a startup pipe says; the read end is non-blocking (a child of the monitor that has
 * not exec'd yet may still hold the write end, so end of file can come late). */
static void child_sessions(SrcLimit *s, SrcLimitChild *c, uint8_t n) {
        s->sessions = s->sessions - c->sessions + n;
        c->sessions = n;
}

static void child_read_startup(SrcLimit *s, SrcLimitChild *c) {
        uint8_t bytes[64];
        ssize_t r = read(c->startup_fd, bytes, c->startup ? 1 : sizeof bytes);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (r > 0 && !c->startup) {
                child_sessions(s, c, bytes[r - 1]);     /* the latest figure counts */
                return;
        }
        if (r == 1 && bytes[0] == SRCLIMIT_STARTUP_AUTHENTICATED) {
                log_debug2("listener: monitor %d authenticated", (int) c->pid);
                child_authenticated(s, c);
                return;
        }
        if (r == 1)
                log_error("listener: unexpected byte 0x%02x on the startup pipe of monitor %d", bytes[0],
                          (int) c->pid);
        child_sessions(s, c, 0);
        /* Closed (the monitor is ending) or nonsense: it stays a startup until it is reaped, so that
         * its exit status decides its penalty. */
        c->startup_fd = safe_close(c->startup_fd);
}

void srclimit_poll_handle(SrcLimit *s, const struct pollfd *p, size_t n) {
        for (size_t k = 0; k < n; k++) {
                if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                for (unsigned i = 0; i < s->n_children; i++)
                        if (s->children[i].startup_fd == p[k].fd) {
                                child_read_startup(s, &s->children[i]);
                                break;
                        }
        }
}

void srclimit_child_exited(SrcLimit *s, pid_t pid, int status, uint64_t now) {
        SrcLimitChild *c = child_find(s, pid);
        if (!c)
                return;
        /* A monitor that authenticated and ended at once may be reaped before its byte was read. */
        if (c->startup && c->startup_fd >= 0)
                child_read_startup(s, c);
        SrcLimitPenalty type = c->startup ? srclimit_penalty_from_status(status) : SRCLIMIT_PENALTY_NONE;
        if (c->startup && WIFSIGNALED(status))
                log_internal(type == SRCLIMIT_PENALTY_CRASH ? LOG_LEVEL_ERROR : LOG_LEVEL_DEBUG1,
                             "session process %d killed by signal %d", (int) pid, WTERMSIG(status));
        if (type != SRCLIMIT_PENALTY_NONE && c->have_addr)
                srclimit_penalise(s, &c->addr, type, now);
        safe_close(c->startup_fd);
        if (c->startup)
                s->startups--;
        child_sessions(s, c, 0);
        *c = s->children[--s->n_children];
        s->children[s->n_children] = (SrcLimitChild) { .startup_fd = -EBADF };
}
