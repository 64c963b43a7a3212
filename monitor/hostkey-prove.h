#pragma once
/*
 * Host key rotation, the monitor's part: OpenSSH's hostkeys-prove-00@openssh.com (PROTOCOL 2.5). After
 * authentication the worker tells the client every plain host public key it has (hostkeys-00, which
 * needs nothing from us); a client that does not know some of them asks the server to prove that it
 * holds their private halves, and the worker relays that request here (HOSTKEYS_PROVE). For each key
 * blob, which must be exactly one of our plain host keys, once, we sign
 *     string "hostkeys-prove-00@openssh.com" || string session identifier || string key blob
 * with the identifier we recorded at the first key exchange (never one the worker names), and answer
 * with the signatures (HOSTKEYS_PROOF). RSA keys sign with the RSA algorithm of the current exchange's
 * host key if it was one, else rsa-sha2-512, as OpenSSH's server_input_hostkeys_prove().
 *
 * Why this is safe against a taken-over worker: all it can get is, per connection and at most
 * HOSTKEY_MAX_PROVE_REQUESTS times, signatures of that fixed statement over this connection's own
 * session identifier, which a client of this connection could ask for anyway; no other protocol signs
 * data that starts with the string "hostkeys-prove-00@openssh.com" (a key exchange signs a hash, a
 * publickey request starts with the session identifier), so they prove nothing anywhere else.
 */

#include "monitor/monitor.h"

int handle_hostkeys_prove(Monitor *m, const IpcHostkeysProve *p);
