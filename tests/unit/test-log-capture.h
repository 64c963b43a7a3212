#pragma once
/* For the unit tests that check what is logged (test-authorized-keys.c, test-key-restrictions.c): with
 * log_set_callback(log_capture, NULL), the last line at INFO or above, the last more verbose one, and
 * how many of the first there were since log_capture_reset(). */

#include <stdio.h>

#include "common/log.h"

static char last_info[2048], last_debug[2048];
static unsigned n_info;

static inline void log_capture(LogLevel level, const char *line, void *userdata) {
        if (level <= LOG_LEVEL_INFO) {
                snprintf(last_info, sizeof last_info, "%s", line);
                n_info++;
        } else
                snprintf(last_debug, sizeof last_debug, "%s", line);
}

static inline void log_capture_reset(void) {
        last_info[0] = last_debug[0] = '\0';
        n_info = 0;
}
