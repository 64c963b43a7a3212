/*
 * Unix-socket (streamlocal) forwarding in the worker, on the TCP forwarding's objects and pump
 * (forward.h): a direct-streamlocal channel is a Forward whose socket the monitor connects
 * (FORWARD_CONNECT_UNIX); a streamlocal-forward request is a Listener whose socket the monitor binds
 * (FORWARD_LISTEN_UNIX), with a forwarded-streamlocal channel per connection accepted on it (through
 * FORWARD_ACCEPT, as for TCP). The path is the client's, passed on unchanged; the policy and the file
 * system are the monitor's business (monitor/handle-forward-unix.h).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/fd-util.h"
#include "common/log.h"
#include "worker/forward.h"

static bool path_ok(const char *path) {
        return !isempty(path) && strlen(path) <= FORWARD_MAX_UNIX_PATH;
}

static void refuse(Worker *w, ssh_message msg) {
        global_reply(w, msg, false, NULL, 0);
        ssh_message_free(msg);
}

/* ---- direct-streamlocal@openssh.com (ssh -L port:/path, ssh -L /local:/remote) ----------------- */

void forward_unix_handle_open(Worker *w, ssh_message msg) {
        const char *path = ssh_message_channel_request_open_socket_path(msg);
        if (!w->authenticated || w->n_forwards >= FORWARD_MAX_CHANNELS || !path_ok(path)) {
                log_debug("direct-streamlocal to %s refused in the worker", path ?: "?");
                channel_open_refuse(msg, w->n_forwards >= FORWARD_MAX_CHANNELS ? SSH_OPEN_RESOURCE_SHORTAGE :
                                    SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, CHANNEL_OPEN_FAILED);
                return;
        }
        forward_queue_open(w, msg, "direct-streamlocal@openssh.com", true);   /* ChannelTimeout's name */
}

int forward_unix_send_connect(Worker *w, Forward *f) {
        /* OpenSSH's client sends "" and 0 in the reserved fields; they are only logged. */
        const char *orig = ssh_message_channel_request_open_originator(f->open_msg);
        int orig_port = ssh_message_channel_request_open_originator_port(f->open_msg);
        IpcPayload p = {};
        p.FORWARD_CONNECT_UNIX.id = f->id;
        p.FORWARD_CONNECT_UNIX.path = (char *) ssh_message_channel_request_open_socket_path(f->open_msg);
        p.FORWARD_CONNECT_UNIX.originator = (char *) (orig && strlen(orig) <= FORWARD_MAX_HOST ? orig : "");
        p.FORWARD_CONNECT_UNIX.originator_port =
                orig_port >= 0 && orig_port <= 65535 ? (uint32_t) orig_port : 0;
        return monitor_client_send(w, IPC_FORWARD_CONNECT_UNIX, &p);
}

/* ---- streamlocal-forward@openssh.com / cancel- (ssh -R /remote:...) ---------------------------- */

static void listen_request(Worker *w, ssh_message msg, const char *path) {
        if (w->n_listeners >= FORWARD_MAX_LISTENERS) {
                refuse(w, msg);
                return;
        }
        for (Listener *l = w->listeners; l; l = l->next)
                if (l->unix_socket && streq(l->address, path)) {
                        refuse(w, msg); /* ours already (or being made): the monitor would say EADDRINUSE */
                        return;
                }
        Listener *l = forward_listener_new(w, path, msg);
        if (!l) {
                refuse(w, msg);
                return;
        }
        l->unix_socket = true;
        IpcPayload p = {};
        p.FORWARD_LISTEN_UNIX.id = l->id;
        p.FORWARD_LISTEN_UNIX.path = l->address;
        if (monitor_client_send(w, IPC_FORWARD_LISTEN_UNIX, &p) < 0)
                forward_listener_destroy(w, l);
        else
                w->forward_in_flight++;
}

static void cancel_request(Worker *w, ssh_message msg, const char *path) {
        for (Listener *l = w->listeners; l; l = l->next) {
                if (!l->unix_socket || l->fd < 0 || !streq(l->address, path))
                        continue;
                log_debug("cancel-streamlocal-forward %s", path);
                IpcPayload p = {};
                p.FORWARD_CANCEL_UNIX.path = l->address;
                /* The listener closes first, so that nobody connects to what is being removed. */
                l->fd = safe_close(l->fd);
                (void) monitor_client_send(w, IPC_FORWARD_CANCEL_UNIX, &p);
                forward_listener_destroy(w, l);
                global_reply(w, msg, true, NULL, 0);
                ssh_message_free(msg);
                return;
        }
        refuse(w, msg);
}

void forward_unix_handle_global(Worker *w, ssh_message msg) {
        const char *path = ssh_message_global_request_socket_path(msg);
        if (!path_ok(path)) {
                log_debug("streamlocal forward request for %s refused in the worker", path ?: "?");
                refuse(w, msg);
                return;
        }
        if (ssh_message_subtype(msg) == SSH_GLOBAL_REQUEST_STREAMLOCAL_FORWARD)
                listen_request(w, msg, path);
        else
                cancel_request(w, msg, path);
}

/* FORWARD_READY for a streamlocal-forward request: the monitor bound the socket file. */
int forward_unix_listening(Worker *w, Listener *l, const IpcForwardReady *p, int fd) {
        if (p->port != 0) {
                safe_close(fd);
                return -EPROTO;
        }
        l->fd = fd;
        (void) fd_set_nonblock(fd, true);
        log_debug("streamlocal-forward %s: listening", l->address);
        ssh_message msg = TAKE_PTR(l->pending);
        global_reply(w, msg, true, NULL, 0);
        ssh_message_free(msg);
        return 0;
}
