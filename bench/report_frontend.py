#!/usr/bin/env python3
"""Print the feature-frontend table from one run of bench/run_frontend.sh.

    python3 bench/report_frontend.py build/bench/earshot.json build/bench/peers.json

Standard library only. Ratios are peer time / earshot time (how many times
faster earshot is), from the best run of each, and from the median in brackets.
Targets (the issue): seed-001 spectrum >= 10,000x real time on one core;
log-mel >= 10x librosa and >= 1x torchaudio at the same thread count.
"""
import json
import os
import sys

SPECTRUM_TARGET_XRT = 10000.0
LIBROSA_TARGET = 10.0
TORCHAUDIO_TARGET = 1.0


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return json.load(f)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    rows = []
    for p in argv[1:]:
        rows += load(p)
    if not rows:
        sys.exit("report_frontend: no results")

    audio_s = rows[0]["audio_s"]
    print(f"\nFeature frontend, {audio_s:.0f} s of 16 kHz audio (wall time; best and median of "
          f"{rows[0]['reps']} runs after a warm-up; file loading not timed)\n")
    def num(r, key):
        v = r.get(key)
        return float("nan") if v is None else v

    print("| features | implementation | threads | frames x dims | best ms | median ms | x real time (best) "
          "| cpu/wall | others' CPU |")
    print("|---|---|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['feature']} | {r['impl']} | {r['threads']} | {r['frames']} x {r['features']} | "
              f"{r['best_s'] * 1e3:.1f} | {r['median_s'] * 1e3:.1f} | {r['audio_s'] / r['best_s']:,.0f} | "
              f"{num(r, 'cpu_over_wall_best'):.2f} | {num(r, 'others_cpu'):.2f} |")
    print("\ncpu/wall: CPU time of the best run over its wall time (threads busy). others' CPU: cores other "
          "processes used, on average, while the case ran (from /proc/stat); above 0.10 the row is suspect.")

    # A case is suspect when other processes used the CPU meanwhile; without the
    # /proc/stat figure, fall back to cpu/wall (single-thread rows should be ~1.0,
    # earshot's threaded rows ~threads as it splits frames evenly).
    def busy(r):
        if r.get("others_cpu") is not None:
            return r["others_cpu"] > 0.10
        c = r.get("cpu_over_wall_best", 1.0)
        return c < 0.9 if r["threads"] == 1 else (r["impl"].startswith("earshot") and c < 0.9 * r["threads"])
    flagged = [r for r in rows if busy(r)]
    if flagged:
        print("\nNOTE: suspect rows (other processes used the CPU meanwhile, or too few threads ran): " +
              "; ".join(f"{r['impl']} threads={r['threads']} (others {num(r, 'others_cpu'):.2f} CPU, "
                        f"cpu/wall {num(r, 'cpu_over_wall_best'):.2f})" for r in flagged) +
              ". Those wall times are pessimistic; rerun on a quiet machine.")

    print("\nTargets\n")
    print("| target | measured | ratio to target | status |")
    print("|---|---|---:|---|")
    verdicts = []
    for r in rows:
        if r["feature"] == "spectrum" and r["threads"] == 1:
            xrt = r["audio_s"] / r["best_s"]
            ok = xrt >= SPECTRUM_TARGET_XRT
            verdicts.append(ok)
            print(f"| seed-001 spectrum >= 10,000x real time, 1 core: {r['impl']} | {xrt:,.0f}x | "
                  f"{xrt / SPECTRUM_TARGET_XRT:.2f} | {'met' if ok else 'MISSED'} |")

    earshot = {r["threads"]: r for r in rows
               if r["feature"] == "logmel" and r["impl"] == "earshot compute_features"}
    for peer, target in (("librosa", LIBROSA_TARGET), ("torchaudio", TORCHAUDIO_TARGET)):
        for t in sorted(earshot):
            p = [r for r in rows if r["feature"] == "logmel" and r["impl"] == peer and r["threads"] == t]
            if not p:
                print(f"| log-mel >= {target:g}x {peer}, {t} thread(s) | {peer} not run | - | NOT MEASURED |")
                continue
            p = p[0]
            e = earshot[t]
            best = p["best_s"] / e["best_s"]
            med = p["median_s"] / e["median_s"]
            ok = best >= target
            verdicts.append(ok)
            shape = "" if p.get("shape_matches", True) else " (SHAPE MISMATCH)"
            print(f"| log-mel >= {target:g}x {peer}, {t} thread(s) | earshot {e['best_s'] * 1e3:.1f} ms vs "
                  f"{peer} {p['best_s'] * 1e3:.1f} ms{shape} | {best:.2f}x ({med:.2f}x median) | "
                  f"{'met' if ok else 'MISSED'} |")

    checks = [r for r in rows if "max_abs_diff_first_db" in r]
    if checks:
        print("\nSanity check (same config -> same numbers): max |peer - earshot| in dB")
        for r in checks:
            print(f"  {r['impl']:<10} threads={r['threads']}: first {r['check_frames']} frames "
                  f"{r['max_abs_diff_first_db']:.2g} dB, all frames {r['max_abs_diff_all_db']:.2g} dB")
    for r in rows:
        if r.get("identical_to_threads1") is False:
            print(f"\nWARNING: earshot {r['feature']} with threads={r['threads']} is NOT identical to threads=1 "
                  f"(max abs diff {r['max_abs_diff_vs_threads1']:.3g}); see frontend_bench output.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
