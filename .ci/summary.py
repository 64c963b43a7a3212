#!/usr/bin/env python3
"""Print one line 'N passed, N failed, N skipped' over the meson test logs of the given build dirs
(or given test log files: `build-test/meson-logs/testlog-regress.json`, the regress setup's).
Exit nonzero when anything failed or was skipped (CI treats a skipped root test as a failure), or
when a build dir has no test log at all (the suite did not run)."""
import json
import sys

passed = failed = skipped = 0
missing = []
for build in sys.argv[1:]:
    try:
        path = build if build.endswith(".json") else f"{build}/meson-logs/testlog.json"
        with open(path) as f:
            lines = [json.loads(l) for l in f if l.strip()]
    except OSError:
        missing.append(build)
        continue
    for t in lines:
        r = t.get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
            print(f"skipped: {build}: {t.get('name')}")
        else:
            failed += 1
            print(f"failed: {build}: {t.get('name')} ({r})")
for b in missing:
    print(f"failed: {b}: no test log (the build or the test run did not happen)")
    failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or skipped else 0)
