/* The wire reader and writer: round trips, truncation, trailing bytes, NULs, limits. */

#include <errno.h>
#include <string.h>

#include "common/macro.h"
#include "common/wire.h"
#include "test-helpers.h"

static void test_round_trip(void) {
        WireWriter w = wire_writer(1024);
        CHECK(wire_put_u8(&w, 7) == 0, "put u8");
        CHECK(wire_put_bool(&w, true) == 0, "put bool");
        CHECK(wire_put_u16(&w, 0xBEEF) == 0, "put u16");
        CHECK(wire_put_u32(&w, 0xDEADBEEF) == 0, "put u32");
        CHECK(wire_put_i32(&w, -5) == 0, "put i32");
        CHECK(wire_put_string(&w, "hello") == 0, "put string");
        CHECK(wire_put_blob(&w, "\0\1\2", 3) == 0, "put blob with NUL");
        CHECK(wire_put_string(&w, NULL) == 0, "put NULL string as empty");

        WireReader r = wire_reader(w.data, w.size);
        uint8_t u8; bool b; uint16_t u16; uint32_t u32; int32_t i32;
        _cleanup_free_ char *s = NULL, *empty = NULL;
        _cleanup_free_ uint8_t *blob = NULL;
        size_t blen = 0;
        CHECK(wire_get_u8(&r, &u8) == 0 && u8 == 7, "get u8");
        CHECK(wire_get_bool(&r, &b) == 0 && b, "get bool");
        CHECK(wire_get_u16(&r, &u16) == 0 && u16 == 0xBEEF, "get u16");
        CHECK(wire_get_u32(&r, &u32) == 0 && u32 == 0xDEADBEEF, "get u32");
        CHECK(wire_get_i32(&r, &i32) == 0 && i32 == -5, "get i32");
        CHECK(wire_get_string(&r, 100, &s) == 0 && streq(s, "hello"), "get string");
        CHECK(wire_get_blob(&r, 100, &blob, &blen) == 0 && blen == 3 && memcmp(blob, "\0\1\2", 3) == 0,
              "get blob");
        CHECK(wire_get_string(&r, 100, &empty) == 0 && streq(empty, ""), "get empty string");
        CHECK(wire_end(&r) == 0, "nothing left over");
        wire_writer_done(&w);
}

static void test_truncation_and_trailing(void) {
        const uint8_t short_u32[] = { 0, 0, 1 };
        WireReader r = wire_reader(short_u32, sizeof short_u32);
        uint32_t v;
        CHECK(wire_get_u32(&r, &v) == -EBADMSG, "truncated u32 refused");
        uint8_t u8;
        CHECK(wire_get_u8(&r, &u8) == -EBADMSG, "errors stick: later gets fail too");

        const uint8_t trailing[] = { 0, 0, 0, 1, 0xff };
        r = wire_reader(trailing, sizeof trailing);
        CHECK(wire_get_u32(&r, &v) == 0 && v == 1, "u32 before trailing byte");
        CHECK(wire_end(&r) == -EBADMSG, "trailing byte refused");

        const uint8_t long_len[] = { 0, 0, 0, 10, 'a', 'b' };
        r = wire_reader(long_len, sizeof long_len);
        char *s = NULL;
        CHECK(wire_get_string(&r, 100, &s) == -EBADMSG && !s, "string longer than the buffer refused");

        const uint8_t over_max[] = { 0, 0, 0, 3, 'a', 'b', 'c' };
        r = wire_reader(over_max, sizeof over_max);
        CHECK(wire_get_string(&r, 2, &s) == -EMSGSIZE && !s, "string over its maximum refused");

        const uint8_t nul[] = { 0, 0, 0, 3, 'a', 0, 'c' };
        r = wire_reader(nul, sizeof nul);
        CHECK(wire_get_string(&r, 10, &s) == -EBADMSG && !s, "embedded NUL refused");

        const uint8_t badbool[] = { 2 };
        r = wire_reader(badbool, 1);
        bool b;
        CHECK(wire_get_bool(&r, &b) == -EBADMSG, "bool other than 0/1 refused");

        const uint8_t huge_len[] = { 0xff, 0xff, 0xff, 0xff };
        r = wire_reader(huge_len, sizeof huge_len);
        const uint8_t *ref;
        size_t len;
        CHECK(wire_get_blob_ref(&r, SIZE_MAX, &ref, &len) == -EBADMSG, "4 GiB length refused");
}

static void test_writer_limit(void) {
        WireWriter w = wire_writer(8);
        CHECK(wire_put_u32(&w, 1) == 0, "fits");
        CHECK(wire_put_string(&w, "xy") == -EMSGSIZE, "over the writer maximum refused");
        CHECK(wire_put_u8(&w, 1) == -EMSGSIZE, "writer errors stick");
        wire_writer_done(&w);
        CHECK(w.data == NULL && w.size == 0, "done resets the writer");
}

int main(void) {
        test_round_trip();
        test_truncation_and_trailing();
        test_writer_limit();
        return test_summary();
}
