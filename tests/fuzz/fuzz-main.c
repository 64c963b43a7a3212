/*
 * Replays a fuzz target over every file in the corpus directories given on the command line, so that
 * every test run exercises the fuzzers' findings (systemd's fuzz-main.c idea). With -Dfuzz=true the
 * targets are linked with libFuzzer instead and this file is not used.
 */

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fd-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                perror(path);
                return -1;
        }
        char *data = NULL;
        size_t size = 0;
        int r = read_full_fd(fd, 16u * 1024u * 1024u, &data, &size);
        close(fd);
        if (r < 0) {
                fprintf(stderr, "%s: cannot read\n", path);
                return -1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *) data, size);
        free(data);
        return 0;
}

int main(int argc, char **argv) {
        int n = 0;
        for (int i = 1; i < argc; i++) {
                DIR *d = opendir(argv[i]);
                if (!d) {
                        if (run_file(argv[i]) < 0)
                                return 1;
                        n++;
                        continue;
                }
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        char p[4096];
                        snprintf(p, sizeof p, "%s/%s", argv[i], de->d_name);
                        if (run_file(p) < 0) {
                                closedir(d);
                                return 1;
                        }
                        n++;
                }
                closedir(d);
        }
        printf("replayed %d inputs\n", n);
        return n > 0 ? 0 : 1;
}
