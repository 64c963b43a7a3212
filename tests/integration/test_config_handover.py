#!/usr/bin/python3
"""Each connection runs with the configuration the listener loaded, not with what the file says now:
the listener hands every monitor it starts (privsshd -R -i) an image of what it read, its -o options,
the main file and what they Include, and the monitor never opens sshd_config nor applies an option of
its own command line (monitor/config-fd.h), as OpenSSH's
listener hands its re-executed children its copy. OpenSSH's regression script reexec appends an
invalid line to the file after start and expects logins to go on working.

  - before any edit: SetEnv of the main file, AcceptEnv of a file it Includes and AcceptEnv of a
    file an -o Include names are in force (the positive control for what follows);
  - after the three files were changed: still the original SetEnv value and the original AcceptEnv
    patterns; plain -i (ProxyCommand), which reads the files, sees the new values, so the edits were
    real and would have mattered;
  - after an invalid line was appended (privsshd -t now refuses the file): logins still work, with
    the original settings;
  - after the three files were deleted: the same;
  - the listener logged no configuration error meanwhile.

Reference: OpenSSH's sshd behaves the same way (it re-executes with its listener's copy)."""
import os

import harness
from harness import Server, check


def login(**kw):
    """`echo` of three variables, HANDOVER_SENT and OPTION_SENT sent by the client (SendEnv)."""
    return harness.ssh('echo "mark=$MARK sent=$HANDOVER_SENT option=$OPTION_SENT"',
                       env={"HANDOVER_SENT": "fromclient", "OPTION_SENT": "fromclient"},
                       opts=("-o", "SendEnv=HANDOVER_SENT OPTION_SENT") + tuple(kw.pop("opts", ())), **kw)


def main():
    extra = "/run/test-handover-extra.conf"
    with open(extra, "w") as f:
        f.write("AcceptEnv HANDOVER_*\n")
    option = "/run/test-handover-option.conf"
    with open(option, "w") as f:
        f.write("AcceptEnv OPTION_*\n")
    s = Server(f"SetEnv MARK=original\nInclude {extra}", args=("-o", f"Include {option}"))
    with open(s.config_path) as f:
        original = f.read()
    s.start()
    want = b"mark=original sent=fromclient option=fromclient\n"

    r = login()
    check(r.returncode == 0 and r.stdout == want,
          "control: before any edit, SetEnv of the file and AcceptEnv of both Include'd files are in force", r)

    # Edit the three files: a monitor that read them would see MARK=edited and refuse both variables.
    with open(s.config_path, "w") as f:
        f.write(original.replace("MARK=original", "MARK=edited"))
    with open(extra, "w") as f:
        f.write("AcceptEnv NOTHING_*\n")
    with open(option, "w") as f:
        f.write("AcceptEnv NOTHING_*\n")
    r = login()
    check(r.returncode == 0 and r.stdout == want,
          "after the three files were edited, a new connection has the listener's settings", r, s)
    proxy = ("-o", f"ProxyCommand={harness.PRIVSSHD} -i -f {s.config_path} -o 'Include {option}'")
    r = login(opts=proxy)
    check(r.returncode == 0 and r.stdout == b"mark=edited sent= option=\n",
          "control: plain -i (ProxyCommand) reads the edited files, so the edits would have mattered", r)

    # Broken, as OpenSSH's reexec script breaks it.
    with open(s.config_path, "w") as f:
        f.write(original + "InvalidXXX=no\n")
    t = harness.run_cmd([harness.PRIVSSHD, "-t", "-f", s.config_path], check=False, capture_output=True)
    check(t.returncode != 0 and b"Bad configuration option: InvalidXXX" in t.stderr,
          "control: privsshd -t refuses the file now", t.stderr)
    r = login()
    check(r.returncode == 0 and r.stdout == want,
          "after an invalid line was appended, a new connection works, with the listener's settings", r, s)

    os.unlink(s.config_path)
    os.unlink(extra)
    os.unlink(option)
    r = login()
    check(r.returncode == 0 and r.stdout == want,
          "after the three files were deleted, a new connection works, with the listener's settings", r, s)

    text = s.text()
    check("InvalidXXX" not in text and "cannot open" not in text and "configuration" not in text,
          "no configuration error was logged", text)
    s.stop()


harness.run(main)
