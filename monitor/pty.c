/* See pty.h. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/tty-modes.h"
#include "common/winsize.h"
#include "monitor/pty.h"

/* Log "openpty: <what>: <errno text>" and return -errno (errno is read before logging). */
static int fail(const char *what) {
        int r = negative_errno();
        log_error("openpty: %s: %s", what, strerror(-r));
        return r;
}

Pty *pty_free(Pty *p) {
        if (!p)
                return NULL;
        safe_close(p->master);
        safe_close(p->slave);
        free(p->name);
        free(p->term);
        free(p);
        return NULL;
}

bool pty_term_valid(const char *term) {
        size_t n = strlen(term);
        if (n > SESSION_MAX_TERM)
                return false;
        for (size_t i = 0; i < n; i++)
                if (term[i] <= ' ' || term[i] > '~' || term[i] == '=' || term[i] == '/')
                        return false;
        return true;
}

/* The client's terminal modes over the kernel's defaults, as OpenSSH's sshd applies them (a failure is
 * logged and the session goes on with the defaults, as there). */
static void apply_modes(const Pty *p, const uint8_t *modes, size_t modes_len) {
        struct termios tio;
        unsigned applied = 0;

        if (modes_len == 0)
                return;
        if (tcgetattr(p->slave, &tio) < 0) {
                log_error("openpty: tcgetattr %s: %s", p->name, strerror(errno));
                return;
        }
        int r = tty_modes_apply(modes, modes_len, &tio, &applied);
        if (r < 0) {    /* the caller checked them: not reached */
                log_error("openpty: terminal modes for %s: %s", p->name, strerror(-r));
                return;
        }
        if (tcsetattr(p->slave, TCSANOW, &tio) < 0) {
                log_error("openpty: setting the terminal modes of %s: %s", p->name, strerror(errno));
                return;
        }
        log_debug("applied %u terminal modes to %s", applied, p->name);
}

int pty_allocate(const UserCreds *u, const char *term, uint32_t cols, uint32_t rows, uint32_t xpixels,
                 uint32_t ypixels, const uint8_t *modes, size_t modes_len, Pty **ret) {
        _cleanup_(pty_freep) Pty *p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        p->master = p->slave = -EBADF;
        p->term = strdup(term ?: "");
        if (!p->term)
                return -ENOMEM;

        p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (p->master < 0)
                return fail("posix_openpt");
        if (grantpt(p->master) < 0 || unlockpt(p->master) < 0)
                return fail("grantpt/unlockpt");
        char name[64];
        int r = ptsname_r(p->master, name, sizeof name);
        if (r != 0)
                return log_error_errno(-r, "openpty: ptsname: %s", strerror(r));
        p->name = strdup(name);
        if (!p->name)
                return -ENOMEM;
        p->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (p->slave < 0)
                return fail("opening the slave");

        /* Owner and mode as login(1) and OpenSSH set them: the user, group tty, 0620 (others in
         * group tty may write(1) to it); 0600 and the user's group when there is no tty group. */
        struct group *g = getgrnam("tty");
        gid_t gid = g ? g->gr_gid : u->gid;
        mode_t mode = g ? 0620 : 0600;
        if (fchown(p->slave, u->uid, gid) < 0 || fchmod(p->slave, mode) < 0)
                return fail("setting the owner and mode of the slave");

        struct winsize ws = winsize_from_wire(cols, rows, xpixels, ypixels);
        (void) ioctl(p->master, TIOCSWINSZ, &ws);
        apply_modes(p, modes, modes_len);
        *ret = TAKE_PTR(p);
        return 0;
}

int pty_make_controlling(int slave) {
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return negative_errno();
        for (int fd = 0; fd < 3; fd++)
                if (dup2(slave, fd) < 0)
                        return negative_errno();
        if (slave > 2)
                safe_close(slave);
        return 0;
}
