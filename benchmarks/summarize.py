#!/usr/bin/env python3
"""Turns JMH's JSON result into a Markdown table: min / median / max of the measured
iterations (noisy shared machines make a single mean misleading) beside each target."""
import json
import statistics
import sys

# Benchmark method -> (performance id, target in the benchmark's unit, description)
TARGETS = {
    "parseAndVerifyTargets": ("P6", 1000.0, "targets file, composite signature: parse + verify"),
    # JMH reports TokenSignBenchmark in us/op: 200 ms = 200000 us.
    "signTargets": ("P10", 200000.0, "targets file, composite signature: sign (SoftHSM2 key; software key as baseline)"),
}


def main(path):
    with open(path, encoding="utf-8") as f:
        results = json.load(f)
    print("| id | benchmark | params | min | median | max | unit | target | met |")
    print("|---|---|---|---|---|---|---|---|---|")
    for result in results:
        method = result["benchmark"].rsplit(".", 1)[-1]
        metric = result["primaryMetric"]
        samples = [x for fork in metric["rawData"] for x in fork]
        unit = metric["scoreUnit"]
        params = ", ".join(f"{k}={v}" for k, v in sorted(result.get("params", {}).items()))
        pid, target, _ = TARGETS.get(method, ("", None, ""))
        median = statistics.median(samples)
        met = "" if target is None else ("yes" if median <= target else "NO")
        target_text = "" if target is None else f"≤ {target:g}"
        print(
            f"| {pid} | {method} | {params} | {min(samples):.1f} | {median:.1f} | "
            f"{max(samples):.1f} | {unit} | {target_text} | {met} |"
        )


if __name__ == "__main__":
    main(sys.argv[1])
