/*
 * become-root: installed setuid root by tests/integration/test_signal_credentials.py, it stands for
 * a sudo or su child in a user's session: it makes its real, effective and saved uid and gid 0,
 * writes its pid to the file named by argv[1], and waits for a signal (default dispositions, so
 * SIGTERM and SIGHUP end it). A signal request sent with the user's credentials cannot reach it; the
 * root hang-up can.
 */

#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
        if (argc != 2)
                return 2;
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
                perror("become-root: setresuid");
                return 1;
        }
        FILE *f = fopen(argv[1], "we");
        if (!f)
                return 1;
        fprintf(f, "%d\n", (int) getpid());
        if (fclose(f) != 0)
                return 1;
        for (;;)
                pause();
}
