/* Fuzz target: the monitor's certificate parser (monitor/ssh-cert.h) on a blob a taken-over worker relays
 * as a publickey request's key: every field bounded, the certified key and the CA key re-read strictly,
 * the CA's signature verified; then the authority checks and the flags on what parsed. */

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "monitor/authorized-keys-restrict.h"
#include "monitor/ssh-cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        SshCert *c = NULL;
        const char *why = NULL, *reason = NULL;
        (void) ssh_cert_blob_is_cert(data, size);
        if (ssh_cert_parse(data, size, 1024, &c, &why) == 0) {
                (void) ssh_cert_check_authority(c, 1700000000, true, "alice", &reason);
                (void) authorized_keys_cert_flags(c);
                if (c->source_address)
                        (void) ssh_cert_match_cidr_list("127.0.0.1", c->source_address);
                ssh_cert_free(c);
        }
        return 0;
}
