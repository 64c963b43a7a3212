/* See config-fd.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fd-layout.h"
#include "common/fd-util.h"
#include "common/limits.h"
#include "common/log.h"
#include "monitor/config-fd.h"

#define CONFIG_FD_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

int config_fd_create(const void *image, size_t size) {
        _cleanup_close_ int fd = memfd_create("privsshd-config", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        int r = fd < 0 ? negative_errno() : loop_write(fd, image, size);
        if (r >= 0 && fcntl(fd, F_ADD_SEALS, CONFIG_FD_SEALS) < 0)
                r = negative_errno();
        if (r < 0)
                return log_error_errno(r, "cannot keep the configuration for connections (memfd): %s",
                                       strerror(-r));
        return TAKE_FD(fd);
}

static int read_image(int fd, char **ret_image, size_t *ret_size) {
        struct stat st;
        int seals = fcntl(fd, F_GET_SEALS);
        if (seals < 0 || (seals & CONFIG_FD_SEALS) != CONFIG_FD_SEALS || fstat(fd, &st) < 0 ||
            !S_ISREG(st.st_mode)) {
                log_error("-R: descriptor %d is not the listener's sealed configuration", MONITOR_FD_CONFIG);
                return -EBADF;
        }
        if (st.st_size <= 0 || (uint64_t) st.st_size > CONFIG_MAX_IMAGE_SIZE) {
                log_error("-R: the listener's configuration has a bad size (%lld bytes)",
                          (long long) st.st_size);
                return -EBADMSG;
        }
        size_t size = (size_t) st.st_size;
        _cleanup_free_ char *image = malloc(size);
        if (!image)
                return -ENOMEM;
        /* pread: every monitor shares the listener's one file offset. The seals fix the size. */
        for (size_t done = 0; done < size;) {
                ssize_t n = pread(fd, image + done, size - done, (off_t) done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        log_error("-R: reading the listener's configuration: %s", n < 0 ? strerror(errno) :
                                  "short read");
                        return n < 0 ? negative_errno() : -EIO;
                }
                done += (size_t) n;
        }
        *ret_image = TAKE_PTR(image);
        *ret_size = size;
        return 0;
}

int config_fd_take(char **ret_image, size_t *ret_size) {
        if (fcntl(MONITOR_FD_CONFIG, F_GETFD) < 0) {
                log_error("-R: no configuration from the listener at descriptor %d", MONITOR_FD_CONFIG);
                return -EBADF;
        }
        int r = read_image(MONITOR_FD_CONFIG, ret_image, ret_size);
        /* Closed whatever it was: nothing this monitor starts may hold it. */
        (void) close(MONITOR_FD_CONFIG);
        return r;
}
