#pragma once
/*
 * SFTP protocol 3 (draft-ietf-secsh-filexfer-02, as OpenSSH's sftp-server speaks it) requests, decoded
 * from one packet body (the bytes after the u32 length) into a struct that points into the packet.
 * Decoding is a pure function over a bounds-checked reader: every string has a maximum, paths must not
 * hold NULs, and trailing bytes are an error. The server answers a request that does not decode with
 * SSH_FX_BAD_MESSAGE (when its id could be read) and never acts on it. Fuzzed by tests/fuzz/fuzz-sftp.c.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
        SSH_FXP_INIT = 1, SSH_FXP_VERSION = 2, SSH_FXP_OPEN = 3, SSH_FXP_CLOSE = 4, SSH_FXP_READ = 5,
        SSH_FXP_WRITE = 6, SSH_FXP_LSTAT = 7, SSH_FXP_FSTAT = 8, SSH_FXP_SETSTAT = 9, SSH_FXP_FSETSTAT = 10,
        SSH_FXP_OPENDIR = 11, SSH_FXP_READDIR = 12, SSH_FXP_REMOVE = 13, SSH_FXP_MKDIR = 14,
        SSH_FXP_RMDIR = 15, SSH_FXP_REALPATH = 16, SSH_FXP_STAT = 17, SSH_FXP_RENAME = 18,
        SSH_FXP_READLINK = 19, SSH_FXP_SYMLINK = 20,
        SSH_FXP_STATUS = 101, SSH_FXP_HANDLE = 102, SSH_FXP_DATA = 103, SSH_FXP_NAME = 104,
        SSH_FXP_ATTRS = 105, SSH_FXP_EXTENDED = 200, SSH_FXP_EXTENDED_REPLY = 201,
};

enum {
        SSH_FX_OK = 0, SSH_FX_EOF = 1, SSH_FX_NO_SUCH_FILE = 2, SSH_FX_PERMISSION_DENIED = 3,
        SSH_FX_FAILURE = 4, SSH_FX_BAD_MESSAGE = 5, SSH_FX_NO_CONNECTION = 6, SSH_FX_CONNECTION_LOST = 7,
        SSH_FX_OP_UNSUPPORTED = 8,
};

#define SSH_FILEXFER_ATTR_SIZE          0x00000001u
#define SSH_FILEXFER_ATTR_UIDGID        0x00000002u
#define SSH_FILEXFER_ATTR_PERMISSIONS   0x00000004u
#define SSH_FILEXFER_ATTR_ACMODTIME     0x00000008u
#define SSH_FILEXFER_ATTR_EXTENDED      0x80000000u

#define SSH_FXF_READ    0x01u
#define SSH_FXF_WRITE   0x02u
#define SSH_FXF_APPEND  0x04u
#define SSH_FXF_CREAT   0x08u
#define SSH_FXF_TRUNC   0x10u
#define SSH_FXF_EXCL    0x20u

typedef struct SftpAttrs {
        uint32_t flags;
        uint64_t size;
        uint32_t uid, gid;
        uint32_t perm;
        uint32_t atime, mtime;
} SftpAttrs;

/* The request kinds after decoding: the protocol's types plus one per extension we serve. */
typedef enum SftpOp {
        SFTP_OP_OPEN, SFTP_OP_CLOSE, SFTP_OP_READ, SFTP_OP_WRITE, SFTP_OP_LSTAT, SFTP_OP_FSTAT,
        SFTP_OP_SETSTAT, SFTP_OP_FSETSTAT, SFTP_OP_OPENDIR, SFTP_OP_READDIR, SFTP_OP_REMOVE, SFTP_OP_MKDIR,
        SFTP_OP_RMDIR, SFTP_OP_REALPATH, SFTP_OP_STAT, SFTP_OP_RENAME, SFTP_OP_READLINK, SFTP_OP_SYMLINK,
        SFTP_OP_POSIX_RENAME, SFTP_OP_STATVFS, SFTP_OP_FSTATVFS, SFTP_OP_HARDLINK, SFTP_OP_FSYNC,
        SFTP_OP_LSETSTAT, SFTP_OP_LIMITS, SFTP_OP_EXPAND_PATH, SFTP_OP_COPY_DATA, SFTP_OP_HOME_DIRECTORY,
        SFTP_OP_UNKNOWN_EXTENSION,      /* decoded up to its name; answered OP_UNSUPPORTED */
        _SFTP_OP_MAX,
} SftpOp;

typedef struct SftpRequest {
        SftpOp op;
        uint32_t id;
        char *ext_name;         /* SSH_FXP_EXTENDED only; owned, as the paths */
        char *path1, *path2;    /* owned: free with sftp_request_done() */
        const uint8_t *handle1, *handle2;       /* point into the packet */
        size_t handle1_len, handle2_len;
        uint64_t offset, offset2, length;
        const uint8_t *data;    /* WRITE: points into the packet */
        size_t data_len;
        uint32_t pflags;
        SftpAttrs attrs;
} SftpRequest;

/* The name of an operation as sftp-server's -P/-p/-Q and log lines use it ("open", "posix-rename"). */
const char *sftp_op_name(SftpOp op);
SftpOp sftp_op_from_name(const char *name);     /* _SFTP_OP_MAX when unknown */
/* An extension's name on the wire ("posix-rename@openssh.com"); NULL / _SFTP_OP_MAX for the others. */
const char *sftp_op_ext_name(SftpOp op);
SftpOp sftp_op_from_ext_name(const char *name);
bool sftp_op_writes(SftpOp op);                 /* refused under -R */

/*
 * Decode one packet body (type byte first). INIT is not a request: it returns -ENOMSG. On failure
 * returns -EBADMSG (or -EMSGSIZE, -ENOMEM) and sets *ret_id (when the id could be read) and
 * *ret_have_id so that the caller can answer SSH_FX_BAD_MESSAGE. The request is cleared on failure.
 */
int sftp_request_decode(const uint8_t *body, size_t len, SftpRequest *ret, uint32_t *ret_id, bool *ret_have_id);
void sftp_request_done(SftpRequest *r);

/* INIT: the client's version (extension pairs after it are ignored, as OpenSSH). */
int sftp_init_decode(const uint8_t *body, size_t len, uint32_t *ret_version);
