/* See base64.h. Written from RFC 4648 §4. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/base64.h"
#include "common/macro.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of one character of the standard alphabet, or -1 ('=' included). */
static int char_value(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

int base64_decode(const char *in, size_t len, uint8_t **ret, size_t *ret_len) {
        if (!in && len > 0)
                return -EINVAL;
        if (len % 4 != 0)
                return -EINVAL;

        /* Padding: zero, one or two '=' at the very end; a '=' anywhere else fails char_value(). */
        size_t pad = 0;
        if (len > 0 && in[len - 1] == '=')
                pad = (in[len - 2] == '=') ? 2 : 1;

        size_t out_len = len / 4 * 3 - pad;
        _cleanup_free_ uint8_t *out = malloc(out_len + 1);
        if (!out)
                return -ENOMEM;

        size_t o = 0;
        for (size_t i = 0; i < len; i += 4) {
                bool last = i + 4 == len;
                size_t significant = last ? 4 - pad : 4;      /* characters that carry bits */
                uint32_t n = 0;

                for (size_t k = 0; k < 4; k++) {
                        int v = 0;
                        if (k < significant) {
                                v = char_value(in[i + k]);
                                if (v < 0)
                                        return -EINVAL;
                        }
                        n = (n << 6) | (uint32_t) v;
                }

                /* Canonical form only: the low bits that padding throws away must be zero, else two
                 * different strings would decode to the same key. */
                if ((pad == 1 && last && (n & 0xffu)) || (pad == 2 && last && (n & 0xffffu)))
                        return -EINVAL;

                out[o++] = (uint8_t) (n >> 16);
                if (significant >= 3)
                        out[o++] = (uint8_t) (n >> 8);
                if (significant == 4)
                        out[o++] = (uint8_t) n;
        }
        out[o] = 0;

        *ret = TAKE_PTR(out);
        *ret_len = o;
        return 0;
}

int base64_encode(const uint8_t *in, size_t len, bool pad, char **ret) {
        if (!in && len > 0)
                return -EINVAL;
        if (len / 3 >= (SIZE_MAX - 8) / 4)
                return -ENOMEM;

        char *out = malloc((len + 2) / 3 * 4 + 1);
        if (!out)
                return -ENOMEM;

        size_t o = 0;
        for (size_t i = 0; i < len; i += 3) {
                size_t left = len - i;
                uint32_t n = (uint32_t) in[i] << 16;
                if (left > 1)
                        n |= (uint32_t) in[i + 1] << 8;
                if (left > 2)
                        n |= in[i + 2];

                out[o++] = alphabet[(n >> 18) & 63];
                out[o++] = alphabet[(n >> 12) & 63];
                if (left > 1)
                        out[o++] = alphabet[(n >> 6) & 63];
                else if (pad)
                        out[o++] = '=';
                if (left > 2)
                        out[o++] = alphabet[n & 63];
                else if (pad)
                        out[o++] = '=';
        }
        out[o] = '\0';

        *ret = out;
        return 0;
}
