/*
 * The worker's sandbox: what is left to an attacker who runs code in the worker.
 *
 * The worker parses everything the network sends before anyone is authenticated. It is exec'd as root
 * only so that it can chroot and change identity; it receives its host keys and parameters from the
 * monitor over IPC, sets libssh up, and then calls sandbox_enter() before reading the first byte from the
 * client. Each step below removes one thing, in an order where every step can still be done:
 *
 *  1. The root directory is checked through one O_PATH descriptor that is then also the one we chroot
 *     into (fchdir + chroot("."), no second path lookup to race): a directory owned by root, writable by
 *     nobody else (so the sandbox user cannot plant files in it), and empty (nothing in it to open, and it
 *     cannot be "/" even if a symlink on the way points there). After chroot the new "/" is compared with
 *     the checked descriptor. Like OpenSSH's privsep chroot, but race-free and with the emptiness check.
 *  2. Identity: setgroups(0), then setresgid and setresuid to the sandbox user, all three ids each, gid
 *     first while we still may. uid or gid 0, and -1 ("leave unchanged"), are refused. Then we check that
 *     the change took: the real, effective and saved ids, no supplementary groups, setuid(0) and setgid(0)
 *     fail with EPERM, and no capability is left (a SECBIT_KEEP_CAPS or NO_SETUID_FIXUP inherited from a
 *     service manager would otherwise keep them across the uid change).
 *  3. PR_SET_NO_NEW_PRIVS: no execve could ever gain privileges (and seccomp requires it). PR_SET_DUMPABLE
 *     0: no core dump of a process holding session keys, no ptrace or /proc/PID access by other processes
 *     of the sandbox user (every connection's worker shares that uid).
 *  4. Resource limits, soft = hard so they cannot be raised again: no new processes (NPROC 0), no file
 *     creation or growth (FSIZE 0; SIGXFSZ is ignored so such a write fails with EFBIG rather than killing
 *     us), no core files, no locked memory, a bounded number of descriptors, and a bounded address space
 *     (not under ASan, whose shadow memory reserves terabytes). A limit already lower than ours is kept.
 *     (The worker's fd 2 is /dev/null anyway, common/fd-layout.h: its logs go to the monitor over IPC.)
 *  5. The seccomp filter (seccomp-policy.c), last, because everything above needs system calls it forbids.
 *
 * What must be done before all this, while files can still be opened, is in sandbox_prepare_before_chroot()
 * and in the worker's libssh setup (libssh's lazy opens: openssl.cnf and the DRBG seed at the first RAND
 * use, i.e. ssh_bind_accept_fd; /etc/localtime; libssh_server_config; host keys imported from memory).
 *
 * ASan builds: LeakSanitizer's exit-time check stops the world with clone and ptrace and reads /proc, none
 * of which exist in here; once the sandbox is entered it is turned off (__lsan_is_turned_off below) so a
 * clean exit stays clean. Leaks in the sandboxed phase are therefore not reported by LSan. Before the
 * chroot the runtime is told it is about to be sandboxed, and GCC's in-process symbolizer is warmed up, so
 * that reports from inside the sandbox are complete and symbolized. clang's runtime symbolizes by running
 * llvm-symbolizer, which the sandbox forbids: run clang ASan builds with ASAN_OPTIONS=symbolize=0.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/fd-layout.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "worker/sandbox.h"
#include "worker/seccomp-policy.h"

#if WORKER_BUILT_WITH_ASAN      /* defined by seccomp-policy.h */
#include <sanitizer/common_interface_defs.h>
#endif

_Static_assert(SANDBOX_RLIMIT_NOFILE >= _WORKER_FD_MAX + 3u * SESSION_MAX_PER_CONN + 64u,
               "RLIMIT_NOFILE must hold three descriptors per session and then some");

#if WORKER_BUILT_WITH_ASAN
static volatile sig_atomic_t sandbox_entered = 0;

/* LeakSanitizer asks this at exit; see the essay above. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void) {
        return sandbox_entered;
}
#define SANDBOX_MARK_ENTERED() (sandbox_entered = 1)
#else
#define SANDBOX_MARK_ENTERED() ((void) 0)
#endif

int sandbox_prepare_before_chroot(void) {
        struct sigaction ign = { .sa_handler = SIG_IGN };

        /* localtime() reads /etc/localtime on first use (libssh's logger, our file log target). */
        tzset();

#if WORKER_BUILT_WITH_ASAN
        /* Let the sanitizer runtime cache what it would otherwise read from /proc at report time (binary
         * name, memory map). */
        __sanitizer_sandbox_arguments args = {};
        __sanitizer_sandbox_on_notify(&args);
#  if !defined(__clang__)
        /* GCC's runtime symbolizes in-process (libbacktrace): load the symbol tables now, so that reports
         * from inside the sandbox have function names. Not with clang: its runtime would spawn
         * llvm-symbolizer here, a root process outside the sandbox; clang builds want symbolize=0. */
        char buf[128];
        __sanitizer_symbolize_pc(__builtin_return_address(0), "%p %F %L", buf, sizeof buf);
#  endif
#endif

        sigemptyset(&ign.sa_mask);
        if (sigaction(SIGPIPE, &ign, NULL) < 0)
                return log_error_errno(negative_errno(), "sandbox: ignoring SIGPIPE: %m");
        if (sigaction(SIGXFSZ, &ign, NULL) < 0)
                return log_error_errno(negative_errno(), "sandbox: ignoring SIGXFSZ: %m");
        return 0;
}

static int sandbox_check_root_dir(const char *path, int *ret_fd, struct stat *ret_st) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (isempty(path) || path[0] != '/') {
                log_error("sandbox: root directory \"%s\" is not an absolute path", path ? path : "(null)");
                return -EINVAL;
        }

        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "sandbox: opening root directory \"%s\": %m", path);
        if (fstat(fd, &st) < 0)
                return log_error_errno(negative_errno(), "sandbox: fstat of \"%s\": %m", path);
        if (!S_ISDIR(st.st_mode)) {
                log_error("sandbox: \"%s\" is not a directory", path);
                return -ENOTDIR;
        }
        if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
                log_error("sandbox: \"%s\" must be owned by root and not writable by group or others "
                          "(owner %u, mode 0%03o)",
                          path, (unsigned) st.st_uid, (unsigned) (st.st_mode & 07777));
                return -EPERM;
        }

        /* Empty: nothing to open in there, and it is not "/" or any other populated directory. */
        int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return log_error_errno(negative_errno(), "sandbox: listing \"%s\": %m", path);
        DIR *d = fdopendir(dfd);
        if (!d) {
                int r = negative_errno();
                safe_close(dfd);
                return log_error_errno(r, "sandbox: listing \"%s\": %s", path, strerror(-r));
        }
        const char *entry = NULL;
        struct dirent *de;
        errno = 0;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        entry = de->d_name;
                        break;
                }
        int r = errno > 0 && !de ? -errno : 0;
        if (entry)
                log_error("sandbox: root directory \"%s\" must be empty, it contains \"%s\"", path, entry);
        else if (r < 0)
                log_error("sandbox: listing \"%s\": %s", path, strerror(-r));
        closedir(d);
        if (entry)
                return -ENOTEMPTY;
        if (r < 0)
                return r;

        *ret_fd = TAKE_FD(fd);
        *ret_st = st;
        return 0;
}

static int sandbox_chroot(int dir_fd, const struct stat *dir_st, const char *path) {
        struct stat st;

        if (fchdir(dir_fd) < 0)
                return log_error_errno(negative_errno(), "sandbox: fchdir to \"%s\": %m", path);
        if (chroot(".") < 0)
                return log_error_errno(negative_errno(), "sandbox: chroot to \"%s\": %m", path);
        if (chdir("/") < 0)
                return log_error_errno(negative_errno(), "sandbox: chdir to / after chroot: %m");

        if (stat("/", &st) < 0)
                return log_error_errno(negative_errno(), "sandbox: stat of the new root: %m");
        if (st.st_dev != dir_st->st_dev || st.st_ino != dir_st->st_ino) {
                log_error("sandbox: after chroot, / is not \"%s\"", path);
                return -EIO;
        }
        return 0;
}

static int sandbox_drop_identity(uid_t uid, gid_t gid) {
        if (setgroups(0, NULL) < 0)
                return log_error_errno(negative_errno(), "sandbox: setgroups(0): %m");
        if (setresgid(gid, gid, gid) < 0)
                return log_error_errno(negative_errno(), "sandbox: setresgid(%u): %m", (unsigned) gid);
        if (setresuid(uid, uid, uid) < 0)
                return log_error_errno(negative_errno(), "sandbox: setresuid(%u): %m", (unsigned) uid);
        return 0;
}

static int sandbox_verify_identity(uid_t uid, gid_t gid) {
        uid_t ru, eu, su;
        gid_t rg, eg, sg;

        if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
                return log_error_errno(negative_errno(), "sandbox: reading our ids back: %m");
        if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
                log_error("sandbox: ids are %u/%u/%u:%u/%u/%u, expected %u:%u", (unsigned) ru, (unsigned) eu,
                          (unsigned) su, (unsigned) rg, (unsigned) eg, (unsigned) sg, (unsigned) uid,
                          (unsigned) gid);
                return -EPERM;
        }
        int n = getgroups(0, NULL);
        if (n != 0) {
                log_error("sandbox: %d supplementary groups left after setgroups(0)", n);
                return -EPERM;
        }

        /* The real test: can we get root back? */
        if (setuid(0) != -1 || errno != EPERM) {
                log_error("sandbox: setuid(0) did not fail with EPERM after dropping privileges");
                return -EPERM;
        }
        if (setgid(0) != -1 || errno != EPERM) {
                log_error("sandbox: setgid(0) did not fail with EPERM after dropping privileges");
                return -EPERM;
        }

        struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
        if (syscall(SYS_capget, &header, data) < 0)
                return log_error_errno(negative_errno(), "sandbox: capget: %m");
        for (size_t i = 0; i < ELEMENTSOF(data); i++)
                if (data[i].effective || data[i].permitted || data[i].inheritable) {
                        log_error("sandbox: capabilities survived the uid change (securebits?)");
                        return -EPERM;
                }
        return 0;
}

typedef struct SandboxRlimit {
        int resource;
        const char *name;
        rlim_t value;
} SandboxRlimit;

static int sandbox_set_rlimits(void) {
        const SandboxRlimit limits[] = {
                { RLIMIT_NPROC, "RLIMIT_NPROC", 0 },                    /* no fork, no threads */
                { RLIMIT_FSIZE, "RLIMIT_FSIZE", 0 },                    /* no file grows */
                { RLIMIT_CORE, "RLIMIT_CORE", 0 },                      /* no core with keys in it */
                { RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK", 0 },                /* no mlock */
                { RLIMIT_NOFILE, "RLIMIT_NOFILE", SANDBOX_RLIMIT_NOFILE },
#if !WORKER_BUILT_WITH_ASAN
                { RLIMIT_AS, "RLIMIT_AS", (rlim_t) SANDBOX_RLIMIT_AS },
#endif
        };

        for (size_t i = 0; i < ELEMENTSOF(limits); i++) {
                struct rlimit old, rl;

                if (getrlimit(limits[i].resource, &old) < 0)
                        return log_error_errno(negative_errno(), "sandbox: getrlimit(%s): %m", limits[i].name);
                /* Unprivileged now: we can only lower the hard limit, and a lower one is fine. */
                rl.rlim_cur = rl.rlim_max = MIN(limits[i].value, old.rlim_max);
                if (setrlimit(limits[i].resource, &rl) < 0)
                        return log_error_errno(negative_errno(), "sandbox: setrlimit(%s, %llu): %m",
                                               limits[i].name, (unsigned long long) rl.rlim_max);
        }
        return 0;
}

int sandbox_enter(const SandboxParams *p) {
        _cleanup_close_ int dir_fd = -EBADF;
        struct stat dir_st;
        int r;

        if (!p)
                return -EINVAL;
        if (p->uid == 0 || p->gid == 0 || p->uid == (uid_t) -1 || p->gid == (gid_t) -1) {
                log_error("sandbox: refusing %d:%d as the sandbox identity", (int) p->uid, (int) p->gid);
                return -EPERM;
        }

        r = sandbox_prepare_before_chroot();
        if (r < 0)
                return r;

        r = sandbox_check_root_dir(p->root_dir, &dir_fd, &dir_st);
        if (r < 0)
                return r;

        /* From here on, a failure leaves a half-sandboxed process: the caller exits. */
        SANDBOX_MARK_ENTERED();

        r = sandbox_chroot(dir_fd, &dir_st, p->root_dir);
        if (r < 0)
                return r;
        dir_fd = safe_close(dir_fd);

        r = sandbox_drop_identity(p->uid, p->gid);
        if (r < 0)
                return r;
        r = sandbox_verify_identity(p->uid, p->gid);
        if (r < 0)
                return r;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return log_error_errno(negative_errno(), "sandbox: PR_SET_NO_NEW_PRIVS: %m");
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return log_error_errno(negative_errno(), "sandbox: PR_SET_DUMPABLE 0: %m");

        r = sandbox_set_rlimits();
        if (r < 0)
                return r;

        r = seccomp_policy_install();
        if (r < 0)
                return log_error_errno(r, "sandbox: installing the seccomp filter failed");

        log_debug("sandbox: entered \"%s\" as %u:%u, seccomp filter loaded%s", p->root_dir,
                  (unsigned) p->uid, (unsigned) p->gid, seccomp_policy_is_debug() ? " (debug: trap)" : "");
        return 0;
}
