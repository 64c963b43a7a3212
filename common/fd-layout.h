#pragma once
/*
 * The descriptors the worker is exec'd with. Defined once, here; the monitor lays them out with
 * fd_move_to() right before execve() and closes everything else, and the worker checks them first thing.
 *
 *   0  /dev/null            (stdin)
 *   1  /dev/null            (stdout)
 *   2  /dev/null            (stderr: never the daemon's. The worker runs code an attacker may control, and
 *                           the daemon's stderr is the journal stream under systemd, with our identifier:
 *                           no LOG budget, no control-character filtering, no tag. The worker says
 *                           everything through LOG messages on fd 4; what it cannot say there, before
 *                           IPC works, it says through its exit status, which the monitor logs.)
 *   3  the client's TCP connection (the worker is the only process that reads from it)
 *   4  the SOCK_SEQPACKET socketpair end talking to this connection's monitor
 *   5  diagnostic builds only (AddressSanitizer or -Dseccomp_debug=true, never a production build): a copy
 *      of the monitor's stderr for sanitizer reports and seccomp-debug reports, which must be readable
 *      when the worker dies inside the sandbox and cannot go over IPC.
 *
 * Nothing else, before or after sandbox_enter(); tests/hostile/test_injected.py checks the table of a
 * sandboxed worker.
 */

#include "build-config.h"

#if defined(__SANITIZE_ADDRESS__)
#  define WORKER_HAS_DIAGNOSTICS_FD 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define WORKER_HAS_DIAGNOSTICS_FD 1
#  endif
#endif
#if !defined(WORKER_HAS_DIAGNOSTICS_FD) && SECCOMP_DEBUG
#  define WORKER_HAS_DIAGNOSTICS_FD 1
#endif
#ifndef WORKER_HAS_DIAGNOSTICS_FD
#  define WORKER_HAS_DIAGNOSTICS_FD 0
#endif

/* Exit statuses of the worker for failures it cannot report over IPC (the monitor logs them). */
enum {
        WORKER_EXIT_NOT_SPAWNED = 2,    /* fds 3 and 4 are not sockets: not started by privsshd */
        WORKER_EXIT_NO_SETUP = 3,       /* no valid SETUP from the monitor */
        WORKER_EXIT_EXEC_FAILED = 127,  /* the spawned child could not execve() the worker */
};

enum {
        WORKER_FD_CONNECTION = 3,
        WORKER_FD_IPC = 4,
        WORKER_FD_DIAGNOSTICS = 5,      /* only when WORKER_HAS_DIAGNOSTICS_FD */
        _WORKER_FD_MAX,
};

/*
 * The descriptors a monitor is exec'd with by the listener (privsshd -R -i): the inetd layout plus
 * one pipe and one memfd. Without -R (inetd, systemd, tests) there are neither, fds 3 and 4 are never
 * touched, and the monitor reads sshd_config itself.
 *
 *   0, 1  the client's TCP connection
 *   2     the listener's stderr
 *   3     the write end of the startup pipe: the monitor writes SRCLIMIT_STARTUP_AUTHENTICATED once
 *         when the connection authenticates, so that it stops counting against MaxStartups
 *         (monitor/srclimit.h); the monitor moves it to a CLOEXEC descriptor first thing, so the
 *         worker and the user's processes never hold it
 *   4     the listener's configuration: a sealed memfd with the image of the files it loaded
 *         (monitor/config-fd.h), which the monitor parses instead of sshd_config and then closes
 */
enum {
        MONITOR_FD_STARTUP = 3,
        MONITOR_FD_CONFIG = 4,
};

/*
 * The descriptors of the relay (relay/relay.h), when -i is given something other than one connected
 * stream socket (two pipes from inetd's nowait or an ssh ProxyCommand, a tty, a FIFO): the monitor
 * makes a socketpair, the worker gets one end at WORKER_FD_CONNECTION exactly as it would get a TCP
 * connection, and the relay, a child of the monitor in the sandbox, copies bytes between the other end
 * and the original stdin/stdout. Its table, after it has laid it out and before it reads a byte:
 *
 *   0  the monitor's original stdin (bytes from the client), O_NONBLOCK
 *   1  the monitor's original stdout (bytes to the client), O_NONBLOCK; closed at the worker's end of file
 *   2  nothing (the relay has no error channel but its exit status, which the monitor logs)
 *   3  its end of the socketpair whose other end is the worker's WORKER_FD_CONNECTION
 *
 * Nothing else; tests/integration/test_inetd_pipes.py checks the table.
 */
enum {
        RELAY_FD_IN = 0,
        RELAY_FD_OUT = 1,
        RELAY_FD_CONNECTION = 3,
};

/* Exit statuses of the relay (the monitor logs every status but RELAY_EXIT_DONE). */
enum {
        RELAY_EXIT_DONE = 0,            /* both directions reached their end of file, or a reader went away */
        RELAY_EXIT_SETUP = 2,           /* the descriptors or the sandbox could not be set up */
        RELAY_EXIT_IO = 3,              /* a read or write failed in a way that is not an end of file */
};
