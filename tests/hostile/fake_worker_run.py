"""What the hostile-worker tests share: the IPC message numbers, read from THE table, and one
connection's run of the monitor (`privsshd -i` on a socketpair) with fake_worker.py as its worker
(PRIVSSHD_TEST_WORKER, test builds only)."""
import os
import re
import socket
import subprocess

here = os.path.dirname(os.path.abspath(__file__))


def message_numbers():
    """The message numbers, read from THE table (common/ipc-messages.h): the order of its rows."""
    text = open(os.path.join(here, "..", "..", "common", "ipc-messages.h")).read()
    table = text[text.index("#define IPC_MESSAGES(X)"):]
    table = table[:table.index("\n\n")]
    names = re.findall(r"X\((\w+),", table)
    if "SETUP" not in names or "SESSION_START" not in names:
        raise SystemExit("cannot read the message table from common/ipc-messages.h")
    return {name: i for i, name in enumerate(names)}


def run(privsshd, config, tmp, scenario, timeout, steps=None):
    """The monitor for one connection, its worker fake_worker.py playing `scenario` (with `steps`, raw
    messages, for the scenarios that send them); killed after `timeout` seconds. Returns its exit
    status, its stderr and what the worker noted (RESULTS)."""
    results = os.path.join(tmp, scenario + ".results")
    launcher = os.path.join(tmp, scenario + ".py")
    with open(launcher, "w") as f:
        f.write(f"#!/usr/bin/python3\nSCENARIO = {scenario!r}\nRESULTS = {results!r}\n"
                f"T = {message_numbers()!r}\n"
                + (f"STEPS = {[m.hex() for m in steps]!r}\n" if steps is not None else "")
                + f"exec(open({os.path.join(here, 'fake_worker.py')!r}).read())\n")
    os.chmod(launcher, 0o755)
    client, server = socket.socketpair()
    env = dict(os.environ, PRIVSSHD_TEST_WORKER=launcher)
    p = subprocess.Popen([privsshd, "-i", "-e", "-f", config], stdin=server, stdout=server,
                         stderr=subprocess.PIPE, env=env)
    server.close()
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    client.close()
    return p.returncode, err.decode(errors="replace"), open(results).read() if os.path.exists(results) else ""
