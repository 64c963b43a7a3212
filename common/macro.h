#pragma once
/*
 * Small helpers every file uses: scope-bound cleanup (systemd's _cleanup_ idiom), ownership hand-off
 * (TAKE_PTR/TAKE_FD), array sizes, and erase-then-free for secrets.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))
#define _fallthrough_ __attribute__((fallthrough))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Hand ownership on: returns the value and resets the variable so its cleanup does nothing. */
#define TAKE_GENERIC(var, type, nullvalue)              \
        ({                                              \
                type *_pvar_ = &(var);                  \
                type _var_ = *_pvar_;                   \
                type _nullvalue_ = nullvalue;           \
                *_pvar_ = _nullvalue_;                  \
                _var_;                                  \
        })
#define TAKE_PTR(p) TAKE_GENERIC(p, __typeof__(p), NULL)
#define TAKE_FD(fd) TAKE_GENERIC(fd, int, -EBADF)

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* `name` for _cleanup_(name): calls func (a destructor that accepts NULL) on a variable of `type`. */
#define DEFINE_CLEANUP_FUNC(name, type, func)   \
        static inline void name(type *p) {      \
                func(*p);                       \
        }

/* Secrets: wipe before free, on every path. */
static inline void *erase_and_free(void *p) {
        if (p) {
                explicit_bzero(p, strlen(p));
                free(p);
        }
        return NULL;
}
static inline void erase_and_freep(void *p) {
        erase_and_free(*(void **) p);
}
#define _cleanup_erase_free_ _cleanup_(erase_and_freep)

static inline void erase_buf(void *p, size_t n) {
        if (p)
                explicit_bzero(p, n);
}

/* Negative errno of the last failure, never 0 (a failing call that forgot errno still fails). */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)
#define isempty(s) (!(s) || (s)[0] == '\0')

/* Free a NULL-terminated array of strings. */
static inline char **strv_free(char **l) {
        if (l) {
                for (char **i = l; *i; i++)
                        free(*i);
                free(l);
        }
        return NULL;
}
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
