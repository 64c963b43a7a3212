/* See session-signal.h. */

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "monitor/sanitizer-hooks.h"
#include "monitor/session-signal.h"

/* The sender: drops every descriptor and every uid and gid to the user's, then signals. Only the
 * uids matter to kill(); the groups go too so that nothing of root's stays. No NSS lookups
 * (initgroups), no file opened but /proc/self/fd: nothing here waits on anything the user controls
 * before the uids change. */
_noreturn_ static void sender(const UserCreds *u, pid_t pgid, int sig, bool test_stop) {
        if (close_all_fds_except(NULL, 0) < 0)
                _exit(2);
        for (int fd = 0; fd < 3; fd++)
                (void) close(fd);
        if (setgroups(0, NULL) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
            setresuid(u->uid, u->uid, u->uid) < 0)
                _exit(2);
        if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
                _exit(2);
        if (test_stop)
                (void) raise(SIGSTOP);
        (void) kill(-pgid, sig);
        _exit(0);
}

static void forget(SignalSenders *s, unsigned i) {
        s->n--;
        s->pid[i] = s->pid[s->n];
        s->deadline_usec[i] = s->deadline_usec[s->n];
}

int signal_senders_start(SignalSenders *s, const UserCreds *u, pid_t pgid, int sig, uint64_t now_usec) {
        if (!u || pgid <= 1)
                return -EINVAL;
        if (s->n >= SESSION_MAX_PENDING_SIGNALS)
                return -EBUSY;
        pid_t pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                sanitizer_child_no_leak_check();
                sender(u, pgid, sig, s->test_stop);
        }
        s->pid[s->n] = pid;
        s->deadline_usec[s->n] = now_usec + SESSION_SIGNAL_SENDER_USEC;
        s->n++;
        return 0;
}

void signal_senders_test_stop(SignalSenders *s, bool stop) {
        s->test_stop = stop;
}

void signal_senders_reap(SignalSenders *s) {
        for (unsigned i = 0; i < s->n;) {
                pid_t r = waitpid(s->pid[i], NULL, WNOHANG);
                if (r == s->pid[i] || (r < 0 && errno == ECHILD))
                        forget(s, i);
                else
                        i++;
        }
}

static void kill_and_reap(SignalSenders *s, unsigned i) {
        (void) kill(s->pid[i], SIGKILL);
        /* Our own child, killed: it is gone at once, stopped or not (it touches no file system that
         * could hold it in an uninterruptible sleep). */
        while (waitpid(s->pid[i], NULL, 0) < 0 && errno == EINTR)
                ;
        forget(s, i);
}

void signal_senders_expire(SignalSenders *s, uint64_t now_usec) {
        for (unsigned i = 0; i < s->n;) {
                if (now_usec >= s->deadline_usec[i])
                        kill_and_reap(s, i);
                else
                        i++;
        }
}

int signal_senders_timeout_ms(const SignalSenders *s, uint64_t now_usec) {
        int best = -1;
        for (unsigned i = 0; i < s->n; i++) {
                uint64_t left = s->deadline_usec[i] > now_usec ? s->deadline_usec[i] - now_usec : 0;
                int ms = (int) ((left + 999) / 1000);
                if (best < 0 || ms < best)
                        best = ms;
        }
        return best;
}

void signal_senders_stop_all(SignalSenders *s) {
        while (s->n > 0)
                kill_and_reap(s, 0);
}
