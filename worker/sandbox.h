#pragma once
/*
 * Entering the worker's sandbox: an empty root-owned chroot, an unprivileged uid and gid with no
 * supplementary groups and no capabilities, NO_NEW_PRIVS, not dumpable, resource limits that forbid new
 * processes and file growth, and finally the seccomp filter of seccomp-policy.c. The worker calls
 * sandbox_enter() once, as root, after libssh is set up (host keys imported from memory, RNG seeded,
 * ssh_bind_accept_fd done) and before it reads a single byte from the network. There is no way back.
 * See the essay at the top of sandbox.c.
 */

#include <sys/types.h>

#include "common/limits.h"

/* Descriptors the sandboxed worker may hold: the five it is exec'd with, up to three per session (stdin,
 * stdout and stderr pipes, or a pty master), forwarded connections and listeners. recvmsg() drops passed
 * descriptors beyond this limit (MSG_CTRUNC), which the worker treats as a protocol violation.
 * (These two belong in common/limits.h; kept here until that file's owner takes them.) */
#define SANDBOX_RLIMIT_NOFILE 4096u
/* Address space of the sandboxed worker, a bound on what a client can make it allocate. Not applied in
 * ASan builds. */
#define SANDBOX_RLIMIT_AS (2ull * 1024 * 1024 * 1024)

typedef struct SandboxParams {
        uid_t uid;              /* the SandboxUser; never 0 */
        gid_t gid;              /* its primary group; never 0 */
        const char *root_dir;   /* SandboxDirectory: absolute, root-owned, not group/other-writable, empty */
} SandboxParams;

/* What must happen while files can still be opened and signal dispositions still changed: load the time
 * zone, ignore SIGPIPE (a session's reader may be gone) and SIGXFSZ (a write to a regular file fails with
 * EFBIG instead of killing us). Idempotent; sandbox_enter() calls it too. Returns 0 or a negative errno. */
int sandbox_prepare_before_chroot(void);

/* Enter the sandbox; irreversible. Must run as root, single-threaded. Every step is checked; on failure
 * the step is logged and a negative errno returned, and the caller must exit: the process may be half
 * sandboxed. Returns 0 on success. */
int sandbox_enter(const SandboxParams *p);
