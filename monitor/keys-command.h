#pragma once
/*
 * AuthorizedKeysCommand (sshd_config(5)), as OpenSSH 9.2 runs it: a program that prints authorized_keys
 * lines for a user, asked after the AuthorizedKeysFiles found nothing.
 *
 * The monitor runs it, and never waits on it unboundedly:
 *   - AuthorizedKeysCommandUser (with %u expanded) is looked up; a user that does not exist means no
 *     keys ("AuthorizedKeysCommandUser \"x\" not found"). The command is never run without one: the
 *     configuration refuses a command without a user, as sshd does at start-up.
 *   - The command line is split into arguments with OpenSSH's rules (blanks separate, single and double
 *     quotes group, backslash escapes a quote, a backslash or a blank); the tokens %f %h %k %t %U %u
 *     %% (OpenSSH 9.2's) and %C %D (later OpenSSH's: the connection's addresses and ports, and the
 *     routing domain, always "" here) are expanded in every argument but the program's; with no
 *     arguments the user name is the only one, as in OpenSSH.
 *   - The program must be an absolute path, and it and every directory above it must be owned by
 *     root and not writable by group or others (monitor/secure-path.h), else "Unsafe
 *     AuthorizedKeysCommand \"/path\": bad ownership or modes for file /path" and no keys.
 *   - It runs in a process group of its own as that user with the user's groups (initgroups), stdin
 *     /dev/null, signals unblocked and default, in "/", with sshd's environment: PATH
 *     /usr/local/bin:/usr/bin:/bin:/usr/games (Debian 12's sshd), USER, LOGNAME and HOME of the
 *     command user, LANG when the monitor has it.
 *   - The monitor reads its stdout (at most AUTHKEYS_COMMAND_MAX_OUTPUT bytes) and its stderr (the first
 *     AUTHKEYS_COMMAND_MAX_STDERR bytes logged at DEBUG, line by line; OpenSSH discards it) until both
 *     close and the program exits, by one deadline. More output, or the deadline, kills the whole
 *     process group (SIGKILL) and means no keys, logged at ERROR. An exit status other than 0 means no
 *     keys: "AuthorizedKeysCommand CMD failed, status N" (INFO), "... exited on signal N" (ERROR), as
 *     sshd logs them.
 *
 * What it printed is then parsed as authorized_keys lines (options included) by an unprivileged child
 * running as the command user (monitor/pubkey-check.c), not here.
 */

#include <stddef.h>
#include <stdint.h>

#include "monitor/monitor.h"
#include "monitor/ssh-cert.h"
#include "monitor/user-creds.h"

typedef struct KeysCommandOutput {
        char *data;                     /* stdout, NUL-terminated */
        size_t size;
        char *command;                  /* the command line as run, for log lines ("matching key found") */
        UserCreds *runas;               /* the command user: the parser runs as this user */
} KeysCommandOutput;

void keys_command_output_done(KeysCommandOutput *o);

/*
 * Run the AuthorizedKeysCommand for user `u` (known, not NULL) and the offered key (`blob`; with `cert`,
 * the certificate the client sent, parsed: %f is then the certified key's fingerprint, %k and %t the
 * certificate's, as OpenSSH's sshkey_fingerprint() and sshkey_to_base64() of a certificate), reading until `deadline_usec` (CLOCK_MONOTONIC, now_usec()) at the latest. Returns 1 with
 * *ret filled when it exited 0 (release with keys_command_output_done()); 0 when it yields no keys
 * (every reason above, logged); -ENOMEM or another -errno when something of ours failed (fork, pipe).
 */
int keys_command_run(const Monitor *m, const UserCreds *u, const uint8_t *blob, size_t blob_len,
                     const SshCert *cert, uint64_t deadline_usec, KeysCommandOutput *ret);

/*
 * AuthorizedPrincipalsCommand, by the same runner and rules (path, owner, run-as user from
 * AuthorizedPrincipalsCommandUser, environment, bounds, log lines with its own name), for certificate
 * `c` (its CA verified) whose blob is `blob`: tokens %C %D %F (the CA's fingerprint) %f (the certified
 * key's) %h %i (the key ID) %K (the CA key, base64) %k (the certificate, base64) %s (the serial) %T (the
 * CA's key type) %t (the certificate's type) %U %u; without arguments none is added. Its output is
 * parsed as AuthorizedPrincipalsFile lines, named "(command)" as OpenSSH does, by a child as the command
 * user (pubkey-check.c). Returns as keys_command_run().
 */
int keys_command_run_principals(const Monitor *m, const UserCreds *u, const SshCert *c, const uint8_t *blob,
                                size_t blob_len, uint64_t deadline_usec, KeysCommandOutput *ret);

/*
 * OpenSSH's argv_split(): the arguments of `s`, NULL-terminated, in *ret (a strv). -EINVAL for an
 * unterminated quote, -E2BIG past AUTHKEYS_COMMAND_MAX_ARGS, -ENOMEM. Exposed for the unit test.
 */
int keys_command_split(const char *s, char ***ret);

/*
 * Expand %C %D %F %f %h %i %K %k %s %T %t %U %u %% in one argument. -EINVAL for any other token, for one
 * whose value is NULL (not this command's), or a trailing '%' (*ret_bad, when non-NULL, is the offending
 * character, or '\0' for a trailing '%'), -ENOMEM.
 */
typedef struct KeysCommandTokens {
        const char *conn;               /* %C: "client-address client-port local-address local-port" */
        const char *rdomain;            /* %D: the routing domain, "" (none on Linux) */
        const char *ca_fingerprint;     /* %F: the CA key's SHA256:... (principals command) */
        const char *fingerprint;        /* %f: SHA256:... */
        const char *home;               /* %h */
        const char *key_id;             /* %i: the certificate's key ID (principals command) */
        const char *ca_key;             /* %K: the CA key blob in base64 (principals command) */
        const char *key;                /* %k: the key blob in base64 */
        const char *serial;             /* %s: the certificate's serial, decimal (principals command) */
        const char *ca_type;            /* %T: the CA key's type name (principals command) */
        const char *type;               /* %t: the key type name */
        const char *uid;                /* %U */
        const char *user;               /* %u */
} KeysCommandTokens;

int keys_command_expand(const char *arg, const KeysCommandTokens *t, char **ret, char *ret_bad);

/* Which command the runner runs: its name in log lines ("AuthorizedKeysCommand"; its user keyword is
 * that with "User"), what it yields ("keys"), the command line and user pattern from the
 * configuration, and whether no arguments means the user name (AuthorizedKeysCommand's old way). */
typedef struct KeysCommand {
        const char *tag;
        const char *yields;
        const char *command;
        const char *user;
        bool user_when_no_arguments;
} KeysCommand;
