/* Fuzz target: the terminal-modes parser on arbitrary bytes (the client chooses them; the monitor
 * parses them again from a worker it does not trust). Whatever it returns, a refusal leaves the
 * terminal as it was. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

#include "common/tty-modes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct termios before = {}, t;
        before.c_iflag = ICRNL | IXON;
        before.c_lflag = ISIG | ICANON | ECHO;
        before.c_cflag = CS8 | CREAD;
        t = before;
        unsigned applied = 0;
        int r = tty_modes_apply(data, size, &t, &applied);
        if (r < 0 && memcmp(&t, &before, sizeof t) != 0)
                abort();
        if (r == 0 && applied > size / 5)
                abort();        /* each applied opcode takes five bytes */
        return 0;
}
