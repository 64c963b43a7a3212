#pragma once
/*
 * Admission control for the listener (root), as OpenSSH 9.8's sshd/srclimit.c: which connection
 * gets a monitor process, and which source is refused for a while.
 *
 *   - MaxStartups start:rate:full: random early drop over the connections that have not
 *     authenticated yet ("startups"): none dropped below start, then with a probability rising
 *     linearly from rate % to 100 % at full.
 *   - PerSourceMaxStartups: startups per source, a source being the peer's address masked to
 *     PerSourceNetBlockSize.
 *   - PerSourcePenalties: a source whose connections end badly (authentication failed, never
 *     authenticated, LoginGraceTime ran out, the worker crashed) accumulates penalty seconds; once
 *     they exceed min, its new connections are refused until the penalty runs out.
 *     PerSourcePenaltyExemptList names sources that are never penalised.
 *   - LISTEN_MAX_CHILDREN: a hard cap over every connection, authenticated or not.
 *
 * How the listener learns what became of a connection: each monitor (privsshd -R -i) gets the
 * write end of a "startup pipe" at MONITOR_FD_STARTUP (common/fd-layout.h) and writes
 * SRCLIMIT_STARTUP_AUTHENTICATED once when the user is authenticated; the connection then stops
 * counting as a startup and is never penalised. After it, each byte the monitor writes is its
 * connection's number of open sessions (at most 255), for the listener's STATUS= figures; the
 * monitor writes without waiting and drops an update the pipe does not take. A monitor that exits before that says why in its
 * exit status (MONITOR_EXIT_* below); a monitor killed by a crash signal counts as a crash too.
 * Only the monitor (root) holds the pipe: the worker is exec'd with its documented fds only.
 *
 * Everything here is driven by the caller's clock (`now`, microseconds, monotonic) and the caller's
 * randomness, so that the unit test can run it without sockets or sleeping.
 */

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/config.h"
#include "common/net-addr.h"

/* The byte a monitor writes on its startup pipe when the connection has authenticated. */
#define SRCLIMIT_STARTUP_AUTHENTICATED '\001'

/* How a monitor that never authenticated tells the listener why it ended (OpenSSH's numbers). Any
 * other non-zero status means the connection ended without authenticating (noauth). */
enum {
        MONITOR_EXIT_LOGIN_GRACE = 3,           /* LoginGraceTime ran out */
        MONITOR_EXIT_WORKER_CRASH = 4,          /* the worker was killed by a signal we did not send */
        MONITOR_EXIT_AUTH_ATTEMPTED = 5,        /* authentication was attempted and failed */
        MONITOR_EXIT_NOAUTH = 255,              /* ended without authenticating */
};

typedef enum SrcLimitPenalty {
        SRCLIMIT_PENALTY_NONE,
        SRCLIMIT_PENALTY_CRASH,
        SRCLIMIT_PENALTY_AUTHFAIL,
        SRCLIMIT_PENALTY_NOAUTH,
        SRCLIMIT_PENALTY_GRACE_EXCEEDED,
        _SRCLIMIT_PENALTY_MAX,
} SrcLimitPenalty;

typedef struct SrcLimit SrcLimit;

int srclimit_new(const Config *c, SrcLimit **ret);
SrcLimit *srclimit_free(SrcLimit *s);
static inline void srclimit_freep(SrcLimit **s) {
        srclimit_free(*s);
}

/*
 * MaxStartups' random early drop, as a pure function: should a new connection be dropped while
 * `startups` connections are unauthenticated? `r` is uniform in [0, 100).
 */
bool srclimit_early_drop(const MaxStartups *m, unsigned startups, unsigned r);

/*
 * May a connection from `peer` start? Checks penalties, then the hard cap, then MaxStartups and
 * PerSourceMaxStartups (random numbers from arc4random). A refusal is logged in OpenSSH's words,
 * "drop connection #N from [ADDR]:PORT on [ADDR]:PORT past Maxstartups" (or the penalty's reason),
 * with `from_on` being "[ADDR]:PORT on [ADDR]:PORT". peer NULL: not an IP connection (only the caps
 * apply).
 */
bool srclimit_admit(SrcLimit *s, const NetAddr *peer, const char *from_on, uint64_t now);

/* Track a started monitor: its pid, the read end of its startup pipe (non-blocking; taken over), its
 * peer. */
int srclimit_child_add(SrcLimit *s, pid_t pid, int startup_fd, const NetAddr *peer);

/* Counts, for the process title and the tests. */
unsigned srclimit_startups(const SrcLimit *s);
unsigned srclimit_children(const SrcLimit *s);
unsigned srclimit_sessions(const SrcLimit *s);  /* sessions open over the authenticated connections */

/* The startup pipes to poll (POLLIN); returns how many were written to `p` (at most `max`). */
size_t srclimit_poll_fill(const SrcLimit *s, struct pollfd *p, size_t max);
/* After poll(): read what the ready pipes say (authenticated, or closed). */
void srclimit_poll_handle(SrcLimit *s, const struct pollfd *p, size_t n);

/* A child was reaped: stop tracking it and, if it never authenticated, penalise its source. */
void srclimit_child_exited(SrcLimit *s, pid_t pid, int status, uint64_t now);

/* Which penalty a monitor's wait status earns (SRCLIMIT_PENALTY_NONE for a clean exit). */
SrcLimitPenalty srclimit_penalty_from_status(int status);

/* Add a penalty of this kind to the source of `addr` (nothing if exempt or penalties are off). */
void srclimit_penalise(SrcLimit *s, const NetAddr *addr, SrcLimitPenalty type, uint64_t now);

/* Is `addr` refused by a penalty now? Returns the reason ("penalty: failed authentication") or NULL. */
const char *srclimit_penalty_check(SrcLimit *s, const NetAddr *addr, uint64_t now);
