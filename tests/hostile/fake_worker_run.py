"""What the hostile-worker tests share: their checks and skips, and one connection's run of the
monitor with fake_worker.py as its worker (test builds only), on the integration harness's runner
(harness.run_monitor(); these tests run it directly, as root, without the harness's namespaces)."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "integration"))
import harness  # noqa: E402

failures = 0


def check(cond, what, *details):
    """One claim: "ok - WHAT", or "not ok - WHAT" and the details, counted in `failures`."""
    global failures
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failures += 1
        for d in details:
            print("    " + str(d).replace("\n", "\n    "))


def skip_unless_runnable():
    """Without root, a -Dtest_hooks=true build or PRIVSSHD (the daemon harness.run_monitor() runs): a
    skip (exit 77), or a failure when PRIVSSHD_TESTS_MUST_RUN=1."""
    why = ("needs root" if os.geteuid() != 0 else
           "needs a build with -Dtest_hooks=true" if os.environ.get("PRIVSSHD_TEST_HOOKS") != "1" else
           "PRIVSSHD not set" if not harness.PRIVSSHD else None)
    if why:
        print("skip: " + why)
        sys.exit(1 if os.environ.get("PRIVSSHD_TESTS_MUST_RUN") == "1" else 77)


# The message numbers, read from THE table (common/ipc-messages.h): the order of its rows.
message_numbers = harness.ipc_message_numbers


def run(config, tmp, scenario, timeout, steps=None):
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
    rc, err = harness.run_monitor(config, launcher, timeout)
    return rc, err, open(results).read() if os.path.exists(results) else ""
