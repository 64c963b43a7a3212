/* See sftp-session.h: replies and handles. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "common/macro.h"
#include "common/wire.h"
#include "sftp/sftp-session.h"

int sftp_put_u64(WireWriter *w, uint64_t v) {
        wire_put_u32(w, (uint32_t) (v >> 32));
        return wire_put_u32(w, (uint32_t) v);
}

/* Frame the reply in s->w (type first) with its length and send it. */
int sftp_send_reply(SftpSession *s) {
        if (s->w.error)
                return s->w.error;
        uint8_t len[4] = { (uint8_t) (s->w.size >> 24), (uint8_t) (s->w.size >> 16), (uint8_t) (s->w.size >> 8),
                           (uint8_t) s->w.size };
        int r = loop_write(s->out, len, sizeof len);
        if (r >= 0)
                r = loop_write(s->out, s->w.data, s->w.size);
        s->w.size = 0;
        return r;
}

void sftp_begin(SftpSession *s, uint8_t type, uint32_t id) {
        s->w.size = 0;
        s->w.error = 0;
        wire_put_u8(&s->w, type);
        wire_put_u32(&s->w, id);
}

static const char *status_message(uint32_t code) {
        static const char *const msg[] = {
                "Success", "End of file", "No such file", "Permission denied", "Failure", "Bad message",
                "No connection", "Connection lost", "Operation unsupported",
        };
        return code < ELEMENTSOF(msg) ? msg[code] : "Unknown error";
}

int sftp_send_status(SftpSession *s, uint32_t id, uint32_t code) {
        sftp_begin(s, SSH_FXP_STATUS, id);
        wire_put_u32(&s->w, code);
        wire_put_string(&s->w, status_message(code));
        wire_put_string(&s->w, "");
        return sftp_send_reply(s);
}

static uint32_t errno_to_status(int e) {
        switch (e) {
        case 0:
                return SSH_FX_OK;
        case ENOENT: case ENOTDIR: case EBADF: case ELOOP:
                return SSH_FX_NO_SUCH_FILE;
        case EPERM: case EACCES: case EFAULT: case EROFS:
                return SSH_FX_PERMISSION_DENIED;
        case ENAMETOOLONG: case EINVAL:
                return SSH_FX_BAD_MESSAGE;
        case ENOSYS: case EOPNOTSUPP:
                return SSH_FX_OP_UNSUPPORTED;
        default:
                return SSH_FX_FAILURE;
        }
}

int sftp_send_errno(SftpSession *s, uint32_t id, int e) {
        return sftp_send_status(s, id, errno_to_status(e));
}

void sftp_put_attrs(WireWriter *w, const struct stat *st) {
        wire_put_u32(w, SSH_FILEXFER_ATTR_SIZE | SSH_FILEXFER_ATTR_UIDGID | SSH_FILEXFER_ATTR_PERMISSIONS |
                        SSH_FILEXFER_ATTR_ACMODTIME);
        sftp_put_u64(w, (uint64_t) st->st_size);
        wire_put_u32(w, st->st_uid);
        wire_put_u32(w, st->st_gid);
        wire_put_u32(w, st->st_mode);
        wire_put_u32(w, (uint32_t) st->st_atime);
        wire_put_u32(w, (uint32_t) st->st_mtime);
}

int sftp_send_stat(SftpSession *s, uint32_t id, const struct stat *st) {
        sftp_begin(s, SSH_FXP_ATTRS, id);
        sftp_put_attrs(&s->w, st);
        return sftp_send_reply(s);
}

/* One NAME entry of a single name (realpath, readlink, expand-path): attrs empty, as OpenSSH. */
int sftp_send_one_name(SftpSession *s, uint32_t id, const char *name) {
        sftp_begin(s, SSH_FXP_NAME, id);
        wire_put_u32(&s->w, 1);
        wire_put_string(&s->w, name);
        wire_put_string(&s->w, name);
        wire_put_u32(&s->w, 0);
        return sftp_send_reply(s);
}

/* ---- handles: the wire form is the table index as 4 big-endian bytes ---- */

SftpHandle *sftp_handle_get(SftpSession *s, const uint8_t *h, size_t len, bool dir) {
        if (len != 4)
                return NULL;
        uint32_t i = (uint32_t) h[0] << 24 | (uint32_t) h[1] << 16 | (uint32_t) h[2] << 8 | h[3];
        if (i >= SFTP_MAX_HANDLES || !s->handles[i].used || s->handles[i].is_dir != dir)
                return NULL;
        return &s->handles[i];
}

int sftp_handle_new(SftpSession *s, int fd, DIR *d, const char *name, int flags, uint32_t *ret) {
        for (uint32_t i = 0; i < SFTP_MAX_HANDLES; i++) {
                SftpHandle *h = &s->handles[i];
                if (h->used)
                        continue;
                char *n = strdup(name);
                if (!n)
                        return -ENOMEM;
                *h = (SftpHandle) { .used = true, .is_dir = d != NULL, .fd = fd, .dir = d, .name = n, .flags = flags };
                *ret = i;
                return 0;
        }
        return -EMFILE;
}

void sftp_handle_close(SftpHandle *h) {
        if (h->dir)
                closedir(h->dir);
        else
                safe_close(h->fd);
        free(h->name);
        *h = (SftpHandle) {};
}

int sftp_send_handle(SftpSession *s, uint32_t id, uint32_t i) {
        uint8_t b[4] = { (uint8_t) (i >> 24), (uint8_t) (i >> 16), (uint8_t) (i >> 8), (uint8_t) i };
        sftp_begin(s, SSH_FXP_HANDLE, id);
        wire_put_blob(&s->w, b, sizeof b);
        return sftp_send_reply(s);
}
