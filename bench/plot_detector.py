#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots bench_detector's JSON lines (docs/results/*-detector.jsonl) into docs/detector.png:
photons/s per driver for each detector and workload, with Chroma's figures on the same GPU model
and the goals; and where a photon's step time goes (traversal against the rest of the physics),
with the worker's loop split when the file holds a CHROMA2_WORKER_TIMING run.

Usage: bench/plot_detector.py FILE.jsonl [--out docs/detector.png]
Needs matplotlib (pip install matplotlib)."""
import argparse
import pathlib
import sys

from plot import load, pyplot  # bench/plot.py, beside this script

# Chroma on this project's H200 (the data folder's README), M photons/s: (detector, photons, steps)
CHROMA = {("full", 5000000, 100): (43, 44), ("full", 5000000, 10): (51, 51),
          ("full", 500000, 10): (27, 31), ("tiny", 5000000, 100): (103, 112),
          ("tiny", 500000, 10): (55, 58)}
GOALS = {"full": 250, "tiny": 400}  # M photons/s at 5 M photons, 100 steps
DRIVERS = ("persistent-worker", "chroma-relaunch", "thread-per-photon")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=pathlib.Path)
    ap.add_argument("--out", default="docs/detector.png")
    a = ap.parse_args()
    plt = pyplot("bench/plot_detector.py")
    rows = load(a.file)
    runs = [r for r in rows if r.get("bench") == "detector"]
    splits = [r for r in rows if r.get("bench") == "detector_split"]
    if not runs:
        sys.exit(f"{a.file}: no bench_detector rows")
    gpu = runs[0].get("gpu", "GPU")

    # per detector, one group of bars per workload, in the order they ran
    detectors = []
    for r in runs:
        if r["detector"] not in detectors:
            detectors.append(r["detector"])
    fig = plt.figure(figsize=(16, 4.2 * len(detectors)))
    grid = fig.add_gridspec(len(detectors), 2, width_ratios=[3, 1])
    width = 0.27
    for row, det in enumerate(detectors):
        axd = fig.add_subplot(grid[row, 0])
        keys = []
        for r in runs:
            k = (r["variant"], r["order"], r["cast"], r["photons"], r["max_steps"])
            if r["detector"] == det and k not in keys:
                keys.append(k)
        for i, d in enumerate(DRIVERS):
            ys = [next((r["photons_per_s"] / 1e6 for r in runs
                        if r["detector"] == det and r["driver"] == d
                        and (r["variant"], r["order"], r["cast"], r["photons"],
                             r["max_steps"]) == k), 0) for k in keys]
            axd.bar([j + (i - 1) * width for j in range(len(keys))], ys, width,
                    label=d, color=f"C{i}")
        for j, k in enumerate(keys):
            c = CHROMA.get((det, k[3], k[4])) if k[0] == "chroma" else None
            if c:
                axd.plot([j - 1.5 * width, j + 1.5 * width], [c[1], c[1]], color="k", lw=1.5)
            if k[0] == "chroma" and k[3] >= 5000000 and k[4] == 100:
                axd.plot([j - 1.5 * width, j + 1.5 * width], [GOALS[det]] * 2, "--",
                         color="grey")
        labels = [f"{k[0]}\n{k[1]}, {k[2]}\n{k[3] / 1e6:g} M, {k[4]} steps" for k in keys]
        axd.set_xticks(range(len(keys)), labels, fontsize=7)
        axd.set_yscale("log")
        axd.set_ylabel("M photons/s (device only)")
        if row == 0:
            axd.plot([], [], color="k", label="Chroma, same GPU model")
            axd.plot([], [], "--", color="grey", label="goal (5 M photons, 100 steps)")
            axd.legend(fontsize=7, ncol=5, loc="upper right")
        axd.set_title(f"{det} demo detector: three drivers, same physics and photons")
    ax = [None, fig.add_subplot(grid[:, 1])]

    # where the time goes: traversal and the rest of a step (thread per photon), as fractions
    if splits:
        names, trav, rest = [], [], []
        for s in splits:
            names.append(f'{s["detector"]} {s["variant"]}\n{s["cast"]}')
            t = s["traversal_warp_cycles_per_photon"]
            st = s["step_warp_cycles_per_photon"]
            trav.append(t / st)
            rest.append((st - t) / st)
        ax[1].barh(range(len(names)), trav, label="ray traversal")
        ax[1].barh(range(len(names)), rest, left=trav, label="rest of the physics")
        ax[1].set_yticks(range(len(names)), names, fontsize=7)
        ax[1].set_xlabel("share of a step's cycles (thread per photon)")
        ax[1].legend(fontsize=7)
        ax[1].set_title("Where a step's time goes")
    fig.suptitle(f"bench_detector on {gpu}", y=0.995)
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
