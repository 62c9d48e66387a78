#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Instructions a packet, function by function, from a qemu trace.

make bench BENCH_TRACE=1 boots with run-vm.sh --trace: qemu logs every
translated block of module code (in_asm) and every execution of one
(exec, nochain), and bench-vm.sh prints the modules' symbols (KSYM lines)
before each measured pass. This counts each block's instructions times
its executions, adds them up by the function the block starts in, and
divides by the packets sent (the BENCH lines' packets, plus the passes
that create established flows). Module code only: kernel functions the
modules call (SipHash, the allocator, spinlocks) do not show.

    trace.py QEMU_LOG CONSOLE_LOG [TOP]
"""
import bisect
import collections
import json
import re
import sys


def symbols(console):
    syms, packets = set(), 0
    with open(console, errors="replace") as f:
        for line in f:
            m = re.search(r"KSYM ([0-9a-f]{16}) \w (\S+)\s+\[(\w+)\]", line)
            if m:
                syms.add((int(m.group(1), 16), "%s [%s]" % (m.group(2), m.group(3))))
                continue
            m = re.search(r"BENCH (\{.*\})", line)
            if m:
                r = json.loads(m.group(1))
                packets += r.get("packets", 0) + 2 * r.get("flows", 0)
    return sorted(syms), packets


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    syms, packets = symbols(sys.argv[2])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    addrs = [a for a, _ in syms]

    def name(pc):
        i = bisect.bisect_right(addrs, pc) - 1
        return syms[i][1] if i >= 0 and pc - addrs[i] < 0x4000 else "(other module code)"

    size, runs, start, n = {}, collections.Counter(), None, 0
    with open(sys.argv[1], errors="replace") as f:
        for line in f:
            if line.startswith("IN:"):
                start, n = None, 0
            elif line.startswith("0x"):
                if start is None:
                    start = int(line[2:18], 16)
                n += 1
            elif line.startswith("Trace"):
                if start is not None:
                    size[start], start = n, None
                m = re.search(r"/([0-9a-f]{16})/", line)
                if m:
                    runs[int(m.group(1), 16)] += 1
    total = collections.Counter()
    for pc, c in runs.items():
        total[name(pc)] += c * size.get(pc, 0)
    if not packets:
        sys.exit("trace: no BENCH lines in %s" % sys.argv[2])
    print("instructions a packet (%d packets), module code only" % packets)
    for fn, v in total.most_common(top):
        print("%10.1f  %s" % (v / packets, fn))


if __name__ == "__main__":
    main()
