#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the "BENCH {json}" lines of bench-vm.sh runs into ctrack's table.

usage: report.py OUT.json LOG [LOG...]   (one console log per VM boot)

Every figure is the median of the repetitions, with min and max. The cost
of a packet is 1 / (packets a second at the sink); a tracker's cost is
that minus the no-tracker cost of the same run (ns). Ratios are ctrack's
figure over nf_conntrack's.
"""
import json
import re
import os
import statistics
import sys


def rows(path):
    vcpus = None
    for line in open(path, errors="replace"):
        m = re.search(r"bench: (\d+) vCPUs", line)
        if m:
            vcpus = int(m.group(1))
        m = re.search(r"BENCH (\{.*\})", line)
        if m:
            r = json.loads(m.group(1))
            r["vcpus"] = vcpus
            if r["test"] == "established":
                # IPv4 UDP in logs from before the other kinds
                r.setdefault("kind", "udp")
            yield r


def stat(values):
    values = sorted(values)
    if not values:
        return {"median": float("nan"), "min": float("nan"), "max": float("nan"), "n": 0}
    return {"median": statistics.median(values), "min": values[0],
            "max": values[-1], "n": len(values)}


def pps(r):
    """Packets a second at the sink: the pktgen threads' rates added up
    (bench-vm.sh's send()), or, in logs from before it gave them, the
    packets over the slowest thread's time."""
    if "rate" in r:
        return float(r["rate"])
    return r["rx"] * 1e6 / r["us"] if r["us"] else 0.0


def fmt(s, unit="", digits=0):
    f = "{:,.%df}" % digits
    return "%s%s [%s-%s]" % (f.format(s["median"]), unit, f.format(s["min"]),
                             f.format(s["max"]))


def main():
    out, logs = sys.argv[1], sys.argv[2:]
    data = [r for log in logs for r in rows(log)]
    result = {"figures": {}, "targets": {}}
    # What the figures were measured with (bench.sh sets these).
    env = {k[len("BENCH_ENV_"):].lower(): v for k, v in os.environ.items()
           if k.startswith("BENCH_ENV_")}
    if env:
        result["environment"] = env
    lines = ["== %s: %s" % (k, v) for k, v in sorted(env.items())]
    for vcpus in sorted({r["vcpus"] for r in data}):
        d = [r for r in data if r["vcpus"] == vcpus]
        fig = result["figures"].setdefault("%d vCPUs" % vcpus, {})
        lines.append("== %d vCPUs (median [min-max] of %d repetitions)"
                     % (vcpus, max(r["rep"] for r in d)))

        def by(test, cfg, **kw):
            return [r for r in d if r["test"] == test and r["cfg"] == cfg and
                    all(r.get(k) == v for k, v in kw.items())]

        # Established flows: packets a second at the sink, tracker cost,
        # by kind of flow: IPv4 UDP, IPv6 UDP, IPv4 TCP (window-tracked).
        lines.append("established kind flows none pps          nf_conntrack pps / ns     ctrack pps / ns           ratio")
        kinds = [k for k in ("udp", "udp6", "tcp")
                 if any(r["test"] == "established" and r["kind"] == k for r in d)]
        for kind, flows in [(k, f) for k in kinds for f in
                            sorted({r["flows"] for r in d if r["test"] == "established" and r["kind"] == k})]:
            per = {c: {r["rep"]: r for r in by("established", c, flows=flows, kind=kind)}
                   for c in ("none", "nfct", "ctrack")}
            cost = {}
            for c in ("nfct", "ctrack"):
                cost[c] = [1e9 / pps(per[c][k]) - 1e9 / pps(per["none"][k])
                           for k in per[c] if k in per["none"]]
            s = {c: stat([pps(r) for r in per[c].values()]) for c in per}
            cs = {c: stat(cost[c]) for c in cost}
            ratio = cs["ctrack"]["median"] / cs["nfct"]["median"] if cs["nfct"]["median"] > 0 else float("nan")
            name = "established %d" % flows if kind == "udp" else "established %s %d" % (kind, flows)
            fig[name] = {"pps": s, "cost_ns": cs, "ratio": ratio}
            if kind == "tcp":
                # A TCP entry's memory: the unreclaimable slabs' growth
                # over the entries, less the no-tracker pass's own growth.
                mem = {c: stat([(r["sunreclaim_kb"] - per["none"][k].get("sunreclaim_kb", 0)) * 1024 / r["entries"]
                                for k, r in per[c].items()
                                if r.get("entries", 0) > 0 and "sunreclaim_kb" in r and k in per["none"]])
                       for c in ("nfct", "ctrack")}
                fig[name]["slab_bytes_per_entry"] = mem
                # Handshakes that did not reach ESTABLISHED before the
                # measured pass: those flows were picked up mid-stream.
                for c in ("nfct", "ctrack"):
                    for r in per[c].values():
                        if r.get("setup_established", flows) < flows:
                            lines.append("  warning: %s, %d TCP flows: %s ESTABLISHED before the measured pass"
                                         % (c, flows, r["setup_established"]))
            lines.append("  %-4s %-8d %-17s %-26s %-26s %.2fx" % (
                kind, flows, fmt(s["none"]), fmt(s["nfct"]) + " / %.0f" % cs["nfct"]["median"],
                fmt(s["ctrack"]) + " / %.0f" % cs["ctrack"]["median"], ratio))
            if flows == 100000:
                label = "" if kind == "udp" else " %s" % kind
                result["targets"]["cost per packet, established%s, %d vCPUs (<= 0.75x)" % (label, vcpus)] = ratio
        big = sorted(f for k, f in ((r["kind"], r["flows"]) for r in d if r["test"] == "established") if k == "tcp")
        if big:
            m = fig["established tcp %d" % big[-1]]["slab_bytes_per_entry"]
            if m["nfct"]["n"] and m["ctrack"]["n"] and m["nfct"]["median"] > 0:
                lines.append("TCP entry, unreclaimable slab bytes (%d flows)   nf_conntrack %.0f   ctrack %.0f   %.2fx" % (
                    big[-1], m["nfct"]["median"], m["ctrack"]["median"],
                    m["ctrack"]["median"] / m["nfct"]["median"]))

        def target(name, bound, value):
            result["targets"]["%s, %d vCPUs (%s)" % (name, vcpus, bound)] = value

        # New flows: what the tracker adds to a packet that opens a flow
        # (ns over the no-tracker pass of the same repetition), and the
        # new flows a second that cost alone allows. End to end, the
        # rate cannot pass the no-tracker packet rate, so the tracker's
        # own cost is what tells the trackers apart.
        new_cost = {}
        for c in ("nfct", "ctrack"):
            none = {r["rep"]: r for r in by("new", "none")}
            new_cost[c] = stat([1e9 / pps(r) - 1e9 / pps(none[r["rep"]])
                                for r in by("new", c) if r["rep"] in none])
        if new_cost["nfct"]["n"] and new_cost["ctrack"]["n"]:
            cap = {c: 1e9 / new_cost[c]["median"] if new_cost[c]["median"] > 0 else float("inf")
                   for c in new_cost}
            fig["new flow cost"] = {"cost_ns": new_cost, "flows_per_s": cap,
                                    "ratio": cap["ctrack"] / cap["nfct"]}
            lines.append("new flow, tracker ns  nf_conntrack %-24s ctrack %-24s %.2fx the flows/s" % (
                fmt(new_cost["nfct"]), fmt(new_cost["ctrack"]), cap["ctrack"] / cap["nfct"]))
            target("new flows a second, tracker cost alone", ">= 1.5x", cap["ctrack"] / cap["nfct"])

        # New flows and eviction: entries a second, packets a second.
        for test, what in (("new", "new entries/s"), ("evict", "pps, table full")):
            s = {}
            for c in ("nfct", "ctrack"):
                rs = by(test, c)
                if test == "new":
                    vals = [r["inserted"] * pps(r) / r["rx"] for r in rs if r["rx"]]
                else:
                    vals = [pps(r) for r in rs]
                s[c] = stat(vals) if vals else None
            if s["nfct"] and s["ctrack"]:
                ratio = s["ctrack"]["median"] / s["nfct"]["median"]
                fig[test] = {"nfct": s["nfct"], "ctrack": s["ctrack"], "ratio": ratio}
                lines.append("%-22s nf_conntrack %-24s ctrack %-24s %.2fx" % (
                    what, fmt(s["nfct"]), fmt(s["ctrack"]), ratio))
                if test == "new":
                    target("new flows a second, end to end", ">= 1.5x", ratio)

        # Scale and memory.
        sizes = sorted({r["size"] for r in d if r["test"] == "scale"})
        if sizes:
            lines.append("table size   nf_conntrack ns/pkt  B/entry   ctrack ns/pkt  B/entry")
            base = {}
            for size in sizes:
                row = {}
                for c in ("nfct", "ctrack"):
                    rs = by("scale", c, size=size)
                    for r in rs:
                        if r["entries"] != size:
                            lines.append("  warning: %s, scale %d: %d entries after the sweep" % (c, size, r["entries"]))
                    none = {r["rep"]: r for r in by("established", "none", flows=1000, kind="udp")}
                    cost = [1e9 / pps(r) - 1e9 / pps(none[r["rep"]]) for r in rs if r["rep"] in none]
                    # slabs + the buckets (vmalloc's growth if kvcalloc
                    # went there, else the page allocator's 8 bytes each)
                    mem = [(r["slab_kb"] * 1024 + max(r["vmalloc_kb"] * 1024, r.get("buckets", 262144) * 8))
                           / r["entries"] for r in rs if r["entries"]]
                    row[c] = {"cost_ns": stat(cost), "bytes_per_entry": stat(mem)}
                fig["scale %d" % size] = row
                base.setdefault("nfct", row["nfct"]["cost_ns"]["median"])
                base.setdefault("ctrack", row["ctrack"]["cost_ns"]["median"])
                lines.append("  %-10d %-20.0f %-9.0f %-14.0f %.0f" % (
                    size, row["nfct"]["cost_ns"]["median"], row["nfct"]["bytes_per_entry"]["median"],
                    row["ctrack"]["cost_ns"]["median"], row["ctrack"]["bytes_per_entry"]["median"]))
            big = fig["scale %d" % sizes[-1]]
            result["targets"]["bytes per entry, %d vCPUs (<= 0.5x)" % vcpus] = (
                big["ctrack"]["bytes_per_entry"]["median"] / big["nfct"]["bytes_per_entry"]["median"])
            if base["ctrack"] > 0:
                result["targets"]["lookup at %d vs %d entries, %d vCPUs (<= 1.3x)" % (sizes[-1], sizes[0], vcpus)] = (
                    big["ctrack"]["cost_ns"]["median"] / base["ctrack"])
        # Dumps: wall time, the command's peak RSS, the kernel's share.
        dumps = [r for r in d if r["test"] == "dump"]
        if dumps:
            lines.append("dump to /dev/null   entries    conntrack -L s (user+sys) / RSS kB    ctrack -L s (user+sys) / RSS kB   speed-up")
            for size in sorted({r["entries"] // 1000 * 1000 for r in dumps}):
                row = {}
                for c in ("nfct", "ctrack"):
                    rs = [r for r in dumps if r["cfg"] == c and r["entries"] // 1000 * 1000 == size]
                    row[c] = {k: stat([r[k] for r in rs if k in r])
                              for k in ("wall_us", "user_us", "sys_us", "maxrss_kb", "kernel_kb")}
                if not (row["nfct"]["wall_us"]["n"] and row["ctrack"]["wall_us"]["n"]):
                    continue
                speed = row["nfct"]["wall_us"]["median"] / row["ctrack"]["wall_us"]["median"]
                fig["dump %d" % size] = dict(row, speedup=speed)
                def cell(c):
                    r = row[c]
                    split = ""
                    if r["user_us"]["n"]:
                        split = " (%.2f+%.2f)" % (r["user_us"]["median"] / 1e6, r["sys_us"]["median"] / 1e6)
                    return "%.2f%s / %d" % (r["wall_us"]["median"] / 1e6, split, r["maxrss_kb"]["median"])
                lines.append("                    %-10d %-38s %-34s %.2fx" % (size, cell("nfct"), cell("ctrack"), speed))
                target("ctrack -L of %d entries, speed-up" % size, ">= 3x", speed)

        # Events under a new-flow flood.
        ev = {}
        for c in ("nfct", "ctrack"):
            rs = by("events", c)
            if rs:
                ev[c] = {"delivered_per_s": stat([r["delivered"] * 1e6 / r["us"] for r in rs]),
                         "lost": stat([r["created"] - r["delivered"] for r in rs])}
        if len(ev) == 2:
            fig["events"] = ev
            lines.append("NEW events/s         conntrack -E %s (lost %d)   ctrack -E %s (lost %d)   %.2fx" % (
                fmt(ev["nfct"]["delivered_per_s"]), ev["nfct"]["lost"]["median"],
                fmt(ev["ctrack"]["delivered_per_s"]), ev["ctrack"]["lost"]["median"],
                ev["ctrack"]["delivered_per_s"]["median"] / ev["nfct"]["delivered_per_s"]["median"]))

    # Scaling: packets a second on 100,000 established flows with the
    # most vCPUs over the fewest, each tracker's against nf_conntrack's.
    runs = sorted(result["figures"])
    if len(runs) >= 2:
        lo, hi = result["figures"][runs[0]], result["figures"][runs[-1]]
        if "established 100000" in lo and "established 100000" in hi:
            sc = {c: hi["established 100000"]["pps"][c]["median"] / lo["established 100000"]["pps"][c]["median"]
                  for c in ("none", "nfct", "ctrack")}
            result["figures"]["scaling"] = sc
            lines.append("scaling %s -> %s, 100,000 flows: none %.2fx, nf_conntrack %.2fx, ctrack %.2fx" % (
                runs[0], runs[-1], sc["none"], sc["nfct"], sc["ctrack"]))
            result["targets"]["scaling %s -> %s, against nf_conntrack's (>= 1x)" % (runs[0], runs[-1])] = (
                sc["ctrack"] / sc["nfct"])

    lines.append("== targets (ctrack / nf_conntrack unless said)")
    for k, v in result["targets"].items():
        lines.append("  %-62s %.2fx" % (k, v))
    print("\n".join(lines))
    with open(out, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
