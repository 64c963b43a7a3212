/* See listener-reload.h. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "monitor/listener-reload.h"

/* How many options the per-connection argv has before its trailing "-R", "-i". */
static size_t options_end(char *const *argv) {
        size_t n = 0;
        while (argv[n])
                n++;
        return n >= 3 && streq(argv[n - 2], "-R") && streq(argv[n - 1], "-i") ? n - 2 : n;
}

pid_t listener_reload_check_start(char *const *reexec_argv) {
        size_t n = options_end(reexec_argv);
        _cleanup_free_ char **argv = calloc(n + 2, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        memcpy(argv, reexec_argv, n * sizeof(char *));
        argv[n] = (char *) "-t";
        pid_t pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0)
                        (void) dup2(null, STDIN_FILENO);
                /* Its complaints (file and line of the error) go where ours go: stderr, the journal
                 * under systemd. */
                execv(argv[0], argv);
                dprintf(STDERR_FILENO, "privsshd: cannot execute %s: %s\n", argv[0], strerror(errno));
                _exit(255);
        }
        return pid;
}

int listener_reload_exec(char *const *reexec_argv, const int *fds, size_t n_fds, bool from_systemd,
                         uint64_t watchdog_usec) {
        size_t n = options_end(reexec_argv);
        _cleanup_free_ char **argv = calloc(n + 1, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        memcpy(argv, reexec_argv, n * sizeof(char *));

        /* Sockets to 3, 4, ... without CLOEXEC. First copies of them above every target, and copies
         * of whatever is at the targets now (the signalfd, a listening socket, a startup pipe: all
         * CLOEXEC), so that if execv() fails everything is put back and the old listener goes on. */
        int floor = (int) (3 + n_fds + 16);
        int high[n_fds ? n_fds : 1], saved[n_fds ? n_fds : 1];
        size_t moved = 0, placed = 0;
        int r = 0;
        for (; moved < n_fds; moved++) {
                high[moved] = fcntl(fds[moved], F_DUPFD_CLOEXEC, floor);
                saved[moved] = fcntl((int) (3 + moved), F_DUPFD_CLOEXEC, floor);  /* -1: nothing there */
                if (high[moved] < 0 || (saved[moved] < 0 && errno != EBADF)) {
                        safe_close(high[moved]);
                        safe_close(saved[moved]);
                        r = -EMFILE;
                        goto fail;
                }
        }
        char count[16], pid[16];
        snprintf(count, sizeof count, "%zu", n_fds);
        snprintf(pid, sizeof pid, "%d", (int) getpid());
        char watchdog[32];
        snprintf(watchdog, sizeof watchdog, "%llu", (unsigned long long) watchdog_usec);
        if (watchdog_usec > 0 && (setenv("WATCHDOG_USEC", watchdog, 1) < 0 || setenv("WATCHDOG_PID", pid, 1) < 0)) {
                r = negative_errno();
                goto fail;
        }
        if (setenv("LISTEN_FDS", count, 1) < 0 || setenv("LISTEN_PID", pid, 1) < 0 ||
            setenv(LISTENER_RELOADED_ENV, from_systemd ? LISTENER_RELOADED_SYSTEMD : LISTENER_RELOADED_OWN, 1) < 0) {
                r = negative_errno();
                goto fail;
        }
        for (; placed < n_fds; placed++)
                if (dup2(high[placed], (int) (3 + placed)) < 0) {      /* dup2: the copy has no CLOEXEC */
                        r = negative_errno();
                        goto fail;
                }
        execv(argv[0], argv);
        r = negative_errno();
        log_error("Received SIGHUP; cannot re-execute %s: %s", argv[0], strerror(-r));
fail:
        for (size_t i = 0; i < placed; i++) {
                if (saved[i] >= 0)
                        (void) dup3(saved[i], (int) (3 + i), O_CLOEXEC);
                else
                        (void) close((int) (3 + i));
        }
        for (size_t i = 0; i < moved; i++) {
                safe_close(high[i]);
                safe_close(saved[i]);
        }
        (void) unsetenv("LISTEN_FDS");
        (void) unsetenv("LISTEN_PID");
        (void) unsetenv(LISTENER_RELOADED_ENV);
        (void) unsetenv("WATCHDOG_USEC");
        (void) unsetenv("WATCHDOG_PID");
        return r;
}
