/* PermitUserEnvironment: which names the keyword lets users set (config_user_env_allowed()), and
 * ~/.ssh/environment read as OpenSSH's read_environment_file() reads it (monitor/user-environment.h):
 * comments, blank lines, NAME=value split at the first '=', "Bad line N in FILE", the pattern list,
 * later lines winning, the line bound, and the file-size bound. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/limits.h"
#include "common/macro.h"
#include "monitor/user-environment.h"
#include "test-helpers.h"

static Config config_with(const char *permit) {
        Config c;
        config_init(&c);
        if (permit) {
                char opt[256];
                snprintf(opt, sizeof opt, "PermitUserEnvironment %s", permit);
                int r = config_apply_option(&c, opt);
                CHECK(r == 0, "%s is accepted", opt);
        }
        return c;
}

static void test_allowed(void) {
        static const struct {
                const char *permit, *name;
                bool allowed, overruled;
        } cases[] = {
                { NULL, "FOO", false, false },                  /* default no */
                { "no", "FOO", false, false },
                { "yes", "FOO", true, false },
                { "yes", "LD_PRELOAD", false, true },           /* never, whatever the keyword says */
                { "yes", "BASH_ENV", false, true },
                { "yes", "1ABC", false, true },                 /* not an identifier */
                { "LANG,LC_*", "LC_ALL", true, false },
                { "LANG,LC_*", "FOO", false, false },
                { "*,!SECRET", "SECRET", false, false },        /* a negated pattern refuses */
                { "*,!SECRET", "OTHER", true, false },
                { "LD_*", "LD_PRELOAD", false, true },
                { "Yes", "FOO", false, false },                 /* "Yes" is a pattern list, as in OpenSSH */
                { "Yes", "Yes", true, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Config c = config_with(cases[i].permit);
                CHECK(config_user_env_allowed(&c, cases[i].name) == cases[i].allowed &&
                      config_user_env_overruled(&c, cases[i].name) == cases[i].overruled,
                      "PermitUserEnvironment %s: %s %s%s", cases[i].permit ?: "(default)", cases[i].name,
                      cases[i].allowed ? "may be set" : "may not be set",
                      cases[i].overruled ? " (overruled)" : "");
                config_done(&c);
        }
}

/* Parse `text` with PermitUserEnvironment `permit`; messages captured into *ret_msg. */
static int parse(const char *text, size_t size, const char *permit, char ***ret, char **ret_msg) {
        Config c = config_with(permit);
        FILE *tmp = tmpfile();
        int r = user_environment_parse(text, size, "/home/u/.ssh/environment", &c, fileno(tmp), ret);
        config_done(&c);
        size_t n = (size_t) ftell(tmp);
        rewind(tmp);
        char *msg = calloc(1, n + 1);
        if (msg && fread(msg, 1, n, tmp) != n)
                msg[0] = '\0';
        fclose(tmp);
        *ret_msg = msg;
        return r;
}

static bool list_is(char **l, const char *const *want) {
        size_t i = 0;
        for (; want[i]; i++)
                if (!l || !l[i] || !streq(l[i], want[i]))
                        return false;
        return !l || !l[i];
}

static void test_parse(void) {
        static const char text[] =
                "# a comment\n"
                "\n"
                "   \t\n"
                "  # an indented comment\n"
                "FOO=bar\n"
                "  INDENTED=yes\n"
                "EQ=a=b=c\n"
                "SPACES= keep  them \n"
                "QUOTED=\"not unquoted\"\n"
                "CR=x\r\n"
                "EMPTY=\n"
                "no equals sign\n"
                "BAD NAME=x\n"
                "=nameless\n"
                "9LIVES=x\n"
                "LD_PRELOAD=/tmp/evil.so\n"
                "FOO=second\n"
                "LAST=no newline";
        char **l = NULL, *msg = NULL;
        int r = parse(text, sizeof text - 1, "yes", &l, &msg);
        static const char *const want[] = {
                "FOO=second", "INDENTED=yes", "EQ=a=b=c", "SPACES= keep  them ", "QUOTED=\"not unquoted\"",
                "CR=x\r", "EMPTY=", "LAST=no newline", NULL,
        };
        CHECK(r == 0 && list_is(l, want),
              "assignments in file order, values as written, a later line replacing an earlier one");
        CHECK(msg && strstr(msg, "Bad line 12 in /home/u/.ssh/environment\n") &&
              strstr(msg, "Bad line 13 in /home/u/.ssh/environment\n") &&
              strstr(msg, "Bad line 14 in /home/u/.ssh/environment\n") &&
              strstr(msg, "Bad line 15 in /home/u/.ssh/environment\n"),
              "lines without '=' or a name that is not an identifier are \"Bad line N in FILE\" (%s)", msg);
        CHECK(msg && strstr(msg, "line 16: LD_PRELOAD is never set"), "LD_PRELOAD is refused and said so");
        CHECK(msg && !strstr(msg, "line 5") && !strstr(msg, "line 1 ") && !strstr(msg, "line 17"),
              "good lines and comments make no message");
        strv_free(l);
        free(msg);

        r = parse(text, sizeof text - 1, "FOO,E*,!EMPTY", &l, &msg);
        static const char *const want_list[] = { "FOO=second", "EQ=a=b=c", NULL };
        CHECK(r == 0 && list_is(l, want_list), "a pattern list lets only its names through (with '!')");
        CHECK(msg && !strstr(msg, "LD_PRELOAD"), "a name the list does not name is skipped without a word");
        strv_free(l);
        free(msg);

        static const char nul[] = "A=1\nB=x\0y\nC=3\n";
        r = parse(nul, sizeof nul - 1, "yes", &l, &msg);
        static const char *const want_nul[] = { "A=1", "C=3", NULL };
        CHECK(r == 0 && list_is(l, want_nul) && msg && strstr(msg, "Bad line 2 "),
              "a line with a NUL byte is a bad line");
        strv_free(l);
        free(msg);

        r = parse("", 0, "yes", &l, &msg);
        CHECK(r == 0 && !l, "an empty file sets nothing");
        free(msg);
}

static void test_bounds(void) {
        /* SESSION_MAX_USER_ENV_LINES lines are fine, comments and blank lines count, one more is not. */
        for (unsigned extra = 0; extra <= 1; extra++) {
                size_t lines = SESSION_MAX_USER_ENV_LINES + extra;
                char *text = malloc(lines * 2 + 16);
                size_t n = 0;
                n += (size_t) sprintf(text, "A=1\n");
                for (size_t i = 1; i < lines; i++)
                        text[n++] = '\n';
                char **l = NULL, *msg = NULL;
                int r = parse(text, n, "yes", &l, &msg);
                CHECK(extra ? r == -E2BIG : r == 0 && l && streq(l[0], "A=1"),
                      "%zu lines: %s", lines, extra ? "refused (-E2BIG)" : "read");
                strv_free(l);
                free(msg);
                free(text);
        }

        /* The file-size bound, through a real file. */
        char dir[] = "/tmp/test-user-env.XXXXXX";
        CHECK(mkdtemp(dir) != NULL, "a scratch directory");
        char path[64];
        snprintf(path, sizeof path, "%s/environment", dir);
        Config c = config_with("yes");
        char **l = NULL;
        CHECK(user_environment_read(path, &c, -1, &l) == 0 && !l, "a missing file is no file");

        FILE *f = fopen(path, "w");
        fputs("GREETING=hello\n", f);
        fclose(f);
        CHECK(user_environment_read(path, &c, -1, &l) == 0 && l && streq(l[0], "GREETING=hello") && !l[1],
              "a small file is read");
        l = strv_free(l);

        f = fopen(path, "w");
        for (size_t i = 0; i < SESSION_MAX_USER_ENV_FILE / 8; i++)
                fputs("# 45678\n", f);
        fclose(f);
        CHECK(user_environment_read(path, &c, -1, &l) == -EFBIG, "a file of SESSION_MAX_USER_ENV_FILE bytes is "
              "refused (-EFBIG)");

        unlink(path);
        CHECK(mkfifo(path, 0600) == 0, "a FIFO in its place");
        CHECK(user_environment_read(path, &c, -1, &l) == 0 && !l, "a FIFO is no file (and does not block)");
        unlink(path);
        rmdir(dir);
        config_done(&c);
}

int main(void) {
        int fd_before = lowest_free_fd();
        test_allowed();
        test_parse();
        test_bounds();
        CHECK(lowest_free_fd() == fd_before, "no descriptor leaked");
        return test_summary();
}
