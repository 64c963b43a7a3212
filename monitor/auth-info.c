/* See auth-info.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/fd-util.h"
#include "common/macro.h"
#include "monitor/auth-info.h"

/* OpenSSH's name, so that whatever looks for these files finds ours too. */
#define AUTH_INFO_TEMPLATE "/tmp/sshauth.XXXXXXXXXXXXXXX"

int auth_info_format(const char *method, const char *key_type, const uint8_t *blob, size_t blob_len, char **ret) {
        if (isempty(method))
                return -EINVAL;
        _cleanup_free_ char *b64 = NULL;
        if (key_type) {
                int r = base64_encode(blob, blob_len, true, &b64);
                if (r < 0)
                        return r;
        }
        char *s = NULL;
        if (asprintf(&s, "%s%s%s%s%s\n", method, key_type ? " " : "", key_type ?: "", b64 ? " " : "", b64 ?: "") < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int auth_info_append(char **text, const char *method, const char *key_type, const uint8_t *blob,
                     size_t blob_len) {
        _cleanup_free_ char *line = NULL;
        int r = auth_info_format(method, key_type, blob, blob_len, &line);
        if (r < 0)
                return r;
        char *s = NULL;
        if (asprintf(&s, "%s%s", *text ?: "", line) < 0)
                return -ENOMEM;
        free(*text);
        *text = s;
        return 0;
}

/* The file-system identity (setfsuid(2)), the user's for the span of one operation. Both calls return
 * the previous value whatever happens, so the result is checked by asking again. */
typedef struct FsIdentity {
        uid_t uid;
        gid_t gid;
} FsIdentity;

static int fs_identity_set(const UserCreds *u, FsIdentity *saved) {
        /* The group first, while the uid still carries the right to change it. */
        saved->gid = (gid_t) setfsgid(u->gid);
        saved->uid = (uid_t) setfsuid(u->uid);
        if ((uid_t) setfsuid((uid_t) -1) != u->uid || (gid_t) setfsgid((gid_t) -1) != u->gid)
                return -EPERM;
        return 0;
}

static void fs_identity_restore(const FsIdentity *saved) {
        (void) setfsuid(saved->uid);
        (void) setfsgid(saved->gid);
}

int auth_info_file_write(const UserCreds *u, const char *text, char **ret_path) {
        _cleanup_free_ char *path = strdup(AUTH_INFO_TEMPLATE);
        if (!path)
                return -ENOMEM;

        FsIdentity saved;
        int r = fs_identity_set(u, &saved);
        if (r < 0) {
                fs_identity_restore(&saved);
                return r;
        }
        /* mkostemp: O_CREAT|O_EXCL, mode 0600, a fresh unguessable name in the sticky /tmp. */
        _cleanup_close_ int fd = mkostemp(path, O_CLOEXEC);
        if (fd < 0)
                r = negative_errno();
        else {
                r = loop_write(fd, text, strlen(text));
                if (r >= 0 && close(TAKE_FD(fd)) < 0)
                        r = negative_errno();
                if (r < 0)
                        (void) unlink(path);
        }
        fs_identity_restore(&saved);
        if (r < 0)
                return r;
        *ret_path = TAKE_PTR(path);
        return 0;
}

int auth_info_file_remove(const UserCreds *u, const char *path) {
        /* As the user: in the sticky /tmp that removes only a file the user owns. The user may have
         * removed ours, and another user made a file of that name since: root must not remove it. */
        FsIdentity saved;
        int r = fs_identity_set(u, &saved);
        if (r >= 0 && unlink(path) < 0 && errno != ENOENT)
                r = negative_errno();
        fs_identity_restore(&saved);
        return r < 0 ? r : 0;
}
