#pragma once
/*
 * Why a connection failed before authentication, logged in OpenSSH's words, so that what operators
 * and fail2ban know ("banner exchange: ... invalid format", "Unable to negotiate with ...") keeps
 * working. libssh reports these as free text; this maps what it can and says the rest plainly.
 */

#include "worker/worker.h"

void handshake_log_failure(Worker *w);
