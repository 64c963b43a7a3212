/*
 * Match (common/config-match.c) against OpenSSH 9.2's rules: each criterion matching and not matching,
 * '!' negation, CIDR and patterns, All, criteria ANDed, the keywords allowed inside a block and the
 * error for the others, Match lines that are malformed, "first value wins" among matching blocks and
 * a block overriding the global value wherever it stands, Include inside Match (the included lines
 * apply only with the block; a Match in an included file ends with the file), a list keyword replaced
 * whole, facts a criterion needs and the connection lacks, -C specifications, and that a connection's
 * copy leaves the listener's Config as it was. Files are written to a temporary directory; each test
 * loads one with config_load_file() inside an image, as the daemon does.
 */

#include <errno.h>
#include <netdb.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config-internal.h"
#include "common/config.h"
#include "common/fd-util.h"
#include "common/macro.h"
#include "test-helpers.h"

static char dir[] = "/tmp/test-config-match-XXXXXX";

static void write_file(const char *name, const char *text) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || loop_write(fd, text, strlen(text)) < 0)
                printf("# cannot write %s\n", path);
}

/* stderr captured into a string while `load` runs */
static char *captured(int (*load)(Config *c, const char *arg), Config *c, const char *arg, int *ret) {
        fflush(stderr);
        FILE *tmp = tmpfile();
        int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        if (tmp && saved >= 0)
                dup2(fileno(tmp), STDERR_FILENO);
        *ret = load(c, arg);
        fflush(stderr);
        char *text = NULL;
        if (saved >= 0) {
                dup2(saved, STDERR_FILENO);
                close(saved);
        }
        if (tmp) {
                long n = ftell(tmp);
                text = calloc(1, (size_t) (n > 0 ? n : 0) + 1);
                rewind(tmp);
                if (text && n > 0 && fread(text, 1, (size_t) n, tmp) != (size_t) n)
                        text[0] = '\0';
                fclose(tmp);
        }
        /* One line in the test's output: newlines become spaces. */
        for (char *q = text; q && *q; q++)
                if (*q == '\n')
                        *q = ' ';
        return text ?: strdup("");
}

static int load_with_image(Config *c, const char *name) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        char *image = NULL;
        size_t size = 0;
        int r = config_image_begin(c);
        if (r >= 0)
                r = config_load_file(c, path);
        int k = config_image_end(c, &image, &size);
        free(image);
        if (r >= 0)
                r = k;
        if (r >= 0)
                r = config_finish(c);
        return r;
}

/* Load `text` (as file "c.conf") into *c: 0, or the error with its message in *ret_err. */
static int load_text(Config *c, const char *text, char **ret_err) {
        write_file("c.conf", text);
        config_init(c);
        int r;
        char *err = captured(load_with_image, c, "c.conf", &r);
        if (ret_err)
                *ret_err = err;
        else
                free(err);
        return r;
}

static ConfigMatchInfo info(const char *user, const char *addr, const char *laddr, int lport) {
        return (ConfigMatchInfo) { .user = (char *) user, .host = (char *) addr, .address = (char *) addr,
                                   .laddress = (char *) laddr, .lport = lport };
}

/* The connection's value of ForceCommand for `ci`, or "(none)"; "(error)" when Match fails. */
static const char *forced(const Config *base, ConfigMatchInfo ci) {
        static char buf[256];
        Config *c = NULL;
        if (config_for_connection(base, &ci, &c) < 0)
                return "(error)";
        snprintf(buf, sizeof buf, "%s", c->force_command ?: "(none)");
        config_free(c);
        return buf;
}

static void test_criteria(void) {
        Config c;
        int r = load_text(&c,
                          "ForceCommand global\n"
                          "Match User alice,!bob*\n\tForceCommand user\n"
                          "Match Address 192.168.0.0/16,!192.168.30.0/24,10.*\n\tForceCommand address\n"
                          "Match LocalAddress 127.0.0.1,::1\n\tForceCommand laddr\n"
                          "Match LocalPort 5678\n\tForceCommand lport\n"
                          "Match Host *.EXAMPLE.com\n\tForceCommand host\n"
                          "Match Group root User carol\n\tForceCommand group\n"
                          "Match User root Group root\n\tForceCommand root-group\n"
                          "Match User nobody Group !root,*\n\tForceCommand not-root-group\n", NULL);
        CHECK(r == 0, "a file with every criterion loads");
        CHECK(streq(forced(&c, info("alice", "1.2.3.4", "9.9.9.9", 22)), "user"), "User alice matches");
        CHECK(streq(forced(&c, info("bobby", "1.2.3.4", "9.9.9.9", 22)), "global"), "User !bob* wins over nothing");
        CHECK(streq(forced(&c, info("x", "192.168.1.1", "9.9.9.9", 22)), "address"), "Address CIDR matches");
        CHECK(streq(forced(&c, info("x", "192.168.30.7", "9.9.9.9", 22)), "global"),
              "Address: a negated CIDR wins over a wider one");
        CHECK(streq(forced(&c, info("x", "10.255.0.1", "9.9.9.9", 22)), "address"), "Address: a wildcard entry");
        CHECK(streq(forced(&c, info("x", "19.0.0.1", "::1", 22)), "laddr"), "LocalAddress ::1");
        CHECK(streq(forced(&c, info("x", "19.0.0.1", "9.9.9.9", 5678)), "lport"), "LocalPort 5678");
        CHECK(streq(forced(&c, info("x", "19.0.0.1", "9.9.9.9", 5679)), "global"), "LocalPort 5679 is not 5678");
        config_done(&c);
        /* Service names come from /etc/services (netbase), which a minimal system may lack: there the
         * name is refused like any unknown one, which the error table below checks. */
        if (getservbyname("ssh", "tcp")) {
                CHECK(load_text(&c, "Match LocalPort ssh\n\tForceCommand ssh-port\n", NULL) == 0 &&
                      streq(forced(&c, info("x", "1.2.3.4", "9.9.9.9", 22)), "ssh-port"),
                      "LocalPort ssh: a service name, as OpenSSH's a2port()");
                config_done(&c);
        } else
                printf("# no /etc/services entry for ssh here: LocalPort by service name not checked\n");
        load_text(&c,
                  "ForceCommand global\n"
                  "Match Host *.EXAMPLE.com\n\tForceCommand host\n"
                  "Match Group root User carol\n\tForceCommand group\n"
                  "Match User root Group root\n\tForceCommand root-group\n"
                  "Match User nobody Group !root,*\n\tForceCommand not-root-group\n", NULL);
        ConfigMatchInfo h = info("x", "19.0.0.1", "9.9.9.9", 22);
        h.host = (char *) "Web.Example.COM";
        CHECK(streq(forced(&c, h), "host"), "Host: the name lowercased, the pattern too (match_hostname)");
        CHECK(streq(forced(&c, info("carol", "19.0.0.1", "9.9.9.9", 22)), "global"),
              "Group root User carol: both must hold (carol is not in root)");
        CHECK(streq(forced(&c, info("root", "19.0.0.1", "9.9.9.9", 22)), "root-group"),
              "Group root: root's primary group");
        CHECK(streq(forced(&c, info("nobody", "19.0.0.1", "9.9.9.9", 22)), "not-root-group"),
              "Group !root,*: nobody is in a group that is not root");
        config_done(&c);
}

static void test_precedence(void) {
        Config c;
        int r = load_text(&c,
                          "Match User alice\n\tPasswordAuthentication no\n\tMaxAuthTries 2\n\tAllowUsers alice\n"
                          "Match User alice\n\tMaxAuthTries 4\n\tPasswordAuthentication yes\n"
                          "Match All\n"
                          "PasswordAuthentication yes\nMaxAuthTries 5\nAllowUsers a b c\nPermitTTY no\n", NULL);
        CHECK(r == 0, "Match blocks before global lines (ended by Match All) load");
        CHECK(c.password_authentication && c.max_auth_tries == 5 && c.n_allow_users == 3 && !c.permit_tty,
              "at load the global values hold");
        ConfigMatchInfo ci = info("alice", "1.2.3.4", "9.9.9.9", 22);
        Config *a = NULL;
        CHECK(config_for_connection(&c, &ci, &a) == 0, "alice's configuration");
        CHECK(a && !a->password_authentication && a->max_auth_tries == 2,
              "the first matching block's value wins, over the global one that follows");
        CHECK(a && a->n_allow_users == 4 && streq(a->allow_users[0], "alice") && streq(a->allow_users[3], "c"),
              "AllowUsers accumulates over the blocks that apply, Match All's too (as OpenSSH)");
        CHECK(a && !a->permit_tty, "PermitTTY after Match All applies to alice too (the block applies to all)");
        config_free(a);
        ci.user = (char *) "carol";
        Config *b = NULL;
        CHECK(config_for_connection(&c, &ci, &b) == 0 && b && b->password_authentication && b->max_auth_tries == 5 &&
              b->n_allow_users == 3, "control: carol keeps the global values");
        config_free(b);
        CHECK(c.password_authentication && c.max_auth_tries == 5 && c.n_allow_users == 3,
              "the listener's Config is left as it was");
        config_done(&c);

        /* A list keyword set in a block replaces the global list whole (OpenSSH's M_CP_STRARRAYOPT). */
        r = load_text(&c, "AllowUsers a b c\nAcceptEnv LANG LC_*\nMatch User alice\n\tAllowUsers alice\n", NULL);
        ci = info("alice", "1.2.3.4", "9.9.9.9", 22);
        a = NULL;
        CHECK(r == 0 && config_for_connection(&c, &ci, &a) == 0 && a && a->n_allow_users == 1 &&
              streq(a->allow_users[0], "alice") && a->n_accept_env == 2,
              "AllowUsers in a block replaces the global list; AcceptEnv, not set there, stays");
        config_free(a);
        config_done(&c);

        /* None clears a global ForceCommand / ChrootDirectory, as OpenSSH. */
        r = load_text(&c, "ForceCommand /bin/gate\nChrootDirectory /srv\nMatch User root\n\tForceCommand none\n"
                      "\tChrootDirectory none\n", NULL);
        ci = info("root", "1.2.3.4", "9.9.9.9", 22);
        Config *n = NULL;
        CHECK(r == 0 && config_for_connection(&c, &ci, &n) == 0 && n && !n->force_command && !n->chroot_directory,
              "ForceCommand none and ChrootDirectory none in a block clear the global ones");
        config_free(n);
        config_done(&c);
}

static void test_errors(void) {
        static const struct {
                const char *text, *said;
        } bad[] = {
                { "Match User alice\n\tPort 22\n", "c.conf:2: Directive 'Port' is not allowed within a Match block" },
                { "Match User alice\n\tUsePAM yes\n", "Directive 'UsePAM' is not allowed within a Match block" },
                { "Match User alice\n\tDSAAuthentication yes\n",
                  "Directive 'DSAAuthentication' is not allowed within a Match block" },
                { "Match User alice\n\tX11UseLocalhost maybe\n", "invalid value for X11UseLocalhost" },
                { "Match User alice\n\tNoSuchThing 1\n", "Bad configuration option: NoSuchThing" },
                { "Match\n", "c.conf:1: One or more attributes required for Match" },
                { "Match User\n", "Missing Match criteria for User" },
                { "Match User \"\"\n", "Missing Match criteria for User" },
                { "Match all extra\n", "'all' cannot be combined with other Match attributes" },
                { "Match User a All\n", "'all' cannot be combined with other Match attributes" },
                { "Match Tag x\n", "Unsupported Match attribute Tag" },
                { "Match Address 10.0.0.1/24\n", "Invalid Match address argument '10.0.0.1/24'" },
                { "Match Address 1.2.3.4,,5.6.7.8\n", "Invalid Match address argument '1.2.3.4,,5.6.7.8'" },
                { "Match LocalAddress 10.0.1.0/8\n", "Invalid Match localaddress argument '10.0.1.0/8'" },
                { "Match LocalPort 65536\n", "Invalid LocalPort '65536' on Match line" },
                { "Match LocalPort no-such-service\n", "Invalid LocalPort 'no-such-service' on Match line" },
                { "Match User alice\n\tInclude\n", "missing argument for Include" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                Config c;
                char *err = NULL;
                int r = load_text(&c, bad[i].text, &err);
                CHECK(r == -EINVAL && strstr(err, bad[i].said), "refused: %s (%s)", bad[i].said, err);
                free(err);
                config_done(&c);
        }
        /* Controls: the same shapes, well-formed. */
        static const char *const good[] = {
                "Match User alice\n\tX11UseLocalhost yes\n\tPasswordAuthentication no\n",
                "Match all\n\tPort 22\n",
                "Match User a Group b Host c Address 10.0.0.0/8 LocalAddress ::1 LocalPort 22 RDomain x\n",
                "Match Address 10.0.0.0/24,!10.0.0.1,host.example.com\n",
                "Match User alice # a comment\n\tBanner none\n",
                "Match LocalPort ssh\n",       /* only where /etc/services names it (below) */
        };
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                if (strstr(good[i], "LocalPort ssh") && !getservbyname("ssh", "tcp"))
                        continue;
                Config c;
                char *err = NULL;
                int r = load_text(&c, good[i], &err);
                CHECK(r == 0, "control: loads: %s (%s)", good[i], err);
                free(err);
                config_done(&c);
        }
        Config c;
        config_init(&c);
        int r;
        char *err = captured(config_apply_option, &c, "Match User alice", &r);
        CHECK(r == -EINVAL && strstr(err, "command line: Match directive not supported as a command-line option"),
              "-o Match is refused (%s)", err);
        free(err);
        config_done(&c);
}

static void test_missing_facts(void) {
        Config c;
        int r = load_text(&c, "Match RDomain vrf-blue\n\tForceCommand blue\n", NULL);
        CHECK(r == 0, "Match RDomain loads");
        ConfigMatchInfo ci = info("alice", "1.2.3.4", "9.9.9.9", 22);
        Config *x = NULL;
        int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        dup2(null, STDERR_FILENO);
        r = config_for_connection(&c, &ci, &x);
        dup2(saved, STDERR_FILENO);
        close(saved);
        close(null);
        CHECK(r == -EINVAL && !x, "a connection without a routing domain and a Match RDomain: an error, as OpenSSH");
        ci.rdomain = (char *) "vrf-blue";
        CHECK(streq(forced(&c, ci), "blue"), "control: the connection's VRF matches");
        ci.rdomain = (char *) "vrf-red";
        CHECK(streq(forced(&c, ci), "(none)"), "another VRF does not");
        ConfigMatchInfo test = { .test = true, .user = (char *) "alice" };
        CHECK(config_match_apply(&c, &test) == 0 && !c.force_command, "-T -C without rdomain: no match, no error");
        config_done(&c);
}

static void test_include(void) {
        char text[1024];
        write_file("inc-a.conf", "Banner /from-include\nMatch User carol\n\tBanner /carol-in-include\n");
        write_file("inc-b.conf", "Match host xxxxxx\n");
        snprintf(text, sizeof text,
                 "Include %s/inc-b.conf\n"
                 "Match User alice\n\tInclude %s/inc-a.conf\n\tBanner /alice\n"
                 "Match User bob\n\tBanner /bob\n"
                 "Match User dave\n\tInclude %s/inc-a.conf\n"
                 "Match User erin\n\tInclude %s/inc-b.conf\n\tBanner /erin\n", dir, dir, dir, dir);
        Config c;
        char *err = NULL;
        int r = load_text(&c, text, &err);
        CHECK(r == 0 && !c.banner, "Include inside Match loads (OpenSSH 9.2 allows it), nothing global (%s)", err);
        free(err);
        static const struct {
                const char *user, *banner;
        } want[] = {
                { "alice", "/from-include" },   /* the included line applies with the block and comes first */
                { "bob", "/bob" },              /* a Match in an included file does not leak into the parent */
                { "dave", "/from-include" },
                { "erin", "/erin" },            /* "Match host xxxxxx" in inc-b ends with inc-b */
                { "carol", NULL },              /* inc-a's Match User carol: only inside alice's or dave's block */
        };
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                ConfigMatchInfo ci = info(want[i].user, "1.2.3.4", "9.9.9.9", 22);
                Config *x = NULL;
                r = config_for_connection(&c, &ci, &x);
                CHECK(r == 0 && x && (want[i].banner ? x->banner && streq(x->banner, want[i].banner) : !x->banner),
                      "Include + Match: %s gets Banner %s (got %s)", want[i].user, want[i].banner ?: "none",
                      x && x->banner ? x->banner : "none");
                config_free(x);
        }
        config_done(&c);

        /* A global keyword in a file Included from a Match block is inside the block. */
        write_file("inc-port.conf", "Port 2022\n");
        snprintf(text, sizeof text, "Match User alice\n\tInclude %s/inc-port.conf\n", dir);
        r = load_text(&c, text, &err);
        CHECK(r == -EINVAL && strstr(err, "inc-port.conf:1: Directive 'Port' is not allowed within a Match block"),
              "Port in a file Included inside a Match block: refused, named in the included file (%s)", err);
        free(err);
        config_done(&c);
        snprintf(text, sizeof text, "Include %s/inc-port.conf\nMatch User alice\n\tBanner /a\n", dir);
        r = load_text(&c, text, &err);
        CHECK(r == 0 && c.n_ports == 1 && c.ports[0] == 2022, "control: the same file Included globally sets Port (%s)",
              err);
        free(err);
        config_done(&c);
}

static void test_spec(void) {
        ConfigMatchInfo ci = {};
        CHECK(config_match_info_parse("user=alice,addr=192.0.2.1,host=h.example,laddr=::1,lport=2222,rdomain=v", &ci) ==
                      0 && streq(ci.user, "alice") && streq(ci.address, "192.0.2.1") && streq(ci.host, "h.example") &&
                      streq(ci.laddress, "::1") && ci.lport == 2222 && streq(ci.rdomain, "v"),
              "-C with every fact");
        config_match_info_done(&ci);
        int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        dup2(null, STDERR_FILENO);
        int r1 = config_match_info_parse("user=alice,colour=blue", &ci);
        config_match_info_done(&ci);
        int r2 = config_match_info_parse("lport=99999", &ci);
        config_match_info_done(&ci);
        dup2(saved, STDERR_FILENO);
        close(saved);
        close(null);
        CHECK(r1 == -EINVAL && r2 == -EINVAL, "-C with an unknown fact or a bad port is refused");
}

static void test_tables(void) {
        const char *missing = NULL;
        CHECK(config_match_check_fields(&missing) == 0,
              "every implemented keyword allowed in Match is handed over by config_match_apply (missing: %s)",
              missing ?: "none");
        CHECK(config_match_allowed("PasswordAuthentication") && config_match_allowed("pubkeyacceptedkeytypes") &&
              config_match_allowed("Include") && !config_match_allowed("Port") &&
              !config_match_allowed("PermitUserEnvironment") && !config_match_allowed("DSAAuthentication"),
              "OpenSSH 9.2's SSHCFG_MATCH list, aliases as written");
}

static void test_image_records(void) {
        /* BEGIN without END, END without BEGIN: malformed (the replay must know where a file ends). */
        static const char begin_only[] = "\0\0\0\x1eprivsshd configuration image 2\x05";
        static const char end_only[] = "\0\0\0\x1eprivsshd configuration image 2\x06";
        static const char both[] = "\0\0\0\x1eprivsshd configuration image 2\x05\x06";
        Config c;
        int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        dup2(null, STDERR_FILENO);
        config_init(&c);
        int r1 = config_load_image(&c, begin_only, sizeof begin_only - 1);
        config_done(&c);
        config_init(&c);
        int r2 = config_load_image(&c, end_only, sizeof end_only - 1);
        config_done(&c);
        config_init(&c);
        int r3 = config_load_image(&c, both, sizeof both - 1);
        config_done(&c);
        dup2(saved, STDERR_FILENO);
        close(saved);
        close(null);
        CHECK(r1 == -EBADMSG && r2 == -EBADMSG, "an image whose Include'd file never ends, or never began: malformed");
        CHECK(r3 == 0, "control: an empty Include'd file is well-formed");
}

int main(void) {
        int fd_before = lowest_free_fd();
        if (!mkdtemp(dir)) {
                printf("not ok - mkdtemp\n");
                return 1;
        }
        test_criteria();
        test_precedence();
        test_errors();
        test_missing_facts();
        test_include();
        test_spec();
        test_tables();
        test_image_records();
        CHECK(lowest_free_fd() == fd_before, "no descriptor leaked");
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
                printf("# could not remove %s\n", dir);
        return test_summary();
}
