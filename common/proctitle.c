/* See proctitle.h. */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proctitle.h"

extern char **environ;

static char *title_start = NULL;
static size_t title_size = 0;

void proctitle_init(int argc, char **argv) {
        if (argc <= 0 || !argv || !argv[0])
                return;
        char *end = argv[0] + strlen(argv[0]);
        for (int i = 1; i < argc; i++)
                if (argv[i] == end + 1)
                        end = argv[i] + strlen(argv[i]);
        /* The environment strings usually follow argv: move them out of the way and use their room. */
        size_t n = 0;
        while (environ && environ[n])
                n++;
        bool env_follows = n > 0 && environ[0] == end + 1;
        if (env_follows) {
                char **copy = calloc(n + 1, sizeof(char *));
                if (copy) {
                        for (size_t i = 0; i < n; i++) {
                                if (environ[i] == end + 1)
                                        end = environ[i] + strlen(environ[i]);
                                copy[i] = strdup(environ[i]);
                                if (!copy[i]) {
                                        for (size_t k = 0; k < i; k++)
                                                free(copy[k]);
                                        free(copy);
                                        copy = NULL;
                                        break;
                                }
                        }
                }
                if (copy)
                        environ = copy;       /* deliberately never freed: it is the environment */
                else
                        end = argv[argc - 1] + strlen(argv[argc - 1]);
        }
        /* argv[] strings still point into the area: the first proctitle_set() overwrites them, so
         * callers must have copied what they need by then. */
        title_start = argv[0];
        title_size = (size_t) (end - argv[0]) + 1;
}

void proctitle_set(const char *fmt, ...) {
        if (!title_start || title_size < 2)
                return;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(title_start, title_size, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        size_t used = (size_t) n + 1 < title_size ? (size_t) n + 1 : title_size;
        memset(title_start + used, 0, title_size - used);
}
