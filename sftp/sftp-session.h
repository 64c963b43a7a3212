#pragma once
/*
 * Inside privsshd-sftp's server: the session state (open handles, the reply writer) and the reply
 * helpers shared by the request loop (sftp-server.c) and the request handlers (sftp-requests.c).
 */

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "common/limits.h"
#include "common/wire.h"
#include "sftp/sftp-server.h"

typedef struct SftpHandle {
        bool used;
        bool is_dir;
        int fd;
        DIR *dir;
        char *name;
        int flags;                      /* open(2) flags of a file */
        unsigned long long bytes_read, bytes_written;
} SftpHandle;

typedef struct SftpSession {
        const SftpServerOptions *o;
        int out;
        SftpHandle handles[SFTP_MAX_HANDLES];
        WireWriter w;
        uint8_t readbuf[SFTP_MAX_READ];
} SftpSession;

int sftp_put_u64(WireWriter *w, uint64_t v);
/* Start a reply of `type` for request `id` in s->w; sftp_send_reply() frames and writes it. */
void sftp_begin(SftpSession *s, uint8_t type, uint32_t id);
int sftp_send_reply(SftpSession *s);
int sftp_send_status(SftpSession *s, uint32_t id, uint32_t code);
int sftp_send_errno(SftpSession *s, uint32_t id, int e);       /* a positive errno, as OpenSSH maps it */
void sftp_put_attrs(WireWriter *w, const struct stat *st);
int sftp_send_stat(SftpSession *s, uint32_t id, const struct stat *st);
int sftp_send_one_name(SftpSession *s, uint32_t id, const char *name);

/* Handles: the wire form is the table index as 4 big-endian bytes. NULL for a bad or wrong-kind one. */
SftpHandle *sftp_handle_get(SftpSession *s, const uint8_t *h, size_t len, bool dir);
int sftp_handle_new(SftpSession *s, int fd, DIR *d, const char *name, int flags, uint32_t *ret);
void sftp_handle_close(SftpHandle *h);
int sftp_send_handle(SftpSession *s, uint32_t id, uint32_t i);

/* Answer one decoded request (sftp-requests.c). 0, or -errno when the session must end. */
int sftp_dispatch(SftpSession *s, const SftpRequest *q);
