/*
 * The relay's seccomp filter: a relay that a kernel or libc bug lets an attacker take over (it handles
 * bytes the network sent, nothing else) can still read from stdin and the socket, write to the socket and
 * stdout, wait for them, half-close the socket, close stdout, and exit. Nothing else, not even memory
 * allocation: its buffers are static and it never returns from relay_loop() but into exit_group.
 *
 * The table is its own (the worker's, worker/seccomp-policy.c, is much larger and none of it is needed
 * here), each row a system call and, where it matters, the one descriptor it may name: read only fds 0 and
 * 3, write only 3 and 1, shutdown only fd 3 for writing, close only fd 1. Default action: kill the process
 * (the monitor logs the SIGSYS and tears the connection down). Native ABI only, foreign arches killed.
 */

#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

#include <seccomp.h>

#include "common/fd-layout.h"
#include "common/macro.h"
#include "relay/relay.h"

typedef struct RelayRule {
        const char *syscall;
        int fd;                 /* -1: any arguments; otherwise arg 0 must be this descriptor */
        int arg1;               /* -1: any; otherwise arg 1 must be this value (shutdown's "how") */
} RelayRule;

static const RelayRule relay_rules[] = {
        { "read", RELAY_FD_IN, -1 },
        { "read", RELAY_FD_CONNECTION, -1 },
        { "write", RELAY_FD_CONNECTION, -1 },
        { "write", RELAY_FD_OUT, -1 },
        { "poll", -1, -1 },                     /* takes an array: the descriptors are not arguments */
        { "ppoll", -1, -1 },
        { "shutdown", RELAY_FD_CONNECTION, SHUT_WR },
        { "close", RELAY_FD_OUT, -1 },
        { "rt_sigreturn", -1, -1 },
        { "restart_syscall", -1, -1 },
        { "exit_group", -1, -1 },
        { "exit", -1, -1 },
};

static const uint32_t relay_foreign_arches[] = {
        SCMP_ARCH_X86, SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_ARM, SCMP_ARCH_AARCH64,
};

int relay_seccomp_load(void) {
        uint32_t native = seccomp_arch_native();
        /* Not released after loading: the relay never returns, and free() could need a call we forbid. */
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
        if (!ctx)
                return -ENOMEM;
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(relay_foreign_arches); i++)
                if (relay_foreign_arches[i] != native && seccomp_arch_exist(ctx, relay_foreign_arches[i]) != -EEXIST)
                        return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(relay_rules); i++) {
                const RelayRule *rule = &relay_rules[i];
                int nr = seccomp_syscall_resolve_name(rule->syscall);
                if (nr == __NR_SCMP_ERROR)
                        return -EINVAL;
                if (nr < 0)
                        continue;       /* not on this architecture (poll on aarch64) */
                struct scmp_arg_cmp cmp[2];
                unsigned n = 0;
                if (rule->fd >= 0)
                        cmp[n++] = SCMP_A0(SCMP_CMP_MASKED_EQ, UINT32_MAX, (uint32_t) rule->fd);
                if (rule->arg1 >= 0)
                        cmp[n++] = SCMP_A1(SCMP_CMP_MASKED_EQ, UINT32_MAX, (uint32_t) rule->arg1);
                r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
                if (r < 0)
                        return r;
        }
        return seccomp_load(ctx);
}
