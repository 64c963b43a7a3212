#pragma once
/*
 * Why a connection failed before authentication, reported to the monitor as an EVENT (a kind and the
 * client's words), which the monitor logs in OpenSSH's words with the peer address it knows, so that
 * what operators and fail2ban know ("banner exchange: ... invalid format", "Unable to negotiate with
 * ...") keeps working and a taken-over worker cannot name another address. libssh reports these as free
 * text; this maps what it can and passes the rest on as "handshake failed".
 */

#include "worker/worker.h"

void handshake_log_failure(Worker *w);
