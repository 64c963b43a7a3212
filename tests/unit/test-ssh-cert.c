/* The monitor's certificate parser and checks (monitor/ssh-cert.h) on certificates ssh-keygen -s made
 * (tests/unit/keys/certs): a good one parses with every field; a forged one (a byte of the signed part or
 * of the CA's signature changed, the layout intact) is refused as OpenSSH refuses it ("incorrect
 * signature"); truncation and trailing bytes are malformed; a host certificate, an expired one, another
 * principal are refused with OpenSSH's reasons, each beside its control; options and extensions read. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/macro.h"
#include "monitor/authorized-keys.h"
#include "monitor/authorized-keys-restrict.h"
#include "monitor/ssh-cert.h"
#include "tests/unit/test-helpers.h"

static int load(const char *name, uint8_t **ret, size_t *ret_len) {
        const char *src = getenv("TEST_SRCDIR") ?: ".";
        _cleanup_free_ char *path = NULL, *type = NULL, *b64 = NULL;
        if (asprintf(&path, "%s/keys/certs/%s", src, name) < 0)
                return -ENOMEM;
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        int n = fscanf(f, "%ms %ms", &type, &b64);
        fclose(f);
        if (n != 2)
                return -EINVAL;
        return base64_decode(b64, strlen(b64), ret, ret_len);
}

static int parse(const uint8_t *b, size_t n, SshCert **c, const char **why) {
        *c = ssh_cert_free(*c);
        return ssh_cert_parse(b, n, 2048, c, why);
}

int main(void) {
        int fd_before = lowest_free_fd();
        _cleanup_free_ uint8_t *good = NULL, *host = NULL, *expired = NULL, *restricted = NULL, *ca = NULL;
        size_t good_len = 0, host_len = 0, expired_len = 0, restricted_len = 0, ca_len = 0;
        CHECK(load("good-cert.pub", &good, &good_len) == 0 && load("host-cert.pub", &host, &host_len) == 0 &&
              load("expired-cert.pub", &expired, &expired_len) == 0 &&
              load("restricted-cert.pub", &restricted, &restricted_len) == 0 && load("ca.pub", &ca, &ca_len) == 0,
              "fixture certificates load");
        if (!good || !host || !expired || !restricted || !ca)
                return test_summary();

        SshCert *c = NULL;
        const char *why = NULL, *reason = NULL;
        CHECK(ssh_cert_blob_is_cert(good, good_len) && !ssh_cert_blob_is_cert(ca, ca_len), "certificate blobs are told apart");
        CHECK(parse(good, good_len, &c, &why) == 0, "a certificate ssh-keygen -s made parses and its CA signature verifies");
        CHECK(c && c->serial == 7 && streq(c->key_id, "good") && c->n_principals == 2 &&
              streq(c->principals[0], "alice") && streq(c->principals[1], "ops") && c->type == SSH_CERT_TYPE_USER &&
              streq(c->type_label, "ED25519-CERT") && streq(c->signature_algorithm, "ssh-ed25519") &&
              c->ca->blob_len == ca_len && memcmp(c->ca->blob, ca, ca_len) == 0 && !c->force_command &&
              c->extensions == (SSH_CERT_PERMIT_X11_FORWARDING | SSH_CERT_PERMIT_AGENT_FORWARDING |
                                SSH_CERT_PERMIT_PORT_FORWARDING | SSH_CERT_PERMIT_PTY | SSH_CERT_PERMIT_USER_RC),
              "its fields: serial, key id, principals, type, CA, the default extensions");
        CHECK(c && ssh_cert_check_authority(c, time(NULL), true, "alice", &reason) == 0, "valid now for alice");
        CHECK(c && ssh_cert_check_authority(c, time(NULL), true, "bob", &reason) == -EPERM &&
              streq(reason, "Certificate invalid: name is not a listed principal"), "not for bob: %s", reason);
        CHECK(c && authorized_keys_cert_flags(c) == 0, "the default extensions lift every restriction");

        /* Forgeries with the layout intact: the monitor verifies, so they fail. */
        _cleanup_free_ uint8_t *forged = malloc(good_len);
        memcpy(forged, good, good_len);
        forged[good_len - 1] ^= 1;
        CHECK(parse(forged, good_len, &c, &why) == -EKEYREJECTED && streq(why, "incorrect signature"),
              "a changed CA signature is refused: %s", why);
        memcpy(forged, good, good_len);
        uint8_t *id = memmem(forged, good_len, "good", 4);
        if (id)
                id[0] = 'G';
        CHECK(id && parse(forged, good_len, &c, &why) == -EKEYREJECTED && streq(why, "incorrect signature"),
              "a changed key id (signed) is refused: %s", why);
        CHECK(parse(good, good_len - 1, &c, &why) == -EBADMSG, "truncated: malformed");
        _cleanup_free_ uint8_t *longer = malloc(good_len + 1);
        memcpy(longer, good, good_len);
        longer[good_len] = 0;
        CHECK(parse(longer, good_len + 1, &c, &why) == -EBADMSG, "a trailing byte: malformed");
        CHECK(parse(ca, ca_len, &c, &why) == -EPROTONOSUPPORT, "a plain key is not a certificate");

        CHECK(parse(host, host_len, &c, &why) == 0, "a host certificate parses (control)");
        CHECK(c && ssh_cert_check_authority(c, time(NULL), false, NULL, &reason) == -EPERM &&
              streq(reason, "Certificate invalid: not a user certificate"), "a host certificate is refused: %s", reason);

        CHECK(parse(expired, expired_len, &c, &why) == 0, "an expired certificate parses");
        CHECK(c && ssh_cert_check_authority(c, 946684800 + 3600 * 24 * 100, true, "alice", &reason) == 0,
              "inside its window it is valid (control)");
        CHECK(c && ssh_cert_check_authority(c, time(NULL), true, "alice", &reason) == -EPERM &&
              streq(reason, "Certificate invalid: expired"), "now it is expired: %s", reason);
        CHECK(c && ssh_cert_check_authority(c, 900000000, true, "alice", &reason) == -EPERM &&
              streq(reason, "Certificate invalid: not yet valid"), "before its window: %s", reason);

        CHECK(parse(restricted, restricted_len, &c, &why) == 0, "a certificate with options parses");
        CHECK(c && streq(c->force_command, "echo hi") && streq(c->source_address, "10.0.0.0/8,127.0.0.1") &&
              c->verify_required && c->extensions == SSH_CERT_PERMIT_PTY && !c->options_error,
              "force-command, source-address, verify-required, permit-pty alone");
        CHECK(c && authorized_keys_cert_flags(c) == ((AUTHKEY_NO_ALL & ~(unsigned) AUTHKEY_NO_PTY) |
                                                   AUTHKEY_VERIFY_REQUIRED),
              "flags: every restriction but no-pty, and verify-required");
        CHECK(ssh_cert_match_cidr_list("127.0.0.1", "10.0.0.0/8,127.0.0.1") == 1 &&
              ssh_cert_match_cidr_list("10.1.2.3", "10.0.0.0/8,127.0.0.1") == 1 &&
              ssh_cert_match_cidr_list("192.0.2.1", "10.0.0.0/8,127.0.0.1") == 0 &&
              ssh_cert_match_cidr_list(NULL, "10.0.0.0/33") == -EINVAL &&
              ssh_cert_match_cidr_list(NULL, "!10.0.0.0/8") == -EINVAL,
              "source-address lists match as OpenSSH's addr_match_cidr_list()");
        CHECK(streq(ssh_cert_plain_algorithm("rsa-sha2-512-cert-v01@openssh.com"), "rsa-sha2-512") &&
              streq(ssh_cert_plain_algorithm("sk-ssh-ed25519-cert-v01@openssh.com"), "sk-ssh-ed25519@openssh.com") &&
              !ssh_cert_plain_algorithm("ssh-ed25519"), "certificate algorithms sign with their plain algorithm");
        ssh_cert_free(c);
        CHECK(lowest_free_fd() == fd_before, "no descriptor leaked");
        return test_summary();
}
