/* See match-pattern.h. */

#include <stddef.h>
#include <string.h>

#include "common/limits.h"
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

int match_pattern_in_list(const char *s, const char *list, bool lowercase) {
        if (!s || !list)
                return 0;
        bool positive = false;
        for (const char *p = list; *p; ) {
                bool negated = *p == '!';
                p += negated;
                size_t len = strcspn(p, ",");
                if (len >= MATCH_MAX_LIST_ENTRY)
                        return 0;
                char entry[MATCH_MAX_LIST_ENTRY + 1];
                for (size_t i = 0; i < len; i++)
                        entry[i] = lowercase && p[i] >= 'A' && p[i] <= 'Z' ? (char) (p[i] - 'A' + 'a')
                                                                            : p[i];
                entry[len] = '\0';
                if (match_pattern(s, entry)) {
                        if (negated)
                                return -1;
                        positive = true;
                }
                /* a trailing comma ends the list: "a," is the one entry "a", as in OpenSSH */
                p += len + (p[len] == ',');
        }
        return positive;
}
