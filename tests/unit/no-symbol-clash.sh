#!/bin/sh
# The worker links common/ and our static libssh together: a global symbol defined in both (it
# happened: match_pattern_list, sha256_init) links by the archive order's luck, or not at all. This
# fails, naming them, when the two define any global symbol in common.
set -eu
common=$1
libssh=$2
defined() { nm -g --defined-only "$1" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
defined "$common" > "$tmp"
clash=$(defined "$libssh" | comm -12 "$tmp" - | tr '\n' ' ')
n=$(defined "$common" | wc -l)
if [ "$n" -lt 10 ]; then
        echo "not ok - could not list the symbols of $common ($n)"
        exit 1
fi
if [ -n "$clash" ]; then
        echo "not ok - defined both in common/ and in libssh: $clash"
        exit 1
fi
echo "ok - common/ ($n global symbols) and libssh define no global symbol in common"
