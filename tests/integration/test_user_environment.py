#!/usr/bin/python3
"""PermitUserEnvironment: the authorized_keys option environment="NAME=value" and ~/.ssh/environment
set variables in the user's sessions when the keyword allows them, as OpenSSH's sshd does, and are
ignored when it does not (the default).

  - Order, as OpenSSH's do_setup_env(): environment= options, then ~/.ssh/environment (which wins
    over them), both over the fixed USER/HOME/PATH..., both under PAM's variables and SetEnv; and
    never over SSH_CONNECTION (set last).
  - The file: comments, blank and indented lines; NAME=value split at the first '=', the value as
    written; a line without '=' is "Bad line N in FILE" on the session's stderr.
  - A pattern list lets only the names it matches through ('!' negates), from both sources.
  - A malformed environment= (a name with a blank) makes its line malformed whatever the keyword
    says: the key is refused, beside the same line with a good value, which logs in.
  - Bounds: 1000 lines are read, 1001 refuse the session ("Too many lines in environment file"),
    as OpenSSH's fatal(); a file of 64 KiB or more refuses it too. Neither matters with the
    keyword off (the control: the session runs).
  - Every refusal has its positive control beside it: the same variable set when allowed.

Reference differs: OpenSSH sets LD_PRELOAD and BASH_ENV from these sources too (privsshd never does,
as for AcceptEnv), sets a variable whose name has a blank, has no size bound on the file, and writes
its "Too many lines" to syslog only."""
import os

import harness
from harness import KEYS, Server, check, ssh

HOME = "/home/alice"
AUTHKEYS = f"{HOME}/.ssh/authorized_keys"
ENVFILE = f"{HOME}/.ssh/environment"

FILE_TEXT = """# a comment
   
  # an indented comment
FILEVAR=from-file
BOTH=from-file
SITE=from-file
SSH_CONNECTION=forged
no equals sign here
  INDENTED=yes
SPACED=  a b = c
PATH=/usr/bin:/bin:/marker-from-file
BASH_ENV=/tmp/evil.sh
"""
BAD_LINE = f"Bad line 8 in {ENVFILE}"

KEY_OPTIONS = ('environment="KEYVAR=from-key",environment="BOTH=from-key",environment="KEYONLY=k",'
               'environment="LD_PRELOAD=/nonexistent/evil.so"')


def write_as_alice(path, text, mode=0o600):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    os.chown(path, 2001, 2001)


def set_key(pub, options):
    write_as_alice(AUTHKEYS, f"{options} {pub}" if options else pub)


def remote_env(r):
    return dict(l.split("=", 1) for l in r.stdout.decode(errors="replace").splitlines() if "=" in l)


def run_env():
    r = ssh("env")
    return r, remote_env(r)


def main():
    with open(f"{KEYS}/alice.pub") as f:
        pub = f.read().strip()
    # Would be run by a non-interactive bash if BASH_ENV got through.
    with open("/tmp/evil.sh", "w") as f:
        f.write("echo BASH_ENV-RAN > /tmp/evil-ran\n")
    os.chmod("/tmp/evil.sh", 0o755)
    set_key(pub, KEY_OPTIONS)
    write_as_alice(ENVFILE, FILE_TEXT)

    # -- allowed: everything the user wrote, in OpenSSH's order -----------------------------------
    s = Server("PermitUserEnvironment yes\nSetEnv SITE=from-setenv\nLogLevel DEBUG1").start()
    r, env = run_env()
    check(r.returncode == 0, "PermitUserEnvironment yes: the session runs", r, s)
    check(env.get("KEYVAR") == "from-key", f"environment=\"KEYVAR=from-key\" is set ({env.get('KEYVAR')!r})",
          sorted(env), r)
    check(env.get("FILEVAR") == "from-file", f"~/.ssh/environment's FILEVAR is set ({env.get('FILEVAR')!r})",
          sorted(env), r)
    check(env.get("INDENTED") == "yes", "an indented line counts", sorted(env))
    check(env.get("SPACED") == "  a b = c", f"the value is the rest of the line as written ({env.get('SPACED')!r})",
          sorted(env))
    check(env.get("BOTH") == "from-file",
          f"the file wins over environment= (it is read after, as in OpenSSH) ({env.get('BOTH')!r})", sorted(env))
    check(env.get("SITE") == "from-setenv", f"SetEnv wins over the file ({env.get('SITE')!r})", sorted(env))
    check(env.get("PATH", "").endswith(":/marker-from-file"),
          f"the file wins over the default PATH, as in OpenSSH ({env.get('PATH')!r})", sorted(env))
    conn = env.get("SSH_CONNECTION", "")
    check(conn.startswith("127.0.0.1 ") and conn != "forged",
          f"SSH_CONNECTION is the server's, not the file's ({conn!r})", sorted(env))
    check(BAD_LINE.encode() in r.stderr, f"the line without '=' is '{BAD_LINE}' on stderr", r)
    check("LD_PRELOAD" not in env, "environment=\"LD_PRELOAD=...\" is never set", sorted(env),
          reference_differs="OpenSSH sets any name PermitUserEnvironment allows")
    check("BASH_ENV" not in env and not os.path.exists("/tmp/evil-ran"),
          "BASH_ENV from the file is never set (and its script never ran)", sorted(env),
          reference_differs="OpenSSH sets any name PermitUserEnvironment allows")
    if not harness.is_openssh():
        check(s.wait_log(r'refused environment="LD_PRELOAD=\.\.\." in the key of alice', 5),
              "the refusal of environment=\"LD_PRELOAD=...\" is logged", s)
        check(b"BASH_ENV is never set" in r.stderr, "the refusal of the file's BASH_ENV is said on stderr", r)

    # A pty session (a login shell) gets them too.
    r = ssh("echo \"[$FILEVAR][$KEYVAR]\"", opts=["-tt"])
    check(b"[from-file][from-key]" in r.stdout, "a pty session gets both too", r)
    s.stop()

    # -- the default: both ignored; SetEnv (the control) still set ---------------------------------
    s = Server("SetEnv SITE=from-setenv").start()
    r, env = run_env()
    check(r.returncode == 0 and env.get("SITE") == "from-setenv",
          "PermitUserEnvironment no (default): the key still logs in, SetEnv still applies", r, s)
    check(not {"KEYVAR", "BOTH", "KEYONLY"} & set(env), "no environment= value is set", sorted(env))
    check(not {"FILEVAR", "SPACED", "INDENTED"} & set(env) and not env.get("PATH", "").endswith("marker-from-file"),
          "nothing of ~/.ssh/environment is set", sorted(env))
    check(BAD_LINE.encode() not in r.stderr, "the file is not even read (no 'Bad line')", r)
    s.stop()

    # -- a pattern list ------------------------------------------------------------------------------
    s = Server('PermitUserEnvironment "FILE*,KEY*,!KEYONLY"').start()
    r, env = run_env()
    check(r.returncode == 0, "PermitUserEnvironment FILE*,KEY*,!KEYONLY: the session runs", r, s)
    check(env.get("FILEVAR") == "from-file" and env.get("KEYVAR") == "from-key",
          "names the list matches are set, from the file and from environment=", sorted(env))
    check("KEYONLY" not in env, "a name the list negates is not", sorted(env))
    check(not {"BOTH", "SPACED", "INDENTED"} & set(env) and not env.get("PATH", "").endswith("marker-from-file"),
          "names the list does not match are not", sorted(env))
    s.stop()

    # -- a malformed environment= makes the line malformed, with the keyword on or off ----------------
    for keyword in ("PermitUserEnvironment yes", ""):
        s = Server(f"{keyword}\nLogLevel DEBUG1").start()
        set_key(pub, 'environment="BAD NAME=x"')
        r = ssh("true")
        check(r.returncode == 255 and "Permission denied" in r.log,
              f"{keyword or 'default'}: environment=\"BAD NAME=x\" makes the line malformed: the key is refused", r)
        if not harness.is_openssh():
            check(s.wait_log(r"bad key options: invalid environment string", 5),
                  "log (DEBUG): bad key options: invalid environment string", s)
        set_key(pub, 'environment="GOOD_NAME=x"')
        r = ssh("echo in")
        check(r.returncode == 0 and r.stdout == b"in\n", f"{keyword or 'default'}: environment=\"GOOD_NAME=x\" "
              "on the same line logs in", r)
        s.stop()
    set_key(pub, "")

    # -- bounds ---------------------------------------------------------------------------------------
    s = Server("PermitUserEnvironment yes").start()
    write_as_alice(ENVFILE, "\n" * 999 + "LASTVAR=line-1000\n")
    r, env = run_env()
    check(r.returncode == 0 and env.get("LASTVAR") == "line-1000", "1000 lines are read", r)

    write_as_alice(ENVFILE, "\n" * 1000 + "LASTVAR=line-1001\n")
    r, env = run_env()
    check(r.returncode == 255 and "LASTVAR" not in env, f"1001 lines refuse the session (exit {r.returncode})", r)
    check(f"Too many lines in environment file {ENVFILE}".encode() in r.stderr,
          "and say so on stderr in OpenSSH's words", r,
          reference_differs="OpenSSH's fatal() goes to syslog only")

    write_as_alice(ENVFILE, "BIGVAR=" + "x" * (64 * 1024) + "\n")
    r, env = run_env()
    check(r.returncode == 255 and "BIGVAR" not in env and b"is too large" in r.stderr,
          f"a file of 64 KiB or more refuses the session and says so (exit {r.returncode})", r,
          reference_differs="OpenSSH has no size bound on the file")
    s.stop()

    s = Server().start()
    r, env = run_env()
    check(r.returncode == 0 and "BIGVAR" not in env,
          "with PermitUserEnvironment no the same file is not read: the session runs", r, s)
    s.stop()


harness.run(main)
