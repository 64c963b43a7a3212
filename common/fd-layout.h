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
