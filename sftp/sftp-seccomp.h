#pragma once
/* privsshd-sftp's seccomp allowlist: file system calls on the user's files, I/O on the descriptors it
 * holds, memory, time, exit. No sockets of its own, no exec, no processes, no signals to others. */
int sftp_seccomp_install(void);
