#pragma once
/*
 * OpenSSH's wildcard patterns (sshd_config(5) PATTERNS): '*' matches any run of characters, '?'
 * exactly one; everything else matches itself, case-sensitively. The matcher is iterative with one
 * backtrack point, so no pattern makes it slower than O(len(string) * len(pattern)).
 */

#include <stdbool.h>

bool match_pattern(const char *string, const char *pattern);

/*
 * A comma-separated pattern list; an entry starting with '!' negates. 1: some entry matched and none
 * negated; -1: a negated entry matched (that decides, as in OpenSSH); 0: nothing matched.
 */
int match_pattern_list(const char *string, const char *list);
