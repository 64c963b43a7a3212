#pragma once
/* The libssh server session: setup from SETUP (before the sandbox), key exchange, and the main loop. */

#include "worker/worker.h"

/* Everything that must happen before the sandbox: keys imported, options set, connection accepted. */
int ssh_server_prepare(Worker *w);
/* Key exchange and the main loop, inside the sandbox. Returns the process exit code. */
int ssh_server_run(Worker *w);
