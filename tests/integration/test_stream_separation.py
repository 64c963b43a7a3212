#!/usr/bin/python3
"""stdout and stderr are kept apart: each byte arrives on the stream it was written to, in order."""
import harness
from harness import Server, check, ssh


def main():
    Server().start()
    r = ssh("echo out; echo err >&2")
    check(r.stdout == b"out\n", f"stdout is exactly 'out\\n' ({r.stdout!r})", r)
    check(b"err\n" in r.stderr and b"out" not in r.stderr, f"stderr has 'err\\n' and no 'out' ({r.stderr!r})", r)
    check(r.stderr == b"err\n", "stderr is exactly 'err\\n' (the client's own messages go to its -E log)", r)

    r = ssh("i=0; while [ $i -lt 2000 ]; do i=$((i+1)); echo o$i; echo e$i >&2; done")
    want_out = "".join(f"o{i}\n" for i in range(1, 2001)).encode()
    want_err = "".join(f"e{i}\n" for i in range(1, 2001)).encode()
    check(r.stdout == want_out, "2000 interleaved lines: stdout has all o-lines in order, nothing else", r)
    check(r.stderr == want_err, "stderr has all e-lines in order, nothing else", r)

    r = ssh("cat; echo tail >&2", stdin=b"in\n")
    check(r.stdout == b"in\n" and r.stderr == b"tail\n", "stdin comes back on stdout only", r)


harness.run(main)
