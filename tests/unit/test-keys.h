#pragma once
/* For the unit tests of the monitor's keys (test-ssh-key.c, test-hostcert.c, test-krl.c): the key blob
 * of a public-key file as ssh-keygen writes it (a .pub file, a certificate). */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "common/base64.h"
#include "common/fd-util.h"
#include "common/macro.h"

/* The second word of the file at path ("TYPE BASE64 [COMMENT]"), base64-decoded. */
static inline int test_pub_file_blob(const char *path, uint8_t **ret, size_t *ret_len) {
        _cleanup_free_ char *text = NULL;
        int r = read_full_file(path, 65536, &text, NULL);
        if (r < 0)
                return r;
        char *b = strchr(text, ' ');
        if (!b)
                return -EINVAL;
        b++;
        return base64_decode(b, strcspn(b, " \n"), ret, ret_len);
}
