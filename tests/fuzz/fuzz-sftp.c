/* Fuzz target: privsshd-sftp's request decoder on arbitrary packet bodies (the user chooses every byte
 * of them). Whatever it returns, a request that decoded must hold what its operation needs, within
 * bounds, and a refusal must leave nothing allocated (LeakSanitizer checks in the ASan build). */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "sftp/sftp-packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        SftpRequest q;
        uint32_t id = 0, version = 0;
        bool have_id = false;
        int r = sftp_request_decode(data, size, &q, &id, &have_id);
        if (r == 0) {
                if (q.op >= _SFTP_OP_MAX || !have_id || id != q.id)
                        abort();
                if (q.path1 && strlen(q.path1) > SFTP_MAX_PATH)
                        abort();
                if (q.handle1 && (q.handle1 < data || q.handle1 + q.handle1_len > data + size))
                        abort();
                if (q.data && (q.data < data || q.data + q.data_len > data + size))
                        abort();
                if (!sftp_op_name(q.op))
                        abort();
                sftp_request_done(&q);
        } else if (q.path1 || q.path2 || q.ext_name) {
                abort();        /* a refusal frees what it took */
        }
        (void) sftp_init_decode(data, size, &version);
        return 0;
}
