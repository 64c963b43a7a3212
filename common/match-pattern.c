/* See match-pattern.h. */

#include <stdlib.h>
#include <string.h>

#include "common/match-pattern.h"

/* Match string against pattern[0..plen). */
static bool match_n(const char *s, const char *p, size_t plen) {
        size_t pi = 0;
        const char *star_s = NULL;      /* where the string stood when the last '*' was seen */
        size_t star_p = 0;              /* the pattern position after that '*' */
        bool star = false;

        while (*s) {
                if (pi < plen && (p[pi] == '?' || (p[pi] != '*' && p[pi] == *s))) {
                        s++;
                        pi++;
                } else if (pi < plen && p[pi] == '*') {
                        star = true;
                        star_p = ++pi;
                        star_s = s;
                } else if (star) {
                        /* Let the last '*' swallow one more character and retry from there. */
                        pi = star_p;
                        s = ++star_s;
                } else {
                        return false;
                }
        }
        while (pi < plen && p[pi] == '*')
                pi++;
        return pi == plen;
}

bool match_pattern(const char *string, const char *pattern) {
        if (!string || !pattern)
                return false;
        return match_n(string, pattern, strlen(pattern));
}

int match_pattern_list(const char *string, const char *list) {
        int result = 0;
        if (!string || !list)
                return 0;
        for (const char *p = list;;) {
                size_t len = strcspn(p, ",");
                bool negated = len > 0 && p[0] == '!';
                const char *q = negated ? p + 1 : p;
                size_t qlen = negated ? len - 1 : len;
                if (qlen > 0 && match_n(string, q, qlen)) {
                        if (negated)
                                return -1;
                        result = 1;
                }
                if (p[len] == '\0')
                        break;
                p += len + 1;
        }
        return result;
}
