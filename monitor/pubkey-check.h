#pragma once
/*
 * Is this public key in one of the user's AuthorizedKeysFiles? The files are read in a child process
 * that has become the user (so a user can never make root read a file the user could not read, and
 * the parser of this user-controlled input runs unprivileged), with StrictModes checks on the file
 * and its directories. The answer comes back over a pipe as a small, bounded record.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/monitor.h"
#include "monitor/ssh-cert.h"

typedef struct PubkeyVerdict {
        bool authorized;
        char *forced_command;   /* command="..." of the matching line, or NULL */
        uint32_t flags;         /* AuthorizedKeyFlags of the matching line (no-pty, ...) */
        char *permit_open;      /* its permitopen= values, space-separated, or NULL */
        char *permit_listen;    /* its permitlisten= values, likewise */
        char **environment;     /* its environment= values ("NAME=value"), NULL-terminated, or NULL */
} PubkeyVerdict;

void pubkey_verdict_done(PubkeyVerdict *v);

/* cert: a user certificate whose CA's signature the monitor verified: the files are searched for a
 * cert-authority line naming its CA (authorized-keys.h), which the certificate's checks then pass in
 * the child; NULL for a plain key. cert_blob: the certificate as the client sent it (what the
 * AuthorizedKeysCommand's %k and %t describe, as in OpenSSH), with cert.
 * 0 with *ret filled (authorized or not); -errno when the check itself failed. u: whose files; NULL
 * when the name the client gave is not a user (the check then runs as nobody on a fixed path that
 * does not exist, and never authorizes). */
int pubkey_check(const Monitor *m, const UserCreds *u, const char *algorithm, const uint8_t *blob, size_t blob_len,
                 const SshCert *cert, const uint8_t *cert_blob, size_t cert_blob_len, PubkeyVerdict *ret);

/* AuthorizedPrincipalsFile for a certificate whose CA is in TrustedUserCAKeys: the file (its tokens
 * expanded as AuthorizedKeysFile's) is read in the same kind of child, as the user, with the same
 * StrictModes checks; authorized when a line names one of the certificate's principals
 * (authorized_principals_check_fd()), with that line's options in *ret. */
int pubkey_check_principals(const Monitor *m, const UserCreds *u, const SshCert *cert, PubkeyVerdict *ret);

/* AuthorizedPrincipalsCommand for the same certificate (blob: the certificate as the client sent it,
 * for %k %t): run by keys-command.c, its output read as AuthorizedPrincipalsFile lines by a child as the
 * command user. 0 with *ret filled (not authorized when the command gave nothing); -errno. */
int pubkey_check_principals_command(const Monitor *m, const UserCreds *u, const SshCert *cert, const uint8_t *blob,
                                    size_t blob_len, PubkeyVerdict *ret);
