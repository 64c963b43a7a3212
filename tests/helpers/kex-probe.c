/*
 * kex-probe HOST PORT KEX: a client made with libssh's client side (our pinned libssh 0.12, the same
 * library as the worker's), offering only the key exchange KEX; prints the method negotiated with the
 * server, or "failed: ERROR" and exits 1. test_kex_pq.py uses it for ML-KEM, which Debian 12's OpenSSH
 * 9.2 client does not have. It authenticates nothing: the key exchange is what it looks at.
 */

#include <stdio.h>
#include <stdlib.h>

#include <libssh/libssh.h>

int main(int argc, char **argv) {
        if (argc != 4) {
                fprintf(stderr, "usage: kex-probe HOST PORT KEX\n");
                return 2;
        }
        ssh_session s = ssh_new();
        if (!s)
                return 2;
        unsigned port = (unsigned) strtoul(argv[2], NULL, 10);
        int verbosity = SSH_LOG_NOLOG;
        ssh_options_set(s, SSH_OPTIONS_HOST, argv[1]);
        ssh_options_set(s, SSH_OPTIONS_PORT, &port);
        ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
        ssh_options_set(s, SSH_OPTIONS_KEY_EXCHANGE, argv[3]);
        if (ssh_connect(s) != SSH_OK) {
                printf("failed: %s\n", ssh_get_error(s));
                ssh_free(s);
                return 1;
        }
        const char *kex = ssh_get_kex_algo(s);
        printf("%s\n", kex ? kex : "?");
        ssh_disconnect(s);
        ssh_free(s);
        return 0;
}
