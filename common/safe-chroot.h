#pragma once
/*
 * ChrootDirectory: check the path as OpenSSH's sshd does, then chroot into it. Every component from "/"
 * down must be a directory owned by root and not writable by group or others (a user who can write
 * any of them could swap in a root of their own with a set-uid binary or a fake /etc); the path must be
 * absolute. Errors are logged in OpenSSH's words, so operators and their tools recognize them. Used by
 * the session child (shell and exec sessions) and by privsshd-sftp; both run as root here.
 */

/* 0 after chroot(path) + chdir("/"), logged at VERBOSE as OpenSSH; -errno (logged at ERROR) otherwise. */
int safe_chroot(const char *path);

/* The check alone (exposed for tests): 0 or -errno, with the error logged. */
int safe_chroot_check(const char *path);

/* chdir + chroot + chdir("/") without checks or log lines: for a forked child whose stderr is no longer
 * the daemon's, after the parent ran safe_chroot_check(). 0 or -errno. */
int chroot_enter(const char *path);

/* Expand %h, %u and %% in a ChrootDirectory value into a new string. -EINVAL (logged) for another token. */
int chroot_path_expand(const char *pattern, const char *user, const char *home, char **ret);
