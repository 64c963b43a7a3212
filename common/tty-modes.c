/* See tty-modes.h. */

#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/macro.h"
#include "common/tty-modes.h"

typedef enum TtyModeKind {
        MODE_UNKNOWN = 0,       /* not defined by RFC 4254, or not on Linux: skipped */
        MODE_CHAR,              /* c_cc[index] */
        MODE_IFLAG,
        MODE_LFLAG,
        MODE_OFLAG,
        MODE_CFLAG,
        MODE_CSIZE,             /* CS7 or CS8: the character size */
        MODE_ISPEED,
        MODE_OSPEED,
} TtyModeKind;

typedef struct TtyMode {
        TtyModeKind kind;
        tcflag_t value;         /* the c_cc index, the flag, or the CSIZE value */
} TtyMode;

/* RFC 4254 section 8 (and RFC 8160 for IUTF8), by opcode; the gaps are MODE_UNKNOWN. */
static const TtyMode modes[TTY_OP_FIRST_UNDEFINED] = {
        [1] = { MODE_CHAR, VINTR },
        [2] = { MODE_CHAR, VQUIT },
        [3] = { MODE_CHAR, VERASE },
        [4] = { MODE_CHAR, VKILL },
        [5] = { MODE_CHAR, VEOF },
        [6] = { MODE_CHAR, VEOL },
        [7] = { MODE_CHAR, VEOL2 },
        [8] = { MODE_CHAR, VSTART },
        [9] = { MODE_CHAR, VSTOP },
        [10] = { MODE_CHAR, VSUSP },
        /* 11 VDSUSP: not on Linux */
        [12] = { MODE_CHAR, VREPRINT },
        [13] = { MODE_CHAR, VWERASE },
        [14] = { MODE_CHAR, VLNEXT },
        /* 15 VFLUSH, 16 VSWTCH, 17 VSTATUS: not on Linux (its VSWTC is unused by the line discipline,
         * and OpenSSH does not set it either) */
        [18] = { MODE_CHAR, VDISCARD },

        [30] = { MODE_IFLAG, IGNPAR },
        [31] = { MODE_IFLAG, PARMRK },
        [32] = { MODE_IFLAG, INPCK },
        [33] = { MODE_IFLAG, ISTRIP },
        [34] = { MODE_IFLAG, INLCR },
        [35] = { MODE_IFLAG, IGNCR },
        [36] = { MODE_IFLAG, ICRNL },
        [37] = { MODE_IFLAG, IUCLC },
        [38] = { MODE_IFLAG, IXON },
        [39] = { MODE_IFLAG, IXANY },
        [40] = { MODE_IFLAG, IXOFF },
        [41] = { MODE_IFLAG, IMAXBEL },
        [42] = { MODE_IFLAG, IUTF8 },

        [50] = { MODE_LFLAG, ISIG },
        [51] = { MODE_LFLAG, ICANON },
        [52] = { MODE_LFLAG, XCASE },
        [53] = { MODE_LFLAG, ECHO },
        [54] = { MODE_LFLAG, ECHOE },
        [55] = { MODE_LFLAG, ECHOK },
        [56] = { MODE_LFLAG, ECHONL },
        [57] = { MODE_LFLAG, NOFLSH },
        [58] = { MODE_LFLAG, TOSTOP },
        [59] = { MODE_LFLAG, IEXTEN },
        [60] = { MODE_LFLAG, ECHOCTL },
        [61] = { MODE_LFLAG, ECHOKE },
        [62] = { MODE_LFLAG, PENDIN },

        [70] = { MODE_OFLAG, OPOST },
        [71] = { MODE_OFLAG, OLCUC },
        [72] = { MODE_OFLAG, ONLCR },
        [73] = { MODE_OFLAG, OCRNL },
        [74] = { MODE_OFLAG, ONOCR },
        [75] = { MODE_OFLAG, ONLRET },

        [90] = { MODE_CSIZE, CS7 },
        [91] = { MODE_CSIZE, CS8 },
        [92] = { MODE_CFLAG, PARENB },
        [93] = { MODE_CFLAG, PARODD },

        [TTY_OP_ISPEED] = { MODE_ISPEED, 0 },
        [TTY_OP_OSPEED] = { MODE_OSPEED, 0 },
};

/* The speeds Linux has a constant for, in bits per second (RFC 4254 sends the number). */
static const struct {
        uint32_t baud;
        speed_t speed;
} speeds[] = {
        { 0, B0 }, { 50, B50 }, { 75, B75 }, { 110, B110 }, { 134, B134 }, { 150, B150 }, { 200, B200 },
        { 300, B300 }, { 600, B600 }, { 1200, B1200 }, { 1800, B1800 }, { 2400, B2400 }, { 4800, B4800 },
        { 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 },
        { 230400, B230400 }, { 460800, B460800 }, { 500000, B500000 }, { 576000, B576000 },
        { 921600, B921600 }, { 1000000, B1000000 }, { 1152000, B1152000 }, { 1500000, B1500000 },
        { 2000000, B2000000 }, { 2500000, B2500000 }, { 3000000, B3000000 }, { 3500000, B3500000 },
        { 4000000, B4000000 },
};

static bool speed_from_baud(uint32_t baud, speed_t *ret) {
        for (size_t i = 0; i < ELEMENTSOF(speeds); i++)
                if (speeds[i].baud == baud) {
                        *ret = speeds[i].speed;
                        return true;
                }
        return false;
}

static void set_flag(tcflag_t *field, tcflag_t flag, uint32_t arg) {
        if (arg)
                *field |= flag;
        else
                *field &= ~flag;
}

/* One known opcode with its argument: true when it changed (or re-set) something in *t. */
static bool apply_one(const TtyMode *m, uint32_t arg, struct termios *t) {
        speed_t speed;

        switch (m->kind) {
        case MODE_CHAR:
                /* 255 is "disabled" on the wire (_POSIX_VDISABLE, which is 0 on Linux); a value that
                 * does not fit a cc_t means nothing we could set. */
                if (arg > 255)
                        return false;
                t->c_cc[m->value] = arg == 255 ? _POSIX_VDISABLE : (cc_t) arg;
                return true;
        case MODE_IFLAG:
                set_flag(&t->c_iflag, m->value, arg);
                return true;
        case MODE_LFLAG:
                set_flag(&t->c_lflag, m->value, arg);
                return true;
        case MODE_OFLAG:
                set_flag(&t->c_oflag, m->value, arg);
                return true;
        case MODE_CFLAG:
                set_flag(&t->c_cflag, m->value, arg);
                return true;
        case MODE_CSIZE:
                /* CS7 and CS8 are values of the CSIZE field, not bits: "CS8 1" means eight-bit
                 * characters; "CS8 0" says only what the size is not, and changes nothing. */
                if (!arg)
                        return false;
                t->c_cflag = (t->c_cflag & ~(tcflag_t) CSIZE) | m->value;
                return true;
        case MODE_ISPEED:
                return speed_from_baud(arg, &speed) && cfsetispeed(t, speed) == 0;
        case MODE_OSPEED:
                return speed_from_baud(arg, &speed) && cfsetospeed(t, speed) == 0;
        case MODE_UNKNOWN:
        default:
                return false;
        }
}

int tty_modes_apply(const uint8_t *data, size_t len, struct termios *tio, unsigned *ret_applied) {
        if (len > SESSION_MAX_TTY_MODES)
                return -EMSGSIZE;

        struct termios t = *tio;
        unsigned applied = 0;
        size_t pos = 0;
        while (pos < len) {
                uint8_t op = data[pos++];
                if (op == TTY_OP_END) {
                        if (pos != len)
                                return -EBADMSG;        /* nothing may follow the end */
                        break;
                }
                if (op >= TTY_OP_FIRST_UNDEFINED)
                        break;                          /* what follows is undefined: stop here */
                if (len - pos < 4)
                        return -EBADMSG;                /* every opcode below 160 has a uint32 */
                uint32_t arg = (uint32_t) data[pos] << 24 | (uint32_t) data[pos + 1] << 16 |
                               (uint32_t) data[pos + 2] << 8 | (uint32_t) data[pos + 3];
                pos += 4;
                if (apply_one(&modes[op], arg, &t))
                        applied++;
        }

        *tio = t;
        if (ret_applied)
                *ret_applied = applied;
        return 0;
}
