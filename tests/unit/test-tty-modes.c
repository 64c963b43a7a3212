/* The terminal-modes parser (common/tty-modes.c): each opcode class, unknown opcodes, the end and the
 * undefined opcodes, truncation, length, and a whole client-style encoding round trip. */

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/macro.h"
#include "common/tty-modes.h"
#include "test-helpers.h"

typedef struct Buf {
        uint8_t data[2 * SESSION_MAX_TTY_MODES];
        size_t len;
} Buf;

static void put_u8(Buf *b, uint8_t v) {
        b->data[b->len++] = v;
}

static void put_op(Buf *b, uint8_t op, uint32_t arg) {
        put_u8(b, op);
        put_u8(b, (uint8_t) (arg >> 24));
        put_u8(b, (uint8_t) (arg >> 16));
        put_u8(b, (uint8_t) (arg >> 8));
        put_u8(b, (uint8_t) arg);
}

/* A terminal in a known state, neither zero nor what the tests set. */
static struct termios base(void) {
        struct termios t = {};
        t.c_iflag = ICRNL | IXON;
        t.c_oflag = OPOST | ONLCR;
        t.c_cflag = CS8 | CREAD;
        t.c_lflag = ISIG | ICANON | ECHO | ECHOCTL;
        for (size_t i = 0; i < NCCS; i++)
                t.c_cc[i] = (cc_t) (i + 100);
        cfsetispeed(&t, B38400);
        cfsetospeed(&t, B38400);
        return t;
}

static int apply(const Buf *b, struct termios *t, unsigned *applied) {
        return tty_modes_apply(b->data, b->len, t, applied);
}

static void test_empty(void) {
        struct termios t = base(), want = base();
        unsigned n = 99;
        CHECK(tty_modes_apply(NULL, 0, &t, &n) == 0 && n == 0 && memcmp(&t, &want, sizeof t) == 0,
              "no modes at all: accepted, nothing changed");
        Buf b = {};
        put_u8(&b, TTY_OP_END);
        CHECK(apply(&b, &t, &n) == 0 && n == 0 && memcmp(&t, &want, sizeof t) == 0,
              "TTY_OP_END alone: accepted, nothing changed");
}

static void test_characters(void) {
        struct termios t = base();
        Buf b = {};
        put_op(&b, 1, 7);               /* VINTR ^G */
        put_op(&b, 3, 8);               /* VERASE ^H */
        put_op(&b, 10, 255);            /* VSUSP disabled */
        put_op(&b, 18, 0x0f);           /* VDISCARD ^O */
        put_op(&b, 2, 256);             /* VQUIT: no such character, ignored */
        put_u8(&b, TTY_OP_END);
        unsigned n = 0;
        CHECK(apply(&b, &t, &n) == 0, "special characters accepted");
        CHECK(t.c_cc[VINTR] == 7 && t.c_cc[VERASE] == 8 && t.c_cc[VDISCARD] == 0x0f,
              "VINTR, VERASE, VDISCARD set (%u %u %u)", t.c_cc[VINTR], t.c_cc[VERASE], t.c_cc[VDISCARD]);
        CHECK(t.c_cc[VSUSP] == _POSIX_VDISABLE, "255 disables VSUSP (%u)", t.c_cc[VSUSP]);
        CHECK(t.c_cc[VQUIT] == base().c_cc[VQUIT], "a value above 255 leaves VQUIT alone (%u)",
              t.c_cc[VQUIT]);
        CHECK(n == 4, "four opcodes applied, the out-of-range one not (%u)", n);
}

static void test_flags(void) {
        struct termios t = base();
        Buf b = {};
        put_op(&b, 38, 0);              /* IXON off */
        put_op(&b, 42, 1);              /* IUTF8 on */
        put_op(&b, 36, 0x80000000u);    /* ICRNL: any nonzero value sets */
        put_op(&b, 53, 0);              /* ECHO off */
        put_op(&b, 60, 0);              /* ECHOCTL off */
        put_op(&b, 58, 1);              /* TOSTOP on */
        put_op(&b, 72, 0);              /* ONLCR off */
        put_op(&b, 75, 1);              /* ONLRET on */
        put_op(&b, 92, 1);              /* PARENB on */
        put_op(&b, 93, 1);              /* PARODD on */
        put_u8(&b, TTY_OP_END);
        unsigned n = 0;
        CHECK(apply(&b, &t, &n) == 0 && n == 10, "flag opcodes accepted and applied (%u)", n);
        CHECK(!(t.c_iflag & IXON) && (t.c_iflag & IUTF8) && (t.c_iflag & ICRNL),
              "input flags: -ixon iutf8 icrnl");
        CHECK(!(t.c_lflag & ECHO) && !(t.c_lflag & ECHOCTL) && (t.c_lflag & TOSTOP) && (t.c_lflag & ISIG) &&
              (t.c_lflag & ICANON), "local flags: -echo -echoctl tostop, isig icanon untouched");
        CHECK(!(t.c_oflag & ONLCR) && (t.c_oflag & ONLRET) && (t.c_oflag & OPOST),
              "output flags: -onlcr onlret, opost untouched");
        CHECK((t.c_cflag & PARENB) && (t.c_cflag & PARODD) && (t.c_cflag & CSIZE) == CS8 &&
              (t.c_cflag & CREAD),
              "control flags: parenb parodd, cs8 cread untouched");
}

static void test_character_size(void) {
        struct termios t = base();
        Buf b = {};
        put_op(&b, 90, 1);              /* CS7 */
        put_op(&b, 91, 0);              /* not CS8: says nothing more */
        CHECK(apply(&b, &t, NULL) == 0 && (t.c_cflag & CSIZE) == CS7 && (t.c_cflag & CREAD),
              "CS7 1, CS8 0: seven bits (not CS5, as OR-ing bits would make)");
        b.len = 0;
        put_op(&b, 90, 1);              /* what OpenSSH's client sends for an eight-bit terminal */
        put_op(&b, 91, 1);
        CHECK(apply(&b, &t, NULL) == 0 && (t.c_cflag & CSIZE) == CS8, "CS7 1, CS8 1: eight bits");
}

/* glibc (before 2.42) keeps one speed for both directions on Linux: each opcode is checked alone. */
static void test_speeds(void) {
        struct termios t = base();
        Buf b = {};
        put_op(&b, TTY_OP_ISPEED, 9600);
        unsigned n = 0;
        CHECK(apply(&b, &t, &n) == 0 && n == 1 && cfgetispeed(&t) == B9600, "ispeed 9600 set");
        b.len = 0;
        put_op(&b, TTY_OP_OSPEED, 115200);
        CHECK(apply(&b, &t, &n) == 0 && n == 1 && cfgetospeed(&t) == B115200, "ospeed 115200 set");
        b.len = 0;
        put_op(&b, TTY_OP_ISPEED, 12345);
        put_op(&b, TTY_OP_OSPEED, 0xffffffffu);
        CHECK(apply(&b, &t, &n) == 0 && n == 0 && cfgetospeed(&t) == B115200,
              "speeds Linux has no constant for: ignored, not refused");
}

static void test_unknown_opcodes(void) {
        struct termios t = base(), want = base();
        Buf b = {};
        put_op(&b, 11, 1);              /* VDSUSP: not on Linux */
        put_op(&b, 16, 1);              /* VSWTCH */
        put_op(&b, 17, 1);              /* VSTATUS */
        put_op(&b, 20, 0xffffffffu);    /* undefined, below 160 */
        put_op(&b, 100, 0);
        put_op(&b, 130, 5);
        put_op(&b, 159, 0x35000000u);   /* its argument looks like opcode 53, ECHO: must be skipped whole */
        unsigned n = 99;
        CHECK(apply(&b, &t, &n) == 0 && n == 0 && memcmp(&t, &want, sizeof t) == 0,
              "unknown opcodes below 160 are skipped with their uint32 argument");
        put_op(&b, 1, 7);
        put_u8(&b, TTY_OP_END);
        CHECK(apply(&b, &t, &n) == 0 && n == 1 && t.c_cc[VINTR] == 7, "and a known one after them applies");
}

static void test_undefined_stop(void) {
        struct termios t = base();
        Buf b = {};
        put_op(&b, 1, 7);
        put_u8(&b, 160);                /* parsing stops: what follows is not ours to read */
        put_u8(&b, 3);                  /* would be a truncated VERASE */
        put_u8(&b, 0);
        unsigned n = 0;
        CHECK(apply(&b, &t, &n) == 0 && n == 1 && t.c_cc[VINTR] == 7 && t.c_cc[VERASE] == base().c_cc[VERASE],
              "opcode 160 stops the parsing: modes before it apply, bytes after it are not read");
        for (unsigned op = 160; op <= 255; op += 19) {
                t = base();
                b.len = 0;
                put_u8(&b, (uint8_t) op);
                put_op(&b, 1, 7);
                CHECK(apply(&b, &t, &n) == 0 && n == 0 && t.c_cc[VINTR] == base().c_cc[VINTR],
                      "opcode %u first: nothing applied", op);
        }
}

static void test_end(void) {
        struct termios t = base(), want = base();
        Buf b = {};
        put_op(&b, 1, 7);
        put_u8(&b, TTY_OP_END);
        put_op(&b, 3, 8);
        CHECK(apply(&b, &t, NULL) == -EBADMSG && memcmp(&t, &want, sizeof t) == 0,
              "bytes after TTY_OP_END: refused, nothing applied");
        b.len = 0;
        put_u8(&b, TTY_OP_END);
        put_u8(&b, TTY_OP_END);
        CHECK(apply(&b, &t, NULL) == -EBADMSG, "a second TTY_OP_END is a byte after the end");
        b.len = 0;
        put_op(&b, 1, 7);
        CHECK(apply(&b, &t, NULL) == 0 && t.c_cc[VINTR] == 7, "a list without TTY_OP_END is complete");
}

static void test_truncation(void) {
        for (size_t cut = 0; cut < 4; cut++) {
                struct termios t = base(), want = base();
                Buf b = {};
                put_op(&b, 1, 7);       /* valid, but must not apply when the rest is malformed */
                put_op(&b, 53, 0);
                b.len -= 4 - cut;
                unsigned n = 99;
                CHECK(apply(&b, &t, &n) == -EBADMSG && n == 99 && memcmp(&t, &want, sizeof t) == 0,
                      "ECHO with %zu of its 4 argument bytes: refused, nothing applied", cut);
        }
        struct termios t = base();
        Buf b = {};
        put_op(&b, 20, 1);              /* unknown opcodes need their argument too */
        b.len--;
        CHECK(apply(&b, &t, NULL) == -EBADMSG, "an unknown opcode with a truncated argument: refused");
}

static void test_length(void) {
        Buf b = {};
        while (b.len + 5 <= SESSION_MAX_TTY_MODES - 4)
                put_op(&b, 1, 7);
        put_u8(&b, 200);                /* pad to the limit after an undefined opcode */
        while (b.len < SESSION_MAX_TTY_MODES)
                put_u8(&b, 0xee);
        struct termios t = base(), want = base();
        CHECK(b.len == SESSION_MAX_TTY_MODES && apply(&b, &t, NULL) == 0 && t.c_cc[VINTR] == 7,
              "exactly SESSION_MAX_TTY_MODES bytes: accepted");
        t = base();
        put_u8(&b, 0xee);
        CHECK(apply(&b, &t, NULL) == -EMSGSIZE && memcmp(&t, &want, sizeof t) == 0,
              "one byte more: refused, nothing applied");
}

/* Encode a terminal as a client does (every opcode Linux has), decode it onto another: the result
 * is the first terminal in every field the modes carry. */
static void test_round_trip(void) {
        static const struct {
                uint8_t op;
                int idx;
        } chars[] = { { 1, VINTR }, { 2, VQUIT }, { 3, VERASE }, { 4, VKILL }, { 5, VEOF }, { 6, VEOL },
                      { 7, VEOL2 }, { 8, VSTART }, { 9, VSTOP }, { 10, VSUSP }, { 12, VREPRINT },
                      { 13, VWERASE }, { 14, VLNEXT }, { 18, VDISCARD } };
        static const struct {
                uint8_t op;
                int field;
                tcflag_t flag;
        } flags[] = {
                { 30, 0, IGNPAR }, { 31, 0, PARMRK }, { 32, 0, INPCK }, { 33, 0, ISTRIP }, { 34, 0, INLCR },
                { 35, 0, IGNCR }, { 36, 0, ICRNL }, { 37, 0, IUCLC }, { 38, 0, IXON }, { 39, 0, IXANY },
                { 40, 0, IXOFF }, { 41, 0, IMAXBEL }, { 42, 0, IUTF8 },
                { 50, 1, ISIG }, { 51, 1, ICANON }, { 52, 1, XCASE }, { 53, 1, ECHO }, { 54, 1, ECHOE },
                { 55, 1, ECHOK }, { 56, 1, ECHONL }, { 57, 1, NOFLSH }, { 58, 1, TOSTOP }, { 59, 1, IEXTEN },
                { 60, 1, ECHOCTL }, { 61, 1, ECHOKE }, { 62, 1, PENDIN },
                { 70, 2, OPOST }, { 71, 2, OLCUC }, { 72, 2, ONLCR }, { 73, 2, OCRNL }, { 74, 2, ONOCR },
                { 75, 2, ONLRET },
                { 92, 3, PARENB }, { 93, 3, PARODD },
        };
        struct termios src = {};
        src.c_iflag = IGNPAR | ISTRIP | IXANY | IUTF8;
        src.c_lflag = ICANON | ECHOE | ECHONL | IEXTEN | PENDIN;
        src.c_oflag = OLCUC | OCRNL;
        src.c_cflag = CS7 | PARODD;
        for (size_t i = 0; i < ELEMENTSOF(chars); i++)
                src.c_cc[chars[i].idx] = (cc_t) (i * 3 + 1);
        src.c_cc[VEOL2] = _POSIX_VDISABLE;
        cfsetispeed(&src, B57600);
        cfsetospeed(&src, B57600);

        Buf b = {};
        for (size_t i = 0; i < ELEMENTSOF(chars); i++) {
                cc_t c = src.c_cc[chars[i].idx];
                put_op(&b, chars[i].op, c == _POSIX_VDISABLE ? 255 : c);
        }
        for (size_t i = 0; i < ELEMENTSOF(flags); i++) {
                tcflag_t *f[] = { &src.c_iflag, &src.c_lflag, &src.c_oflag, &src.c_cflag };
                put_op(&b, flags[i].op, (*f[flags[i].field] & flags[i].flag) != 0);
        }
        put_op(&b, 90, (src.c_cflag & CSIZE) == CS7);
        put_op(&b, 91, (src.c_cflag & CSIZE) == CS8);
        put_op(&b, TTY_OP_OSPEED, 57600);         /* in OpenSSH's client's order */
        put_op(&b, TTY_OP_ISPEED, 57600);
        put_u8(&b, TTY_OP_END);

        struct termios dst = base();
        unsigned n = 0;
        size_t ops = ELEMENTSOF(chars) + ELEMENTSOF(flags) + 4;
        CHECK(apply(&b, &dst, &n) == 0, "a full encoding (%zu bytes) is accepted", b.len);
        CHECK(n == ops - 1, "every opcode but the zero CS8 applied (%u of %zu)", n, ops);
        CHECK(dst.c_iflag == src.c_iflag && dst.c_lflag == src.c_lflag && dst.c_oflag == src.c_oflag,
              "input, local and output flags are the client's (%#x %#x %#x)", dst.c_iflag, dst.c_lflag,
              dst.c_oflag);
        CHECK((dst.c_cflag & (CSIZE | PARENB | PARODD)) == (src.c_cflag & (CSIZE | PARENB | PARODD)),
              "character size and parity are the client's");
        bool same = true;
        for (size_t i = 0; i < ELEMENTSOF(chars); i++)
                same = same && dst.c_cc[chars[i].idx] == src.c_cc[chars[i].idx];
        CHECK(same, "every special character is the client's");
        CHECK(cfgetispeed(&dst) == B57600 && cfgetospeed(&dst) == B57600, "speeds are the client's");
        CHECK(dst.c_cc[VMIN] == base().c_cc[VMIN] && dst.c_cc[VTIME] == base().c_cc[VTIME],
              "VMIN and VTIME, which the modes do not carry, are untouched");
}

int main(void) {
        test_empty();
        test_characters();
        test_flags();
        test_character_size();
        test_speeds();
        test_unknown_opcodes();
        test_undefined_stop();
        test_end();
        test_truncation();
        test_length();
        test_round_trip();
        return test_summary();
}
