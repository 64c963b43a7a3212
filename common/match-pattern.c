/* See match-pattern.h. */

#include <stddef.h>

#include "common/match-pattern.h"

bool match_pattern(const char *s, const char *p) {
        if (!s || !p)
                return false;
        size_t pi = 0;
        const char *star_s = NULL;      /* where the string stood when the last '*' was seen; NULL: none yet */
        size_t star_p = 0;              /* the pattern position after that '*' */

        while (*s) {
                if (p[pi] && (p[pi] == '?' || (p[pi] != '*' && p[pi] == *s))) {
                        s++;
                        pi++;
                } else if (p[pi] == '*') {
                        star_p = ++pi;
                        star_s = s;
                } else if (star_s) {
                        /* Let the last '*' swallow one more character and retry from there. */
                        pi = star_p;
                        s = ++star_s;
                } else {
                        return false;
                }
        }
        while (p[pi] == '*')
                pi++;
        return p[pi] == '\0';
}
