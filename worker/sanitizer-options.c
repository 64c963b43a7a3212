/*
 * Sanitizer builds only: LeakSanitizer's exit-time check stops the world with clone() and ptrace(),
 * which the worker's seccomp policy (rightly) kills, and privsshd-sftp's too (sftp/meson.build
 * compiles this file into it). Leaks in both are checked by the unit tests, the fuzz replays and
 * runs outside the sandbox; in the sandbox, leak detection is off.
 */

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define PRIVSSHD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PRIVSSHD_ASAN 1
#endif
#endif

#ifdef PRIVSSHD_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
#ifdef __clang__
        /* clang's runtime would start llvm-symbolizer to symbolize a report: exec, which seccomp kills. */
        return "detect_leaks=0:symbolize=0";
#else
        return "detect_leaks=0";
#endif
}
#endif
