/* See worker-spawn.h. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build-config.h"
#include "common/algorithms.h"
#include "common/channel-timeout.h"
#include "common/fd-layout.h"
#include "common/fd-util.h"
#include "common/ipc-socket.h"
#include "monitor/sanitizer-hooks.h"
#include "common/log.h"
#include "monitor/hostcert.h"
#include "monitor/hostkey-sign.h"
#include "monitor/ssh-cert.h"
#include "monitor/worker-spawn.h"

#define WORKER_TITLE_ROOM "                                                                        "

static const char *worker_path(void) {
#if ENABLE_TEST_HOOKS
        /* Test builds only: the hostile-worker tests put their own "worker" here. */
        const char *e = getenv("PRIVSSHD_TEST_WORKER");
        if (e && e[0] == '/')
                return e;
#endif
        return WORKER_PATH;
}

/* Both ends take the largest message (SETUP one way, SESSION_START the other); the monitor's end is
 * non-blocking, so that it never waits on the worker (monitor_send() queues what does not fit). */
static int ipc_pair(int pair[2]) {
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return negative_errno();
        int r = fd_set_nonblock(pair[0], true);
        for (size_t i = 0; i < 2 && r >= 0; i++) {
                r = ipc_socket_set_buffer(pair[i]);
                if (r == -ENOBUFS) {
                        /* Still usable: a message that does not fit fails alone (EMSGSIZE). */
                        log_error("monitor: the IPC socket buffer is smaller than %u bytes (net.core.wmem_max "
                                  "and no CAP_NET_ADMIN): the longest requests will be refused",
                                  IPC_SOCKET_BUFFER_MIN);
                        r = 0;
                }
        }
        if (r < 0)
                close_pair(pair);
        return r;
}

int worker_spawn(int conn_fd, int *ret_ipc_fd, pid_t *ret_pid) {
        int pair[2];
        int r = ipc_pair(pair);
        if (r < 0)
                return r;

        pid_t pid = fork();
        if (pid < 0) {
                int e = negative_errno();
                close_pair(pair);
                return e;
        }
        if (pid == 0) {
                sanitizer_child_no_leak_check();
                /* Child: lay out the descriptors, then exec. Only _exit() from here. */
                sigset_t all;
                sigemptyset(&all);
                sigprocmask(SIG_SETMASK, &all, NULL);
                signal(SIGPIPE, SIG_DFL);

                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null < 0)
                        _exit(WORKER_EXIT_EXEC_FAILED);
                /* Move the inputs out of the way of the target numbers first. The copy of our stderr
                 * is CLOEXEC and goes away with execve(): it only reports an execve() failure. */
                int c = fcntl(conn_fd, F_DUPFD_CLOEXEC, _WORKER_FD_MAX);
                int i = fcntl(pair[1], F_DUPFD_CLOEXEC, _WORKER_FD_MAX);
                int report = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, _WORKER_FD_MAX);
                if (c < 0 || i < 0)
                        _exit(WORKER_EXIT_EXEC_FAILED);
                /* fd 2 too: the worker never writes to the daemon's stderr (common/fd-layout.h). */
                if (fd_move_to(null, STDIN_FILENO) < 0 || fd_move_to(null, STDOUT_FILENO) < 0 ||
                    fd_move_to(null, STDERR_FILENO) < 0 ||
                    fd_move_to(c, WORKER_FD_CONNECTION) < 0 || fd_move_to(i, WORKER_FD_IPC) < 0)
                        _exit(WORKER_EXIT_EXEC_FAILED);
#if WORKER_HAS_DIAGNOSTICS_FD
                /* Diagnostic builds only (common/fd-layout.h): sanitizer and seccomp-debug reports. Last,
                 * when `null` (which may have had number 5) is no longer needed. */
                if (fd_move_to(report >= 0 ? report : STDERR_FILENO, WORKER_FD_DIAGNOSTICS) < 0)
                        _exit(WORKER_EXIT_EXEC_FAILED);
                const int keep[] = { WORKER_FD_CONNECTION, WORKER_FD_IPC, WORKER_FD_DIAGNOSTICS, report };
#else
                const int keep[] = { WORKER_FD_CONNECTION, WORKER_FD_IPC, report };
#endif
                close_all_fds_except(keep, ELEMENTSOF(keep));

                const char *path = worker_path();
                /* The second argument only reserves room for the process title the worker sets
                 * ("privsshd-worker: alice [net]"): its environment is empty, so argv is all the
                 * room there is. */
                char *const argv[] = { (char *) "privsshd-worker", (char *) WORKER_TITLE_ROOM, NULL };
                char *const envp[] = { NULL };
                execve(path, argv, envp);
                if (report >= 0)
                        dprintf(report, "privsshd: cannot execute %s: %s\n", path, strerror(errno));
                _exit(WORKER_EXIT_EXEC_FAILED);
        }

        safe_close(pair[1]);
        *ret_ipc_fd = pair[0];
        *ret_pid = pid;
        return 0;
}

static int sandbox_identity(const char *user, uid_t *ret_uid, gid_t *ret_gid) {
        struct passwd *pw = getpwnam(user);
        if (!pw) {
                log_error("SandboxUser %s does not exist (create it, e.g. with systemd-sysusers)", user);
                return -ESRCH;
        }
        if (pw->pw_uid == 0 || pw->pw_gid == 0) {
                log_error("SandboxUser %s must not be root or in group root", user);
                return -EPERM;
        }
        *ret_uid = pw->pw_uid;
        *ret_gid = pw->pw_gid;
        return 0;
}

/* The Banner file's text, read as root (as OpenSSH's monitor does), at most SESSION_MAX_BANNER bytes;
 * NULL (logged) when it cannot be read. */
static char *read_banner(const char *path) {
        char *text = NULL;
        int r = read_full_file(path, SESSION_MAX_BANNER, &text, NULL);
        if (r < 0) {
                log_error("Banner %s: %s (at most %u bytes)", path, strerror(-r), SESSION_MAX_BANNER);
                return NULL;
        }
        /* A NUL byte ends the text there (the IPC codec carries no NULs). */
        return text;
}

/* ChannelTimeout in SETUP's form, "TYPE=SECONDS" (the configuration keeps what was written). */
static int channel_timeouts_for_setup(const Config *c, char ***ret) {
        const ChannelTimeouts *t = &c->channel_timeouts;
        _cleanup_strv_free_ char **l = calloc(t->n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < t->n; i++) {
                size_t type_len;
                const char *interval;
                if (channel_timeout_split(t->entries[i], &type_len, &interval) < 0)
                        return -EINVAL;         /* the parser checked it */
                if (asprintf(&l[i], "%.*s=%" PRIu32, (int) type_len, t->entries[i], t->seconds[i]) < 0) {
                        l[i] = NULL;
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int worker_send_setup(Monitor *m) {
        const Config *c = m->config;
        _cleanup_strv_free_ char **keys = NULL, **certs = NULL, **timeouts = NULL;
        int r;

        IpcPayload p = {};
        IpcSetup *s = &p.SETUP;

        r = sandbox_identity(c->sandbox_user, &s->sandbox_uid, &s->sandbox_gid);
        if (r < 0)
                return r;

        /* The private keys stay here (monitor/hostkey-sign.c); the worker gets the public halves. */
        r = hostkeys_load(m);
        if (r < 0)
                return r;
        r = hostkeys_public_lines(m, &keys);
        if (r < 0)
                return r;
        hostcerts_load(m);
        r = hostcerts_lines(m, &certs);
        if (r < 0)
                return r;

        s->sandbox_dir = c->sandbox_directory;
        s->peer_address = m->peer_address;
        s->peer_port = m->peer_port;
        s->local_address = m->local_address;
        s->local_port = m->local_port;
        s->log_level = (uint8_t) c->log_level;
        s->password_authentication = c->password_authentication;
        s->kbd_interactive_authentication = c->kbd_interactive_authentication;
        /* Validated when the configuration was loaded. */
        (void) auth_lists_init(&m->auth_lists, c->authentication_methods, c->n_authentication_methods);
        s->auth_methods = auth_lists_next(&m->auth_lists, config_auth_methods_enabled(c));
        s->pubkey_authentication = c->pubkey_authentication;
        s->max_sessions = c->max_sessions;
        s->client_alive_interval = c->client_alive_interval;
        s->client_alive_count_max = c->client_alive_count_max;
        _cleanup_free_ char *banner = NULL;
        if (c->banner)
                banner = read_banner(c->banner);
        s->banner = banner;
#if ENABLE_TEST_HOOKS
        s->test_forbidden_syscall = c->test_worker_forbidden_syscall;
        s->test_bogus_session_close = c->test_worker_bogus_session_close;
        s->test_inject = c->test_worker_inject;
#endif
        s->hostkeys = keys;
        s->n_hostkeys = m->n_hostkeys;
        s->hostkey_certificates = certs;
        s->n_hostkey_certificates = m->n_hostkeys;
        s->kex_algorithms = (char *) (c->kex_algorithms ?: algorithms_default(ALGORITHMS_KEX));
        s->ciphers = (char *) (c->ciphers ?: algorithms_default(ALGORITHMS_CIPHERS));
        s->macs = (char *) (c->macs ?: algorithms_default(ALGORITHMS_MACS));
        s->hostkey_algorithms = (char *) (c->hostkey_algorithms ?: algorithms_default(ALGORITHMS_HOSTKEY));
        /* The worker's libssh advertises this list as server-sig-algs: each certificate algorithm
         * brings its plain signature algorithm along (ssh_cert_add_plain_algorithms()). What is accepted
         * is still decided by the monitor over the configured list (handle-auth.c). */
        _cleanup_free_ char *sig_algs = NULL;
        r = ssh_cert_add_plain_algorithms(
                c->pubkey_accepted_algorithms ?: algorithms_default(ALGORITHMS_PUBKEY), &sig_algs);
        if (r < 0)
                return r;
        s->pubkey_accepted_algorithms = sig_algs;
        s->rekey_data_high = (uint32_t) (c->rekey_limit.data >> 32);
        s->rekey_data_low = (uint32_t) c->rekey_limit.data;
        s->rekey_interval = c->rekey_limit.interval;
        s->required_rsa_size = (uint32_t) c->required_rsa_size;
        s->unused_connection_timeout = c->unused_connection_timeout;
        r = channel_timeouts_for_setup(c, &timeouts);
        if (r < 0)
                return r;
        s->channel_timeouts = timeouts;
        s->n_channel_timeouts = c->channel_timeouts.n;

        return monitor_send(m, IPC_SETUP, &p, NULL, 0);
}

int worker_send_user_config(Monitor *m) {
        const Config *c = m->config;
        _cleanup_strv_free_ char **timeouts = NULL;
        _cleanup_free_ char *banner = NULL;
        IpcPayload p = {};
        IpcUserConfig *u = &p.USER_CONFIG;

        u->log_level = (uint8_t) c->log_level;
        if (c->banner)
                banner = read_banner(c->banner);
        u->banner = banner;
        u->max_sessions = c->max_sessions;
        u->client_alive_interval = c->client_alive_interval;
        u->client_alive_count_max = c->client_alive_count_max;
        u->pubkey_accepted_algorithms = (char *) (c->pubkey_accepted_algorithms ?:
                                                  algorithms_default(ALGORITHMS_PUBKEY));
        u->required_rsa_size = (uint32_t) c->required_rsa_size;
        u->rekey_data_high = (uint32_t) (c->rekey_limit.data >> 32);
        u->rekey_data_low = (uint32_t) c->rekey_limit.data;
        u->rekey_interval = c->rekey_limit.interval;
        u->unused_connection_timeout = c->unused_connection_timeout;
        int r = channel_timeouts_for_setup(c, &timeouts);
        if (r < 0)
                return r;
        u->channel_timeouts = timeouts;
        u->n_channel_timeouts = c->channel_timeouts.n;
        return monitor_send(m, IPC_USER_CONFIG, &p, NULL, 0);
}
