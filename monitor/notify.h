#pragma once
/*
 * sd_notify() without waiting: the listener must never block, and libsystemd's sd_notify() blocks in
 * sendmsg() while the receiver's queue is full (a busy or stopped service manager). Used for the
 * frequent STATUS= updates; a message that does not fit now is reported as -EAGAIN for a retry.
 */

/* Sends `text` to $NOTIFY_SOCKET. 0 when sent or when there is no NOTIFY_SOCKET, else a negative
 * errno (-EAGAIN: the queue is full, try again later). */
int notify_nonblocking(const char *text);
