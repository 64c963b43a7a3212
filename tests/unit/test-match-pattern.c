/* OpenSSH-style wildcard patterns (common/match-pattern.c). */

#include <stdio.h>
#include <string.h>

#include "common/macro.h"
#include "common/match-pattern.h"
#include "test-helpers.h"

int main(void) {
        static const struct {
                const char *string, *pattern;
                bool match;
        } cases[] = {
                { "LANG", "LANG", true },       { "LANG", "LAN", false },      { "LAN", "LANG", false },
                { "LC_ALL", "LC_*", true },     { "LC_", "LC_*", true },       { "LC", "LC_*", false },
                { "lang", "LANG", false },      { "", "", true },              { "", "*", true },
                { "a", "", false },             { "abc", "a?c", true },        { "ac", "a?c", false },
                { "abc", "*c", true },          { "abc", "*b", false },        { "abcbc", "*bc", true },
                { "aXbYc", "a*b*c", true },     { "abab", "*ab", true },       { "abba", "a*a", true },
                { "mississippi", "m*iss*ppi", true }, { "mississippi", "m*iss*x", false },
                { "x", "**?**", true },         { "", "?", false },            { "a*b", "a\\*b", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                CHECK(match_pattern(cases[i].string, cases[i].pattern) == cases[i].match, "\"%s\" %s \"%s\"",
                      cases[i].string, cases[i].match ? "matches" : "does not match", cases[i].pattern);
        CHECK(!match_pattern(NULL, "*") && !match_pattern("x", NULL), "NULL never matches");

        /* No exponential blow-up: 64 stars against a long string that fails at the end. */
        char pattern[200] = "", string[4096];
        for (int i = 0; i < 64; i++)
                strcat(pattern, "*a");
        strcat(pattern, "b");
        memset(string, 'a', sizeof string - 1);
        string[sizeof string - 1] = 0;
        CHECK(!match_pattern(string, pattern), "64 stars against 4095 a's without b: no match, and it returns");

        return test_summary();
}
