#pragma once
/*
 * The host keys, held by the monitor only. The worker gets the public keys (SETUP) and, at each key
 * exchange, asks for the signature over the exchange hash (HOSTKEY_SIGN); the monitor checks the
 * request's shape and signs with libcrypto (monitor/ssh-key.h). The first exchange hash is the
 * session identifier (RFC 4253 §7.2), which the monitor records: publickey signatures must cover it.
 */

#include "monitor/monitor.h"

/* Read and parse the configured HostKey files (missing or unusable ones are logged and skipped, as
 * OpenSSH does while one is left). -ENOENT when none is usable. */
int hostkeys_load(Monitor *m);
void hostkeys_free(Monitor *m);

/* The public keys as "type base64" lines, in hostkeys order (the key_index of HOSTKEY_SIGN), for
 * SETUP; *ret is a NULL-terminated list. */
int hostkeys_public_lines(const Monitor *m, char ***ret);

/* The exchange hash length of a key exchange method (its hash function), 0 if unknown. */
size_t kex_hash_length(const char *kex);

int handle_hostkey_sign(Monitor *m, const IpcHostkeySign *p);
