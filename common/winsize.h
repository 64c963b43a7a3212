#pragma once
/* A terminal size from pty-req or window-change (uint32 on the wire) as the kernel takes it (16 bits
 * each): used by the monitor when it allocates a pty and by the worker on window-change. */

#include <stdint.h>
#include <sys/ioctl.h>

static inline struct winsize winsize_from_wire(uint32_t cols, uint32_t rows, uint32_t xpixels, uint32_t ypixels) {
        return (struct winsize) {
                .ws_col = (unsigned short) (cols > 0xffffu ? 0xffffu : cols),
                .ws_row = (unsigned short) (rows > 0xffffu ? 0xffffu : rows),
                .ws_xpixel = (unsigned short) (xpixels > 0xffffu ? 0xffffu : xpixels),
                .ws_ypixel = (unsigned short) (ypixels > 0xffffu ? 0xffffu : ypixels),
        };
}
