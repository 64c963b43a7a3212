/*
 * privsshd: command line, configuration, logging, then one of: -t/-T (test or print the
 * configuration), -i (one connection on stdin/stdout: inetd, systemd Accept=yes, and the listener's
 * per-connection re-exec), or the listener.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build-config.h"
#include "common/config.h"
#include "common/fd-layout.h"
#include "common/fd-util.h"
#include "common/log.h"
#include "common/proctitle.h"
#include "monitor/config-fd.h"
#include "monitor/listener.h"
#include "monitor/log-journal.h"
#include "monitor/monitor.h"
#include "relay/relay.h"

static const char *arg_config_file = DEFAULT_CONFIG_FILE;
static bool arg_foreground = false;
static bool arg_debug = false;
static bool arg_log_stderr = false;
static const char *arg_log_file = NULL;
static bool arg_test = false;
static bool arg_test_print = false;
static bool arg_inetd = false;
static bool arg_rexec = false;          /* -R: started by our listener, with its startup pipe */
static bool arg_match_given = false;    /* -C: the connection -T prints the configuration for */

/* The command line's configuration (-4, -6, -h, -o, -p), in order: applied after all of it is read,
 * since -R (at its end) means they come with the listener's image instead. */
typedef struct CommandLineOption {
        char opt;
        const char *arg;
} CommandLineOption;

static int apply_command_line(Config *c, const CommandLineOption *o, size_t n) {
        for (size_t i = 0; i < n; i++) {
                char buf[4200];
                int r;
                switch (o[i].opt) {
                case '4':
                case '6':
                        /* As OpenSSH: -4 and -6 are AddressFamily inet and inet6, over the file's. */
                        r = config_apply_option(c, o[i].opt == '4' ? "AddressFamily inet" :
                                                                     "AddressFamily inet6");
                        break;
                case 'h':
                        snprintf(buf, sizeof buf, "HostKey \"%s\"", o[i].arg);
                        r = config_apply_option(c, buf);
                        break;
                case 'p':
                        /* -p replaces the file's ports; -o Port adds to them (as sshd) */
                        r = config_apply_port(c, o[i].arg);
                        break;
                default:
                        r = config_apply_option(c, o[i].arg);
                        break;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static void usage(void) {
        fprintf(stderr,
                "privsshd %s: a privilege-separated SSH login daemon\n"
                "usage: privsshd [-DdeiTt] [-C connection_spec] [-E log_file] [-f config_file]\n"
                "                [-h host_key_file] [-o option] [-p port]\n",
                PACKAGE_VERSION);
}

/* argv for the listener's per-connection re-exec: our absolute path, the original options, -i. */
static char **reexec_argv(int argc, char **argv) {
        char **v = calloc((size_t) argc + 3, sizeof(char *));
        if (!v)
                return NULL;
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
                return strv_free(v);
        exe[n] = '\0';
        v[0] = strdup(exe);
        for (int i = 1; i < argc; i++)
                v[i] = strdup(argv[i]);
        /* -R (private, as OpenSSH's): fd MONITOR_FD_STARTUP is the listener's startup pipe. */
        v[argc] = strdup("-R");
        v[argc + 1] = strdup("-i");
        for (int i = 0; i <= argc + 1; i++)
                if (!v[i])
                        return strv_free(v);
        return v;
}

/* -R: the write end of the listener's startup pipe, off its fixed number and CLOEXEC (so that no
 * child of ours inherits it), or -EBADF. Anything else at that number is left alone. */
static int startup_pipe_take(void) {
        struct stat st;
        if (!arg_rexec)
                return -EBADF;
        int flags = fcntl(MONITOR_FD_STARTUP, F_GETFL);
        if (flags < 0 || fstat(MONITOR_FD_STARTUP, &st) < 0 || !S_ISFIFO(st.st_mode) ||
            (flags & O_ACCMODE) != O_WRONLY) {
                log_error("-R: descriptor %d is not the write end of a pipe; MaxStartups cannot learn when "
                          "this connection authenticates", MONITOR_FD_STARTUP);
                return -EBADF;
        }
        int fd = fcntl(MONITOR_FD_STARTUP, F_DUPFD_CLOEXEC, MONITOR_FD_STARTUP + 1);
        if (fd < 0) {
                log_error("-R: %m");
                return -EBADF;
        }
        (void) close(MONITOR_FD_STARTUP);
        return fd;
}

static int run_inetd(const Config *c) {
        int startup = startup_pipe_take();
        /* The connection is on stdin/stdout: one socket (inetd, systemd Accept=yes, our listener), or
         * anything else, two pipes most often (inetd nowait, ssh's ProxyCommand), which a relay turns into
         * a socket for the worker (relay/relay.h). Take them off 0 and 1 and put /dev/null there. */
        bool relay = relay_needed(STDIN_FILENO, STDOUT_FILENO);
        int conn = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        int out = relay ? fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3) : -EBADF;
        if (conn < 0 || (relay && out < 0)) {
                log_error("-i: no connection on stdin and stdout: %m");
                safe_close(conn);
                safe_close(out);
                safe_close(startup);
                return 255;
        }
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0) {
                log_error("/dev/null: %m");
                safe_close(null);
                safe_close(conn);
                safe_close(out);
                safe_close(startup);
                return 255;
        }
        safe_close(null);
        pid_t relay_pid = 0;
        if (relay) {
                /* relay_start() takes conn and out; conn becomes the worker's end of the socketpair. */
                int in = conn;
                conn = -EBADF;
                if (relay_start(in, out, c->sandbox_user, c->sandbox_directory, &conn, &relay_pid) < 0) {
                        safe_close(startup);
                        return 255;
                }
        }
        return monitor_run(c, conn, startup, relay_pid);
}

int main(int argc, char **argv) {
        _cleanup_strv_free_ char **again = reexec_argv(argc, argv);
        _cleanup_free_ char *image = NULL;
        _cleanup_free_ CommandLineOption *options = calloc((size_t) argc + 1, sizeof(CommandLineOption));
        size_t n_options = 0, image_size = 0;
        Config config;
        _cleanup_(config_match_info_done) ConfigMatchInfo match_info = {};
        int r, opt;

        log_set_ident("privsshd");
        if (!options || config_init(&config) < 0) {
                fprintf(stderr, "out of memory\n");
                return 255;
        }

        while ((opt = getopt(argc, argv, "46C:DdeiRTtE:f:h:o:p:")) != -1) {
                switch (opt) {
                case '4':
                case '6':
                case 'h':
                case 'o':
                case 'p':
                        options[n_options++] = (CommandLineOption) { .opt = (char) opt, .arg = optarg };
                        break;
                case 'C':
                        /* As sshd -C: user=,addr=,host=,laddr=,lport=,rdomain= for -T's Match blocks. */
                        if (config_match_info_parse(optarg, &match_info) < 0)
                                goto fail;
                        arg_match_given = true;
                        break;
                case 'D':
                        arg_foreground = true;
                        break;
                case 'd':
                        arg_debug = arg_foreground = arg_log_stderr = true;
                        break;
                case 'e':
                        arg_log_stderr = true;
                        break;
                case 'E':
                        arg_log_file = optarg;
                        break;
                case 'f':
                        arg_config_file = optarg;
                        break;
                case 'i':
                        arg_inetd = true;
                        break;
                case 'R':
                        arg_rexec = true;
                        break;
                case 't':
                        arg_test = true;
                        break;
                case 'T':
                        arg_test_print = true;
                        break;
                default:
                        usage();
                        goto fail;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "Extra argument %s.\n", argv[optind]);
                goto fail;
        }
        if (arg_match_given && !arg_test_print) {
                fprintf(stderr, "Config test connection parameter (-C) provided without test mode (-T)\n");
                goto fail;
        }

        /* Warnings about the configuration come from -t and the listener, not once per connection (-i). */
        if (arg_inetd)
                log_set_level(LOG_LEVEL_ERROR);
        /* The listener keeps an image of what it loaded, its command line's options first, for its
         * connections' monitors (-R -i), which never open the file and take no option of their command
         * line: they run with what the listener checked (monitor/config-fd.h). Plain -i (inetd,
         * ProxyCommand, systemd's Accept=yes) reads the file, as sshd -i does. */
        if (arg_inetd && arg_rexec) {
                r = config_fd_take(&image, &image_size);
                if (r >= 0)
                        r = config_load_image(&config, image, image_size);
        } else {
                /* Every mode keeps the image: Match parses it again (config_match_apply). */
                r = config_image_begin(&config);
                if (r >= 0)
                        r = apply_command_line(&config, options, n_options);
                if (r >= 0)
                        r = config_load_file(&config, arg_config_file);
                if (r >= 0)
                        r = config_image_end(&config, &image, &image_size);
        }
        if (r < 0)
                goto fail;
        r = config_finish(&config);
        if (r < 0)
                goto fail;

        if (arg_test_print) {
                /* As sshd -T: the Match blocks for -C's connection; without -C none but "Match All". */
                match_info.test = true;
                if (config_match_apply(&config, &match_info) < 0)
                        goto fail;
                config_dump(&config, stdout);
                config_done(&config);
                return 0;
        }
        if (arg_test) {
                config_done(&config);
                return 0;
        }

        if (arg_log_file)
                r = log_open_file(arg_log_file);
        else if (arg_log_stderr)
                r = log_open_stderr();
        else if (log_journal_available()) {
                log_open_journal();     /* the same lines as syslog's, with fields: doc/CONFIG.md "Logging" */
                r = 0;
        } else
                r = log_open_syslog();
        if (r < 0) {
                fprintf(stderr, "cannot open log %s: %s\n", arg_log_file, strerror(-r));
                goto fail;
        }
        log_set_level(arg_debug && config.log_level < LOG_LEVEL_DEBUG1 ? LOG_LEVEL_DEBUG1 : config.log_level);

        if (geteuid() != 0) {
                log_error("privsshd must be run as root.");
                goto fail;
        }
        if (!again) {
                log_error("cannot determine the path of this program: %m");
                goto fail;
        }

        /* From here on argv's memory becomes the process title; everything needed was copied. */
        proctitle_init(argc, argv);
        if (arg_inetd)
                r = run_inetd(&config);
        else {
                _cleanup_close_ int config_fd = config_fd_create(image, image_size);
                free(image);
                image = NULL;
                r = config_fd < 0 || listener_run(&config, config_fd, again, arg_foreground) < 0 ? 255 : 0;
        }
        config_done(&config);
        return r;

fail:
        config_done(&config);
        return 255;
}
