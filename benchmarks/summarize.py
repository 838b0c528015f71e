#!/usr/bin/env python3
"""Turns JMH's JSON result into a Markdown table: min / median / max of the measured
iterations (noisy shared machines make a single mean misleading) beside each target.

Optional extra inputs, written by benchmarks/run:
  --p4 FILE       InstanceMemory's JSON (heap bytes per instance beyond linear memory)
  --p1 FILE       SwapJitter's JSON (tick start lateness with and without hot swaps, missed ticks)
  --p5-cpu FILE   ComputeCpuRatio's JSON: CPU time of compute(rounds) under Chicory and Node.js,
                  measured in alternating pairs (the ratio that is robust on a shared machine)
  --p5-node FILE  a JSON array, one object per Node.js run of run-node.mjs (ms_per_call), compared with
                  ComputeBenchmark.compute for the same rounds
"""
import argparse
import json
import statistics

# Benchmark method -> (performance id, target in the benchmark's unit, description)
TARGETS = {
    "parseAndVerifyTargets": ("P6", 1000.0, "targets file, composite signature: parse + verify"),
    # JMH reports TokenSignBenchmark in us/op: 200 ms = 200000 us.
    "signTargets": ("P10", 200000.0, "targets file, composite signature: sign (SoftHSM2 key; software key as baseline)"),
    "warmInstantiate": ("P3", 1000.0, "instantiate compiled thermostat + graft_init (no-op imports)"),
    "cacheHitStart": ("P3", 8000.0, "ControlLogic build with compile-cache hit (validate, load, instantiate, init) + close"),
    # After a restart: reported, no target (PERFORMANCE.md). cache=none compiles, cache=disk loads
    # the compiled classes from the authenticated on-disk cache.
    "firstStart": ("P3", None, "fresh JVM: first ControlLogic build (class loading, compile or disk-cache load, cold JIT) + close"),
    # Absolute time is only reported; the P5 target is the ratio to Node.js below.
    "compute": ("P5", None, "compute(rounds) through Chicory's compiler"),
}
P4_TARGET_BYTES = 1024 * 1024
P1_JITTER_MARGIN_US = 500.0
P5_TARGET_RATIO = 1.25


def samples_of(result):
    return [x for fork in result["primaryMetric"]["rawData"] for x in fork]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("jmh_json")
    parser.add_argument("--p1")
    parser.add_argument("--p4")
    parser.add_argument("--p5-node")
    parser.add_argument("--p5-cpu")
    args = parser.parse_args()
    with open(args.jmh_json, encoding="utf-8") as f:
        results = json.load(f)
    print("| id | benchmark | params | min | median | max | unit | target | met |")
    print("|---|---|---|---|---|---|---|---|---|")
    compute = None
    for result in results:
        method = result["benchmark"].rsplit(".", 1)[-1]
        metric = result["primaryMetric"]
        samples = samples_of(result)
        unit = metric["scoreUnit"]
        params = ", ".join(f"{k}={v}" for k, v in sorted(result.get("params", {}).items()))
        pid, target, _ = TARGETS.get(method, ("", None, ""))
        # The ratio uses the linear memory the runtime uses (ControlLogic: FlatMemory).
        if method == "compute" and result.get("params", {}).get("memory") == "FlatMemory":
            compute = result
        median = statistics.median(samples)
        met = "" if target is None else ("yes" if median <= target else "NO")
        target_text = "" if target is None else f"≤ {target:g}"
        print(
            f"| {pid} | {method} | {params} | {min(samples):.1f} | {median:.1f} | "
            f"{max(samples):.1f} | {unit} | {target_text} | {met} |"
        )
    if args.p1:
        with open(args.p1, encoding="utf-8") as f:
            p1 = json.load(f)
        base, swap = p1["baseline"], p1["swapping"]
        params = (
            f"tick_ms={p1['tick_ms']}, swaps={p1['swaps']}, state carried={p1['state_carried']}, "
            f"load={p1['load_average']:.1f}"
        )
        print(
            f"| P1 | missedTicks (swapping) | {params}, baseline missed={base['missed']} "
            f"| | {swap['missed']} | | ticks | 0 | {'yes' if swap['missed'] == 0 else 'NO'} |"
        )
        for key, name in (("p999_us", "jitter p99.9"), ("max_us", "jitter max")):
            limit = base[key] + P1_JITTER_MARGIN_US
            met = "yes" if swap[key] <= limit else "NO"
            print(
                f"| P1 | {name} (swapping; baseline in target) | {params} | | {swap[key]:.1f} | "
                f"| µs | ≤ {base[key]:.1f} + {P1_JITTER_MARGIN_US:g} | {met} |"
            )
    if args.p4:
        with open(args.p4, encoding="utf-8") as f:
            p4 = json.load(f)
        kib = [b / 1024 for b in p4["bytes_beyond_linear"]]
        median = statistics.median(kib)
        met = "yes" if median * 1024 <= P4_TARGET_BYTES else "NO"
        print(
            f"| P4 | heapPerInstance | count={p4['count']}, linear={p4['linear_bytes'] // 1024} KiB "
            f"| {min(kib):.1f} | {median:.1f} | {max(kib):.1f} | KiB beyond linear memory "
            f"| ≤ {P4_TARGET_BYTES // 1024} | {met} |"
        )
    if args.p5_node:
        with open(args.p5_node, encoding="utf-8") as f:
            runs = json.load(f)
        if not runs:
            print("| P5 | computeRatio | | | | | | | node not run |")
        elif compute is None:
            print("| P5 | computeRatio | | | | | | | ComputeBenchmark not run |")
        else:
            node_rounds = {r["rounds"] for r in runs}
            chicory_rounds = {int(compute.get("params", {}).get("rounds", -1))}
            if node_rounds != chicory_rounds:
                raise SystemExit(
                    f"P5: Node.js ran rounds {sorted(node_rounds)}, Chicory {sorted(chicory_rounds)}"
                )
            if compute["primaryMetric"]["scoreUnit"] != "ms/op":
                raise SystemExit("P5: ComputeBenchmark must report ms/op")
            node = [r["ms_per_call"] for r in runs]
            chicory = samples_of(compute)
            print(
                f"| P5 | computeNode | rounds={runs[0]['rounds']}, calls={runs[0]['calls']} "
                f"| {min(node):.2f} | {statistics.median(node):.2f} | {max(node):.2f} | ms/op | | |"
            )
            ratio = statistics.median(chicory) / statistics.median(node)
            # Spread: best Chicory against worst Node.js and the other way round.
            low, high = min(chicory) / max(node), max(chicory) / min(node)
            met = "yes" if ratio <= P5_TARGET_RATIO else "NO"
            print(
                f"| P5 | computeRatio (Chicory / Node.js, medians) | rounds={runs[0]['rounds']} "
                f"| {low:.2f} | {ratio:.2f} | {high:.2f} | × | ≤ {P5_TARGET_RATIO:g} | {met} |"
            )
    if args.p5_cpu:
        with open(args.p5_cpu, encoding="utf-8") as f:
            cpu = json.load(f)
        pairs = cpu["pairs"]
        if not pairs:
            print("| P5 | computeCpuRatio | | | | | | | not run |")
        else:
            ratios = [p["chicory_cpu_ms"] / p["node_cpu_ms"] for p in pairs]
            median = statistics.median(ratios)
            met = "yes" if median <= P5_TARGET_RATIO else "NO"
            print(
                f"| P5 | computeCpuRatio (Chicory / Node.js CPU time, {len(pairs)} alternating pairs) "
                f"| rounds={cpu['rounds']}, memory=FlatMemory | {min(ratios):.2f} | {median:.2f} "
                f"| {max(ratios):.2f} | × | ≤ {P5_TARGET_RATIO:g} | {met} |"
            )


if __name__ == "__main__":
    main()
