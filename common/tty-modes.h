#pragma once
/*
 * Terminal modes from a client's pty-req (RFC 4254 section 6.2), in the encoding of RFC 4254
 * section 8: a list of one-byte opcodes, opcodes 1..159 each followed by a uint32 argument,
 * TTY_OP_END (0) ending the list, opcodes 160..255 stopping the parsing (their arguments are
 * undefined). The client sends its own terminal's settings so that the remote terminal behaves like
 * the local one (`stty intr ^G` on the client's side is ^G in the session).
 *
 * The worker checks them (so that a client's malformed modes make a refused pty-req, not a torn down
 * connection) and passes them on undecoded; the monitor, which trusts nothing the worker says,
 * parses them again and applies them to the pty it allocates (monitor/pty.c). The parser is pure:
 * it changes a struct termios, nothing else.
 *
 * What applies is what Linux has of RFC 4254's list, as OpenSSH's sshd applies it: the special
 * characters (255 disables one), the input, local and output flags (a nonzero argument sets the
 * flag, zero clears it), CS7/CS8/PARENB/PARODD, and the two speeds. glibc keeps one speed for both
 * directions on Linux, so the later of the two wins; the kernel keeps a pty at CS8 without parity
 * whatever is asked, so character size and parity are accepted and have no effect there. Opcodes
 * Linux lacks (VDSUSP, VFLUSH, VSWTCH, VSTATUS) and opcodes nobody defined are skipped, as the RFC
 * requires. Where we differ from OpenSSH, on purpose: a special character above 255 and a speed
 * Linux has no constant for are ignored (OpenSSH truncates the one and takes 9600 for the other);
 * CS7 and CS8 set the character size rather than OR their bits into c_cflag (OpenSSH turns "CS7 1,
 * CS8 0" into CS5); and the input is refused rather than half applied when it is malformed.
 */

#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#define TTY_OP_END 0u
#define TTY_OP_ISPEED 128u
#define TTY_OP_OSPEED 129u
#define TTY_OP_FIRST_UNDEFINED 160u      /* this and above stop the parsing */

/*
 * Apply the encoded modes `data` (`len` bytes) to *tio. 0 on success (also for an empty list, and
 * for a list that ends without TTY_OP_END after a complete opcode), -EMSGSIZE when `len` exceeds
 * SESSION_MAX_TTY_MODES, -EBADMSG when an argument is truncated or bytes follow TTY_OP_END. On
 * failure *tio is unchanged. `ret_applied` (may be NULL) counts the opcodes that changed *tio.
 */
int tty_modes_apply(const uint8_t *data, size_t len, struct termios *tio, unsigned *ret_applied);
