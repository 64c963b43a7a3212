#pragma once
/*
 * ~/.ssh/environment (sshd(8) FILES), read when PermitUserEnvironment allows it, by the session's child
 * once it has become the user (so the user can never make root read a file the user could not), as
 * OpenSSH's read_environment_file() reads it:
 *
 *   - every line counts towards SESSION_MAX_USER_ENV_LINES (OpenSSH's 1000), comments and blank ones
 *     too; one more refuses the session, as OpenSSH's fatal() does, and so does a file larger than
 *     SESSION_MAX_USER_ENV_FILE bytes (OpenSSH has no such bound);
 *   - leading blanks (spaces, tabs) are skipped; an empty line or one starting with '#' is ignored;
 *   - otherwise the line is NAME=VALUE, split at the first '=': the value is the rest of the line as
 *     it is (blanks, quotes, '=' and a trailing '\r' included);
 *   - a line without '=' is "Bad line N in FILE" on the session's stderr (OpenSSH's words) and skipped;
 *     so is a line whose NAME is not an identifier (letters, digits, '_', not starting with a digit) or
 *     that holds a NUL byte (OpenSSH would set a variable whose name no shell can read, or cut the
 *     line at the NUL);
 *   - a NAME that PermitUserEnvironment's pattern list does not match is skipped silently (as
 *     OpenSSH); a NAME that privsshd never lets users set (config_user_env_allowed(): LD_PRELOAD,
 *     BASH_ENV, ...) is skipped with a line on stderr saying so;
 *   - a later line for a NAME replaces an earlier one.
 *
 * A missing or unreadable file, or one that is not a regular file (a FIFO must not block the
 * session), is no file at all, as OpenSSH's failed fopen().
 */

#include <stddef.h>

#include "common/config.h"

/*
 * The NAME=VALUE assignments of `size` bytes at `data` (not NUL-terminated), in file order, filtered
 * by c's PermitUserEnvironment. `origin` names the file in messages, written to msg_fd (-1: none).
 * 0 with *ret a NULL-terminated list (NULL when empty); -E2BIG past SESSION_MAX_USER_ENV_LINES lines;
 * -ENOMEM.
 */
int user_environment_parse(const char *data, size_t size, const char *origin, const Config *c, int msg_fd,
                           char ***ret);

/*
 * Read the file at `path` (the caller's HOME/.ssh/environment) and parse it as above. Also -EFBIG when
 * it is larger than SESSION_MAX_USER_ENV_FILE.
 */
int user_environment_read(const char *path, const Config *c, int msg_fd, char ***ret);
