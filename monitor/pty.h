#pragma once
/*
 * Pseudo-terminals, allocated by the monitor for a channel's pty-req (as OpenSSH's monitor does:
 * the worker never opens /dev/ptmx). The slave is owned by the user, group tty, mode 0620, and has
 * the client's window size; terminal modes are the kernel's defaults (libssh 0.10 does not expose
 * the modes the client encoded in pty-req). The master goes to the worker when the session starts;
 * the slave only to the session's child.
 */

#include <stdint.h>
#include <sys/types.h>

#include "monitor/user-creds.h"

typedef struct Pty {
        uint32_t channel;       /* the worker's channel it was allocated for */
        int master;
        int slave;
        char *name;             /* "/dev/pts/N" */
        char *term;             /* TERM from pty-req ("" when the client sent none) */
        struct Pty *next;
} Pty;

/* 0 with *ret set, or -errno (logged). */
int pty_allocate(const UserCreds *u, const char *term, uint32_t cols, uint32_t rows, uint32_t xpixels,
                 uint32_t ypixels, Pty **ret);
Pty *pty_free(Pty *p);
static inline void pty_freep(Pty **p) {
        *p = pty_free(*p);
}

/* Is this a TERM value we pass on (printable ASCII, no '=' or '/', at most SESSION_MAX_TERM)? */
bool pty_term_valid(const char *term);

/* In the session's child, after setsid(): make the slave the controlling terminal and stdin, stdout
 * and stderr. The slave's descriptor is consumed. -errno on failure. */
int pty_make_controlling(int slave);
