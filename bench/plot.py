#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots the GPU benchmark figures recorded in docs/results/*.jsonl (the JSON lines that
bench_ring, bench_worker and bench_geometry print) into docs/benchmarks.png.

Usage: bench/plot.py [--prefix h200-2026-11-22] [--out docs/benchmarks.png]
Needs matplotlib (pip install matplotlib)."""
import argparse
import json
import pathlib
import sys


def load(path):
    """The JSON lines of a benchmark's output (its human table and comments are skipped)."""
    rows = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            sys.exit(f"{path}:{n}: not a JSON line ({e}); expected the benchmarks' JSON output")
    return rows


def pyplot(script):
    """matplotlib's pyplot for writing files, or a clear exit naming what to install."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit(f"{script} needs matplotlib: pip install matplotlib")
    return plt


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prefix", default="h200-2026-11-22")
    ap.add_argument("--results", default="docs/results")
    ap.add_argument("--out", default="docs/benchmarks.png")
    a = ap.parse_args()
    plt = pyplot("bench/plot.py")
    res = pathlib.Path(a.results)
    files = {k: res / f"{a.prefix}-{k}.jsonl" for k in ("ring", "worker", "geometry")}
    for k, f in files.items():
        if not f.exists():
            sys.exit(f"{f}: missing; save the JSON lines of bench_{k} there first")
    ring, worker, geo = (load(files[k]) for k in ("ring", "worker", "geometry"))

    fig, ax = plt.subplots(1, 3, figsize=(16, 4.8))

    # DeviceRing: G items/s per claim size, both capacities, with the baseline
    claims = ["thread", "warp32", "chunk128"]
    for i, cap in enumerate((1 << 16, 1 << 26)):
        ys = [next((r["items_per_s"] / 1e9 for r in ring if r["queue"] == "chroma2"
                    and r["claim"] == c and r["capacity"] == cap), 0) for c in claims]
        base = next((r["items_per_s"] / 1e9 for r in ring
                     if r["queue"] == "broker" and r["capacity"] == cap), None)
        xs = [j + 0.38 * i for j in range(len(claims))]
        ax[0].bar(xs, ys, width=0.36, label=f"DeviceRing 2^{cap.bit_length() - 1}")
        if base:
            ax[0].axhline(base, ls=":", color=f"C{i}", label=f"ticket baseline 2^{cap.bit_length() - 1}")
    ax[0].axhline(25, ls="--", color="grey", lw=0.8)
    ax[0].axhline(100, ls="--", color="grey", lw=0.8)
    ax[0].text(0, 27, "goal warp32 (2^16)", fontsize=7, color="grey")
    ax[0].text(0, 104, "goal chunk128 (2^16)", fontsize=7, color="grey")
    ax[0].set_xticks([j + 0.19 for j in range(len(claims))], claims)
    ax[0].set_yscale("log")
    ax[0].set_ylabel("G items/s (push + pop)")
    ax[0].set_title("DeviceRing, full co-resident grid")
    ax[0].legend(fontsize=7)

    # Worker: G photon-steps/s against photons, per driver
    for d, style in (("persistent-worker", "o-"), ("chroma-relaunch", "s--"),
                     ("thread-per-photon", "^--"), ("worker-streamed", "x:"),
                     ("worker+spawn", "d-")):
        pts = sorted((r["photons"], r["gsteps_per_s"]) for r in worker
                     if r["driver"] == d and r["backend"] == "gpu")
        if pts:
            ax[1].plot([p for p, _ in pts], [g for _, g in pts], style, label=d)
    ax[1].axhline(10, ls="--", color="grey", lw=0.8)
    ax[1].text(1.1e5, 10.5, "goal 10 G steps/s", fontsize=7, color="grey")
    ax[1].set_xscale("log")
    ax[1].set_yscale("log")
    ax[1].set_xlabel("photons")
    ax[1].set_ylabel("G photon-steps/s")
    ax[1].set_title("PersistentWorker vs relaunch and thread-per-photon")
    ax[1].legend(fontsize=7)

    # Geometry: M rays/s on the GPU per detector and workload, with Chroma's anchors
    gpu = [r for r in geo if r.get("backend") == "gpu" and "rays_per_s" in r]
    labels = [f'{r["detector"]}\n{r["workload"].split("_")[0]}' for r in gpu]
    ax[2].bar(range(len(gpu)), [r["rays_per_s"] / 1e6 for r in gpu], color="C2")
    ax[2].set_xticks(range(len(gpu)), labels, fontsize=8)
    ax[2].axhline(350, ls=":", color="C3", label="Chroma, full (a), H200")
    ax[2].axhline(660, ls=":", color="C4", label="Chroma, tiny (a), H200")
    ax[2].axhline(1500, ls="--", color="grey", lw=0.8, label="goal full (a)")
    ax[2].set_ylabel("M rays/s (closest hit)")
    ax[2].set_title("Geometry: Chroma demo detectors")
    ax[2].legend(fontsize=7)

    fig.suptitle(f"chroma2 benchmarks, {a.prefix}")
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
