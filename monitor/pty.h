#pragma once
/*
 * Pseudo-terminals, allocated by the monitor for a channel's pty-req (as OpenSSH's monitor does:
 * the worker never opens /dev/ptmx). The slave is owned by the user, group tty, mode 0620, and has
 * the client's window size and the terminal modes the client encoded in pty-req, applied over the
 * kernel's defaults (common/tty-modes.h). The master goes to the worker when the session starts;
 * the slave only to the session's child.
 */

#include <stddef.h>
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

/* 0 with *ret set, or -errno (logged). `modes`: the client's encoded terminal modes, already checked
 * with tty_modes_apply() (a failure to set them is logged, and the pty keeps the defaults). */
int pty_allocate(const UserCreds *u, const char *term, uint32_t cols, uint32_t rows, uint32_t xpixels,
                 uint32_t ypixels, const uint8_t *modes, size_t modes_len, Pty **ret);
Pty *pty_free(Pty *p);
static inline void pty_freep(Pty **p) {
        *p = pty_free(*p);
}

/* Is this a TERM value we pass on (printable ASCII, no '=' or '/', at most SESSION_MAX_TERM)? */
bool pty_term_valid(const char *term);

/* In the session's child, after setsid(): make the slave the controlling terminal and stdin, stdout
 * and stderr. The slave's descriptor is consumed. -errno on failure. */
int pty_make_controlling(int slave);
