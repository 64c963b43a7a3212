#pragma once
/*
 * Starting the worker: a socketpair, fork, the fd layout of common/fd-layout.h, every other fd
 * closed, an empty environment, execve of privsshd-worker. Then the SETUP message with what the
 * worker needs and cannot read itself once sandboxed (host keys, the sandbox identity).
 */

#include <sys/types.h>

#include "monitor/monitor.h"

int worker_spawn(int conn_fd, int *ret_ipc_fd, pid_t *ret_pid);
int worker_send_setup(Monitor *m);
/* USER_CONFIG: what the worker uses of m->config, once Match has been applied (connection-config.h). */
int worker_send_user_config(Monitor *m);
