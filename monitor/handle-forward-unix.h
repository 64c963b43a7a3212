#pragma once
/*
 * Unix-socket forwarding in the monitor: FORWARD_CONNECT_UNIX (direct-streamlocal: ssh -L port:/path,
 * ssh -L /local:/remote), FORWARD_LISTEN_UNIX (streamlocal-forward: ssh -R /remote:...) and
 * FORWARD_CANCEL_UNIX. Policy is AllowStreamLocalForwarding, DisableForwarding and the key's
 * no-port-forwarding (or restrict), as OpenSSH applies them; PermitOpen, PermitListen and their key
 * options name host:port pairs and do not apply to paths (nor in OpenSSH). The sockets are made by
 * the same openers as TCP ones (forward-opener.h), which have become the user (unix-socket.h).
 *
 * The monitor remembers each socket file a listener bound (path and inode) and removes it, as the
 * user, when the worker cancels the forward and when the connection ends however it ends (the
 * teardown). The removal is a child that has become the user, waited for at most
 * FORWARD_UNIX_UNLINK_USEC: only a file that is still the very socket we bound goes.
 */

#include "monitor/forward-opener.h"
#include "monitor/monitor.h"
#include "monitor/unix-socket.h"

/* The policy for one direction of Unix-socket forwarding (LOCAL: direct-streamlocal). */
bool forward_unix_policy(const Monitor *m, ForwardDirections d);

int handle_forward_connect_unix(Monitor *m, const IpcForwardConnectUnix *p);
int handle_forward_listen_unix(Monitor *m, const IpcForwardListenUnix *p);
int handle_forward_cancel_unix(Monitor *m, const IpcForwardCancelUnix *p);

/* An opener for a unix socket answered (fd: its socket or -errno): log a failure, record a listener's
 * socket file. Returns fd, or -errno after closing it. */
int forward_unix_opened(Monitor *m, const ForwardOpened *o, int fd);

/* Remove these socket files (those still the sockets we bound) as the user; waits for a short child. */
void forward_unix_remove(Monitor *m, const UnixSocketFile *f, unsigned n);

/* The end of the connection: remove every socket file our listeners created. */
void forward_unix_teardown(Monitor *m);
