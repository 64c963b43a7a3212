/* See sftp-server.h. Semantics as OpenSSH's sftp-server (protocol 3), written from the protocol draft
 * and OpenSSH's documented behaviour; log lines worded as its. */

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

/* The extensions and their versions, as OpenSSH's sftp-server announces them; one the options refuse
 * (-R, -P, -p) is left out, as OpenSSH does, so that clients fall back (rename for posix-rename). */
static int send_version(SftpSession *s) {
        static const struct {
                SftpOp op;
                const char *version;
        } ext[] = {
                { SFTP_OP_POSIX_RENAME, "1" }, { SFTP_OP_STATVFS, "2" }, { SFTP_OP_FSTATVFS, "2" },
                { SFTP_OP_HARDLINK, "1" }, { SFTP_OP_FSYNC, "1" }, { SFTP_OP_LSETSTAT, "1" },
                { SFTP_OP_LIMITS, "1" }, { SFTP_OP_EXPAND_PATH, "1" }, { SFTP_OP_COPY_DATA, "1" },
                { SFTP_OP_HOME_DIRECTORY, "1" },
        };
        s->w.size = 0;
        wire_put_u8(&s->w, SSH_FXP_VERSION);
        wire_put_u32(&s->w, 3);
        for (size_t i = 0; i < ELEMENTSOF(ext); i++) {
                if (!sftp_request_permitted(s->o, ext[i].op, false)) {
                        log_debug("refusing to advertise disallowed extension %s",
                                  sftp_op_ext_name(ext[i].op));
                        continue;
                }
                wire_put_string(&s->w, sftp_op_ext_name(ext[i].op));
                wire_put_string(&s->w, ext[i].version);
        }
        return sftp_send_reply(s);
}

/* Read exactly n bytes: 1 when done, 0 on EOF before the first byte, -errno otherwise (EOF mid-way is
 * -EPIPE). */
static int read_exact(int fd, uint8_t *buf, size_t n) {
        size_t got = 0;
        while (got < n) {
                ssize_t r = read(fd, buf + got, n - got);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (r == 0)
                        return got == 0 ? 0 : -EPIPE;
                got += (size_t) r;
        }
        return 1;
}

int sftp_server_run(const SftpServerOptions *o, int in, int out) {
        SftpSession *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->o = o;
        s->out = out;
        /* Room for the largest reply: a DATA of SFTP_MAX_READ plus its header. */
        s->w = wire_writer(SFTP_MAX_PACKET + 64);
        _cleanup_free_ uint8_t *buf = malloc(SFTP_MAX_PACKET);
        int r;
        bool initialized = false;
        if (!buf) {
                free(s);
                return -ENOMEM;
        }
        for (;;) {
                uint8_t hdr[4];
                r = read_exact(in, hdr, sizeof hdr);
                if (r <= 0)
                        break;
                uint32_t len = (uint32_t) hdr[0] << 24 | (uint32_t) hdr[1] << 16 | (uint32_t) hdr[2] << 8 | hdr[3];
                if (len == 0 || len > SFTP_MAX_PACKET) {
                        log_error("bad message from %s local user %s: packet of %u bytes", o->peer, o->user, len);
                        r = -EBADMSG;
                        break;
                }
                r = read_exact(in, buf, len);
                if (r <= 0) {
                        r = r ?: -EPIPE;
                        break;
                }
                if (!initialized) {
                        uint32_t version;
                        if (sftp_init_decode(buf, len, &version) < 0) {
                                log_error("bad message from %s local user %s: no INIT first", o->peer, o->user);
                                r = -EBADMSG;
                                break;
                        }
                        log_verbose("received client version %u", version);
                        initialized = true;
                        if ((r = send_version(s)) < 0)
                                break;
                        continue;
                }
                SftpRequest q;
                uint32_t id = 0;
                bool have_id;
                r = sftp_request_decode(buf, len, &q, &id, &have_id);
                if (r == -ENOMEM)
                        break;
                if (r < 0) {
                        /* A second INIT, or a request that does not parse: answered when it has an id. */
                        if (!have_id) {
                                log_error("bad message from %s local user %s", o->peer, o->user);
                                r = -EBADMSG;
                                break;
                        }
                        if ((r = sftp_send_status(s, id, SSH_FX_BAD_MESSAGE)) < 0)
                                break;
                        continue;
                }
                r = sftp_dispatch(s, &q);
                sftp_request_done(&q);
                if (r < 0)
                        break;
        }
        for (size_t i = 0; i < SFTP_MAX_HANDLES; i++)
                if (s->handles[i].used)
                        sftp_handle_close(&s->handles[i]);
        wire_writer_done(&s->w);
        free(s);
        return r < 0 ? r : 0;
}
