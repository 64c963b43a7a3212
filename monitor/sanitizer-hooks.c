/* See sanitizer-hooks.h. */

#include "monitor/sanitizer-hooks.h"

static int leak_check_off = 0;

void sanitizer_child_no_leak_check(void) {
        leak_check_off = 1;
}

/* LeakSanitizer asks this (a weak hook) before its exit-time check. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void) {
        return leak_check_off;
}
