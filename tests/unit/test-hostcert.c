/* Host certificates in the monitor (monitor/hostcert.c, monitor/hostkey-sign.c): certificates made by
 * ssh-keygen -s for ed25519, ECDSA and RSA host keys (signed by an ed25519 and an RSA CA) parse, give
 * the certified key's plain blob (the .pub file's), say host or user, and their CA signature verifies;
 * a flipped signature byte does not verify, a flipped key byte gives another key, a plain key is no
 * certificate, a truncated blob or a trailing byte is malformed. HOSTKEY_SIGN with the certificate
 * flag: refused for a key without a certificate and when HostKeyAlgorithms lacks the certificate
 * algorithm; accepted (signed, recorded as the session's certificate) when both hold. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/config.h"
#include "common/fd-util.h"
#include "common/macro.h"
#include "monitor/hostcert.h"
#include "monitor/hostkey-sign.h"
#include "monitor/monitor.h"
#include "monitor/ssh-key.h"
#include "test-helpers.h"
#include "test-keys.h"

static char tmpdir[] = "/tmp/test-hostcert-XXXXXX";

/* ssh-keygen -s CA [-h] KEY.pub: a host certificate for example.org or a user one for alice. */
static int certify(const char *ca, const char *key, bool host) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "ssh-keygen -q -s %s/%s %s %s/%s.pub", tmpdir, ca,
                 host ? "-h -I host -n example.org" : "-I user -n alice", tmpdir, key);
        return system(cmd) == 0 ? 0 : -EIO;
}

static int file_blob(const char *name, uint8_t **ret, size_t *ret_len) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", tmpdir, name);
        return test_pub_file_blob(path, ret, ret_len);
}

static void test_cert(const char *key, const char *kind, const char *type, const char *bits, const char *ca) {
        char cmd[512], name[128];
        snprintf(cmd, sizeof cmd, "ssh-keygen -q -t %s %s%s -N '' -C '' -f %s/%s </dev/null", kind,
                 bits ? "-b " : "", bits ? bits : "", tmpdir, key);
        CHECK(system(cmd) == 0, "%s: ssh-keygen made the key", key);
        CHECK(certify(ca, key, true) == 0,
              "%s: ssh-keygen -s %s -h made a host certificate", key, ca);
        _cleanup_free_ uint8_t *pub = NULL, *cert = NULL;
        size_t pub_len = 0, cert_len = 0;
        snprintf(name, sizeof name, "%s.pub", key);
        CHECK(file_blob(name, &pub, &pub_len) == 0, "%s: .pub decodes", key);
        snprintf(name, sizeof name, "%s-cert.pub", key);
        CHECK(file_blob(name, &cert, &cert_len) == 0, "%s: -cert.pub decodes", key);
        if (!pub || !cert)
                return;

        HostCert hc = {};
        CHECK(hostcert_parse(cert, cert_len, &hc) == 0 && hc.cert_type == HOSTCERT_TYPE_HOST && hc.signature_ok &&
              hc.plain_blob_len == pub_len && memcmp(hc.plain_blob, pub, pub_len) == 0,
              "%s: the host certificate parses, its CA signature (%s) verifies, it certifies the .pub key", key, ca);
        free(hc.plain_blob);

        CHECK(hostcert_parse(pub, pub_len, &hc) == -EPROTONOSUPPORT, "%s: the plain key is no certificate", key);
        CHECK(hostcert_parse(cert, cert_len - 1, &hc) == -EBADMSG, "%s: a truncated certificate is malformed", key);
        _cleanup_free_ uint8_t *longer = malloc(cert_len + 1);
        memcpy(longer, cert, cert_len);
        longer[cert_len] = 0;
        CHECK(hostcert_parse(longer, cert_len + 1, &hc) == -EBADMSG, "%s: a trailing byte is malformed", key);

        cert[cert_len - 3] ^= 1;                /* inside the CA's signature */
        hc = (HostCert) {};
        CHECK(hostcert_parse(cert, cert_len, &hc) == 0 && !hc.signature_ok,
              "%s: a flipped signature byte does not verify", key);
        free(hc.plain_blob);
        cert[cert_len - 3] ^= 1;

        /* A byte inside the key fields, which follow the type string and the 32-byte nonce. */
        size_t at = 4 + strlen(type) + 40 + 4 + 10;
        cert[at] ^= 1;
        hc = (HostCert) {};
        int r = hostcert_parse(cert, cert_len, &hc);
        CHECK((r == 0 && !hc.signature_ok && !(hc.plain_blob_len == pub_len &&
                                               memcmp(hc.plain_blob, pub, pub_len) == 0)) || r == -EBADMSG,
              "%s: a flipped key byte is another key, and the signature no longer verifies", key);
        free(hc.plain_blob);
        cert[at] ^= 1;

        CHECK(certify(ca, key, false) == 0,
              "%s: ssh-keygen -s without -h made a user certificate", key);
        _cleanup_free_ uint8_t *user = NULL;
        size_t user_len = 0;
        hc = (HostCert) {};
        CHECK(file_blob(name, &user, &user_len) == 0 && hostcert_parse(user, user_len, &hc) == 0 &&
              hc.cert_type == HOSTCERT_TYPE_USER && hc.signature_ok, "%s: a user certificate says so", key);
        free(hc.plain_blob);
}

static int load_key(const char *name, SshKey **ret) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", tmpdir, name);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = read_full_file(path, 65536, &text, &len);
        return r < 0 ? r : ssh_key_load_private(text, len, ret);
}

/* HOSTKEY_SIGN with certificate = true: the monitor signs only for a key with a certificate whose
 * algorithm HostKeyAlgorithms offers. No worker socket: a request that passes every check is signed
 * and then fails to send with -ENOTCONN, which tells it apart from a refusal. */
static void test_sign(void) {
        Config c = {};
        Monitor m = { .config = &c, .ipc_fd = -1, .state = IPC_ST_PREAUTH };
        SshKey *k = NULL;
        CHECK(load_key("host-ed25519", &k) == 0, "sign: the ed25519 host key loads");
        if (!k)
                return;
        m.hostkeys[m.n_hostkeys++] = k;
        static uint8_t hash[32];
        IpcHostkeySign p = {
                .key_index = 0, .certificate = true, .kex_algorithm = (char *) "curve25519-sha256",
                .algorithm = (char *) "ssh-ed25519", .data = hash, .data_len = sizeof hash,
        };
        CHECK(handle_hostkey_sign(&m, &p) == -EBADMSG && m.session_id_len == 0,
              "sign: a certificate signature for a key without a certificate is refused");
        uint8_t dummy = 0;
        m.hostcerts[0] = &dummy;
        m.hostcert_lens[0] = 1;
        c.hostkey_algorithms = (char *) "ssh-ed25519,rsa-sha2-256-cert-v01@openssh.com";
        CHECK(handle_hostkey_sign(&m, &p) == -EBADMSG && m.session_id_len == 0,
              "sign: ... and when HostKeyAlgorithms lacks ssh-ed25519-cert-v01@openssh.com");
        c.hostkey_algorithms = (char *) "ssh-ed25519-cert-v01@openssh.com";
        p.certificate = false;
        CHECK(handle_hostkey_sign(&m, &p) == -EBADMSG && m.session_id_len == 0,
              "sign: ... and a plain ssh-ed25519 signature when HostKeyAlgorithms offers the certificate only");
        p.certificate = true;
        p.key_index = 1;
        CHECK(handle_hostkey_sign(&m, &p) == -EINVAL, "sign: a key index past the host keys is refused");
        p.key_index = 0;
        CHECK(handle_hostkey_sign(&m, &p) == -ENOTCONN && m.session_id_len == sizeof hash && m.session_hostkey_cert,
              "sign: with the certificate and its algorithm offered, the monitor signs and records it");
        m.hostcerts[0] = NULL;
        ssh_key_free(k);
}

int main(void) {
        if (!mkdtemp(tmpdir)) {
                perror("mkdtemp");
                return 1;
        }
        char cmd[256];
        snprintf(cmd, sizeof cmd, "ssh-keygen -q -t ed25519 -N '' -C '' -f %s/ca-ed25519 </dev/null", tmpdir);
        CHECK(system(cmd) == 0, "the ed25519 CA");
        snprintf(cmd, sizeof cmd, "ssh-keygen -q -t rsa -b 2048 -N '' -C '' -f %s/ca-rsa </dev/null", tmpdir);
        CHECK(system(cmd) == 0, "the RSA CA");
        test_cert("host-ed25519", "ed25519", "ssh-ed25519-cert-v01@openssh.com", NULL, "ca-ed25519");
        test_cert("host-ecdsa", "ecdsa", "ecdsa-sha2-nistp256-cert-v01@openssh.com", NULL, "ca-rsa");
        test_cert("host-rsa", "rsa", "ssh-rsa-cert-v01@openssh.com", "2048", "ca-ed25519");
        test_sign();
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
                fprintf(stderr, "could not remove %s\n", tmpdir);
        return test_summary();
}
