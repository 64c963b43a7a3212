#pragma once
/*
 * StrictModes: a file the user controls access with (authorized_keys) must be a regular file, and it
 * and every directory above it, up to the user's home directory (or up to / for files outside it),
 * must be owned by root or the user and not writable by group or others. OpenSSH's rule and wording.
 */

#include <sys/types.h>

/* 0 when safe; -EPERM with *ret_reason ("bad ownership or modes for directory /home/a/.ssh"). */
int secure_path_check(int fd, const char *path, uid_t uid, const char *home, char **ret_reason);
