#pragma once
/*
 * The SFTP request loop of privsshd-sftp: reads packets from one descriptor, answers on another. By the
 * time it runs the process is the user for good (sftp/main.c); every file operation below is an ordinary
 * system call with the user's credentials, inside the chroot when there is one.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "sftp/sftp-packet.h"

typedef struct SftpServerOptions {
        bool read_only;                 /* -R */
        bool denied[_SFTP_OP_MAX];      /* -P: listed */
        bool allow_list;                /* -p given: only what allowed[] says */
        bool allowed[_SFTP_OP_MAX];     /* -p: listed */
        const char *user;               /* for the log lines and home-directory */
        const char *home;               /* ~ in expand-path, home-directory (inside the chroot) */
        const char *peer;               /* the client's address, for the log lines */
} SftpServerOptions;

/* Whether the options let a request through, as OpenSSH's request_permitted(): -R refuses what writes,
 * then -P what it lists, then -p what it does not list. log: say why (a request), or not (the VERSION
 * reply leaving an extension out). */
bool sftp_request_permitted(const SftpServerOptions *o, SftpOp op, bool log);

/* Serve until the client closes `in` or breaks the protocol. 0 on a clean end, -errno otherwise. */
int sftp_server_run(const SftpServerOptions *o, int in, int out);
