#!/usr/bin/env python3
"""Time the log-mel peers of earshot's frontend on the same in-memory signal.

    python logmel_peers.py --peer librosa    --audio A.npy --threads 1 [--reference MEL.npy]
    python logmel_peers.py --peer torchaudio --audio A.npy --threads 2 [--reference MEL.npy]

Run the librosa peer with the repo venv (.venv/bin/python, librosa 0.11) and
the torchaudio peer with Debian's /usr/bin/python3 (torch 1.13, torchaudio
0.13); only numpy is shared. The config matches bench/frontend_bench.cc
logmel(): 16 kHz, n_fft 512, hop 160, periodic Hann, center=True with constant
(zero) padding, power 2, 40 mels (Slaney scale, Slaney area norm), then
10*log10(max(S, 1e-10)) (power_to_db / AmplitudeToDB, ref 1, top_db None).

Timing: the signal is loaded once (not timed), one warm-up call, then --reps
timed calls; best and median wall times are reported. Output is frames x 40.
--reference (earshot's log-mel, frames x 40) is compared on the first frames and
over the whole signal as a sanity check that the configs agree.

Exit status 3 means the peer's library is missing (the message says how to
install it); bench/run_frontend.sh reports that instead of failing.
"""
import argparse
import json
import os
import statistics
import sys
import time

SR = 16000
N_FFT = 512
HOP = 160
N_MELS = 40
AMIN = 1e-10


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--peer", required=True, choices=["librosa", "torchaudio"])
    p.add_argument("--audio", required=True, help="float32 .npy, 16 kHz mono")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--reference", help="earshot log-mel .npy (frames x 40) for the sanity check")
    p.add_argument("--check-frames", type=int, default=1000, help="frames in the 'first frames' comparison")
    p.add_argument("--json", help="append the result here (a JSON list)")
    return p.parse_args()


def machine_busy_seconds():
    """Busy (non-idle, incl. steal) CPU seconds of the machine from /proc/stat, or None."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def limit_threads_env(n):
    # Must happen before numpy (and its OpenBLAS / OpenMP) is imported.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = str(n)


def missing(peer, err):
    hint = {
        "librosa": "run the librosa peer with the repo venv (.venv/bin/python -m pip install librosa==0.11.*; "
                   "scripts/setup.sh creates the venv)",
        "torchaudio": "run the torchaudio peer with /usr/bin/python3 after `apt-get install python3-torchaudio` "
                      "(Debian: torch 1.13, torchaudio 0.13)",
    }[peer]
    print(f"logmel_peers: {peer} is not available under {sys.executable}: {err}\n  -> {hint}", file=sys.stderr)
    sys.exit(3)


def make_librosa(threads):
    try:
        import librosa
        import numpy as np
    except ImportError as e:
        missing("librosa", e)
    try:
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(limits=threads)  # keeps BLAS (the mel projection) at `threads`
    except ImportError:
        limiter = None

    def run(y):
        S = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=N_FFT, hop_length=HOP, win_length=N_FFT,
                                           window="hann", center=True, pad_mode="constant", power=2.0,
                                           n_mels=N_MELS, fmin=0.0, fmax=None, htk=False, norm="slaney")
        return librosa.power_to_db(S, ref=1.0, amin=AMIN, top_db=None)

    def to_numpy(out):
        return np.ascontiguousarray(out.T)  # (40, frames) -> (frames, 40)

    version = f"librosa {librosa.__version__}, numpy {np.__version__}"
    return run, (lambda x: x), to_numpy, version, limiter


def make_torchaudio(threads):
    try:
        import torch
        import torchaudio
    except ImportError as e:
        missing("torchaudio", e)
    torch.set_num_threads(threads)
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=SR, n_fft=N_FFT, win_length=N_FFT, hop_length=HOP,
                                               f_min=0.0, f_max=None, pad=0, n_mels=N_MELS,
                                               window_fn=torch.hann_window, power=2.0, normalized=False,
                                               center=True, pad_mode="constant", norm="slaney",
                                               mel_scale="slaney")
    to_db = torchaudio.transforms.AmplitudeToDB(stype="power", top_db=None)  # amin 1e-10, ref 1

    def run(y):
        with torch.inference_mode():
            return to_db(mel(y))

    def to_numpy(out):
        return out.numpy().T.copy()  # (40, frames) -> (frames, 40)

    version = f"torch {torch.__version__}, torchaudio {torchaudio.__version__} (torch threads {torch.get_num_threads()})"
    return run, torch.from_numpy, to_numpy, version, None


def main():
    args = parse_args()
    limit_threads_env(args.threads)
    import numpy as np

    make = make_librosa if args.peer == "librosa" else make_torchaudio
    run, from_numpy, to_numpy, version, _limiter = make(args.threads)

    y_np = np.load(args.audio)
    if y_np.dtype != np.float32 or y_np.ndim != 1:
        sys.exit(f"logmel_peers: {args.audio}: want 1-D float32, got {y_np.dtype} {y_np.shape}")
    y = from_numpy(y_np)  # zero-copy for torch; not timed
    audio_s = len(y_np) / SR

    out = run(y)  # warm-up
    wall, cpu = [], []
    busy0, own0, start = machine_busy_seconds(), time.process_time(), time.perf_counter()
    for _ in range(args.reps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        out = run(y)
        t1 = time.perf_counter()
        c1 = time.process_time()
        wall.append(t1 - t0)
        cpu.append(c1 - c0)
    total_wall = time.perf_counter() - start
    busy1, own1 = machine_busy_seconds(), time.process_time()
    # CPUs other processes used meanwhile (0.5 = half a core on average).
    others = None
    if busy0 is not None and busy1 is not None and total_wall >= 0.5:  # /proc/stat ticks are 10 ms
        others = max(0.0, ((busy1 - busy0) - (own1 - own0)) / total_wall)
    feats = to_numpy(out)

    best = min(wall)
    med = statistics.median(wall)
    cpu_ratio = cpu[wall.index(best)] / best
    impl = "librosa" if args.peer == "librosa" else "torchaudio"
    print(f"  logmel    {impl:<34} threads={args.threads}  frames={feats.shape[0]} x {feats.shape[1]}  "
          f"best {best * 1e3:9.3f} ms  median {med * 1e3:9.3f} ms  {audio_s / best:10.0f}x real time  "
          f"(cpu/wall {cpu_ratio:.2f}, others {others if others is not None else float('nan'):.2f} CPU)  [{version}]")

    result = {"feature": "logmel", "impl": impl, "threads": args.threads, "frames": int(feats.shape[0]),
              "features": int(feats.shape[1]), "best_s": best, "median_s": med, "runs_s": wall,
              "cpu_runs_s": cpu, "cpu_over_wall_best": cpu_ratio, "others_cpu": others, "audio_s": audio_s, "reps": args.reps,
              "kind": "whole", "version": version, "python": sys.executable}

    if args.reference:
        ref = np.load(args.reference)
        result["reference_shape"] = list(ref.shape)
        result["shape_matches"] = tuple(ref.shape) == tuple(feats.shape)
        if not result["shape_matches"]:
            print(f"  MISMATCH: {impl} gives {feats.shape}, earshot gives {ref.shape}")
        else:
            k = min(args.check_frames, ref.shape[0])
            d_first = float(np.max(np.abs(feats[:k].astype(np.float64) - ref[:k])))
            d_all = np.abs(feats.astype(np.float64) - ref)
            result.update({"check_frames": k, "max_abs_diff_first_db": d_first,
                           "max_abs_diff_all_db": float(d_all.max()), "mean_abs_diff_all_db": float(d_all.mean())})
            print(f"  check: {impl} vs earshot, shape {feats.shape} matches; max |diff| first {k} frames "
                  f"{d_first:.3g} dB, all frames {d_all.max():.3g} dB (mean {d_all.mean():.2g} dB)")
            if d_first > 0.01:
                print(f"  WARNING: {impl} and earshot differ by more than 0.01 dB: configs do not match")

    if args.json:
        results = []
        if os.path.exists(args.json):
            with open(args.json) as f:
                results = json.load(f)
        results.append(result)
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
