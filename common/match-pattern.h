#pragma once
/*
 * OpenSSH's wildcard patterns (sshd_config(5) PATTERNS): '*' matches any run of characters, '?'
 * exactly one; everything else matches itself, case-sensitively. The matcher is iterative with one
 * backtrack point, so no pattern makes it slower than O(len(string) * len(pattern)).
 */

#include <stdbool.h>

bool match_pattern(const char *string, const char *pattern);

/*
 * OpenSSH's match_pattern_list(): `list` is comma-separated patterns, each optionally preceded by '!'.
 * 1 when some pattern matches and no negated one does, -1 as soon as a negated pattern matches, 0 when
 * none matches. With `lowercase`, the patterns are lowercased before matching (the caller lowercases
 * the string: host names). An entry longer than MATCH_MAX_LIST_ENTRY makes the whole list match
 * nothing (0), as in OpenSSH. NULL matches nothing.
 */
int match_pattern_in_list(const char *string, const char *list, bool lowercase);
