/* See sftp-session.h: one function per request, semantics as OpenSSH's sftp-server (protocol 3 and
 * its extensions), log lines worded as its. */

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

/* ---- attributes ---- */

/* setstat/fsetstat/lsetstat: size, mode, times, owner, in OpenSSH's order; the first failure answers. */
static int apply_attrs(int fd, const char *path, bool nofollow, const SftpAttrs *a) {
        if (a->flags & SSH_FILEXFER_ATTR_SIZE) {
                if (a->size > (uint64_t) INT64_MAX)
                        return -EINVAL;
                if (nofollow)
                        return -EOPNOTSUPP;     /* OpenSSH's lsetstat refuses a size too */
                if ((fd >= 0 ? ftruncate(fd, (off_t) a->size) : truncate(path, (off_t) a->size)) < 0)
                        return negative_errno();
        }
        if (a->flags & SSH_FILEXFER_ATTR_PERMISSIONS) {
                mode_t m = a->perm & 07777;
                int r = fd >= 0 ? fchmod(fd, m) : fchmodat(AT_FDCWD, path, m, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
                if (r < 0)
                        return negative_errno();
        }
        if (a->flags & SSH_FILEXFER_ATTR_ACMODTIME) {
                struct timespec ts[2] = { { .tv_sec = a->atime }, { .tv_sec = a->mtime } };
                int r = fd >= 0 ? futimens(fd, ts) : utimensat(AT_FDCWD, path, ts, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
                if (r < 0)
                        return negative_errno();
        }
        if (a->flags & SSH_FILEXFER_ATTR_UIDGID) {
                int r = fd >= 0 ? fchown(fd, a->uid, a->gid) :
                        fchownat(AT_FDCWD, path, a->uid, a->gid, nofollow ? AT_SYMLINK_NOFOLLOW : 0);
                if (r < 0)
                        return negative_errno();
        }
        return 0;
}

/* ---- ls -l style long names ---- */

static void mode_string(mode_t m, char out[11]) {
        out[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : S_ISFIFO(m) ? 'p' :
                 S_ISSOCK(m) ? 's' : '-';
        const char *rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++)
                out[1 + i] = m & (0400 >> i) ? rwx[i] : '-';
        if (m & S_ISUID)
                out[3] = out[3] == 'x' ? 's' : 'S';
        if (m & S_ISGID)
                out[6] = out[6] == 'x' ? 's' : 'S';
        if (m & S_ISVTX)
                out[9] = out[9] == 'x' ? 't' : 'T';
        out[10] = '\0';
}

/* Numeric owners: inside a chroot there is no passwd file, and the client shows names itself. */
static int long_name(const char *name, const struct stat *st, char **ret) {
        char mode[11], when[32];
        struct tm tm;
        time_t now = time(NULL);
        mode_string(st->st_mode, mode);
        bool recent = st->st_mtime > now - 15552000 && st->st_mtime <= now + 15552000;  /* six months, as ls */
        if (!localtime_r(&st->st_mtime, &tm) ||
            (recent ? strftime(when, sizeof when, "%b %e %H:%M", &tm) : strftime(when, sizeof when, "%b %e  %Y", &tm)) == 0)
                snprintf(when, sizeof when, "?");
        if (asprintf(ret, "%s %3u %-8u %-8u %8llu %s %s", mode, (unsigned) st->st_nlink, (unsigned) st->st_uid,
                     (unsigned) st->st_gid, (unsigned long long) st->st_size, when, name) < 0)
                return -ENOMEM;
        return 0;
}

/* ---- requests ---- */

static const char *open_flags_string(uint32_t pflags, char buf[64]) {
        snprintf(buf, 64, "%s%s%s%s%s%s", pflags & SSH_FXF_READ ? "READ," : "", pflags & SSH_FXF_WRITE ? "WRITE," : "",
                 pflags & SSH_FXF_APPEND ? "APPEND," : "", pflags & SSH_FXF_CREAT ? "CREATE," : "",
                 pflags & SSH_FXF_TRUNC ? "TRUNCATE," : "", pflags & SSH_FXF_EXCL ? "EXCL," : "");
        size_t n = strlen(buf);
        if (n > 0)
                buf[n - 1] = '\0';
        return buf;
}

static int do_open(SftpSession *s, const SftpRequest *q) {
        uint32_t pf = q->pflags;
        int flags = (pf & SSH_FXF_READ && pf & SSH_FXF_WRITE) ? O_RDWR : pf & SSH_FXF_WRITE ? O_WRONLY : O_RDONLY;
        if (pf & SSH_FXF_APPEND)
                flags |= O_APPEND;
        if (pf & SSH_FXF_CREAT)
                flags |= O_CREAT;
        if (pf & SSH_FXF_TRUNC)
                flags |= O_TRUNC;
        if (pf & SSH_FXF_EXCL)
                flags |= O_EXCL;
        mode_t mode = q->attrs.flags & SSH_FILEXFER_ATTR_PERMISSIONS ? q->attrs.perm & 07777 : 0666;
        char fb[64];
        log_info("open \"%s\" flags %s mode 0%o", q->path1, open_flags_string(pf, fb), (unsigned) mode);
        if (s->o->read_only && ((flags & O_ACCMODE) != O_RDONLY || flags & (O_CREAT | O_TRUNC))) {
                log_verbose("Refusing open request in read-only mode");
                return sftp_send_status(s, q->id, SSH_FX_PERMISSION_DENIED);
        }
        int fd = open(q->path1, flags | O_CLOEXEC | O_NOCTTY, mode);
        if (fd < 0)
                return sftp_send_errno(s, q->id, errno);
        uint32_t i;
        int r = sftp_handle_new(s, fd, NULL, q->path1, flags, &i);
        if (r < 0) {
                safe_close(fd);
                return sftp_send_errno(s, q->id, -r);
        }
        return sftp_send_handle(s, q->id, i);
}

static int do_close(SftpSession *s, const SftpRequest *q) {
        SftpHandle *h = sftp_handle_get(s, q->handle1, q->handle1_len, false);
        bool dir = false;
        if (!h) {
                h = sftp_handle_get(s, q->handle1, q->handle1_len, true);
                dir = true;
        }
        if (!h)
                return sftp_send_status(s, q->id, SSH_FX_FAILURE);
        if (dir)
                log_info("closedir \"%s\"", h->name);
        else
                log_info("close \"%s\" bytes read %llu written %llu", h->name, h->bytes_read, h->bytes_written);
        int e = 0;
        if (!dir && close(h->fd) < 0 && errno != EINTR)
                e = errno;
        if (!dir)
                h->fd = -EBADF;
        sftp_handle_close(h);
        return sftp_send_errno(s, q->id, e);
}

static int do_read(SftpSession *s, const SftpRequest *q) {
        SftpHandle *h = sftp_handle_get(s, q->handle1, q->handle1_len, false);
        if (!h)
                return sftp_send_status(s, q->id, SSH_FX_FAILURE);
        size_t len = (size_t) MIN(q->length, (uint64_t) SFTP_MAX_READ);
        if (q->offset > (uint64_t) INT64_MAX)
                return sftp_send_status(s, q->id, SSH_FX_BAD_MESSAGE);
        ssize_t n = pread(h->fd, s->readbuf, len, (off_t) q->offset);
        if (n < 0)
                return sftp_send_errno(s, q->id, errno);
        if (n == 0 && len > 0)
                return sftp_send_status(s, q->id, SSH_FX_EOF);
        sftp_begin(s, SSH_FXP_DATA, q->id);
        wire_put_blob(&s->w, s->readbuf, (size_t) n);
        h->bytes_read += (unsigned long long) n;
        return sftp_send_reply(s);
}

static int do_write(SftpSession *s, const SftpRequest *q) {
        SftpHandle *h = sftp_handle_get(s, q->handle1, q->handle1_len, false);
        if (!h)
                return sftp_send_status(s, q->id, SSH_FX_FAILURE);
        if (s->o->read_only)
                return sftp_send_status(s, q->id, SSH_FX_PERMISSION_DENIED);
        if (q->offset > (uint64_t) INT64_MAX)
                return sftp_send_status(s, q->id, SSH_FX_BAD_MESSAGE);
        size_t done = 0;
        while (done < q->data_len) {
                ssize_t n = h->flags & O_APPEND ? write(h->fd, q->data + done, q->data_len - done) :
                            pwrite(h->fd, q->data + done, q->data_len - done, (off_t) (q->offset + done));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return sftp_send_errno(s, q->id, errno);
                }
                if (n == 0)
                        return sftp_send_status(s, q->id, SSH_FX_FAILURE);
                done += (size_t) n;
                h->bytes_written += (unsigned long long) n;
        }
        return sftp_send_status(s, q->id, SSH_FX_OK);
}

static int do_stat(SftpSession *s, const SftpRequest *q) {
        struct stat st;
        int r;
        if (q->op == SFTP_OP_FSTAT) {
                SftpHandle *h = sftp_handle_get(s, q->handle1, q->handle1_len, false);
                if (!h)
                        return sftp_send_status(s, q->id, SSH_FX_FAILURE);
                r = fstat(h->fd, &st);
        } else
                r = q->op == SFTP_OP_LSTAT ? lstat(q->path1, &st) : stat(q->path1, &st);
        if (r < 0)
                return sftp_send_errno(s, q->id, errno);
        return sftp_send_stat(s, q->id, &st);
}

static int do_setstat(SftpSession *s, const SftpRequest *q) {
        int fd = -EBADF;
        if (q->op == SFTP_OP_FSETSTAT) {
                SftpHandle *h = sftp_handle_get(s, q->handle1, q->handle1_len, false);
                if (!h)
                        return sftp_send_status(s, q->id, SSH_FX_FAILURE);
                fd = h->fd;
                log_info("fsetstat \"%s\"", h->name);
        } else
                log_info("%s name \"%s\"", q->op == SFTP_OP_LSETSTAT ? "lsetstat" : "setstat", q->path1);
        int r = apply_attrs(fd, q->path1, q->op == SFTP_OP_LSETSTAT, &q->attrs);
        return sftp_send_errno(s, q->id, r < 0 ? -r : 0);
}

static int do_opendir(SftpSession *s, const SftpRequest *q) {
        log_verbose("opendir \"%s\"", q->path1);
        DIR *d = opendir(q->path1);
        if (!d)
                return sftp_send_errno(s, q->id, errno);
        uint32_t i;
        int r = sftp_handle_new(s, -EBADF, d, q->path1, 0, &i);
        if (r < 0) {
                closedir(d);
                return sftp_send_errno(s, q->id, -r);
        }
        return sftp_send_handle(s, q->id, i);
}

static int do_readdir(SftpSession *s, const SftpRequest *q) {
        SftpHandle *h = sftp_handle_get(s, q->handle1, q->handle1_len, true);
        if (!h)
                return sftp_send_status(s, q->id, SSH_FX_FAILURE);
        sftp_begin(s, SSH_FXP_NAME, q->id);
        size_t count_at = s->w.size;
        wire_put_u32(&s->w, 0);
        uint32_t count = 0;
        errno = 0;
        struct dirent *de;
        while (count < SFTP_READDIR_BATCH && s->w.size < SFTP_MAX_PACKET / 2 && (de = readdir(h->dir))) {
                struct stat st;
                if (fstatat(dirfd(h->dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                _cleanup_free_ char *ln = NULL;
                if (long_name(de->d_name, &st, &ln) < 0)
                        return -ENOMEM;
                wire_put_string(&s->w, de->d_name);
                wire_put_string(&s->w, ln);
                sftp_put_attrs(&s->w, &st);
                count++;
        }
        if (count == 0)
                return sftp_send_status(s, q->id, SSH_FX_EOF);
        if (s->w.error)
                return s->w.error;
        s->w.data[count_at] = (uint8_t) (count >> 24);
        s->w.data[count_at + 1] = (uint8_t) (count >> 16);
        s->w.data[count_at + 2] = (uint8_t) (count >> 8);
        s->w.data[count_at + 3] = (uint8_t) count;
        return sftp_send_reply(s);
}

/* realpath(3), except that the last component may be missing (the name of a file about to be made), as
 * OpenSSH's sftp-server resolves: clients canonicalize upload targets and missing files this way. */
static int resolve_path(const char *path, char **ret) {
        const char *p = isempty(path) ? "." : path;
        char *resolved = realpath(p, NULL);
        if (resolved) {
                *ret = resolved;
                return 0;
        }
        int e = errno;
        if (e != ENOENT)
                return -e;
        _cleanup_free_ char *copy = strdup(p);
        if (!copy)
                return -ENOMEM;
        size_t n = strlen(copy);
        while (n > 1 && copy[n - 1] == '/')
                copy[--n] = '\0';
        char *slash = strrchr(copy, '/');
        const char *base = slash ? slash + 1 : copy;
        if (streq(base, ".") || streq(base, "..") || !*base)
                return -e;
        const char *dir = slash == copy ? "/" : slash ? (*slash = '\0', copy) : ".";
        _cleanup_free_ char *rdir = realpath(dir, NULL);
        if (!rdir)
                return -errno;
        if (asprintf(ret, "%s%s%s", rdir, streq(rdir, "/") ? "" : "/", base) < 0)
                return -ENOMEM;
        return 0;
}

static int do_realpath(SftpSession *s, const SftpRequest *q) {
        _cleanup_free_ char *resolved = NULL;
        int r = resolve_path(q->path1, &resolved);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return sftp_send_errno(s, q->id, -r);
        return sftp_send_one_name(s, q->id, resolved);
}

/* "~" and "~/..." are the user's home; "~user" only for the user itself (no passwd in a chroot). */
static int do_expand_path(SftpSession *s, const SftpRequest *q) {
        const char *p = q->path1;
        _cleanup_free_ char *expanded = NULL;
        if (p[0] == '~') {
                const char *rest = p + 1;
                size_t ulen = strlen(s->o->user);
                if (strneq(rest, s->o->user, ulen) && (rest[ulen] == '\0' || rest[ulen] == '/'))
                        rest += ulen;
                if (*rest != '\0' && *rest != '/')
                        return sftp_send_status(s, q->id, SSH_FX_NO_SUCH_FILE);
                if (asprintf(&expanded, "%s%s", s->o->home, rest) < 0)
                        return -ENOMEM;
                p = expanded;
        }
        _cleanup_free_ char *resolved = NULL;
        int r = resolve_path(p, &resolved);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return sftp_send_errno(s, q->id, -r);
        return sftp_send_one_name(s, q->id, resolved);
}

static int do_statvfs(SftpSession *s, const SftpRequest *q) {
        struct statvfs v;
        int r;
        if (q->op == SFTP_OP_FSTATVFS) {
                SftpHandle *h = sftp_handle_get(s, q->handle1, q->handle1_len, false);
                if (!h)
                        return sftp_send_status(s, q->id, SSH_FX_FAILURE);
                r = fstatvfs(h->fd, &v);
        } else
                r = statvfs(q->path1, &v);
        if (r < 0)
                return sftp_send_errno(s, q->id, errno);
        sftp_begin(s, SSH_FXP_EXTENDED_REPLY, q->id);
        sftp_put_u64(&s->w, v.f_bsize);
        sftp_put_u64(&s->w, v.f_frsize);
        sftp_put_u64(&s->w, v.f_blocks);
        sftp_put_u64(&s->w, v.f_bfree);
        sftp_put_u64(&s->w, v.f_bavail);
        sftp_put_u64(&s->w, v.f_files);
        sftp_put_u64(&s->w, v.f_ffree);
        sftp_put_u64(&s->w, v.f_favail);
        sftp_put_u64(&s->w, v.f_fsid);
        sftp_put_u64(&s->w, (v.f_flag & ST_RDONLY ? 1u : 0u) | (v.f_flag & ST_NOSUID ? 2u : 0u));
        sftp_put_u64(&s->w, v.f_namemax);
        return sftp_send_reply(s);
}

static int do_limits(SftpSession *s, const SftpRequest *q) {
        sftp_begin(s, SSH_FXP_EXTENDED_REPLY, q->id);
        sftp_put_u64(&s->w, SFTP_MAX_PACKET);
        sftp_put_u64(&s->w, SFTP_MAX_READ);
        sftp_put_u64(&s->w, SFTP_MAX_READ);  /* a WRITE of this much fits in a packet */
        sftp_put_u64(&s->w, SFTP_MAX_HANDLES);
        return sftp_send_reply(s);
}

static int do_copy_data(SftpSession *s, const SftpRequest *q) {
        SftpHandle *from = sftp_handle_get(s, q->handle1, q->handle1_len, false);
        SftpHandle *to = sftp_handle_get(s, q->handle2, q->handle2_len, false);
        if (!from || !to || (to->flags & O_ACCMODE) == O_RDONLY)
                return sftp_send_status(s, q->id, SSH_FX_FAILURE);
        if (from == to || q->offset > (uint64_t) INT64_MAX || q->offset2 > (uint64_t) INT64_MAX)
                return sftp_send_status(s, q->id, SSH_FX_FAILURE);
        log_info("copy-data from \"%s\" to \"%s\"", from->name, to->name);
        _cleanup_free_ uint8_t *buf = malloc(64 * 1024);
        if (!buf)
                return -ENOMEM;
        uint64_t left = q->length, ro = q->offset, wo = q->offset2;
        for (;;) {
                size_t want = 64 * 1024;
                if (q->length != 0) {
                        if (left == 0)
                                break;
                        want = (size_t) MIN(left, (uint64_t) want);
                }
                ssize_t n = pread(from->fd, buf, want, (off_t) ro);
                if (n < 0)
                        return sftp_send_errno(s, q->id, errno);
                if (n == 0) {
                        if (q->length != 0)
                                return sftp_send_status(s, q->id, SSH_FX_EOF);
                        break;
                }
                for (ssize_t done = 0; done < n;) {
                        ssize_t m = pwrite(to->fd, buf + done, (size_t) (n - done), (off_t) wo);
                        if (m <= 0)
                                return sftp_send_errno(s, q->id, m < 0 ? errno : EIO);
                        done += m;
                        wo += (uint64_t) m;
                }
                from->bytes_read += (unsigned long long) n;
                to->bytes_written += (unsigned long long) n;
                ro += (uint64_t) n;
                left -= q->length != 0 ? (uint64_t) n : 0;
        }
        return sftp_send_status(s, q->id, SSH_FX_OK);
}

static int do_path_op(SftpSession *s, const SftpRequest *q) {
        int r = 0;
        switch (q->op) {
        case SFTP_OP_REMOVE:
                log_info("remove name \"%s\"", q->path1);
                r = unlink(q->path1);
                break;
        case SFTP_OP_MKDIR: {
                mode_t m = q->attrs.flags & SSH_FILEXFER_ATTR_PERMISSIONS ? q->attrs.perm & 07777 : 0777;
                log_info("mkdir name \"%s\" mode 0%o", q->path1, (unsigned) m);
                r = mkdir(q->path1, m);
                break;
        }
        case SFTP_OP_RMDIR:
                log_info("rmdir name \"%s\"", q->path1);
                r = rmdir(q->path1);
                break;
        case SFTP_OP_RENAME:
                /* Protocol 3 rename does not replace an existing file: link + unlink, as OpenSSH, with
                 * rename(2) where links are not possible (directories) but only when the target is free. */
                log_info("rename old \"%s\" new \"%s\"", q->path1, q->path2);
                if (link(q->path1, q->path2) == 0) {
                        if (unlink(q->path1) < 0) {
                                int e = errno;
                                (void) unlink(q->path2);
                                errno = e;
                                r = -1;
                        }
                } else if (errno == EEXIST) {
                        r = -1;
                } else {
                        struct stat st;
                        if (lstat(q->path2, &st) == 0) {
                                errno = EEXIST;
                                r = -1;
                        } else
                                r = rename(q->path1, q->path2);
                }
                break;
        case SFTP_OP_POSIX_RENAME:
                log_info("posix-rename old \"%s\" new \"%s\"", q->path1, q->path2);
                r = rename(q->path1, q->path2);
                break;
        case SFTP_OP_SYMLINK:
                /* The arguments arrive as (target, link path): OpenSSH's historic order, which every client
                 * follows. */
                log_info("symlink old \"%s\" new \"%s\"", q->path1, q->path2);
                r = symlink(q->path1, q->path2);
                break;
        case SFTP_OP_HARDLINK:
                log_info("hardlink old \"%s\" new \"%s\"", q->path1, q->path2);
                r = link(q->path1, q->path2);
                break;
        case SFTP_OP_OPEN: case SFTP_OP_CLOSE: case SFTP_OP_READ: case SFTP_OP_WRITE: case SFTP_OP_LSTAT:
        case SFTP_OP_FSTAT: case SFTP_OP_SETSTAT: case SFTP_OP_FSETSTAT: case SFTP_OP_OPENDIR:
        case SFTP_OP_READDIR: case SFTP_OP_REALPATH: case SFTP_OP_STAT: case SFTP_OP_READLINK:
        case SFTP_OP_STATVFS: case SFTP_OP_FSTATVFS: case SFTP_OP_FSYNC: case SFTP_OP_LSETSTAT:
        case SFTP_OP_LIMITS: case SFTP_OP_EXPAND_PATH: case SFTP_OP_COPY_DATA: case SFTP_OP_HOME_DIRECTORY:
        case SFTP_OP_UNKNOWN_EXTENSION: case _SFTP_OP_MAX:
        default:
                return -EINVAL;
        }
        return sftp_send_errno(s, q->id, r < 0 ? errno : 0);
}

static int do_readlink(SftpSession *s, const SftpRequest *q) {
        char buf[PATH_MAX];
        ssize_t n = readlink(q->path1, buf, sizeof buf - 1);
        if (n < 0)
                return sftp_send_errno(s, q->id, errno);
        buf[n] = '\0';
        return sftp_send_one_name(s, q->id, buf);
}

static int do_fsync(SftpSession *s, const SftpRequest *q) {
        SftpHandle *h = sftp_handle_get(s, q->handle1, q->handle1_len, false);
        if (!h)
                return sftp_send_status(s, q->id, SSH_FX_FAILURE);
        return sftp_send_errno(s, q->id, fsync(h->fd) < 0 ? errno : 0);
}

static int do_home_directory(SftpSession *s, const SftpRequest *q) {
        if (!streq(q->path1, s->o->user))
                return sftp_send_status(s, q->id, SSH_FX_NO_SUCH_FILE);
        return sftp_send_one_name(s, q->id, s->o->home);
}

bool sftp_request_permitted(const SftpServerOptions *o, SftpOp op, bool log) {
        const char *name = sftp_op_name(op);
        if (o->read_only && sftp_op_writes(op)) {
                if (log)
                        log_verbose("Refusing %s request in read-only mode", name);
                return false;
        }
        if (o->denied[op]) {
                if (log)
                        log_verbose("Refusing denylisted %s request", name);
                return false;
        }
        if (o->allow_list && !o->allowed[op]) {
                if (log)
                        log_verbose("Refusing non-allowlisted %s request", name);
                return false;
        }
        if (o->allow_list && log)
                log_debug("Permitting allowlisted %s request", name);
        return true;
}

int sftp_dispatch(SftpSession *s, const SftpRequest *q) {
        if (q->op != SFTP_OP_UNKNOWN_EXTENSION && !sftp_request_permitted(s->o, q->op, true))
                return sftp_send_status(s, q->id, SSH_FX_PERMISSION_DENIED);
        switch (q->op) {
        case SFTP_OP_OPEN:
                return do_open(s, q);
        case SFTP_OP_CLOSE:
                return do_close(s, q);
        case SFTP_OP_READ:
                return do_read(s, q);
        case SFTP_OP_WRITE:
                return do_write(s, q);
        case SFTP_OP_LSTAT: case SFTP_OP_FSTAT: case SFTP_OP_STAT:
                return do_stat(s, q);
        case SFTP_OP_SETSTAT: case SFTP_OP_FSETSTAT: case SFTP_OP_LSETSTAT:
                return do_setstat(s, q);
        case SFTP_OP_OPENDIR:
                return do_opendir(s, q);
        case SFTP_OP_READDIR:
                return do_readdir(s, q);
        case SFTP_OP_REMOVE: case SFTP_OP_MKDIR: case SFTP_OP_RMDIR: case SFTP_OP_RENAME:
        case SFTP_OP_POSIX_RENAME: case SFTP_OP_SYMLINK: case SFTP_OP_HARDLINK:
                return do_path_op(s, q);
        case SFTP_OP_REALPATH:
                return do_realpath(s, q);
        case SFTP_OP_READLINK:
                return do_readlink(s, q);
        case SFTP_OP_STATVFS: case SFTP_OP_FSTATVFS:
                return do_statvfs(s, q);
        case SFTP_OP_FSYNC:
                return do_fsync(s, q);
        case SFTP_OP_LIMITS:
                return do_limits(s, q);
        case SFTP_OP_EXPAND_PATH:
                return do_expand_path(s, q);
        case SFTP_OP_COPY_DATA:
                return do_copy_data(s, q);
        case SFTP_OP_HOME_DIRECTORY:
                return do_home_directory(s, q);
        case SFTP_OP_UNKNOWN_EXTENSION:
                log_verbose("Unknown extended request \"%.100s\"", q->ext_name);
                return sftp_send_status(s, q->id, SSH_FX_OP_UNSUPPORTED);
        case _SFTP_OP_MAX:
        default:
                return sftp_send_status(s, q->id, SSH_FX_BAD_MESSAGE);
        }
}
