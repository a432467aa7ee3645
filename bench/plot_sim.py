#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots chroma2-sim's summaries (docs/results/*-sim.jsonl: each line a summary.json with a "run"
label) into docs/sim.png: left, the default detector's photons/s against photons per run on the
GPU (hits and channels tiers) and on CPU threads; right, Chroma's demo detectors through the tool
against the device-only worker and relaunch drivers and Chroma itself (figures of the same card,
docs/benchmarks.md).

Usage: bench/plot_sim.py FILE.jsonl [--out docs/sim.png]
Needs matplotlib (pip install matplotlib)."""
import argparse
import pathlib
import sys
from collections import defaultdict

from plot import load, pyplot  # bench/plot.py, beside this script

# Device-only figures measured in the same session (bench_detector, 5 M photons, 100 steps,
# random order, bounded cast) and Chroma's own (docs/benchmarks.md), M photons/s.
DEVICE_ONLY = {"tiny": {"worker": 202, "relaunch": 386, "Chroma": 107.5},
               "full": {"worker": 156, "relaunch": 237, "Chroma": 43.5}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=pathlib.Path)
    ap.add_argument("--out", default="docs/sim.png")
    a = ap.parse_args()
    plt = pyplot("bench/plot_sim.py")
    rows = [r for r in load(a.file) if "run" in r]
    if not rows:
        sys.exit(f"{a.file}: no chroma2-sim summaries")
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6))
    series = defaultdict(list)
    for r in rows:
        run = r["run"]
        if run.startswith("gpu-hits-") and "ev" not in run:
            series["GPU, hits"].append((r["photons"], r["photons_per_second"]))
        elif run.startswith("gpu-channels-"):
            series["GPU, channels"].append((r["photons"], r["photons_per_second"]))
        elif run.startswith("cpu-"):
            series[f"CPU, {r['threads']} threads"].append((r["photons"], r["photons_per_second"]))
    for name, pts in sorted(series.items()):
        pts.sort()
        left.plot([p for p, _ in pts], [v / 1e6 for _, v in pts], "o-" if len(pts) > 1 else "s",
                  label=name)
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("photons per run")
    left.set_ylabel("M photons/s (propagation)")
    left.set_title(f"default detector, chroma2-sim ({rows[0].get('device', 'GPU')})")
    left.legend(fontsize=8)
    left.grid(True, which="both", alpha=0.3)
    dets = ["tiny", "full"]
    tool = {d: [r["photons_per_second"] / 1e6 for r in rows if r["run"].startswith(f"chroma-{d}")]
            for d in dets}
    labels = ["tool (host to host)", "worker", "relaunch", "Chroma"]
    width = 0.2
    for k, label in enumerate(labels):
        vals = [max(tool[d]) if label.startswith("tool") and tool[d] else
                DEVICE_ONLY[d].get(label, 0) for d in dets]
        xs = [i + (k - 1.5) * width for i in range(len(dets))]
        right.bar(xs, vals, width, label=label)
        for x, v in zip(xs, vals):
            right.text(x, v, f"{v:.0f}", ha="center", va="bottom", fontsize=7)
    right.set_xticks(range(len(dets)))
    right.set_xticklabels([f"Chroma demo: {d}" for d in dets])
    right.set_ylabel("M photons/s (5 M photons, 100 steps)")
    right.set_title("Chroma's detectors: the tool against device-only drivers")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
