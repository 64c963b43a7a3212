/*
 * The sshd_config parser against fixtures in $TEST_SRCDIR/config/: parsed fields, error messages
 * compared with golden files (*.err), -T output compared with golden files (*.dump), -o and -p
 * precedence, Include (relative patterns, globs, nesting, the depth limit), Debian's stock
 * sshd_config, and doc/CONFIG.md against the keyword table.
 *
 * The test runs in the fixture directory so that file names in messages are short and stable, and
 * points Config.include_root at a fixture tree so that Include never reads the host's /etc/ssh.
 *
 * CONFIG_TEST_UPDATE_GOLDEN=1 rewrites the golden files from the current output (then read the diff
 * before committing it).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build-config.h"
#include "common/algorithms.h"
#include "common/auth-methods.h"
#include "common/config.h"
#include "common/fd-util.h"
#include "common/macro.h"
#include "test-helpers.h"

static bool update_golden = false;

static char *read_text(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        char *data = NULL;
        if (read_full_fd(fd, 4u * 1024u * 1024u, &data, NULL) < 0)
                return NULL;
        return data;
}

static int write_text(const char *path, const char *text) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return negative_errno();
        return loop_write(fd, text, strlen(text));
}

/* Compare `actual` with the golden file `name`; print both on a mismatch. */
static bool golden_matches(const char *name, const char *actual) {
        if (update_golden) {
                if (write_text(name, actual) < 0)
                        return false;
        }
        _cleanup_free_ char *expected = read_text(name);
        if (!expected) {
                printf("# golden file %s is missing\n", name);
                return false;
        }
        if (streq(expected, actual))
                return true;
        printf("# %s: expected:\n%s# actual:\n%s", name, expected, actual);
        return false;
}

/* Run the load or apply step with stderr captured. */
typedef struct Capture {
        int saved;
        FILE *tmp;
} Capture;

static void capture_begin(Capture *cap) {
        fflush(stderr);
        cap->tmp = tmpfile();
        cap->saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
        if (cap->tmp && cap->saved >= 0)
                dup2(fileno(cap->tmp), STDERR_FILENO);
}

static char *capture_end(Capture *cap) {
        char *text = NULL;
        if (cap->saved >= 0) {
                dup2(cap->saved, STDERR_FILENO);
                cap->saved = safe_close(cap->saved);
        }
        if (cap->tmp) {
                rewind(cap->tmp);
                (void) read_full_fd(fileno(cap->tmp), 1024u * 1024u, &text, NULL);
                fclose(cap->tmp);
                cap->tmp = NULL;
        }
        return text ?: strdup("(capture failed)\n");
}

static char *load_captured(Config *c, const char *path, int *ret) {
        Capture cap;
        capture_begin(&cap);
        *ret = config_load_file(c, path);
        return capture_end(&cap);
}

static char *apply_captured(Config *c, const char *option, int *ret) {
        Capture cap;
        capture_begin(&cap);
        *ret = config_apply_option(c, option);
        return capture_end(&cap);
}

/* -T output; the test-hook keywords (present only with -Dtest_hooks=true) is left out so that one
 * golden file serves both builds. */
static char *dump_text(const Config *c) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return strdup("");
        config_dump(c, f);
        fclose(f);
        /* Test hooks' keywords all begin with "Test": drop their lines. */
        for (char *line = buf; line && *line;) {
                char *end = strchr(line, '\n');
                end = end ? end + 1 : line + strlen(line);
                if (strneq(line, "test", 4))
                        memmove(line, end, strlen(end) + 1);
                else
                        line = end;
        }
        return buf;
}

static void test_defaults(void) {
        Config c;
        CHECK(config_init(&c) == 0, "config_init");
        CHECK(c.strict_modes && c.pubkey_authentication && c.password_authentication && c.use_pam,
              "defaults: StrictModes, PubkeyAuthentication, PasswordAuthentication, UsePAM are yes");
        CHECK(c.permit_root_login == PERMIT_ROOT_PROHIBIT_PASSWORD,
              "default PermitRootLogin prohibit-password");
        CHECK(c.max_auth_tries == 6 && c.max_sessions == 10 && c.login_grace_time == 120,
              "default MaxAuthTries 6, MaxSessions 10, LoginGraceTime 120");
        CHECK(c.log_level == LOG_LEVEL_INFO, "default LogLevel INFO");
        CHECK(c.max_startups.begin == 10 && c.max_startups.rate == 30 && c.max_startups.full == 100 &&
              c.per_source_max_startups == 5 && c.per_source_net_block_size.ipv4 == 32 &&
              c.per_source_net_block_size.ipv6 == 128, "default MaxStartups 10:30:100, PerSourceMaxStartups 5, "
              "PerSourceNetBlockSize 32:128");
        CHECK(c.per_source_penalties.enabled && c.per_source_penalties.crash == 90 &&
              c.per_source_penalties.authfail == 5 && c.per_source_penalties.noauth == 1 &&
              c.per_source_penalties.grace_exceeded == 10 && c.per_source_penalties.max == 600 &&
              c.per_source_penalties.min == 15 && !c.per_source_penalty_exempt,
              "default PerSourcePenalties as OpenSSH 9.9, no exempt list");
        CHECK(c.allow_streamlocal_forwarding == FORWARD_DIRECTION_ALL && c.streamlocal_bind_mask == 0177 &&
              !c.streamlocal_bind_unlink, "default AllowStreamLocalForwarding yes, StreamLocalBindMask 0177, "
              "StreamLocalBindUnlink no");
        CHECK(c.pid_file && streq(c.pid_file, "/run/privsshd.pid"), "default PidFile");
        CHECK(streq(c.sandbox_user, "privsshd") && streq(c.sandbox_directory, "/run/privsshd/empty") &&
              streq(c.pam_service_name, "privsshd"), "default SandboxUser, SandboxDirectory, PAMServiceName");

        int r;
        _cleanup_free_ char *err = load_captured(&c, "empty.conf", &r);
        CHECK(r == 0 && streq(err, ""), "an empty file loads without a word");
        CHECK(config_finish(&c) == 0, "config_finish");
        CHECK(c.n_ports == 1 && c.ports[0] == 22, "default Port 22");
        CHECK(c.n_listen == 0, "no ListenAddress: all addresses");
        CHECK(c.n_hostkeys == 3 && streq(c.hostkeys[0], "/etc/privsshd/ssh_host_ed25519_key") &&
              streq(c.hostkeys[2], "/etc/privsshd/ssh_host_rsa_key"), "default HostKeys are privsshd's");
        CHECK(c.n_authorized_keys_files == 2 && streq(c.authorized_keys_files[0], ".ssh/authorized_keys") &&
              streq(c.authorized_keys_files[1], ".ssh/authorized_keys2"),
              "default AuthorizedKeysFile as OpenSSH");
        _cleanup_free_ char *dump = dump_text(&c);
        CHECK(golden_matches("empty.dump", dump), "-T of the defaults matches empty.dump");
        config_done(&c);
        config_done(&c);
        CHECK(c.pid_file == NULL && c.n_hostkeys == 0, "config_done twice is harmless");
}

static void test_all_keywords(void) {
        Config c;
        int r;
        config_init(&c);
        _cleanup_free_ char *err = load_captured(&c, "all.conf", &r);
        CHECK(r == 0 && streq(err, ""), "all.conf loads without a word (stderr: %s)", err);
        CHECK(c.n_ports == 2 && c.ports[0] == 2222 && c.ports[1] == 2200, "Port accumulates");
        CHECK(c.n_listen == 4 && streq(c.listen[0].host, "127.0.0.1") && c.listen[0].port == 0 &&
              streq(c.listen[1].host, "::1") && c.listen[1].port == 2022 &&
              streq(c.listen[2].host, "::1") && c.listen[2].port == 0 &&
              streq(c.listen[3].host, "localhost") && c.listen[3].port == 33,
              "ListenAddress host, [v6]:port, v6, name:port");
        CHECK(c.n_hostkeys == 2 && streq(c.hostkeys[1], "/etc/privsshd/test_rsa_key"), "HostKey accumulates");
        CHECK(c.allow_streamlocal_forwarding == FORWARD_DIRECTION_LOCAL && c.streamlocal_bind_mask == 027 &&
              c.streamlocal_bind_unlink, "AllowStreamLocalForwarding local, StreamLocalBindMask 0027 (octal), "
              "StreamLocalBindUnlink yes");
        CHECK(c.pid_file == NULL, "PidFile none is NULL");
        CHECK(c.n_authorized_keys_files == 2 && streq(c.authorized_keys_files[1], "/etc/ssh/keys/%u"),
              "AuthorizedKeysFile: several paths, quotes, %%u kept, none dropped");
        CHECK(!c.strict_modes && !c.pubkey_authentication && !c.password_authentication, "flags set to no");
        CHECK(c.permit_root_login == PERMIT_ROOT_FORCED_COMMANDS_ONLY, "PermitRootLogin forced-commands-only");
        CHECK(c.n_accept_env == 3 && streq(c.accept_env[1], "LC_*") && streq(c.accept_env[2], "GIT_*"),
              "AcceptEnv accumulates over lines");
        CHECK(c.n_set_env == 2 && streq(c.set_env[0], "FOO=bar") && streq(c.set_env[1], "GREETING=hello world") &&
              c.set_env[2] == NULL, "SetEnv: the first line wins, the first value of a name wins, NULL-terminated");
        CHECK(c.force_command && streq(c.force_command, "/usr/local/bin/gate \"first arg\" --flag"),
              "ForceCommand keeps the rest of the line as written (got %s)", c.force_command ?: "(null)");
        CHECK(!c.permit_tty && !c.print_motd && !c.print_last_log, "PermitTTY, PrintMotd, PrintLastLog no");
        CHECK(c.banner && streq(c.banner, "/etc/issue.net"), "Banner path");
        CHECK(c.client_alive_interval == 90 && c.client_alive_count_max == 0, "ClientAliveInterval 1m30s, CountMax 0");
        CHECK(c.channel_timeouts.n == 3 && streq(c.channel_timeouts.entries[0], "session:command=1m30s") &&
              c.channel_timeouts.seconds[0] == 90 && streq(c.channel_timeouts.entries[1], "direct-*=10") &&
              c.channel_timeouts.seconds[1] == 10 && c.channel_timeouts.seconds[2] == 3600,
              "ChannelTimeout: the first line's entries as written, with their seconds");
        CHECK(c.unused_connection_timeout == 120, "UnusedConnectionTimeout 2m is 120 seconds");
        CHECK(config_accept_env(&c, "LANG") && config_accept_env(&c, "LC_ALL") && config_accept_env(&c, "GIT_DIR"),
              "AcceptEnv patterns let LANG, LC_ALL, GIT_DIR through");
        CHECK(!config_accept_env(&c, "LANGUAGE") && !config_accept_env(&c, "TERM") && !config_accept_env(&c, "LC"),
              "and nothing else (LANGUAGE, TERM, LC)");
        CHECK(c.max_auth_tries == 3 && c.max_sessions == 0, "MaxAuthTries 3, MaxSessions 0");
        CHECK(c.max_startups.begin == 3 && c.max_startups.rate == 50 && c.max_startups.full == 20,
              "MaxStartups 3:50:20");
        CHECK(c.per_source_max_startups == CONFIG_UNLIMITED, "PerSourceMaxStartups none");
        CHECK(c.per_source_net_block_size.ipv4 == 24 && c.per_source_net_block_size.ipv6 == 56,
              "PerSourceNetBlockSize 24:56");
        CHECK(c.per_source_penalties.enabled && c.per_source_penalties.crash == 120 &&
              c.per_source_penalties.authfail == 30 && c.per_source_penalties.noauth == 1 &&
              c.per_source_penalties.overflow_deny_all && !c.per_source_penalties.overflow6_deny_all &&
              c.per_source_penalties.max_sources6 == 100 && c.per_source_penalties.max_sources4 == 65536,
              "PerSourcePenalties: each sub-option's first value over two lines, the rest defaults");
        CHECK(c.per_source_penalty_exempt && streq(c.per_source_penalty_exempt, "10.0.0.0/8,!10.1.2.3,2001:db8::/32"),
              "PerSourcePenaltyExemptList kept as written");
        CHECK(c.permit_user_environment && streq(c.permit_user_environment, "LANG,TZ,!LD_*") && c.expose_auth_info,
              "PermitUserEnvironment keeps its pattern list as written; ExposeAuthInfo yes");
        CHECK(c.login_grace_time == 5400, "LoginGraceTime 1h30m is 5400 seconds");
        CHECK(c.log_level == LOG_LEVEL_DEBUG2, "LogLevel DEBUG2");
        CHECK(c.n_subsystems == 2 && streq(c.subsystems[0].name, "sftp") &&
              streq(c.subsystems[0].command, "/usr/lib/openssh/sftp-server -l INFO") &&
              streq(c.subsystems[1].command, "/usr/local/bin/backup server"),
              "Subsystem: name, command with arguments");
        CHECK(streq(c.sandbox_user, "sshd-sandbox") && streq(c.sandbox_directory, "/var/empty/privsshd") &&
              streq(c.pam_service_name, "sshd"), "SandboxUser, SandboxDirectory, PAMServiceName");

        CHECK(config_finish(&c) == 0, "config_finish");
        CHECK(c.n_listen == 6, "ListenAddress without a port gets every Port (%zu entries)", c.n_listen);
        bool all_ports = true;
        for (size_t i = 0; i < c.n_listen; i++)
                all_ports = all_ports && c.listen[i].port != 0;
        CHECK(all_ports, "after config_finish every listen address has a port");
        CHECK(c.n_hostkeys == 2, "explicit HostKeys replace the defaults");
        _cleanup_free_ char *dump = dump_text(&c);
        CHECK(golden_matches("all.dump", dump), "-T matches all.dump");
        config_done(&c);
}

static void test_syntax(void) {
        Config c;
        int r;
        config_init(&c);
        _cleanup_free_ char *err = load_captured(&c, "syntax.conf", &r);
        CHECK(r == 0 && streq(err, ""), "syntax.conf loads (stderr: %s)", err);
        CHECK(c.n_ports == 2 && c.ports[0] == 2022 && c.ports[1] == 2023, "Keyword=value and Keyword = value");
        CHECK(c.max_auth_tries == 4, "tabs and blanks; the first MaxAuthTries wins");
        CHECK(c.permit_root_login == PERMIT_ROOT_NO, "a quoted value");
        CHECK(c.pid_file && streq(c.pid_file, "/run/with space.pid"),
              "a quoted value with a blank, then a comment");
        CHECK(streq(c.pam_service_name, "privsshd-test"), "single quotes");
        CHECK(c.n_subsystems == 1 && streq(c.subsystems[0].command, "/bin/echo a b c d e\"f g\"h x#y"),
              "Subsystem arguments unquoted and joined, '#' inside a word kept, ' #' ends the line (got %s)",
              c.n_subsystems ? c.subsystems[0].command : "nothing");
        CHECK(c.login_grace_time == 90, "a CRLF line");
        CHECK(!c.strict_modes, "StrictModes: the first value wins");
        CHECK(!c.pubkey_authentication, "DSAAuthentication is OpenSSH's old name of PubkeyAuthentication");
        CHECK(c.log_level == LOG_LEVEL_QUIET, "LogLevel SILENT is QUIET");
        CHECK(streq(c.sandbox_directory, "/srv//sandbox/"), "SandboxDirectory kept as written");
        CHECK(c.max_sessions == 1, "a last line without a newline");
        config_done(&c);
}

static const struct {
        const char *name;
        int ret;
} error_cases[] = {
        { "error-unknown", -EINVAL },
        { "error-missing-argument", -EINVAL },
        { "error-bad-value", -EINVAL },
        { "error-out-of-range", -EINVAL },
        { "error-extra-argument", -EINVAL },
        { "error-long-line", -EINVAL },
        { "error-quote", -EINVAL },
        { "error-use-pam", -EINVAL },
        { "error-sandbox-directory", -EINVAL },
        { "error-subsystem-duplicate", -EINVAL },
        { "error-subsystem-command", -EINVAL },
        { "error-refused", -EINVAL },
        { "error-refused-value", -EINVAL },
        { "error-address-family", -EINVAL },
        { "error-match", -EINVAL },
        { "error-rdomain", -EINVAL },
        { "error-listen-address", -EINVAL },
        { "error-port", -EINVAL },
        { "error-time", -EINVAL },
        { "error-later-value", -EINVAL },
        { "error-stops-at-first", -EINVAL },
        { "error-unsupported-value", -EINVAL },
        { "error-authorized-keys-token", -EINVAL },
        { "error-name", -EINVAL },
        { "error-set-env", -EINVAL },
        { "error-set-env-name", -EINVAL },
        { "error-accept-env", -EINVAL },
        { "error-client-alive", -EINVAL },
        { "error-max-startups", -EINVAL },
        { "error-max-startups-order", -EINVAL },
        { "error-max-startups-range", -EINVAL },
        { "error-per-source-max-startups", -EINVAL },
        { "error-net-block-size", -EINVAL },
        { "error-penalties", -EINVAL },
        { "error-penalties-alone", -EINVAL },
        { "error-penalties-time", -EINVAL },
        { "error-exempt-list", -EINVAL },
        { "error-ciphers", -EINVAL },
        { "error-streamlocal-mask", -EINVAL },
        { "error-kex-wildcard", -EINVAL },
        { "error-macs-empty", -EINVAL },
        { "error-hostkey-algorithms", -EINVAL },
        { "error-rekey-limit", -EINVAL },
        { "error-rekey-time", -EINVAL },
        { "error-pubkey-auth-options", -EINVAL },
        { "error-required-rsa-size", -EINVAL },
        { "error-channel-timeout", -EINVAL },
        { "error-channel-timeout-none", -EINVAL },
        { "error-channel-timeout-syntax", -EINVAL },
        { "error-unused-connection-timeout", -EINVAL },
        { "error-algorithms-not-offered", -EINVAL },
        { "warning-channel-timeout", 0 },
        { "does-not-exist", -ENOENT },
};

static void test_errors(void) {
        for (size_t i = 0; i < ELEMENTSOF(error_cases); i++) {
                char conf[256], golden[256];
                snprintf(conf, sizeof conf, "%s.conf", error_cases[i].name);
                snprintf(golden, sizeof golden, "%s.err", error_cases[i].name);
                Config c;
                int r;
                config_init(&c);
                _cleanup_free_ char *err = load_captured(&c, conf, &r);
                CHECK(r == error_cases[i].ret, "%s fails with %d (got %d)", conf, error_cases[i].ret, r);
                CHECK(golden_matches(golden, err), "%s: message matches %s", conf, golden);
                config_done(&c);
        }

        /* A NUL byte cannot live in a text fixture: write one. */
        char dir[] = "/tmp/test-config-XXXXXX";
        CHECK(mkdtemp(dir) != NULL, "temporary directory");
        char path[300], expected[400];
        snprintf(path, sizeof path, "%s/nul.conf", dir);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        CHECK(fd >= 0 && write(fd, "Port 22\nPort 2\0002\n", 17) == 17, "write a file with a NUL byte");
        fd = safe_close(fd);
        Config c;
        int r;
        config_init(&c);
        _cleanup_free_ char *err = load_captured(&c, path, &r);
        snprintf(expected, sizeof expected, "%s:2: NUL byte in line\n", path);
        CHECK(r == -EINVAL && streq(err, expected), "a NUL byte is an error");
        config_done(&c);
        unlink(path);
        rmdir(dir);
}

static void test_warnings(void) {
        Config c;
        int r;
        config_init(&c);
        _cleanup_free_ char *err = load_captured(&c, "warnings.conf", &r);
        CHECK(r == 0, "warned keywords load");
        CHECK(golden_matches("warnings.err", err), "warnings match warnings.err");
        CHECK(c.n_subsystems == 1 && streq(c.subsystems[0].command, "internal-sftp"),
              "Subsystem internal-sftp is kept, without a warning (privsshd-sftp serves it)");
        config_done(&c);
}

static void test_command_line(void) {
        Config c;
        int r;
        _cleanup_free_ char *all_errors = NULL;

        /* -o first, then the file: the first value wins, so -o overrides; lists accumulate (OpenSSH). */
        config_init(&c);
        CHECK(config_apply_option(&c, "PermitRootLogin=no") == 0, "-o PermitRootLogin=no");
        CHECK(config_apply_option(&c, "Port 2222") == 0, "-o 'Port 2222'");
        CHECK(config_apply_option(&c, "  hostkey = /etc/privsshd/cmdline_key") == 0, "-o ' hostkey = ...'");
        _cleanup_free_ char *err = load_captured(&c, "all.conf", &r);
        CHECK(r == 0, "then the file");
        CHECK(c.permit_root_login == PERMIT_ROOT_NO, "-o PermitRootLogin wins over the file's");
        CHECK(c.n_ports == 3 && c.ports[0] == 2222 && c.ports[1] == 2222 && c.ports[2] == 2200,
              "-o Port comes first and the file's Ports are added, as sshd -T -o Port=... shows");
        CHECK(c.n_hostkeys == 3 && streq(c.hostkeys[0], "/etc/privsshd/cmdline_key"), "-o HostKey comes first");
        config_done(&c);

        /* -p replaces the files' Port lines (OpenSSH's ports_from_cmdline). */
        config_init(&c);
        CHECK(config_apply_port(&c, "2022") == 0 && config_apply_port(&c, "2023") == 0, "-p 2022 -p 2023");
        free(err);
        err = load_captured(&c, "all.conf", &r);
        CHECK(r == 0 && c.n_ports == 2 && c.ports[0] == 2022 && c.ports[1] == 2023,
              "-p: the file's Port lines are ignored");
        CHECK(config_finish(&c) == 0 && c.n_listen == 6, "-p ports go to each ListenAddress without a port");
        config_done(&c);

        /* Errors name the command line. */
        static const char *const bad[] = {
                "Foo=bar", "PermitRootLogin", "MaxSessions 5000", "UsePAM=no", "", "# comment",
                "=yes", "Port \"22", "RDomain vrf0",
        };
        all_errors = strdup("");
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                config_init(&c);
                _cleanup_free_ char *e = apply_captured(&c, bad[i], &r);
                CHECK(r == -EINVAL, "-o \"%s\" is refused", bad[i]);
                char *joined = NULL;
                if (asprintf(&joined, "%s%s", all_errors, e) >= 0) {
                        free(all_errors);
                        all_errors = joined;
                }
                config_done(&c);
        }
        config_init(&c);
        Capture cap;
        capture_begin(&cap);
        r = config_apply_port(&c, "0");
        _cleanup_free_ char *e = capture_end(&cap);
        CHECK(r == -EINVAL &&
              streq(e, "command line: value out of range for Port: \"0\" (allowed: 1 to 65535)\n"),
              "-p 0 is refused");
        config_done(&c);
        CHECK(golden_matches("command-line.err", all_errors), "-o messages match command-line.err");

#if ENABLE_TEST_HOOKS
        config_init(&c);
        CHECK(config_apply_option(&c, "TestWorkerForbiddenSyscall yes") == 0 && c.test_worker_forbidden_syscall,
              "test build: TestWorkerForbiddenSyscall yes");
        config_done(&c);
        config_init(&c);
        CHECK(config_apply_option(&c, "TestWorkerInject /x/scenario.so") == 0 &&
              streq(c.test_worker_inject, "/x/scenario.so"), "test build: TestWorkerInject PATH");
        config_done(&c);
#else
        config_init(&c);
        free(e);
        e = apply_captured(&c, "TestWorkerForbiddenSyscall yes", &r);
        CHECK(r == -EINVAL && streq(e, "command line: Bad configuration option: TestWorkerForbiddenSyscall\n"),
              "production build: TestWorkerForbiddenSyscall is an unknown keyword");
        config_done(&c);
        config_init(&c);
        free(e);
        e = apply_captured(&c, "TestWorkerInject /x/scenario.so", &r);
        CHECK(r == -EINVAL && streq(e, "command line: Bad configuration option: TestWorkerInject\n"),
              "production build: TestWorkerInject is an unknown keyword");
        config_done(&c);
#endif
}

static void test_include(void) {
        Config c;
        int r;

        config_init(&c);
        c.include_root = "root";
        _cleanup_free_ char *err = load_captured(&c, "root/etc/ssh/include-top.conf", &r);
        CHECK(r == 0 && streq(err, ""),
              "Include: relative glob, nested Include, a glob that matches nothing (%s)", err);
        CHECK(c.n_ports == 3 && c.ports[0] == 1001 && c.ports[1] == 1002 && c.ports[2] == 3000,
              "included files in glob order, at the place of the Include");
        CHECK(c.permit_root_login == PERMIT_ROOT_NO,
              "the first PermitRootLogin (from the first included file) wins");
        CHECK(c.max_sessions == 7, "a value set in an earlier included file wins over a later one");
        CHECK(c.login_grace_time == 33, "a nested Include is read");
        config_done(&c);

        config_init(&c);
        c.include_root = "root";
        free(err);
        err = load_captured(&c, "root/etc/ssh/include-loop.conf", &r);
        CHECK(r == -EINVAL, "an Include loop fails");
        CHECK(golden_matches("include-loop.err", err), "Include loop message matches include-loop.err");
        config_done(&c);

        config_init(&c);
        c.include_root = "root";
        free(err);
        err = load_captured(&c, "root/etc/ssh/include-error.conf", &r);
        CHECK(r == -EINVAL, "an error in an included file fails the load");
        CHECK(golden_matches("include-error.err", err),
              "it is reported with the included file's name and line");
        config_done(&c);

        config_init(&c);
        c.include_root = "root";
        CHECK(config_apply_option(&c, "Include include.d/10-first.conf") == 0 && c.n_ports == 1 &&
              c.ports[0] == 1001, "-o Include");
        config_done(&c);
}

static char *image_load_captured(Config *c, const char *path, char **ret_image, size_t *ret_size, int *ret) {
        Capture cap;
        capture_begin(&cap);
        *ret = config_image_begin(c);
        if (*ret >= 0)
                *ret = config_load_file(c, path);
        if (*ret >= 0)
                *ret = config_image_end(c, ret_image, ret_size);
        return capture_end(&cap);
}

static char *image_replay_captured(Config *c, const void *image, size_t size, int *ret) {
        Capture cap;
        capture_begin(&cap);
        *ret = config_load_image(c, image, size);
        return capture_end(&cap);
}

/* What the listener hands its monitors: parsing the image gives what parsing the files gave (the
 * same fields, -T output and warnings with the same file names and lines), without reading a file. */
static void image_round_trip(const char *path, const char *include_root, const char *what) {
        Config a, b;
        _cleanup_free_ char *image = NULL;
        size_t size = 0;
        int r, r2;

        config_init(&a);
        a.include_root = include_root;
        _cleanup_free_ char *warn_a = image_load_captured(&a, path, &image, &size, &r);
        CHECK(r == 0 && image && size > 0, "%s: loads and gives an image (%s)", what, warn_a);
        config_init(&b);
        b.include_root = "no-such-root";        /* an Include that read anything would read nothing */
        _cleanup_free_ char *warn_b = image_replay_captured(&b, image, size, &r2);
        CHECK(r2 == 0, "%s: the image parses (%s)", what, warn_b);
        CHECK(streq(warn_a, warn_b), "%s: with the same warnings, file names and lines (%s / %s)", what,
              warn_a, warn_b);
        CHECK(config_finish(&a) == 0 && config_finish(&b) == 0, "%s: config_finish", what);
        _cleanup_free_ char *dump_a = dump_text(&a), *dump_b = dump_text(&b);
        CHECK(streq(dump_a, dump_b), "%s: the same -T output", what);
        config_done(&a);
        config_done(&b);
}

static void test_image(void) {
        Config c;
        _cleanup_free_ char *image = NULL, *err = NULL;
        size_t size = 0;
        int r;

        image_round_trip("all.conf", NULL, "every keyword");
        image_round_trip("debian/etc/ssh/sshd_config", "debian", "Debian's sshd_config with a drop-in");

        config_init(&c);
        c.include_root = "root";
        err = image_load_captured(&c, "root/etc/ssh/include-top.conf", &image, &size, &r);
        CHECK(r == 0, "Include: the image of a nested, globbed Include (%s)", err);
        config_done(&c);
        config_init(&c);
        free(err);
        err = image_replay_captured(&c, image, size, &r);
        CHECK(r == 0 && c.n_ports == 3 && c.ports[0] == 1001 && c.ports[1] == 1002 && c.ports[2] == 3000 &&
              c.permit_root_login == PERMIT_ROOT_NO && c.max_sessions == 7 && c.login_grace_time == 33,
              "the image holds the included files' lines in place, with include_root unset (%s)", err);
        config_done(&c);

        /* The command line is in the image too, in its place: -o (with an -o Include's lines after it),
         * then -p, then the file; a monitor started by the listener applies none of its own. */
        config_init(&c);
        c.include_root = "root";
        free(image);
        image = NULL;
        CHECK(config_image_begin(&c) == 0 && config_apply_option(&c, "Include include.d/10-first.conf") == 0 &&
              config_apply_option(&c, "MaxSessions 3") == 0 && config_apply_port(&c, "4444") == 0 &&
              config_load_file(&c, "all.conf") == 0 && config_image_end(&c, &image, &size) == 0,
              "an image of -o Include, -o MaxSessions 3, -p 4444 and a file");
        CHECK(config_finish(&c) == 0, "config_finish");
        _cleanup_free_ char *direct = dump_text(&c);
        config_done(&c);
        config_init(&c);
        free(err);
        err = image_replay_captured(&c, image, size, &r);
        CHECK(r == 0 && c.ports_from_command_line && c.max_sessions == 3 && c.permit_root_login == PERMIT_ROOT_NO,
              "replayed: -p, -o MaxSessions over the file's, the -o Include'd file's lines (%s)", err);
        CHECK(config_finish(&c) == 0, "config_finish");
        _cleanup_free_ char *replayed = dump_text(&c);
        CHECK(streq(direct, replayed), "the same -T output as the command line and the file gave");
        config_done(&c);
        config_init(&c);
        CHECK(config_image_end(&c, &image, &size) == -EINVAL, "config_image_end without config_image_begin");
        CHECK(config_image_begin(&c) == 0 && config_image_begin(&c) == -EBUSY,
              "config_image_begin twice: -EBUSY");
        config_done(&c);        /* frees the recorder: the fd/leak checks below would see it otherwise */

        /* Not an image: refused with one message, nothing half-applied matters (the monitor exits). */
        static const struct {
                const char *what;
                size_t cut;             /* bytes of the real image, or SIZE_MAX for `bytes` */
                const char *bytes;
                size_t len;
        } bad[] = {
                { "empty", 0, NULL, 0 },
                { "cut short", 1, NULL, 0 },
                { "another magic", SIZE_MAX, "\0\0\0\x05hello", 9 },
                { "a line before any file", SIZE_MAX,
                  "\0\0\0\x1eprivsshd configuration image 2\x02\0\0\0\x01\0\0\0\x06Port 1", 49 },
                { "an unknown record", SIZE_MAX, "\0\0\0\x1eprivsshd configuration image 2\x07", 35 },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                const void *data = bad[i].cut == SIZE_MAX ? (const void *) bad[i].bytes : image;
                size_t len = bad[i].cut == SIZE_MAX ? bad[i].len : bad[i].cut == 0 ? 0 : size - bad[i].cut;
                config_init(&c);
                free(err);
                err = image_replay_captured(&c, data, len, &r);
                CHECK(r == -EBADMSG && strstr(err, "the configuration handed over by the listener is malformed"),
                      "an image (%s) is refused: %s", bad[i].what, err);
                config_done(&c);
        }
        /* Positive control for the hand-made records above: the same bytes with a FILE record parse. */
        static const char good[] = "\0\0\0\x1eprivsshd configuration image 2\x01\0\0\0\x01x"
                                   "\x02\0\0\0\x01\0\0\0\x06Port 1";
        config_init(&c);
        free(err);
        err = image_replay_captured(&c, good, sizeof good - 1, &r);
        CHECK(r == 0 && c.n_ports == 1 && c.ports[0] == 1, "control: a hand-made image with a FILE record (%s)", err);
        config_done(&c);
}

static void test_accept_env_never(void) {
        Config c;
        config_init(&c);
        CHECK(config_apply_option(&c, "AcceptEnv *") == 0, "AcceptEnv *");
        CHECK(config_accept_env(&c, "FOO") && config_accept_env(&c, "LC_ALL"), "* lets ordinary names through");
        static const char *const never[] = {
                "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "GCONV_PATH", "MALLOC_CHECK_", "BASH_ENV", "ENV",
                "IFS", "SHELLOPTS", "BASH_FUNC_x%%", "", "A=B", "1X", "A-B", "LOCPATH", "NLSPATH", "PS4",
        };
        for (size_t i = 0; i < ELEMENTSOF(never); i++)
                CHECK(!config_accept_env(&c, never[i]), "\"%s\" never passes, even with AcceptEnv *", never[i]);
        CHECK(config_accept_env_overruled(&c, "LD_PRELOAD") && !config_accept_env_overruled(&c, "FOO"),
              "LD_PRELOAD is reported as overruled, FOO is not");
        config_done(&c);
        config_init(&c);
        CHECK(config_apply_option(&c, "AcceptEnv LC_*") == 0, "AcceptEnv LC_*");
        CHECK(!config_accept_env_overruled(&c, "LD_PRELOAD"), "a name no pattern matches is not overruled");
        config_done(&c);
        config_init(&c);
        CHECK(!config_accept_env(&c, "LANG"), "without AcceptEnv nothing passes");
        config_done(&c);
}

static void test_debian(void) {
        Config c;
        int r;

        /* Stock Debian 12: sshd_config.d is empty (here: nothing under the include root). */
        config_init(&c);
        c.include_root = "debian/no-such-root";
        _cleanup_free_ char *err = load_captured(&c, "debian/etc/ssh/sshd_config", &r);
        CHECK(r == 0, "Debian 12's stock sshd_config loads");
        CHECK(golden_matches("debian.err", err), "its warnings match debian.err");
        CHECK(config_finish(&c) == 0, "config_finish");
        CHECK(c.n_subsystems == 1 && streq(c.subsystems[0].command, "/usr/lib/openssh/sftp-server"),
              "sftp subsystem");
        CHECK(c.password_authentication, "PasswordAuthentication stays yes");
        _cleanup_free_ char *dump = dump_text(&c);
        CHECK(golden_matches("debian.dump", dump), "-T matches debian.dump");
        config_done(&c);

        /* With a drop-in, as on Debian cloud images: the Include comes first, so the drop-in wins. */
        config_init(&c);
        c.include_root = "debian";
        free(err);
        err = load_captured(&c, "debian/etc/ssh/sshd_config", &r);
        CHECK(r == 0 && !c.password_authentication, "sshd_config.d/50-cloud-init.conf wins over the main file");
        config_done(&c);
}

static void test_listen_limits(void) {
        Config c;
        int r;
        config_init(&c);
        char opt[64];
        for (unsigned i = 0; i < 9; i++) {
                snprintf(opt, sizeof opt, "Port %u", 1000 + i);
                config_apply_option(&c, opt);
        }
        for (unsigned i = 0; i < 8; i++) {
                snprintf(opt, sizeof opt, "ListenAddress 10.0.0.%u", i);
                config_apply_option(&c, opt);
        }
        Capture cap;
        capture_begin(&cap);
        r = config_finish(&c);
        _cleanup_free_ char *err = capture_end(&cap);
        CHECK(r == -EINVAL && c.n_listen == 8 && c.listen[0].port == 0,
              "72 listen addresses after giving each every Port: refused, Config unchanged");
        CHECK(golden_matches("listen-limit.err", err), "message matches listen-limit.err");
        config_done(&c);

        /* Relative HostKey and PidFile are made absolute against the working directory, as OpenSSH. */
        config_init(&c);
        _cleanup_free_ char *cwd = getcwd(NULL, 0);
        CHECK(config_apply_option(&c, "HostKey keys/host_key") == 0 &&
              config_apply_option(&c, "PidFile x.pid") == 0, "relative HostKey and PidFile");
        char expected[4200];
        snprintf(expected, sizeof expected, "%s/keys/host_key", cwd ?: "");
        CHECK(c.n_hostkeys == 1 && streq(c.hostkeys[0], expected), "HostKey made absolute: %s", c.hostkeys[0]);
        config_done(&c);
}

/* Every keyword of the tables has a row in doc/CONFIG.md with the same status: "| `Name` | status |". */
static void test_documentation(const char *srcdir) {
        char path[4200];
        snprintf(path, sizeof path, "%s/../../doc/CONFIG.md", srcdir);
        _cleanup_free_ char *doc = read_text(path);
        CHECK(doc != NULL, "read doc/CONFIG.md");
        if (!doc)
                return;
        size_t n = 0, missing = 0;
        const char *name, *status;
        for (size_t i = 0; config_keyword_at(i, &name, &status) == 0; i++) {
                char row[256];
                snprintf(row, sizeof row, "| `%s` | %s |", name, status);
                n++;
                if (!strstr(doc, row)) {
                        missing++;
                        printf("# doc/CONFIG.md has no row \"%s\"\n", row);
                }
        }
        CHECK(n > 100 && missing == 0, "doc/CONFIG.md documents all %zu keywords with their status", n);

        /* The manual page's two lists of keywords privsshd does not implement: every refused and every
         * warned keyword in its list, and nothing implemented in either (they went stale once). */
        snprintf(path, sizeof path, "%s/../../doc/privsshd_config.5", srcdir);
        _cleanup_free_ char *man = read_text(path);
        CHECK(man != NULL, "read doc/privsshd_config.5");
        const char *refused = man ? strstr(man, ".SH KEYWORDS REFUSED") : NULL;
        const char *warned = refused ? strstr(refused, ".SH KEYWORDS ACCEPTED WITH A WARNING") : NULL;
        const char *end = warned ? strstr(warned, ".SH FILES") : NULL;
        CHECK(refused && warned && end, "the manual page has both lists");
        if (!end)
                return;
        size_t wrong = 0;
        for (size_t i = 0; config_keyword_at(i, &name, &status) == 0; i++) {
                char entry[256];
                snprintf(entry, sizeof entry, ".BR %s ", name);
                const char *at = strstr(refused, entry);
                if (at && at >= end)
                        at = NULL;
                const char *want = streq(status, "refused") ? refused :
                                   streq(status, "warned") ? warned : NULL;
                /* Deprecated keywords (accepted with a warning, as OpenSSH) may be named as examples. */
                bool ok = want ? at && at >= want && at < (want == refused ? warned : end) :
                                 !at || streq(status, "deprecated");
                if (!ok) {
                        wrong++;
                        printf("# doc/privsshd_config.5: %s (%s) %s\n", name, status,
                               want ? "is not in its list" : "is listed as not implemented");
                }
        }
        CHECK(wrong == 0, "doc/privsshd_config.5 lists the refused and the warned keywords, and only those");
}

/* AddressFamily: the values, -T, the wildcards it leaves, and a ListenAddress of the other family refused
 * when the configuration is finished (OpenSSH's "bad addr or host"), with the same family accepted beside. */
static void test_address_family(void) {
        static const struct {
                const char *family, *listen;
                int ret;
                const char *dump;       /* expected in -T */
        } cases[] = {
                { "inet", "::1", -EINVAL, NULL },
                { "inet6", "127.0.0.1", -EINVAL, NULL },
                { "inet", "127.0.0.1", 0, "addressfamily inet\n" },
                { "inet6", "[::1]:2022", 0, "addressfamily inet6\n" },
                { "any", "::1", 0, "addressfamily any\n" },
                { "INET", "localhost", 0, "addressfamily inet\n" },   /* a name is resolved when binding */
                { "inet", NULL, 0, "\nlistenaddress 0.0.0.0:22\naddressfamily inet\n" },
                { "inet6", NULL, 0, "\nlistenaddress [::]:22\naddressfamily inet6\n" },
                { "any", NULL, 0, "\nlistenaddress [::]:22\nlistenaddress 0.0.0.0:22\naddressfamily any\n" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Config c;
                char opt[128];
                int r;
                config_init(&c);
                snprintf(opt, sizeof opt, "AddressFamily %s", cases[i].family);
                _cleanup_free_ char *err = apply_captured(&c, opt, &r);
                CHECK(r == 0 && streq(err, ""), "%s is accepted (stderr: %s)", opt, err);
                if (cases[i].listen) {
                        snprintf(opt, sizeof opt, "ListenAddress %s", cases[i].listen);
                        _cleanup_free_ char *err2 = apply_captured(&c, opt, &r);
                        CHECK(r == 0 && streq(err2, ""), "%s parses (stderr: %s)", opt, err2);
                }
                Capture cap;
                capture_begin(&cap);
                r = config_finish(&c);
                _cleanup_free_ char *msg = capture_end(&cap);
                CHECK(r == cases[i].ret, "AddressFamily %s, ListenAddress %s: config_finish returns %d (got %d)",
                      cases[i].family, cases[i].listen ?: "(none)", cases[i].ret, r);
                if (r < 0) {
                        char want[160];
                        snprintf(want, sizeof want, "bad addr or host: %s (Address family for hostname not supported)",
                                 cases[i].listen);
                        CHECK(strstr(msg, want), "the error is OpenSSH's: %s (got %s)", want, msg);
                } else {
                        _cleanup_free_ char *dump = dump_text(&c);
                        CHECK(strstr(dump, cases[i].dump), "-T shows %s", cases[i].dump);
                        if (!cases[i].listen && strcmp(cases[i].family, "inet") == 0)
                                CHECK(!strstr(dump, "[::]"), "AddressFamily inet: no IPv6 wildcard in -T");
                        if (!cases[i].listen && strcmp(cases[i].family, "inet6") == 0)
                                CHECK(!strstr(dump, "0.0.0.0"), "AddressFamily inet6: no IPv4 wildcard in -T");
                }
                config_done(&c);
        }
}

/* keysrc: AuthorizedKeysCommand must be absolute and needs AuthorizedKeysCommandUser (sshd refuses to
 * start otherwise); RevokedKeys none is none. */
static void test_keys_command(void) {
        Config c;
        int r;
        config_init(&c);
        free(apply_captured(&c, "AuthorizedKeysCommand bin/keys %u", &r));
        CHECK(r == -EINVAL, "a relative AuthorizedKeysCommand is refused");
        free(apply_captured(&c, "AuthorizedKeysCommandUser bad/name", &r));
        CHECK(r == -EINVAL, "an AuthorizedKeysCommandUser with '/' is refused");
        free(apply_captured(&c, "AuthorizedKeysCommandUser %x", &r));
        CHECK(r == -EINVAL, "an AuthorizedKeysCommandUser with an unknown token is refused");
        free(apply_captured(&c, "AuthorizedKeysCommand /usr/bin/keys \"%u\" %f", &r));
        CHECK(r == 0 && c.authorized_keys_command && streq(c.authorized_keys_command, "/usr/bin/keys \"%u\" %f"),
              "AuthorizedKeysCommand keeps the rest of the line as written");
        Capture cap;
        capture_begin(&cap);
        r = config_finish(&c);
        _cleanup_free_ char *e = capture_end(&cap);
        CHECK(r == -EINVAL && strstr(e, "AuthorizedKeysCommand set without AuthorizedKeysCommandUser"),
              "a command without a user refuses to start, as sshd (%s)", e);
        config_done(&c);

        config_init(&c);
        free(apply_captured(&c, "AuthorizedKeysCommand none", &r));
        CHECK(r == 0 && !c.authorized_keys_command, "AuthorizedKeysCommand none is none");
        free(apply_captured(&c, "RevokedKeys none", &r));
        CHECK(r == 0 && !c.revoked_keys, "RevokedKeys none is none");
        CHECK(config_finish(&c) == 0, "no command, no user needed");
        config_done(&c);
}

/* Algorithm names OpenSSH knows and privsshd does not offer: a warning each line, the rest of the line
 * taken (fields, -T), and a typo beside them still an error (error-hostkey-algorithms). */
static void test_algorithms_not_offered(void) {
        Config c;
        int r;
        config_init(&c);
        _cleanup_free_ char *err = load_captured(&c, "warning-algorithms.conf", &r);
        CHECK(r == 0, "names known to OpenSSH but not offered load (stderr: %s)", err);
        CHECK(golden_matches("warning-algorithms.err", err), "warnings match warning-algorithms.err");
        CHECK(c.pubkey_accepted_algorithms && streq(c.pubkey_accepted_algorithms, algorithms_default(ALGORITHMS_PUBKEY)),
              "PubkeyAcceptedAlgorithms +ssh-dss is the default list (got %s)", c.pubkey_accepted_algorithms ?: "none");
        CHECK(c.hostkey_algorithms && streq(c.hostkey_algorithms,
                                            "ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,"
                                            "ecdsa-sha2-nistp256-cert-v01@openssh.com,"
                                            "ecdsa-sha2-nistp384-cert-v01@openssh.com,"
                                            "ecdsa-sha2-nistp521-cert-v01@openssh.com,"
                                            "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,"
                                            "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
                                            "rsa-sha2-512,rsa-sha2-256"),
              "HostKeyAlgorithms ^ssh-dss-cert-v01@openssh.com,ssh-ed25519 (got %s)", c.hostkey_algorithms ?: "none");
        CHECK(c.macs && streq(c.macs, "hmac-sha2-256"), "MACs keeps hmac-sha2-256 only (got %s)", c.macs ?: "none");
        CHECK(c.kex_algorithms && streq(c.kex_algorithms, "curve25519-sha256"), "KexAlgorithms keeps curve25519-sha256");
        CHECK(c.ca_signature_algorithms && streq(c.ca_signature_algorithms, "ssh-ed25519"),
              "CASignatureAlgorithms keeps ssh-ed25519");
        CHECK(config_finish(&c) == 0, "config_finish");
        _cleanup_free_ char *dump = dump_text(&c);
        /* Only these lines: a whole golden dump would change with every keyword added elsewhere. */
        CHECK(dump && strstr(dump, "\nmacs hmac-sha2-256\n") && strstr(dump, "\nkexalgorithms curve25519-sha256\n") &&
              strstr(dump, "\ncasignaturealgorithms ssh-ed25519\n"), "-T prints the lists without the names left out");
        config_done(&c);
}

/* PubkeyAuthOptions with no argument is none, as in OpenSSH, and as the first value it wins; other
 * keywords still need an argument (the control). */
static void test_pubkey_auth_options_empty(void) {
        Config c;
        int r;
        config_init(&c);
        _cleanup_free_ char *err = apply_captured(&c, "PubkeyAuthOptions", &r);
        CHECK(r == 0 && streq(err, ""), "PubkeyAuthOptions without an argument loads (stderr: %s)", err);
        CHECK(config_apply_option(&c, "PubkeyAuthOptions touch-required") == 0 && c.pubkey_auth_options == 0,
              "it is none and wins over a later touch-required");
        free(err);
        err = apply_captured(&c, "MaxSessions", &r);
        CHECK(r == -EINVAL, "MaxSessions without an argument is still refused");
        config_done(&c);
        config_init(&c);
        CHECK(config_apply_option(&c, "PubkeyAuthOptions touch-required") == 0 &&
              c.pubkey_auth_options == PUBKEY_AUTH_TOUCH_REQUIRED, "PubkeyAuthOptions touch-required alone sets it");
        config_done(&c);
}

/* "none" is a method OpenSSH accepts in AuthenticationMethods (its regress script multipubkey writes
 * it in the main section before a Match sets the real lists); privsshd accepts it and never completes
 * it. A name that is no method stays an error. */
static void test_authentication_methods_none(void) {
        Config c;
        int r;
        config_init(&c);
        free(apply_captured(&c, "AuthenticationMethods none", &r));
        CHECK(r == 0 && c.n_authentication_methods == 1, "AuthenticationMethods none loads");
        CHECK(config_finish(&c) == 0, "and can be satisfied as far as the configuration goes, as in OpenSSH");
        AuthLists l;
        CHECK(auth_lists_init(&l, c.authentication_methods, c.n_authentication_methods) == 0 &&
              !auth_lists_allowed(&l, AUTH_METHOD_PUBLICKEY) && !auth_lists_allowed(&l, AUTH_METHOD_PASSWORD) &&
              !auth_lists_allowed(&l, AUTH_METHOD_KBDINT), "no method privsshd completes is allowed by it");
        config_done(&c);
        config_init(&c);
        free(apply_captured(&c, "AuthenticationMethods nothing", &r));
        CHECK(r == -EINVAL, "control: a name that is no method is still an error");
        config_done(&c);
}

int main(void) {
        const char *srcdir = getenv("TEST_SRCDIR");
        update_golden = !isempty(getenv("CONFIG_TEST_UPDATE_GOLDEN"));

        if (isempty(srcdir)) {
                printf("not ok - TEST_SRCDIR is not set (tests/unit/meson.build sets it)\n");
                return 1;
        }
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/config", srcdir);
        if (chdir(dir) < 0) {
                printf("not ok - cannot enter %s: %s\n", dir, strerror(errno));
                return 1;
        }
        log_set_level(LOG_LEVEL_INFO);

        int fd_before = lowest_free_fd();
        test_defaults();
        test_all_keywords();
        test_syntax();
        test_errors();
        test_address_family();
        test_warnings();
        test_command_line();
        test_include();
        test_debian();
        test_image();
        test_accept_env_never();
        test_listen_limits();
        test_algorithms_not_offered();
        test_pubkey_auth_options_empty();
        test_documentation(srcdir);
        test_keys_command();
        test_authentication_methods_none();
        CHECK(lowest_free_fd() == fd_before, "no descriptor leaked");

        return test_summary();
}
