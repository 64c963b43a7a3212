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
        bool denied[_SFTP_OP_MAX];      /* -P / -p */
        const char *user;               /* for the log lines and home-directory */
        const char *home;               /* ~ in expand-path, home-directory (inside the chroot) */
        const char *peer;               /* the client's address, for the log lines */
} SftpServerOptions;

/* Serve until the client closes `in` or breaks the protocol. 0 on a clean end, -errno otherwise. */
int sftp_server_run(const SftpServerOptions *o, int in, int out);
