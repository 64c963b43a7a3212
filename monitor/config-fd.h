#pragma once
/*
 * How a connection's monitor gets the listener's configuration: the listener puts the image of what its
 * command line and files said (config_image_end(), common/config.h) into a sealed memfd once, at start,
 * and every monitor it starts (privsshd -R -i) finds that memfd at MONITOR_FD_CONFIG (common/fd-layout.h)
 * and parses the image instead of opening sshd_config. So every connection runs with the configuration
 * the listener loaded and checked, even after the file was edited, broken or removed, as with OpenSSH's
 * listener, which hands its re-executed children its copy; and a reload (SIGHUP) will only have to
 * replace the memfd once the new files have loaded.
 *
 * Sealed (no write, grow or shrink, no further seals), so no process holding it can change what later
 * connections read; each reader uses pread(), since all of them share one file offset.
 */

#include <stddef.h>

/* A CLOEXEC, sealed memfd holding image[0..size). */
int config_fd_create(const void *image, size_t size);

/* Under -R, first thing: the image at MONITOR_FD_CONFIG, which is checked (a sealed memfd of at most
 * CONFIG_MAX_IMAGE_SIZE bytes), read and closed. Errors are said; -EBADF when nothing valid is there. */
int config_fd_take(char **ret_image, size_t *ret_size);
