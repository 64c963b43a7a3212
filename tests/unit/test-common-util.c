/* The small common/ modules: fd-util, log, proctitle, signal-util. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "common/proctitle.h"
#include "common/signal-util.h"
#include "test-helpers.h"

static void test_read_full(void) {
        int p[2];
        CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe");
        CHECK(loop_write(p[1], "hello world", 11) == 0, "loop_write");
        close(p[1]);
        char *data = NULL;
        size_t n = 0;
        CHECK(read_full_fd(p[0], 100, &data, &n) == 0 && n == 11 && streq(data, "hello world"), "read_full_fd reads all");
        free(data);
        close(p[0]);

        CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe");
        char big[10000];
        memset(big, 'x', sizeof big);
        CHECK(loop_write(p[1], big, sizeof big) == 0, "write 10000 bytes");
        close(p[1]);
        data = NULL;
        CHECK(read_full_fd(p[0], 5000, &data, &n) == -EFBIG && !data, "read_full_fd refuses more than max");
        close(p[0]);
}

static void test_open_regular(void) {
        char dir[] = "/tmp/test-open-regular-XXXXXX";
        CHECK(mkdtemp(dir) != NULL, "mkdtemp");
        char file[64], fifo[64], missing[64];
        snprintf(file, sizeof file, "%s/file", dir);
        snprintf(fifo, sizeof fifo, "%s/fifo", dir);
        snprintf(missing, sizeof missing, "%s/missing", dir);
        int w = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
        CHECK(w >= 0 && loop_write(w, "abc", 3) == 0, "write a file");
        close(w);
        CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
        int before = lowest_free_fd();

        struct stat st = {};
        int fd = open_regular_file(file, -EPERM, &st);
        CHECK(fd >= 0 && S_ISREG(st.st_mode) && st.st_size == 3 && (st.st_mode & 0777) == 0640,
              "open_regular_file opens a regular file and returns its stat");
        CHECK(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "open_regular_file: the fd is CLOEXEC");
        close(fd);
        fd = open_regular_file(file, -EPERM, NULL);
        CHECK(fd >= 0, "open_regular_file without a stat");
        close(fd);

        /* A FIFO without a writer would block a plain open(): the alarm fails the test instead. */
        alarm(10);
        CHECK(open_regular_file(fifo, -EPERM, &st) == -EPERM, "a FIFO without writer is the caller's error");
        CHECK(open_regular_file(fifo, -EINVAL, NULL) == -EINVAL, "... whichever error the caller names");
        alarm(0);
        CHECK(open_regular_file(dir, -EPERM, NULL) == -EPERM, "a directory is the caller's error");
        CHECK(open_regular_file("/dev/null", -EINVAL, NULL) == -EINVAL, "a device is the caller's error");
        CHECK(open_regular_file(missing, -EPERM, NULL) == -ENOENT, "a missing file is -ENOENT");
        CHECK(lowest_free_fd() == before, "open_regular_file leaks no fd");

        unlink(file);
        unlink(fifo);
        rmdir(dir);
}

static void test_close_all(void) {
        int before = lowest_free_fd();
        int a = open("/dev/null", O_RDONLY), b = open("/dev/null", O_RDONLY);
        pid_t pid = fork();
        if (pid == 0) {
                int keep[] = { b };
                close_all_fds_except(keep, 1);
                _exit(fcntl(a, F_GETFD) < 0 && fcntl(b, F_GETFD) >= 0 ? 0 : 1);
        }
        int st;
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "close_all_fds_except keeps exactly the listed fds");
        close(a);
        close(b);
        CHECK(lowest_free_fd() == before, "no fd leaked");
        int m = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK(fd_move_to(m, 50) == 0 && (fcntl(50, F_GETFD) & FD_CLOEXEC) == 0, "fd_move_to clears CLOEXEC on the target");
        close(m);
        close(50);
        CHECK(safe_close(-1) == -EBADF, "safe_close(-1) is a no-op returning -EBADF");
}

static void test_log(void) {
        CHECK(log_level_from_string("debug") == LOG_LEVEL_DEBUG1 && log_level_from_string("VERBOSE") == LOG_LEVEL_VERBOSE &&
              log_level_from_string("nope") == _LOG_LEVEL_INVALID, "LogLevel names");
        CHECK(streq(log_level_to_string(LOG_LEVEL_INFO), "INFO"), "INFO prints as INFO");
        int p[2];
        CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe");
        int saved = dup(STDERR_FILENO);
        dup2(p[1], STDERR_FILENO);
        log_open_stderr();
        log_set_level(LOG_LEVEL_INFO);
        log_info("user \"%s\" from x", "evil\nFailed password for root");
        log_debug("hidden at INFO");
        dup2(saved, STDERR_FILENO);
        close(saved);
        close(p[1]);
        char *out = NULL;
        read_full_fd(p[0], 4096, &out, NULL);
        close(p[0]);
        CHECK(out && streq(out, "user \"evil?Failed password for root\" from x\n"),
              "control characters cannot start a forged log line; debug is filtered: %s", out ? out : "(null)");
        free(out);
}

static void test_signalfd(void) {
        int fd = signalfd_for_daemon();
        CHECK(fd >= 0, "signalfd_for_daemon");
        pid_t pid = fork();
        if (pid == 0)
                _exit(0);
        struct signalfd_siginfo si;
        int got = 0;
        for (int i = 0; i < 200 && !got; i++) {
                if (read(fd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGCHLD)
                        got = 1;
                else
                        usleep(10000);
        }
        CHECK(got, "SIGCHLD arrives through the signalfd");
        waitpid(pid, NULL, 0);
        close(fd);
}

static void test_signal_reset(void) {
        /* After signalfd_for_daemon() (test_signalfd): SIGTERM blocked, SIGPIPE ignored; the control. */
        sigset_t now;
        struct sigaction sa;
        CHECK(sigprocmask(SIG_SETMASK, NULL, &now) == 0 && sigismember(&now, SIGTERM) &&
              sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN,
              "the daemon's signals: SIGTERM blocked, SIGPIPE ignored");
        pid_t pid = fork();
        if (pid == 0) {
                signal(SIGUSR1, SIG_IGN);
                signal_reset_for_exec();
                bool blocked = false;
                if (sigprocmask(SIG_SETMASK, NULL, &now) < 0)
                        _exit(2);
                for (int s = 1; s < NSIG; s++)
                        blocked |= sigismember(&now, s) == 1;
                struct sigaction pipe, usr1;
                if (sigaction(SIGPIPE, NULL, &pipe) < 0 || sigaction(SIGUSR1, NULL, &usr1) < 0)
                        _exit(2);
                _exit(!blocked && pipe.sa_handler == SIG_DFL && usr1.sa_handler == SIG_DFL ? 0 : 1);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
              "signal_reset_for_exec: nothing blocked, SIGPIPE and SIGUSR1 back to their default");
}

static void test_proctitle(int argc, char **argv) {
        proctitle_init(argc, argv);
        proctitle_set("test-title: %s [unit]", "x");
        int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
        char *data = NULL;
        if (fd >= 0) {
                read_full_fd(fd, 65536, &data, NULL);
                close(fd);
        }
        CHECK(data && streq(data, "test-title: x [unit]"), "the process title shows in /proc/self/cmdline: %s",
              data ? data : "(none)");
        free(data);
}

int main(int argc, char **argv) {
        test_read_full();
        test_open_regular();
        test_close_all();
        test_log();
        test_signalfd();
        test_signal_reset();
        test_proctitle(argc, argv);
        return test_summary();
}
