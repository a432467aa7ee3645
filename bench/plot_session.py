#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots bench_session's JSON lines (docs/results/*-session.jsonl) into docs/session.png: host to
host photons/s through the session (photon list, the list in 50 events, a source descriptor
expanded by the worker, the same expanded on the host)
against the device-only rate, with the 90 % goal and the share of copy time hidden; and small
events: events/s and median/p99 latency of the session (1 and 8 producers) against Chroma's
relaunch driver one event at a time and batching events, for photon lists and for point
sources that the worker expands from runs ("session-1": one event at a time, no queueing).

Usage: bench/plot_session.py FILE.jsonl [--out docs/session.png]
Needs matplotlib (pip install matplotlib)."""
import argparse
import pathlib
import sys

from plot import load, pyplot  # bench/plot.py, beside this script


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=pathlib.Path)
    ap.add_argument("--out", default="docs/session.png")
    a = ap.parse_args()
    plt = pyplot("bench/plot_session.py")
    rows = load(a.file)
    h2h = [r for r in rows if r.get("bench") == "session_host_to_host"]
    small = [r for r in rows if r.get("bench") == "session_small_events"]
    if not h2h and not small:
        sys.exit(f"{a.file}: no bench_session rows")
    gpu = (h2h or small)[0].get("gpu", "GPU")
    detectors = []
    for r in h2h + small:
        if r["detector"] not in detectors:
            detectors.append(r["detector"])
    fig, axes = plt.subplots(len(detectors), 3, figsize=(19, 5.2 * len(detectors)),
                             squeeze=False)
    for row, det in enumerate(detectors):
        ax = axes[row][0]
        runs = [r for r in h2h if r["detector"] == det]
        if runs:
            names = ["device only"] + [r["input"] for r in runs]
            ys = [runs[0]["device_only_photons_per_s"] / 1e6] + [r["photons_per_s"] / 1e6
                                                                for r in runs]
            ax.bar(range(len(names)), ys, color=["C7"] + ["C0"] * len(runs))
            ax.axhline(0.9 * ys[0], color="C3", ls="--", lw=1, label="goal: 90 % of device only")
            for i, r in enumerate(runs, start=1):
                ax.text(i, ys[i], f"{r['vs_device_only']:.2f}x\nhidden {r['copy_hidden']:.2f}",
                        ha="center", va="bottom", fontsize=8)
            ax.set_xticks(range(len(names)), names, rotation=25, ha="right", fontsize=8)
            ax.set_ylabel("M photons/s")
            ax.set_title(f"{det}: host to host, {runs[0]['photons'] / 1e6:g} M photons")
            ax.legend(fontsize=8, loc="lower right")
        ev = [r for r in small if r["detector"] == det]
        if ev:
            # input (photon lists or point sources expanded by the worker), driver, window
            labels = [r.get("input", "list") + ": " + r["driver"] +
                      (f" {r['slots']}x{r['queue']}, {r['producers']} prod."
                       if r["driver"] == "session" else "") for r in ev]
            colour = {"session": "C1", "session-1": "C2"}
            ax = axes[row][1]
            ax.bar(range(len(ev)), [r["events_per_s"] / 1e3 for r in ev],
                   color=[colour.get(r["driver"], "C7") for r in ev])
            ax.set_xticks(range(len(ev)), labels, rotation=35, ha="right", fontsize=7)
            ax.set_ylabel("k events/s")
            ax.set_title(f"{det}: {ev[0]['photons_per_event']}-photon events")
            ax = axes[row][2]
            x = range(len(ev))
            ax.bar([i - 0.2 for i in x], [r["median_latency_ms"] for r in ev], 0.4, label="median")
            ax.bar([i + 0.2 for i in x], [r["p99_latency_ms"] for r in ev], 0.4, label="p99")
            ax.set_yscale("log")
            one = next(r for r in ev if r["driver"] == "relaunch-1")["median_latency_ms"]
            ax.axhline(2 * one, color="C3", ls="--", lw=1,
                       label="goal: 2x relaunch one at a time")
            ax.set_xticks(list(x), labels, rotation=35, ha="right", fontsize=7)
            ax.set_ylabel("latency per event, ms (submit to result)")
            ax.legend(fontsize=8)
    fig.suptitle(f"chroma2 session on Chroma's demo detectors, {gpu}")
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
