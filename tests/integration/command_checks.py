"""What test_keys_command and test_principals_command share: AuthorizedKeysCommand and
AuthorizedPrincipalsCommand run under the same bounds and the same safety checks, so a command that
never answers, one that floods its output and one not owned by root are refused the same way; each
test names its keyword, its login and what the command would have given."""
import os
import re
import time

import harness
from harness import check


def _timed(login):
    t0 = time.monotonic()
    r = login()
    return r, time.monotonic() - t0


def check_hang_killed(s, login, keyword, nothing, sleeps):
    """The command (in its "hang" mode, set by the caller) never answers and leaves background sleeps
    (`sleeps`: their command line): the login is refused within the bound, the log says so and the
    command's process group is gone."""
    r, took = _timed(login)
    check(r.returncode == 255 and took < 30, f"hang: refused within the bound (took {took:.1f} s)", r)
    check(s.wait_log(rf"^{keyword} .*: no answer in time: killed, no {nothing} from it$"),
          f"log: {keyword} CMD: no answer in time: killed", s)
    check(harness.wait_for(lambda: not harness.processes(cmdline=sleeps), 5),
          "the hanging command and its background sleep are gone (its process group was killed)",
          harness.processes(cmdline=sleeps))


def check_flood_killed(s, login, keyword, nothing, what, limit=None):
    """The command (in its "flood" mode) prints `what`, then megabytes from `yes`: refused within the
    bound, logged with the limit (`limit` bytes, any number when None), the command gone."""
    r, took = _timed(login)
    check(r.returncode == 255 and took < 30, f"flood: the {what} followed by megabytes is refused ({took:.1f} s)",
          r)
    size = str(limit) if limit else r"\d+"
    check(s.wait_log(rf"^{keyword} .*: more than {size} bytes of output: killed, no {nothing} from it$"),
          f"log: more than {limit or 'N'} bytes of output: killed", s)
    check(harness.wait_for(lambda: not harness.processes(comm="yes"), 5), "the flooding command is gone",
          harness.processes(comm="yes"))


def check_unsafe_owner(s, login, keyword, script):
    """The command `script` owned by carol (uid 2002) is refused with OpenSSH's line; owned by root again
    afterwards (the caller checks that it works then)."""
    line = rf'^Unsafe {keyword} "{re.escape(script)}": bad ownership or modes for file {re.escape(script)}$'
    before = s.count(line)
    os.chown(script, 2002, 2002)
    r = login()
    check(r.returncode == 255 and r.stdout == b"" and "Permission denied" in r.log,
          "a command owned by carol is refused", r)
    check(harness.wait_for(lambda: s.count(line) > before, 5),
          f'log: Unsafe {keyword} "PATH": bad ownership or modes for file PATH', s)
    os.chown(script, 0, 0)

