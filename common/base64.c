/* See base64.h. */

#include <errno.h>
#include <stdlib.h>

#include "common/base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int value(char c) {
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
        if (len % 4 != 0)
                return -EINVAL;
        size_t pad = 0;
        if (len >= 1 && in[len - 1] == '=')
                pad++;
        if (len >= 2 && in[len - 2] == '=')
                pad++;
        size_t out_len = len / 4 * 3 - pad;
        uint8_t *out = malloc(out_len + 1);
        if (!out)
                return -ENOMEM;

        size_t o = 0;
        for (size_t i = 0; i < len; i += 4) {
                int v[4];
                bool last = i + 4 == len;
                for (size_t k = 0; k < 4; k++) {
                        char c = in[i + k];
                        if (c == '=' && last && k >= 4 - pad) {
                                v[k] = 0;
                                continue;
                        }
                        v[k] = value(c);
                        if (v[k] < 0) {
                                free(out);
                                return -EINVAL;
                        }
                }
                uint32_t n = ((uint32_t) v[0] << 18) | ((uint32_t) v[1] << 12) | ((uint32_t) v[2] << 6) | (uint32_t) v[3];
                /* Canonical form: the bits that padding drops must be zero. */
                if (last && ((pad == 1 && (n & 0xff)) || (pad == 2 && (n & 0xffff)))) {
                        free(out);
                        return -EINVAL;
                }
                out[o++] = (uint8_t) (n >> 16);
                if (!(last && pad == 2))
                        out[o++] = (uint8_t) (n >> 8);
                if (!(last && pad >= 1))
                        out[o++] = (uint8_t) n;
        }
        *ret = out;
        *ret_len = o;
        return 0;
}

int base64_encode(const uint8_t *in, size_t len, bool pad, char **ret) {
        char *out = malloc((len + 2) / 3 * 4 + 1);
        if (!out)
                return -ENOMEM;
        size_t o = 0;
        for (size_t i = 0; i < len; i += 3) {
                uint32_t n = (uint32_t) in[i] << 16;
                if (i + 1 < len)
                        n |= (uint32_t) in[i + 1] << 8;
                if (i + 2 < len)
                        n |= in[i + 2];
                out[o++] = alphabet[(n >> 18) & 63];
                out[o++] = alphabet[(n >> 12) & 63];
                if (i + 1 < len)
                        out[o++] = alphabet[(n >> 6) & 63];
                else if (pad)
                        out[o++] = '=';
                if (i + 2 < len)
                        out[o++] = alphabet[n & 63];
                else if (pad)
                        out[o++] = '=';
        }
        out[o] = '\0';
        *ret = out;
        return 0;
}
