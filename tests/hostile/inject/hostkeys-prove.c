/*
 * Injected scenario (worker/test-inject.h): a worker taken over asks the monitor to prove host keys
 * (HOSTKEYS_PROVE) itself. Built once per case (PROVE_CASE, tests/hostile/meson.build):
 *   preauth   before authentication: refused by the gate (state), the connection torn down;
 *   foreign   a blob that is not one of the monitor's host keys (one of ours with a byte changed);
 *   twice     one of our keys twice in one request;
 *   toomany   more blobs than the monitor has keys (IPC_MAX_HOSTKEYS + 1 copies of one): refused as a
 *             key twice, the only way to have more blobs than keys;
 *   often     more requests than HOSTKEY_MAX_PROVE_REQUESTS, each well-formed;
 *   truncated our key's blob with its length field saying 4 bytes more than the request holds.
 * After authentication each case first sends a well-formed request for the first host key (the
 * control: the monitor answers HOSTKEYS_PROOF), then the bad one. Every answer is logged
 * ("inject hostkeys-prove-CASE: answer: HOSTKEYS_PROOF") for tests/hostile/test_injected.py.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "inject-answer.h"

#ifndef PROVE_CASE
#error "PROVE_CASE is the scenario's case"
#endif

int privsshd_inject_preauth(const WorkerInjectContext *ctx);
int privsshd_inject_authenticated(const WorkerInjectContext *ctx);

static uint8_t request[HOSTKEY_MAX_PROVE_BYTES];

/* Append one SSH string to request at *len. */
static void put_blob(size_t *len, const uint8_t *blob, size_t blob_len) {
        if (*len + 4 + blob_len > sizeof request)
                return;
        uint32_t n = htonl((uint32_t) blob_len);
        memcpy(request + *len, &n, 4);
        memcpy(request + *len + 4, blob, blob_len);
        *len += 4 + blob_len;
}

static int send_request(const WorkerInjectContext *ctx, size_t len) {
        IpcPayload p = { .HOSTKEYS_PROVE = { .keys = request, .keys_len = len } };
        return ctx->ipc_send(ctx->ipc_fd, IPC_HOSTKEYS_PROVE, &p, NULL, 0);
}

static void await_answer(const WorkerInjectContext *ctx) {
        inject_log_answer(ctx, "hostkeys-prove-" PROVE_CASE, false, IPC_HOSTKEYS_PROOF, "HOSTKEYS_PROOF",
                          _IPC_TYPE_MAX, "none");
}

int privsshd_inject_preauth(const WorkerInjectContext *ctx) {
        if (strcmp(PROVE_CASE, "preauth") != 0)
                return 0;
        static const uint8_t blob[] = "\0\0\0\013ssh-ed25519";
        size_t len = 0;
        put_blob(&len, blob, sizeof blob - 1);
        ctx->log(LOG_LEVEL_INFO, "inject hostkeys-prove-preauth: asking before authentication");
        (void) send_request(ctx, len);
        return 0;
}

int privsshd_inject_authenticated(const WorkerInjectContext *ctx) {
        if (strcmp(PROVE_CASE, "preauth") == 0)
                return 0;
        if (ctx->n_hostkey_blobs == 0) {
                ctx->log(LOG_LEVEL_INFO, "inject hostkeys-prove-" PROVE_CASE ": no host key blobs");
                return 0;
        }
        const uint8_t *key = ctx->hostkey_blobs[0];
        size_t key_len = ctx->hostkey_blob_lens[0];

        /* The control: a well-formed request for one of our keys is answered. */
        size_t len = 0;
        put_blob(&len, key, key_len);
        unsigned good = strcmp(PROVE_CASE, "often") == 0 ? HOSTKEY_MAX_PROVE_REQUESTS : 1;
        for (unsigned i = 0; i < good; i++) {
                if (send_request(ctx, len) < 0)
                        return -EIO;
                await_answer(ctx);
        }

        len = 0;
        if (strcmp(PROVE_CASE, "foreign") == 0) {
                uint8_t other[4096];
                if (key_len > sizeof other)
                        return -EINVAL;
                memcpy(other, key, key_len);
                other[key_len - 1] ^= 1;        /* still a well-formed ed25519 blob: another public key */
                put_blob(&len, other, key_len);
        } else if (strcmp(PROVE_CASE, "twice") == 0) {
                put_blob(&len, key, key_len);
                put_blob(&len, key, key_len);
        } else if (strcmp(PROVE_CASE, "toomany") == 0) {
                for (unsigned i = 0; i <= IPC_MAX_HOSTKEYS; i++)
                        put_blob(&len, key, key_len);
        } else if (strcmp(PROVE_CASE, "truncated") == 0) {
                put_blob(&len, key, key_len);
                uint32_t n = htonl((uint32_t) key_len + 4);
                memcpy(request, &n, 4);         /* the string runs past the end of the request */
        } else
                put_blob(&len, key, key_len);   /* often: one more well-formed request */
        ctx->log(LOG_LEVEL_INFO, "inject hostkeys-prove-" PROVE_CASE ": now the bad request");
        (void) send_request(ctx, len);
        await_answer(ctx);
        return 0;
}
