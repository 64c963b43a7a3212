#pragma once
/*
 * StrictModes (sshd_config(5)): a file the user controls access with, such as authorized_keys, is only
 * trusted when nobody but the user and root could have written it. The file must be a regular file;
 * it, and every directory above it up to and including the user's home directory (or up to / when the
 * file is not under the home directory), must be owned by root or the user and must not be writable by
 * group or others. This is OpenSSH's rule, and the reasons use OpenSSH's wording, so that the caller's
 * "Authentication refused: %s" line reads as sshd's does.
 *
 * The check is made on the file we actually opened, not on its name: the path checked is where the
 * open fd lives (/proc/self/fd, falling back to realpath() plus a device/inode comparison), and the
 * directories are walked from / down with O_PATH|O_DIRECTORY|O_NOFOLLOW opens, each one fstat()ed, the
 * last one shown to hold the very inode we have open. A directory that passes cannot be changed under
 * us by anyone but root or the user, so the only races left are the user's own.
 */

#include <sys/types.h>

/*
 * Check the open regular file `fd`, opened as `path`, for user `uid` whose home is `home` (may be NULL:
 * then every directory up to / is checked). Returns 0 when safe; -EPERM when not, with *ret_reason
 * (when ret_reason is non-NULL) set to a malloc'd reason such as "bad ownership or modes for directory
 * /home/alice/.ssh" (NULL if out of memory); another negative errno when the check itself failed (the
 * caller must refuse then too). *ret_reason is written only on -EPERM.
 */
int secure_path_check(int fd, const char *path, uid_t uid, const char *home, char **ret_reason);
