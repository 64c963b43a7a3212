#pragma once
/*
 * Sanitizer builds: a child the monitor forks and that then changes its uid (the authorized_keys
 * reader, a user's session before exec) becomes non-dumpable, so LeakSanitizer's exit-time check
 * (which ptrace()s the process) cannot run there and may hang. Such children switch it off; the
 * monitor itself keeps it. Without sanitizers this does nothing.
 */

void sanitizer_child_no_leak_check(void);
