#pragma once
/* RFC 4648 base64 (standard alphabet), strict: the decoder refuses anything that is not canonical. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode `len` characters (padding required). -EINVAL on any malformed input. *ret is malloc'd. */
int base64_decode(const char *in, size_t len, uint8_t **ret, size_t *ret_len);
/* Encode; `pad`: append '=' padding. *ret is malloc'd and NUL-terminated. */
int base64_encode(const uint8_t *in, size_t len, bool pad, char **ret);
