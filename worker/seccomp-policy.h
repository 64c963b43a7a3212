#pragma once
/*
 * The worker's system-call allow list: a table of named groups, each with a one-line reason, installed
 * as a seccomp filter whose default action kills the whole process. File opens fail with EACCES instead
 * (libssh and OpenSSL open files lazily and cope with failure). Only the native ABI is allowed; a system
 * call through another ABI (i386 int 0x80, x32) kills the process too. Built with -Dseccomp_debug=true,
 * a forbidden call is trapped and reported on stderr (number, name, first arguments), then the process
 * exits with status 128 + SIGSYS (159). See the essay at the top of seccomp-policy.c.
 */

#include <stdbool.h>

/* AddressSanitizer builds: GCC defines __SANITIZE_ADDRESS__, clang answers __has_feature. The sandbox
 * skips RLIMIT_AS under ASan (its shadow memory reserves terabytes of address space) and the policy adds
 * the sanitizer-runtime group. */
#if defined(__SANITIZE_ADDRESS__)
#  define WORKER_BUILT_WITH_ASAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define WORKER_BUILT_WITH_ASAN 1
#  endif
#endif
#ifndef WORKER_BUILT_WITH_ASAN
#  define WORKER_BUILT_WITH_ASAN 0
#endif

/* Build the filter and load it into the calling process (after PR_SET_NO_NEW_PRIVS). Irreversible.
 * Returns 0 or a negative errno (logged). */
int seccomp_policy_install(void);

/* Write the filter that seccomp_policy_install() would load, in libseccomp's readable PFC form, to fd.
 * For tests and for reviewing the policy; loads nothing. Returns 0 or a negative errno. */
int seccomp_policy_export(int fd);

/* Whether this build traps and reports instead of killing (-Dseccomp_debug=true). */
bool seccomp_policy_is_debug(void);

/* -Dseccomp_debug=true: the descriptor the SIGSYS handler reports on (default 2; the worker's fd 2 is
 * /dev/null, it passes WORKER_FD_DIAGNOSTICS). No effect in other builds. */
void seccomp_policy_set_report_fd(int fd);

/* Whether the sanitizer-runtime group is part of the policy (ASan or UBSan builds). */
bool seccomp_policy_has_sanitizer_group(void);
