/*
 * Sanitizer builds only: LeakSanitizer's exit-time check stops the world with clone() and ptrace(),
 * which privsshd-sftp's seccomp filter kills (as the worker's, worker/sanitizer-options.c). Its leaks
 * are checked by the fuzz target's replay and the unit tests, outside the filter.
 */

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
        return "detect_leaks=0:symbolize=0";
#else
        return "detect_leaks=0";
#endif
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int sanitizer_options_unused;
#endif
