#pragma once
/*
 * ExposeAuthInfo (sshd_config(5)): how the connection authenticated, in a file the user's sessions
 * can read, named in their SSH_USER_AUTH. As OpenSSH (auth2.c auth2_update_session_info(),
 * session.c prepare_auth_info_file()):
 *
 *   - one line per successful method, in the order they succeeded (several under
 *     AuthenticationMethods, partial successes included): "publickey KEYTYPE BASE64" (the key as
 *     authorized_keys holds it, without options or comment), "password" or "keyboard-interactive/pam";
 *   - the file is /tmp/sshauth.XXXXXXXXXXXXXXX (mkstemp), made after authentication with the user's
 *     file-system identity: owned by the user and the user's group, mode 0600;
 *   - it is removed, again as the user, when the connection ends, whichever way it ends (the
 *     monitor's teardown): a SIGKILL of the monitor itself is the one way it stays, as OpenSSH's.
 *
 * The same lines go to PAM as SSH_AUTH_INFO_0 (OpenSSH's auth-pam.c expose_authinfo()), whatever
 * ExposeAuthInfo says: see auth_pam_expose_info() in handle-auth.h for when.
 *
 * Acting as the user is setfsuid()/setfsgid() (Linux): only permission checks and the owner of new
 * files change, so the user gains no way to signal or trace the monitor meanwhile. It is undone
 * before each function returns.
 */

#include <stddef.h>
#include <stdint.h>

#include "monitor/user-creds.h"

/* "publickey KEYTYPE BASE64\n" for a key (key_type non-NULL, blob its public key blob), or "METHOD\n".
 * *ret is malloc'd. 0 or -ENOMEM, -EINVAL for an empty method. */
int auth_info_format(const char *method, const char *key_type, const uint8_t *blob, size_t blob_len, char **ret);

/* Appends auth_info_format()'s line to *text (NULL: none yet). 0, -ENOMEM or -EINVAL; *text is
 * unchanged on failure. */
int auth_info_append(char **text, const char *method, const char *key_type, const uint8_t *blob,
                     size_t blob_len);

/* Write text to a new /tmp/sshauth.* file as the user; *ret_path gets its name. 0 or -errno (the file
 * does not exist then). */
int auth_info_file_write(const UserCreds *u, const char *text, char **ret_path);

/* Remove the file as the user. 0 (also when it is gone already) or -errno. */
int auth_info_file_remove(const UserCreds *u, const char *path);
