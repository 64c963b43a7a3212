#pragma once
/*
 * RFC 4648 §4 base64 (standard alphabet "A-Za-z0-9+/", '=' padding). The decoder is strict, because its
 * input is key material from files the user controls and from the worker: it accepts only the canonical
 * encoding (length a multiple of 4, at most two '=' and only at the very end, the bits that padding
 * drops equal to zero) and refuses whitespace, line breaks, NUL bytes and the URL-safe alphabet.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode the `len` characters at `in` (no NUL terminator needed). On success *ret gets a malloc'd buffer
 * of *ret_len bytes (one spare byte after them, set to 0, so text payloads can be used as strings).
 * -EINVAL for anything that is not canonical base64, -ENOMEM. Outputs are written only on success.
 */
int base64_decode(const char *in, size_t len, uint8_t **ret, size_t *ret_len);

/* Encode `len` bytes; `pad`: append '=' padding (OpenSSH fingerprints omit it). *ret is malloc'd and
 * NUL-terminated. 0, or -ENOMEM (also when the output size would overflow). */
int base64_encode(const uint8_t *in, size_t len, bool pad, char **ret);
