/* authorized_keys: matching by type and blob, options (quoted commas, command=, restricting options
 * refuse), garbage, certificates, token expansion, and the StrictModes path check. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/macro.h"
#include "monitor/authorized-keys.h"
#include "monitor/secure-path.h"
#include "test-helpers.h"

typedef struct Key {
        char type[64];
        char b64[4096];
        uint8_t *blob;
        size_t len;
} Key;

static int load_key(const char *name, Key *k) {
        const char *src = getenv("TEST_SRCDIR");
        char path[4096];
        snprintf(path, sizeof path, "%s/authkeys/%s.pub", src ? src : ".", name);
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        int n = fscanf(f, "%63s %4095s", k->type, k->b64);
        fclose(f);
        if (n != 2)
                return -EINVAL;
        return base64_decode(k->b64, strlen(k->b64), &k->blob, &k->len);
}

static int check_text(const char *text, const char *algo, const Key *k, AuthorizedKeyMatch *m) {
        return authorized_keys_check_buffer(text, strlen(text), "test", algo, k->blob, k->len, m);
}

int main(void) {
        Key ed = {}, ec = {}, rsa = {}, other = {};
        CHECK(load_key("ed25519", &ed) == 0 && load_key("ecdsa", &ec) == 0 && load_key("rsa", &rsa) == 0 &&
              load_key("other", &other) == 0, "fixture keys load");
        char buf[16384];
        AuthorizedKeyMatch m = {};

        snprintf(buf, sizeof buf, "# comment\n\n%s %s alice@host\n", ed.type, ed.b64);
        CHECK(check_text(buf, "ssh-ed25519", &ed, &m) == 1 && m.line == 3, "ed25519 key matches on line 3");
        authorized_key_match_done(&m);
        CHECK(check_text(buf, "ssh-ed25519", &other, &m) == 0, "a different ed25519 key does not match");

        snprintf(buf, sizeof buf, "%s %s\n%s %s\n", ec.type, ec.b64, rsa.type, rsa.b64);
        CHECK(check_text(buf, ec.type, &ec, &m) == 1, "ecdsa key matches");
        authorized_key_match_done(&m);
        CHECK(check_text(buf, "rsa-sha2-512", &rsa, &m) == 1 && m.line == 2, "rsa-sha2-512 matches an ssh-rsa line");
        authorized_key_match_done(&m);
        CHECK(check_text(buf, "ssh-dss", &rsa, &m) == 0, "an unsupported algorithm never matches");

        /* The line's type must be the blob's type. */
        snprintf(buf, sizeof buf, "ssh-rsa %s\n", ed.b64);
        CHECK(check_text(buf, "ssh-rsa", &ed, &m) == 0, "line type ssh-rsa with an ed25519 blob is skipped");

        snprintf(buf, sizeof buf, "command=\"echo a, b \\\"q\\\"\",no-pty %s %s c\n", ed.type, ed.b64);
        CHECK(check_text(buf, ed.type, &ed, &m) == 1 && m.forced_command &&
              streq(m.forced_command, "echo a, b \"q\"") && (m.flags & AUTHKEY_NO_PTY),
              "command= with quoted comma and escaped quotes, and no-pty, are returned");
        authorized_key_match_done(&m);

        snprintf(buf, sizeof buf, "restrict %s %s\n", ed.type, ed.b64);
        CHECK(check_text(buf, ed.type, &ed, &m) == 1 && (m.flags & AUTHKEY_NO_PORT_FORWARDING) &&
              (m.flags & AUTHKEY_NO_PTY), "restrict sets the no-* flags");
        authorized_key_match_done(&m);

        static const char *const refusing[] = {
                "from=\"10.0.0.0/8\"", "expiry-time=\"20300101\"", "principals=\"a\"", "cert-authority",
                "no-such-option", "tunnel=\"1\"",
        };
        for (size_t i = 0; i < ELEMENTSOF(refusing); i++) {
                snprintf(buf, sizeof buf, "%s %s %s\n", refusing[i], ed.type, ed.b64);
                CHECK(check_text(buf, ed.type, &ed, &m) == 0, "option %s refuses the key", refusing[i]);
        }

        static const char *const garbage[] = {
                "ssh-ed25519\n", "ssh-ed25519 !!!notbase64\n", "command=\"unterminated ssh-ed25519 AAAA\n",
                "\x01\x02\x03\n", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(garbage); i++)
                CHECK(check_text(garbage[i], "ssh-ed25519", &ed, &m) == 0, "garbage line %zu is skipped", i);
        snprintf(buf, sizeof buf, "garbage here\n%s %s\n", ed.type, ed.b64);
        CHECK(check_text(buf, ed.type, &ed, &m) == 1 && m.line == 2, "a key after a garbage line still matches");
        authorized_key_match_done(&m);

        snprintf(buf, sizeof buf, "ssh-ed25519-cert-v01@openssh.com %s\n", ed.b64);
        CHECK(check_text(buf, ed.type, &ed, &m) == 0, "certificate lines never match");

        /* An overlong line is skipped, the next one still read. */
        size_t big = AUTHKEYS_MAX_LINE + 10;
        char *huge = malloc(big + 8192);
        memset(huge, 'x', big);
        snprintf(huge + big, 8192, "\n%s %s\n", ed.type, ed.b64);
        CHECK(authorized_keys_check_buffer(huge, strlen(huge), "test", ed.type, ed.blob, ed.len, &m) == 1 && m.line == 2,
              "an overlong line is skipped");
        authorized_key_match_done(&m);
        free(huge);

        _cleanup_free_ char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL;
        CHECK(authorized_keys_expand_path(".ssh/authorized_keys", "alice", 2001, "/home/alice", &p1) == 0 &&
              streq(p1, "/home/alice/.ssh/authorized_keys"), "relative paths are under home");
        CHECK(authorized_keys_expand_path("/etc/keys/%u.%U", "alice", 2001, "/home/alice", &p2) == 0 &&
              streq(p2, "/etc/keys/alice.2001"), "%%u and %%U expand");
        CHECK(authorized_keys_expand_path("%h/k%%", "alice", 2001, "/home/alice", &p3) == 0 &&
              streq(p3, "/home/alice/k%"), "%%h and %%%% expand");
        CHECK(authorized_keys_expand_path("%x", "alice", 2001, "/home/alice", &p4) == -EINVAL, "unknown %%x refused");

        /* StrictModes on a real tree. */
        char tmpl[] = "/tmp/authkeys-test-XXXXXX";
        char *home = mkdtemp(tmpl);
        CHECK(home != NULL, "temp home");
        char dir[4200], file[4300];
        snprintf(dir, sizeof dir, "%s/.ssh", home);
        snprintf(file, sizeof file, "%s/authorized_keys", dir);
        chmod(home, 0755);
        mkdir(dir, 0700);
        int fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        safe_close(fd);
        uid_t me = getuid();
        fd = authorized_keys_open(file);
        char *reason = NULL;
        CHECK(fd >= 0 && secure_path_check(fd, file, me, home, &reason) == 0, "safe modes pass");
        free(reason);
        reason = NULL;
        chmod(dir, 0770);
        CHECK(secure_path_check(fd, file, me, home, &reason) == -EPERM && reason &&
              strstr(reason, "bad ownership or modes for directory") && strstr(reason, "/.ssh"),
              "group-writable .ssh refused: %s", reason ? reason : "(none)");
        free(reason);
        reason = NULL;
        chmod(dir, 0700);
        chmod(file, 0666);
        CHECK(secure_path_check(fd, file, me, home, &reason) == -EPERM && reason && strstr(reason, "file"),
              "world-writable file refused: %s", reason ? reason : "(none)");
        free(reason);
        reason = NULL;
        if (getuid() == 0) {
                chmod(file, 0600);
                CHECK(chown(file, 4242, 4242) == 0 && secure_path_check(fd, file, 2001, home, &reason) == -EPERM,
                      "a file owned by someone else is refused");
                free(reason);
        } else
                printf("# not root: the foreign-owner check is skipped\n");
        safe_close(fd);
        CHECK(authorized_keys_open(dir) == -EPERM, "a directory is not opened as a key file");
        char fifo[4300];
        snprintf(fifo, sizeof fifo, "%s/fifo", home);
        mkfifo(fifo, 0600);
        CHECK(authorized_keys_open(fifo) == -EPERM, "a FIFO is refused without blocking");
        unlink(fifo);
        unlink(file);
        rmdir(dir);
        rmdir(home);

        free(ed.blob);
        free(ec.blob);
        free(rsa.blob);
        free(other.blob);
        return test_summary();
}
