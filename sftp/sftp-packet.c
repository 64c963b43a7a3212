/* See sftp-packet.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/macro.h"
#include "common/wire.h"
#include "sftp/sftp-packet.h"

/* sftp-server's names for its requests (-P, -p, -Q and the log): an extension's is its wire name without
 * "@openssh.com" (OpenSSH's extended_handlers table). */
static const char *const op_names[_SFTP_OP_MAX] = {
        [SFTP_OP_OPEN] = "open", [SFTP_OP_CLOSE] = "close", [SFTP_OP_READ] = "read",
        [SFTP_OP_WRITE] = "write", [SFTP_OP_LSTAT] = "lstat", [SFTP_OP_FSTAT] = "fstat",
        [SFTP_OP_SETSTAT] = "setstat", [SFTP_OP_FSETSTAT] = "fsetstat", [SFTP_OP_OPENDIR] = "opendir",
        [SFTP_OP_READDIR] = "readdir", [SFTP_OP_REMOVE] = "remove", [SFTP_OP_MKDIR] = "mkdir",
        [SFTP_OP_RMDIR] = "rmdir", [SFTP_OP_REALPATH] = "realpath", [SFTP_OP_STAT] = "stat",
        [SFTP_OP_RENAME] = "rename", [SFTP_OP_READLINK] = "readlink", [SFTP_OP_SYMLINK] = "symlink",
        [SFTP_OP_POSIX_RENAME] = "posix-rename", [SFTP_OP_STATVFS] = "statvfs",
        [SFTP_OP_FSTATVFS] = "fstatvfs", [SFTP_OP_HARDLINK] = "hardlink",
        [SFTP_OP_FSYNC] = "fsync", [SFTP_OP_LSETSTAT] = "lsetstat",
        [SFTP_OP_LIMITS] = "limits", [SFTP_OP_EXPAND_PATH] = "expand-path",
        [SFTP_OP_COPY_DATA] = "copy-data", [SFTP_OP_HOME_DIRECTORY] = "home-directory",
        [SFTP_OP_UNKNOWN_EXTENSION] = "extension",
};

/* The extensions' names on the wire (SSH_FXP_EXTENDED, and the VERSION reply). */
static const char *const ext_names[_SFTP_OP_MAX] = {
        [SFTP_OP_POSIX_RENAME] = "posix-rename@openssh.com", [SFTP_OP_STATVFS] = "statvfs@openssh.com",
        [SFTP_OP_FSTATVFS] = "fstatvfs@openssh.com", [SFTP_OP_HARDLINK] = "hardlink@openssh.com",
        [SFTP_OP_FSYNC] = "fsync@openssh.com", [SFTP_OP_LSETSTAT] = "lsetstat@openssh.com",
        [SFTP_OP_LIMITS] = "limits@openssh.com", [SFTP_OP_EXPAND_PATH] = "expand-path@openssh.com",
        [SFTP_OP_COPY_DATA] = "copy-data", [SFTP_OP_HOME_DIRECTORY] = "home-directory",
};

SftpOp sftp_op_from_ext_name(const char *name) {
        for (SftpOp op = SFTP_OP_POSIX_RENAME; op < SFTP_OP_UNKNOWN_EXTENSION; op++)
                if (ext_names[op] && streq(ext_names[op], name))
                        return op;
        return _SFTP_OP_MAX;
}

const char *sftp_op_ext_name(SftpOp op) {
        return op < _SFTP_OP_MAX ? ext_names[op] : NULL;
}

const char *sftp_op_name(SftpOp op) {
        return op < _SFTP_OP_MAX ? op_names[op] : NULL;
}

SftpOp sftp_op_from_name(const char *name) {
        for (SftpOp op = 0; op < SFTP_OP_UNKNOWN_EXTENSION; op++)
                if (streq(op_names[op], name))
                        return op;
        return _SFTP_OP_MAX;
}

bool sftp_op_writes(SftpOp op) {
        switch (op) {
        case SFTP_OP_WRITE: case SFTP_OP_SETSTAT: case SFTP_OP_FSETSTAT: case SFTP_OP_REMOVE:
        case SFTP_OP_MKDIR: case SFTP_OP_RMDIR: case SFTP_OP_RENAME: case SFTP_OP_SYMLINK:
        case SFTP_OP_POSIX_RENAME: case SFTP_OP_HARDLINK: case SFTP_OP_FSYNC: case SFTP_OP_LSETSTAT:
        case SFTP_OP_COPY_DATA:
                return true;
        /* OPEN writes only with write flags: the server decides from pflags. */
        case SFTP_OP_OPEN: case SFTP_OP_CLOSE: case SFTP_OP_READ: case SFTP_OP_LSTAT: case SFTP_OP_FSTAT:
        case SFTP_OP_OPENDIR: case SFTP_OP_READDIR: case SFTP_OP_REALPATH: case SFTP_OP_STAT:
        case SFTP_OP_READLINK: case SFTP_OP_STATVFS: case SFTP_OP_FSTATVFS: case SFTP_OP_LIMITS:
        case SFTP_OP_EXPAND_PATH: case SFTP_OP_HOME_DIRECTORY: case SFTP_OP_UNKNOWN_EXTENSION:
        case _SFTP_OP_MAX:
        default:
                return false;
        }
}

static int get_u64(WireReader *r, uint64_t *ret) {
        uint32_t hi = 0, lo = 0;
        int e = wire_get_u32(r, &hi);
        if (e < 0)
                return e;
        e = wire_get_u32(r, &lo);
        if (e < 0)
                return e;
        *ret = (uint64_t) hi << 32 | lo;
        return 0;
}

static int get_path(WireReader *r, char **ret) {
        return wire_get_string(r, SFTP_MAX_PATH, ret);
}

static int get_handle(WireReader *r, const uint8_t **ret, size_t *ret_len) {
        return wire_get_blob_ref(r, SFTP_MAX_HANDLE_LEN, ret, ret_len);
}

/* Attributes: each field present by its flag. Extended pairs are read and ignored, as OpenSSH does,
 * but their number is bounded. Unknown flag bits are refused. */
static int get_attrs(WireReader *r, SftpAttrs *a) {
        int e = wire_get_u32(r, &a->flags);
        if (e < 0)
                return e;
        if (a->flags & ~(SSH_FILEXFER_ATTR_SIZE | SSH_FILEXFER_ATTR_UIDGID | SSH_FILEXFER_ATTR_PERMISSIONS |
                         SSH_FILEXFER_ATTR_ACMODTIME | SSH_FILEXFER_ATTR_EXTENDED))
                return -EBADMSG;
        if (a->flags & SSH_FILEXFER_ATTR_SIZE && (e = get_u64(r, &a->size)) < 0)
                return e;
        if (a->flags & SSH_FILEXFER_ATTR_UIDGID &&
            ((e = wire_get_u32(r, &a->uid)) < 0 || (e = wire_get_u32(r, &a->gid)) < 0))
                return e;
        if (a->flags & SSH_FILEXFER_ATTR_PERMISSIONS && (e = wire_get_u32(r, &a->perm)) < 0)
                return e;
        if (a->flags & SSH_FILEXFER_ATTR_ACMODTIME &&
            ((e = wire_get_u32(r, &a->atime)) < 0 || (e = wire_get_u32(r, &a->mtime)) < 0))
                return e;
        if (a->flags & SSH_FILEXFER_ATTR_EXTENDED) {
                uint32_t n;
                if ((e = wire_get_u32(r, &n)) < 0)
                        return e;
                if (n > SFTP_MAX_ATTR_EXTENDED)
                        return -EBADMSG;
                for (uint32_t i = 0; i < 2 * n; i++) {
                        const uint8_t *p;
                        size_t l;
                        if ((e = wire_get_blob_ref(r, SFTP_MAX_PACKET, &p, &l)) < 0)
                                return e;
                }
        }
        return 0;
}

static int decode_extension(WireReader *r, SftpRequest *q) {
        int e = wire_get_string(r, SFTP_MAX_PATH, &q->ext_name);
        if (e < 0)
                return e;
        SftpOp op = sftp_op_from_ext_name(q->ext_name);
        if (op < SFTP_OP_POSIX_RENAME || op >= SFTP_OP_UNKNOWN_EXTENSION) {
                /* Its arguments are unknown: skip them. */
                q->op = SFTP_OP_UNKNOWN_EXTENSION;
                r->pos = r->size;
                return 0;
        }
        q->op = op;
        switch (op) {
        case SFTP_OP_POSIX_RENAME:
        case SFTP_OP_HARDLINK:
                if ((e = get_path(r, &q->path1)) < 0)
                        return e;
                return get_path(r, &q->path2);
        case SFTP_OP_STATVFS:
        case SFTP_OP_EXPAND_PATH:
                return get_path(r, &q->path1);
        case SFTP_OP_HOME_DIRECTORY:
                return wire_get_string(r, SFTP_MAX_USER_NAME, &q->path1);
        case SFTP_OP_FSTATVFS:
        case SFTP_OP_FSYNC:
                return get_handle(r, &q->handle1, &q->handle1_len);
        case SFTP_OP_LSETSTAT:
                if ((e = get_path(r, &q->path1)) < 0)
                        return e;
                return get_attrs(r, &q->attrs);
        case SFTP_OP_LIMITS:
                return 0;
        case SFTP_OP_COPY_DATA:
                if ((e = get_handle(r, &q->handle1, &q->handle1_len)) < 0 || (e = get_u64(r, &q->offset)) < 0 ||
                    (e = get_u64(r, &q->length)) < 0 || (e = get_handle(r, &q->handle2, &q->handle2_len)) < 0)
                        return e;
                return get_u64(r, &q->offset2);
        case SFTP_OP_OPEN: case SFTP_OP_CLOSE: case SFTP_OP_READ: case SFTP_OP_WRITE: case SFTP_OP_LSTAT:
        case SFTP_OP_FSTAT: case SFTP_OP_SETSTAT: case SFTP_OP_FSETSTAT: case SFTP_OP_OPENDIR:
        case SFTP_OP_READDIR: case SFTP_OP_REMOVE: case SFTP_OP_MKDIR: case SFTP_OP_RMDIR:
        case SFTP_OP_REALPATH: case SFTP_OP_STAT: case SFTP_OP_RENAME: case SFTP_OP_READLINK:
        case SFTP_OP_SYMLINK: case SFTP_OP_UNKNOWN_EXTENSION: case _SFTP_OP_MAX:
        default:
                return -EBADMSG;
        }
}

static int decode_body(WireReader *r, uint8_t type, SftpRequest *q) {
        int e;
        switch (type) {
        case SSH_FXP_OPEN:
                q->op = SFTP_OP_OPEN;
                if ((e = get_path(r, &q->path1)) < 0 || (e = wire_get_u32(r, &q->pflags)) < 0)
                        return e;
                return get_attrs(r, &q->attrs);
        case SSH_FXP_CLOSE:
        case SSH_FXP_FSTAT:
        case SSH_FXP_READDIR:
                q->op = type == SSH_FXP_CLOSE ? SFTP_OP_CLOSE : type == SSH_FXP_FSTAT ? SFTP_OP_FSTAT :
                        SFTP_OP_READDIR;
                return get_handle(r, &q->handle1, &q->handle1_len);
        case SSH_FXP_READ: {
                uint32_t len = 0;
                q->op = SFTP_OP_READ;
                if ((e = get_handle(r, &q->handle1, &q->handle1_len)) < 0 || (e = get_u64(r, &q->offset)) < 0 ||
                    (e = wire_get_u32(r, &len)) < 0)
                        return e;
                q->length = len;
                return 0;
        }
        case SSH_FXP_WRITE:
                q->op = SFTP_OP_WRITE;
                if ((e = get_handle(r, &q->handle1, &q->handle1_len)) < 0 || (e = get_u64(r, &q->offset)) < 0)
                        return e;
                return wire_get_blob_ref(r, SFTP_MAX_PACKET, &q->data, &q->data_len);
        case SSH_FXP_LSTAT: case SSH_FXP_OPENDIR: case SSH_FXP_REMOVE: case SSH_FXP_RMDIR:
        case SSH_FXP_REALPATH: case SSH_FXP_STAT: case SSH_FXP_READLINK:
                q->op = type == SSH_FXP_LSTAT ? SFTP_OP_LSTAT : type == SSH_FXP_OPENDIR ? SFTP_OP_OPENDIR :
                        type == SSH_FXP_REMOVE ? SFTP_OP_REMOVE : type == SSH_FXP_RMDIR ? SFTP_OP_RMDIR :
                        type == SSH_FXP_REALPATH ? SFTP_OP_REALPATH : type == SSH_FXP_STAT ? SFTP_OP_STAT :
                        SFTP_OP_READLINK;
                return get_path(r, &q->path1);
        case SSH_FXP_SETSTAT:
        case SSH_FXP_MKDIR:
                q->op = type == SSH_FXP_SETSTAT ? SFTP_OP_SETSTAT : SFTP_OP_MKDIR;
                if ((e = get_path(r, &q->path1)) < 0)
                        return e;
                return get_attrs(r, &q->attrs);
        case SSH_FXP_FSETSTAT:
                q->op = SFTP_OP_FSETSTAT;
                if ((e = get_handle(r, &q->handle1, &q->handle1_len)) < 0)
                        return e;
                return get_attrs(r, &q->attrs);
        case SSH_FXP_RENAME:
        case SSH_FXP_SYMLINK:
                q->op = type == SSH_FXP_RENAME ? SFTP_OP_RENAME : SFTP_OP_SYMLINK;
                if ((e = get_path(r, &q->path1)) < 0)
                        return e;
                return get_path(r, &q->path2);
        case SSH_FXP_EXTENDED:
                return decode_extension(r, q);
        default:
                return -EBADMSG;
        }
}

int sftp_request_decode(const uint8_t *body, size_t len, SftpRequest *ret, uint32_t *ret_id, bool *ret_have_id) {
        WireReader r = wire_reader(body, len);
        uint8_t type = 0;
        int e;

        *ret = (SftpRequest) {};
        *ret_have_id = false;
        if ((e = wire_get_u8(&r, &type)) < 0)
                return -EBADMSG;
        if (type == SSH_FXP_INIT)
                return -ENOMSG;
        if ((e = wire_get_u32(&r, &ret->id)) < 0)
                return -EBADMSG;
        *ret_id = ret->id;
        *ret_have_id = true;
        e = decode_body(&r, type, ret);
        if (e >= 0)
                e = wire_end(&r);
        if (e < 0) {
                sftp_request_done(ret);
                return e == -ENOMEM ? e : -EBADMSG;
        }
        return 0;
}

void sftp_request_done(SftpRequest *r) {
        free(r->path1);
        free(r->path2);
        free(r->ext_name);
        *r = (SftpRequest) {};
}

int sftp_init_decode(const uint8_t *body, size_t len, uint32_t *ret_version) {
        WireReader r = wire_reader(body, len);
        uint8_t type = 0;
        uint32_t version = 0;
        if (wire_get_u8(&r, &type) < 0 || type != SSH_FXP_INIT || wire_get_u32(&r, &version) < 0)
                return -EBADMSG;
        *ret_version = version;
        return 0;
}
