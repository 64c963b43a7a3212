/* See listener.h. */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "common/fd-layout.h"
#include "common/fd-util.h"
#include "common/log.h"
#include "common/proctitle.h"
#include "common/signal-util.h"
#include "monitor/listener.h"
#include "monitor/listener-reload.h"
#include "monitor/notify.h"
#include "monitor/srclimit.h"

typedef struct Listener {
        int fds[CONFIG_MAX_LISTEN * 2];
        size_t n_fds;
        int config_fd;          /* the sealed image every monitor parses (monitor/config-fd.h) */
        bool from_systemd;      /* fds are systemd's (socket activation): ListenAddress/Port unused */
        /* After a reload: the previous listener's sockets, reused where the configuration still names
         * their address, closed otherwise. */
        int inherited[CONFIG_MAX_LISTEN * 2];
        size_t n_inherited;
        pid_t reload_check;     /* the running `-t` check of a reload, or 0 */
        uint64_t watchdog_usec; /* WatchdogSec= (0: none), handed on to the re-executed listener */
        SrcLimit *limits;       /* MaxStartups, PerSource*, the hard cap: srclimit.h */
} Listener;

/* The previous listener's socket bound to exactly `sa` (after a reload), or -1. */
static int take_inherited(Listener *l, const struct sockaddr *sa, socklen_t len) {
        for (size_t i = 0; i < l->n_inherited; i++) {
                struct sockaddr_storage have = {};
                socklen_t have_len = sizeof have;
                if (getsockname(l->inherited[i], (struct sockaddr *) &have, &have_len) < 0 || have_len != len ||
                    memcmp(&have, sa, len) != 0)
                        continue;
                int fd = l->inherited[i];
                l->inherited[i] = l->inherited[--l->n_inherited];
                return fd;
        }
        return -1;
}

/* AddressFamily is the family of the lookup: with inet, the wildcard is 0.0.0.0 alone and a name binds
 * only its IPv4 addresses (as OpenSSH); a numeric address of the other family was refused by the
 * configuration already. */
static int bind_one(Listener *l, int family, const char *host, uint16_t port) {
        char portstr[8];
        snprintf(portstr, sizeof portstr, "%u", port);
        struct addrinfo hints = {
                .ai_family = family,
                .ai_socktype = SOCK_STREAM,
                .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
        }, *res = NULL;
        int r = getaddrinfo(host, portstr, &hints, &res);
        if (r != 0) {
                log_error("bad addr or host: %s (%s)", host ? host : "(any)", gai_strerror(r));
                return -EINVAL;
        }
        int bound = 0;
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
                if (l->n_fds >= ELEMENTSOF(l->fds))
                        break;
                char name[NI_MAXHOST];
                if (getnameinfo(ai->ai_addr, ai->ai_addrlen, name, sizeof name, NULL, 0, NI_NUMERICHOST) != 0)
                        snprintf(name, sizeof name, "?");
                int fd = take_inherited(l, ai->ai_addr, ai->ai_addrlen);
                if (fd >= 0) {
                        l->fds[l->n_fds++] = fd;
                        bound++;
                        log_info("Server listening on %s port %u.", name, port);
                        continue;
                }
                fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                        log_error("socket: %m");
                        continue;
                }
                int one = 1;
                (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
                if (ai->ai_family == AF_INET6)
                        (void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
                if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
                        log_error("Bind to port %u on %s failed: %m.", port, name);
                        safe_close(fd);
                        continue;
                }
                if (listen(fd, SOMAXCONN) < 0) {
                        log_error("listen on [%s]:%u: %m.", name, port);
                        safe_close(fd);
                        continue;
                }
                l->fds[l->n_fds++] = fd;
                bound++;
                log_info("Server listening on %s port %u.", name, port);
        }
        freeaddrinfo(res);
        return bound;
}

/*
 * systemd socket activation (privsshd.socket, Accept=no): the listening sockets come from systemd, as
 * LISTEN_FDS descriptors from SD_LISTEN_FDS_START. Each must be a listening TCP socket (IPv4 or IPv6):
 * anything else is refused, as a connection on it would have no address to log or to limit. Returns
 * the number taken (0: not socket-activated, bind as configured), or a negative errno.
 */
static int take_systemd_sockets(Listener *l) {
        const char *reloaded = getenv(LISTENER_RELOADED_ENV);
        bool own = reloaded && streq(reloaded, LISTENER_RELOADED_OWN);
        int n = sd_listen_fds(1);      /* 1: unset LISTEN_FDS/LISTEN_PID, our children must not see them */
        (void) unsetenv(LISTENER_RELOADED_ENV);
        if (n <= 0)
                return n;
        if (own) {
                /* Our own sockets, from before a reload: bind_one() takes those still configured. */
                for (int i = 0; i < n && l->n_inherited < ELEMENTSOF(l->inherited); i++) {
                        if (fd_set_cloexec(SD_LISTEN_FDS_START + i, true) < 0)
                                continue;
                        l->inherited[l->n_inherited++] = SD_LISTEN_FDS_START + i;
                }
                return 0;
        }
        if ((size_t) n > ELEMENTSOF(l->fds))
                return log_error_errno(-E2BIG, "systemd passed %d sockets, at most %zu are supported", n,
                                       ELEMENTSOF(l->fds));
        for (int i = 0; i < n; i++) {
                int fd = SD_LISTEN_FDS_START + i;
                if (sd_is_socket_inet(fd, AF_UNSPEC, SOCK_STREAM, 1, 0) <= 0)
                        return log_error_errno(-ENOTSOCK, "socket %d from systemd is not a listening TCP socket "
                                               "(ListenStream= must name an address and port)", fd);
                int r = fd_set_cloexec(fd, true);
                if (r < 0)
                        return log_error_errno(r, "socket %d from systemd: %s", fd, strerror(-r));
                struct sockaddr_storage sa = {};
                socklen_t len = sizeof sa;
                char name[NI_MAXHOST], port[NI_MAXSERV];
                if (getsockname(fd, (struct sockaddr *) &sa, &len) < 0 ||
                    getnameinfo((struct sockaddr *) &sa, len, name, sizeof name, port, sizeof port,
                                NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
                        snprintf(name, sizeof name, "?");
                        snprintf(port, sizeof port, "?");
                }
                l->fds[l->n_fds++] = fd;
                log_info("Server listening on %s port %s (socket from systemd).", name, port);
        }
        l->from_systemd = true;
        return n;
}

static int bind_all(Listener *l, const Config *c) {
        int r = take_systemd_sockets(l);
        if (r < 0)
                return r;
        if (r > 0) {
                log_info("Listening on the %d socket%s systemd passed: ListenAddress and Port are not used.",
                         r, r == 1 ? "" : "s");
                return 0;
        }
        if (c->n_listen == 0) {
                for (size_t p = 0; p < c->n_ports; p++)
                        (void) bind_one(l, c->address_family, NULL, c->ports[p]);
        } else {
                for (size_t i = 0; i < c->n_listen; i++) {
                        if (c->listen[i].port != 0)
                                (void) bind_one(l, c->address_family, c->listen[i].host, c->listen[i].port);
                        else
                                for (size_t p = 0; p < c->n_ports; p++)
                                        (void) bind_one(l, c->address_family, c->listen[i].host,
                                                       c->ports[p]);
                }
        }
        /* After a reload: sockets of addresses the configuration no longer names. */
        for (size_t i = 0; i < l->n_inherited; i++)
                safe_close(l->inherited[i]);
        if (l->n_inherited > 0)
                log_info("Closed %zu listening socket%s the new configuration no longer names.", l->n_inherited,
                         l->n_inherited == 1 ? "" : "s");
        l->n_inherited = 0;
        if (l->n_fds == 0) {
                log_error("Cannot bind any address.");
                return -EADDRNOTAVAIL;
        }
        return 0;
}

int sandbox_directory_prepare(const char *path) {
        struct stat st;
        if (stat(path, &st) < 0) {
                if (errno != ENOENT)
                        return log_error_errno(negative_errno(), "SandboxDirectory %s: %m", path);
                /* Create it and missing parents, root-owned 0755. */
                _cleanup_free_ char *p = strdup(path);
                if (!p)
                        return -ENOMEM;
                for (char *s = p + 1; *s; s++) {
                        if (*s != '/')
                                continue;
                        *s = '\0';
                        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                                return log_error_errno(negative_errno(), "cannot create %s: %m", p);
                        *s = '/';
                }
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return log_error_errno(negative_errno(), "cannot create %s: %m", p);
                if (stat(path, &st) < 0)
                        return negative_errno();
        }
        if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
                log_error("SandboxDirectory %s must be a directory owned by root and not writable by "
                          "group or others.", path);
                return -EPERM;
        }
        DIR *d = opendir(path);
        if (!d)
                return log_error_errno(negative_errno(), "SandboxDirectory %s: %m", path);
        struct dirent *de;
        bool empty = true;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        empty = false;
        closedir(d);
        if (!empty) {
                log_error("SandboxDirectory %s must be empty.", path);
                return -ENOTEMPTY;
        }
        return 0;
}

static int daemonize(void) {
        pid_t pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid > 0)
                _exit(0);
        if (setsid() < 0)
                return negative_errno();
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid > 0)
                _exit(0);
        if (chdir("/") < 0)
                return negative_errno();
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0)
                return negative_errno();
        (void) dup2(null, STDIN_FILENO);
        (void) dup2(null, STDOUT_FILENO);
        (void) dup2(null, STDERR_FILENO);
        safe_close(null);
        return 0;
}

static void write_pid_file(const char *path) {
        if (!path)
                return;
        FILE *f = fopen(path, "we");
        if (!f) {
                log_error("Couldn't create pid file \"%s\": %m", path);
                return;
        }
        fprintf(f, "%d\n", (int) getpid());
        fclose(f);
}

static uint64_t listener_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* "[ADDR]:PORT" of a socket address, OpenSSH's form in the drop lines. */
static void endpoint_name(const struct sockaddr_storage *sa, socklen_t len, char *buf, size_t size) {
        NetAddr a;
        uint16_t port = 0;
        char name[NET_ADDR_STRLEN];
        if (net_addr_from_sockaddr((const struct sockaddr *) sa, len, &a) < 0) {
                snprintf(buf, size, "[UNKNOWN]:65535");
                return;
        }
        if (sa->ss_family == AF_INET)
                port = ntohs(((const struct sockaddr_in *) sa)->sin_port);
        else
                port = ntohs(((const struct sockaddr_in6 *) sa)->sin6_port);
        snprintf(buf, size, "[%s]:%u", net_addr_to_string(&a, name, sizeof name), port);
}

static void start_connection(Listener *l, int conn, const struct sockaddr_storage *peer_sa,
                             socklen_t peer_len, char *const *argv) {
        struct sockaddr_storage local_sa = {};
        socklen_t local_len = sizeof local_sa;
        char from[NET_ADDR_STRLEN + 16], on[NET_ADDR_STRLEN + 16], from_on[2 * NET_ADDR_STRLEN + 40];
        NetAddr peer;
        bool have_peer = net_addr_from_sockaddr((const struct sockaddr *) peer_sa, peer_len, &peer) == 0;

        if (getsockname(conn, (struct sockaddr *) &local_sa, &local_len) < 0)
                local_len = 0;
        endpoint_name(peer_sa, peer_len, from, sizeof from);
        endpoint_name(&local_sa, local_len, on, sizeof on);
        snprintf(from_on, sizeof from_on, "%s on %s", from, on);
        if (!srclimit_admit(l->limits, have_peer ? &peer : NULL, from_on, listener_now())) {
                /* Best effort, as OpenSSH: the client shows it instead of a bare reset. */
                static const char msg[] = "Not allowed at this time\r\n";
                (void) !write(conn, msg, sizeof msg - 1);
                return;
        }

        _cleanup_(close_pairp) int startup[2] = { -EBADF, -EBADF };
        if (pipe2(startup, O_CLOEXEC | O_NONBLOCK) < 0) {
                log_error("pipe: %m");
                return;
        }
        pid_t pid = fork();
        if (pid < 0) {
                log_error("fork: %m");
                return;
        }
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                /* inetd layout: the connection is stdin and stdout; stderr is inherited for -e; the
                 * write end of the startup pipe and the configuration at their fixed numbers
                 * (common/fd-layout.h). Both go above those numbers first, so that neither move
                 * overwrites the other (the memfd, made before any socket, is often fd 3). */
                int pipe_fd = fcntl(startup[1], F_DUPFD_CLOEXEC, MONITOR_FD_CONFIG + 1);
                int config_fd = fcntl(l->config_fd, F_DUPFD_CLOEXEC, MONITOR_FD_CONFIG + 1);
                if (pipe_fd < 0 || config_fd < 0 || dup2(conn, STDIN_FILENO) < 0 ||
                    dup2(conn, STDOUT_FILENO) < 0 || fd_move_to(pipe_fd, MONITOR_FD_STARTUP) < 0 ||
                    fd_move_to(config_fd, MONITOR_FD_CONFIG) < 0)
                        _exit(255);
                execv(argv[0], argv);
                dprintf(STDERR_FILENO, "privsshd: cannot execute %s: %s\n", argv[0], strerror(errno));
                _exit(255);
        }
        startup[1] = safe_close(startup[1]);
        (void) srclimit_child_add(l->limits, pid, TAKE_FD(startup[0]), have_peer ? &peer : NULL);
}

/* SIGHUP: RELOADING=1, then the new configuration is checked by a child (listener-reload.h). */
static void reload_start(Listener *l, char *const *reexec_argv) {
        if (l->reload_check > 0) {
                log_info("Received SIGHUP; a reload is already being checked.");
                return;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        (void) sd_notifyf(0, "RELOADING=1\nSTATUS=Checking the new configuration\nMONOTONIC_USEC=%llu",
                          (unsigned long long) ts.tv_sec * 1000000ULL + (unsigned long long) ts.tv_nsec / 1000ULL);
        pid_t pid = listener_reload_check_start(reexec_argv);
        if (pid < 0) {
                log_error("Received SIGHUP; cannot check the new configuration: %s", strerror((int) -pid));
                (void) sd_notify(0, "READY=1");
                return;
        }
        log_info("Received SIGHUP; checking the new configuration.");
        l->reload_check = pid;
}

/* The check ended: re-execute with the new configuration, or keep running with the old one. */
static void reload_checked(Listener *l, int status, char *const *reexec_argv) {
        l->reload_check = 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                log_info("Received SIGHUP; restarting.");
                (void) listener_reload_exec(reexec_argv, l->fds, l->n_fds, l->from_systemd, l->watchdog_usec);
                /* Only on failure: logged there. */
        } else {
                log_error("Received SIGHUP; the new configuration is not valid (above): keeping the running one.");
        }
        (void) sd_notify(0, "READY=1");
}

static void listener_title(const Listener *l, const Config *c) {
        proctitle_set("privsshd: [listener] %u of %u-%u startups", srclimit_startups(l->limits),
                      c->max_startups.begin, c->max_startups.full);
}

/* `systemctl status` shows the live figures: STATUS= whenever they change, never waiting for the
 * service manager (notify.h). Returns true while an update is pending (sent again within a second). */
static bool listener_status(const Listener *l, char *sent, size_t size) {
        unsigned children = srclimit_children(l->limits), startups = srclimit_startups(l->limits);
        unsigned sessions = srclimit_sessions(l->limits);
        char text[160];
        snprintf(text, sizeof text, "STATUS=%u connection%s: %u authenticated, %u authenticating; %u session%s",
                 children, children == 1 ? "" : "s", children - startups, startups, sessions,
                 sessions == 1 ? "" : "s");
        if (streq(text, sent))
                return false;
        if (notify_nonblocking(text) == -EAGAIN)
                return true;
        snprintf(sent, size, "%s", text);
        return false;
}

int listener_run(const Config *c, int config_fd, char *const *reexec_argv, bool foreground) {
        _cleanup_(srclimit_freep) SrcLimit *limits = NULL;
        Listener l = { .config_fd = config_fd };
        int r;

        r = sandbox_directory_prepare(c->sandbox_directory);
        if (r < 0)
                return r;
        r = srclimit_new(c, &limits);
        if (r < 0)
                return log_error_errno(r, "out of memory");
        l.limits = limits;
        bool reloaded = getenv(LISTENER_RELOADED_ENV) != NULL;       /* bind_all() unsets it */
        r = bind_all(&l, c);
        if (r < 0)
                return r;

        if (!foreground && !reloaded) {        /* re-executed: already the daemon, with its pid */
                r = daemonize();
                if (r < 0)
                        return log_error_errno(r, "daemon() failed: %s", strerror(-r));
        }
        write_pid_file(c->pid_file);

        _cleanup_close_ int sfd = signalfd_for_daemon();
        if (sfd < 0)
                return log_error_errno(sfd, "signalfd: %s", strerror(-sfd));

        char status_sent[160] = "";
        /* WatchdogSec=: WATCHDOG=1 at half the interval (unsets WATCHDOG_USEC for our children). */
        uint64_t watchdog_usec = 0, watchdog_next = 0;
        if (sd_watchdog_enabled(1, &watchdog_usec) <= 0)
                watchdog_usec = 0;
        l.watchdog_usec = watchdog_usec;
        (void) sd_notify(0, "READY=1");

        /* The listening sockets, the signalfd, then one startup pipe per unauthenticated monitor. */
        static struct pollfd p[ELEMENTSOF(l.fds) + 1 + LISTEN_MAX_CHILDREN];
        for (;;) {
                listener_title(&l, c);
                bool status_pending = listener_status(&l, status_sent, sizeof status_sent);
                int timeout = status_pending ? 1000 : -1;
                if (watchdog_usec > 0) {
                        uint64_t now = listener_now();
                        if (now >= watchdog_next) {
                                (void) notify_nonblocking("WATCHDOG=1");
                                watchdog_next = now + watchdog_usec / 2;
                        }
                        int ms = (int) ((watchdog_next - now + 999) / 1000);
                        timeout = timeout < 0 || ms < timeout ? ms : timeout;
                }
                for (size_t i = 0; i < l.n_fds; i++)
                        p[i] = (struct pollfd) { .fd = l.fds[i], .events = POLLIN };
                p[l.n_fds] = (struct pollfd) { .fd = sfd, .events = POLLIN };
                size_t n_pipes = srclimit_poll_fill(l.limits, p + l.n_fds + 1, LISTEN_MAX_CHILDREN);
                if (poll(p, l.n_fds + 1 + n_pipes, timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = log_error_errno(negative_errno(), "poll: %m");
                        break;
                }
                if (p[l.n_fds].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        bool stop = false;
                        while (read(sfd, &si, sizeof si) == sizeof si) {
                                if (si.ssi_signo == SIGCHLD) {
                                        int status;
                                        pid_t pid;
                                        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                                                if (pid == l.reload_check)
                                                        reload_checked(&l, status, reexec_argv);
                                                else
                                                        srclimit_child_exited(l.limits, pid, status, listener_now());
                                        }
                                } else if (si.ssi_signo == SIGHUP) {
                                        reload_start(&l, reexec_argv);
                                } else {
                                        log_info("Received signal %u; terminating.", si.ssi_signo);
                                        stop = true;
                                }
                        }
                        if (stop) {
                                r = 0;
                                break;
                        }
                }
                /* Authenticated monitors first, so that they no longer count against the new ones. */
                srclimit_poll_handle(l.limits, p + l.n_fds + 1, n_pipes);
                for (size_t i = 0; i < l.n_fds; i++) {
                        if (!(p[i].revents & POLLIN))
                                continue;
                        struct sockaddr_storage peer = {};
                        socklen_t peer_len = sizeof peer;
                        int conn = accept4(l.fds[i], (struct sockaddr *) &peer, &peer_len, SOCK_CLOEXEC);
                        if (conn < 0) {
                                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                                        log_error("accept: %m");
                                continue;
                        }
                        start_connection(&l, conn, &peer, peer_len, reexec_argv);
                        safe_close(conn);
                }
        }

        (void) sd_notify(0, "STOPPING=1");
        for (size_t i = 0; i < l.n_fds; i++)
                safe_close(l.fds[i]);
        if (c->pid_file)
                (void) unlink(c->pid_file);
        return r;
}
