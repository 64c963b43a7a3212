#pragma once
/*
 * OpenSSH's wildcard patterns (sshd_config(5) PATTERNS): '*' matches any run of characters, '?'
 * exactly one; everything else matches itself, case-sensitively. The matcher is iterative with one
 * backtrack point, so no pattern makes it slower than O(len(string) * len(pattern)).
 */

#include <stdbool.h>

bool match_pattern(const char *string, const char *pattern);
