#pragma once
/*
 * The descriptors the worker is exec'd with. Defined once, here; the monitor lays them out with
 * fd_move_to() right before execve() and closes everything else, and the worker checks them first thing.
 *
 *   0  /dev/null            (stdin)
 *   1  /dev/null            (stdout)
 *   2  the monitor's stderr (only for messages before the IPC channel works; later logs go over IPC)
 *   3  the client's TCP connection (the worker is the only process that reads from it)
 *   4  the SOCK_SEQPACKET socketpair end talking to this connection's monitor
 */

enum {
        WORKER_FD_CONNECTION = 3,
        WORKER_FD_IPC = 4,
        _WORKER_FD_MAX,
};

/*
 * The descriptors a monitor is exec'd with by the listener (privsshd -R -i): the inetd layout plus
 * one pipe. Without -R (inetd, systemd, tests) there is no startup pipe and nothing changes.
 *
 *   0, 1  the client's TCP connection
 *   2     the listener's stderr
 *   3     the write end of the startup pipe: the monitor writes SRCLIMIT_STARTUP_AUTHENTICATED once
 *         when the connection authenticates, so that it stops counting against MaxStartups
 *         (monitor/srclimit.h); the monitor moves it to a CLOEXEC descriptor first thing, so the
 *         worker and the user's processes never hold it
 */
enum {
        MONITOR_FD_STARTUP = 3,
};
