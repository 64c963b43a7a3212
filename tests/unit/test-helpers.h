#pragma once
/* Tiny test helpers: CHECK prints one line per check and counts failures; leaks of fds are caught by
 * comparing the lowest free descriptor before and after (dbus-broker's trick). */

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int test_failures = 0;
static int test_checks = 0;

#define CHECK(cond, ...)                                                        \
        do {                                                                    \
                test_checks++;                                                  \
                if (cond) {                                                     \
                        printf("ok - ");                                        \
                } else {                                                        \
                        test_failures++;                                        \
                        printf("not ok - %s:%d: ", __FILE__, __LINE__);         \
                }                                                               \
                printf(__VA_ARGS__);                                            \
                printf("\n");                                                   \
        } while (0)

static inline int lowest_free_fd(void) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
                close(fd);
        return fd;
}

static inline int test_summary(void) {
        printf("%d checks, %d failed\n", test_checks, test_failures);
        return test_failures ? 1 : 0;
}
