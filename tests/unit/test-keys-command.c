/* AuthorizedKeysCommand's command line: OpenSSH's argv_split() rules and the %-tokens. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "monitor/keys-command.h"
#include "test-helpers.h"

static bool split_is(const char *s, const char *const *want) {
        _cleanup_strv_free_ char **argv = NULL;
        if (keys_command_split(s, &argv) < 0)
                return false;
        size_t i = 0;
        for (; want[i]; i++)
                if (!argv[i] || !streq(argv[i], want[i])) {
                        printf("# argument %zu: \"%s\", wanted \"%s\"\n", i, argv[i] ?: "(none)", want[i]);
                        return false;
                }
        return argv[i] == NULL;
}

int main(void) {
        CHECK(split_is("/bin/keys %u %f", (const char *const[]) { "/bin/keys", "%u", "%f", NULL }),
              "blanks separate arguments");
        CHECK(split_is("  /bin/keys\t\"a b\"  'c d' ", (const char *const[]) { "/bin/keys", "a b", "c d", NULL }),
              "tabs too, quotes group, leading and trailing blanks go");
        CHECK(split_is("/k a\\ b \\\"q\\\" \\\\ \\x", (const char *const[]) { "/k", "a b", "\"q\"", "\\", "\\x", NULL }),
              "backslash escapes a blank, a quote, a backslash; before anything else it stays");
        CHECK(split_is("/k \"it's\" 'say \"hi\"'", (const char *const[]) { "/k", "it's", "say \"hi\"", NULL }),
              "one kind of quote inside the other is literal");
        CHECK(split_is("/k a\"b c\"d", (const char *const[]) { "/k", "ab cd", NULL }), "quotes inside an argument");
        CHECK(split_is("", (const char *const[]) { NULL }), "an empty line yields no arguments");
        char **argv = NULL;
        CHECK(keys_command_split("/k \"open", &argv) == -EINVAL && !argv, "an unterminated quote is -EINVAL");
        _cleanup_free_ char *many = malloc(3 * 300 + 1);
        many[0] = '\0';
        for (int i = 0; i < 300; i++)
                strcat(many, "a ");
        CHECK(keys_command_split(many, &argv) == -E2BIG && !argv, "more than the argument limit is -E2BIG");

        const KeysCommandTokens t = {
                .conn = "192.0.2.1 50000 192.0.2.2 22", .rdomain = "", .fingerprint = "SHA256:x", .home = "/home/a",
                .key = "AAAA", .type = "ssh-ed25519", .uid = "2001", .user = "alice",
        };
        _cleanup_free_ char *x = NULL;
        CHECK(keys_command_expand("%u:%U:%h:%t:%f:%k:[%C]:[%D]:%%u", &t, &x, NULL) == 0 &&
              streq(x, "alice:2001:/home/a:ssh-ed25519:SHA256:x:AAAA:[192.0.2.1 50000 192.0.2.2 22]:[]:%u"),
              "every token expands (%s)", x ?: "");
        char bad = 1, *y = NULL;
        CHECK(keys_command_expand("a%x", &t, &y, &bad) == -EINVAL && bad == 'x' && !y, "%%x is refused, named");
        CHECK(keys_command_expand("a%", &t, &y, &bad) == -EINVAL && bad == '\0' && !y, "a trailing %% is refused");
        CHECK(keys_command_expand("%F", &t, &y, &bad) == -EINVAL && bad == 'F' && !y,
              "%%F, not AuthorizedKeysCommand's (no value), is refused");
        const KeysCommandTokens pt = {
                .conn = "c", .rdomain = "", .ca_fingerprint = "SHA256:ca", .fingerprint = "SHA256:k", .home = "/h",
                .key_id = "id 1", .ca_key = "CAKEY", .key = "CERT", .serial = "42", .ca_type = "ssh-ed25519",
                .type = "ssh-ed25519-cert-v01@openssh.com", .uid = "7", .user = "u",
        };
        _cleanup_free_ char *z = NULL;
        CHECK(keys_command_expand("%F|%f|%i|%K|%k|%s|%T|%t", &pt, &z, NULL) == 0 &&
              streq(z, "SHA256:ca|SHA256:k|id 1|CAKEY|CERT|42|ssh-ed25519|ssh-ed25519-cert-v01@openssh.com"),
              "AuthorizedPrincipalsCommand's tokens expand (%s)", z ?: "");
        return test_summary();
}
