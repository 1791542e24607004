#!/usr/bin/env python3
"""Independent reference data for the earshot feature frontend.

Writes tests/golden/frontend/*.npy and STAMP.json. The C++ test
tests/runtime/golden_frontend_test.cc feeds the saved input signals through
earshot::rt and compares against these arrays. Nothing here imports earshot:
the references come from NumPy, SciPy and librosa only.

Run from anywhere (output location is fixed relative to this file):

    /work/main/.venv/bin/python scripts/golden/make_golden.py

Deterministic: fixed seeds, no wall-clock input except the date in STAMP.json.
All 2-D arrays are [frames, features] (time-major), i.e. librosa's
[features, frames] output transposed. See docs/golden.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
from pathlib import Path

import numpy as np
import scipy
import librosa

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "golden" / "frontend"

SR = 16000
N_SAMPLES = 16000  # 1 s

# ----------------------------------------------------------------------------
# Inputs
# ----------------------------------------------------------------------------


def tone(f0: float, gain: float = 0.5) -> np.ndarray:
    t = np.arange(N_SAMPLES, dtype=np.float64) / SR
    return gain * np.sin(2 * np.pi * f0 * t)


def chord_wave(f0: float, semitones: int, gain: float = 0.5) -> np.ndarray:
    """Seed 002's chord_wave: gain * (sin(f0) + sin(f0 * 2^(semitones/12)))."""
    t = np.arange(N_SAMPLES, dtype=np.float64) / SR
    f1 = f0 * 2.0 ** (semitones / 12.0)
    return gain * (np.sin(2 * np.pi * f0 * t) + np.sin(2 * np.pi * f1 * t))


def white_noise(seed: int, gain: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return gain * rng.uniform(-1.0, 1.0, N_SAMPLES)


# name -> (description, float64 samples). Saved as float32; every reference is
# computed from the float32 samples so the C++ side sees exactly the same input.
def make_signals() -> dict[str, tuple[dict, np.ndarray]]:
    sig = {}
    for f0 in (261.63, 440.0, 1000.0):
        name = f"tone_{int(round(f0))}"
        sig[name] = ({"kind": "sine", "f0": f0, "gain": 0.5, "phase": 0.0}, tone(f0))
    sig["chord_major_440"] = (
        {"kind": "chord_wave", "f0": 440.0, "f1": 440.0 * 2 ** (4 / 12), "semitones": 4, "gain": 0.5},
        chord_wave(440.0, 4),
    )
    sig["chord_minor_440"] = (
        {"kind": "chord_wave", "f0": 440.0, "f1": 440.0 * 2 ** (3 / 12), "semitones": 3, "gain": 0.5},
        chord_wave(440.0, 3),
    )
    sig["noise"] = (
        {"kind": "uniform_noise", "seed": 1234, "gain": 0.3, "dist": "uniform(-1, 1)"},
        white_noise(1234),
    )
    sig["mix_440_noise"] = (
        {"kind": "sine + uniform_noise", "f0": 440.0, "tone_gain": 0.5, "noise_seed": 5678, "noise_gain": 0.1},
        tone(440.0, 0.5) + white_noise(5678, 0.1),
    )
    # Clips with 50 ms Hann fade-in/out: no hard clip edge for librosa's
    # resampler to ring on, so the CQT comparison holds on every frame.
    fade = np.ones(N_SAMPLES)
    k = int(0.05 * SR)
    ramp = np.hanning(2 * k)
    fade[:k], fade[-k:] = ramp[:k], ramp[k:]
    for base in ("tone_440", "chord_major_440", "chord_minor_440", "noise"):
        desc, x = sig[base]
        sig[base + "_faded"] = (dict(desc, fade="50 ms Hann in/out"), x * fade)
    for name, (desc, x) in sig.items():
        desc["sample_rate"] = SR
        desc["n_samples"] = N_SAMPLES
        desc["file"] = f"signal_{name}.npy"
    return sig


# ----------------------------------------------------------------------------
# a. FFT
# ----------------------------------------------------------------------------

FFT_LENGTHS = [2, 3, 5, 8, 12, 16, 17, 30, 97, 128, 256, 400, 512, 1102, 2048, 4096]


def as_pairs(z: np.ndarray) -> np.ndarray:
    return np.stack([z.real, z.imag], axis=-1)


def fft_cases(save) -> dict:
    rng = np.random.default_rng(20240101)
    cases = []
    for n in FFT_LENGTHS:
        # Complex FFT: float32 re/im in [-1, 1).
        zc = rng.uniform(-1, 1, (n, 2)).astype(np.float32)
        ref_c = np.fft.fft(zc[:, 0].astype(np.float64) + 1j * zc[:, 1].astype(np.float64))
        save(f"fft_c_{n}_in.npy", zc)
        save(f"fft_c_{n}_out.npy", as_pairs(ref_c).astype(np.float64))
        # Real FFT: float32 in [-1, 1).
        xr = rng.uniform(-1, 1, n).astype(np.float32)
        ref_r = np.fft.rfft(xr.astype(np.float64))
        save(f"fft_r_{n}_in.npy", xr)
        save(f"fft_r_{n}_out.npy", as_pairs(ref_r).astype(np.float64))
        cases.append({"n": n, "complex": [f"fft_c_{n}_in.npy", f"fft_c_{n}_out.npy"],
                      "real": [f"fft_r_{n}_in.npy", f"fft_r_{n}_out.npy"]})
    return {
        "seed": 20240101,
        "input": "uniform(-1, 1), float32; complex input stored [n, 2] (re, im)",
        "reference": "numpy.fft.fft / numpy.fft.rfft in float64, stored float64 [bins, 2] (re, im)",
        "lengths": FFT_LENGTHS,
        "tolerance": "SNR = 10 log10(sum|ref|^2 / sum|ref - out|^2) >= 100 dB",
        "cases": cases,
    }


# ----------------------------------------------------------------------------
# b. Seed 001 spectrum (NumPy, float64)
# ----------------------------------------------------------------------------

SPEC = {"frame_length": 256, "frame_stride": 128, "center": False, "window": "np.hamming(256) (symmetric)",
        "subtract_mean": True, "power": 1, "bins": "0..47 (k*16000/256 < 3000 Hz)", "max_hz": 3000.0,
        "compression": "log1p"}


def seed001_spectrum(y32: np.ndarray) -> np.ndarray:
    y = y32.astype(np.float64)
    n_len, hop = 256, 128
    n_frames = 1 + (len(y) - n_len) // hop
    idx = np.arange(n_len)[None, :] + hop * np.arange(n_frames)[:, None]
    frames = y[idx]
    frames = frames - frames.mean(axis=1, keepdims=True)
    frames = frames * np.hamming(n_len)[None, :]
    mag = np.abs(np.fft.rfft(frames, axis=1))
    freqs = np.arange(mag.shape[1]) * SR / n_len
    keep = freqs < 3000.0
    assert keep.sum() == 48
    return np.log1p(mag[:, keep])  # [frames, 48]


# ----------------------------------------------------------------------------
# c, d. log-mel and MFCC (librosa)
# ----------------------------------------------------------------------------

MEL_VARIANTS = {
    "slaney": {"htk": False, "norm": "slaney"},
    "htk": {"htk": True, "norm": None},
}
MEL_COMMON = {"n_fft": 512, "hop_length": 160, "window": "hann", "center": True, "pad_mode": "constant",
              "power": 2.0, "n_mels": 40, "fmin": 0.0, "fmax": 8000.0}
DB_COMMON = {"ref": 1.0, "amin": 1e-10, "top_db": None}
MFCC_COMMON = {"n_mfcc": 13, "dct_type": 2, "norm": "ortho"}


def logmel(y: np.ndarray, variant: str) -> np.ndarray:
    S = librosa.feature.melspectrogram(y=y, sr=SR, **MEL_COMMON, **MEL_VARIANTS[variant])
    return librosa.power_to_db(S, **DB_COMMON)  # [n_mels, frames]


def mfcc_from_db(S_db: np.ndarray) -> np.ndarray:
    return librosa.feature.mfcc(S=S_db, **MFCC_COMMON)  # [n_mfcc, frames]


# ----------------------------------------------------------------------------
# e. CQT (librosa, seed 002 parameters)
# ----------------------------------------------------------------------------

CQT = {"sr": SR, "fmin": 220.0, "n_bins": 36, "bins_per_octave": 12, "filter_scale": 2, "hop_length": 512}
CQT_AMIN = 1e-5


def cqt_mag(y: np.ndarray) -> np.ndarray:
    return np.abs(librosa.cqt(y, **CQT))  # [n_bins, frames]


def _cqt_kernel_params():
    fmin, n_bins, bpo, fs = CQT["fmin"], CQT["n_bins"], CQT["bins_per_octave"], float(CQT["filter_scale"])
    freqs = fmin * 2.0 ** (np.arange(n_bins) / bpo)
    alpha = np.full(n_bins, (2.0 ** (2 / bpo) - 1) / (2.0 ** (2 / bpo) + 1))  # equal spacing: constant
    lengths, cutoff = librosa.filters.wavelet_lengths(freqs=freqs, sr=SR, window="hann", filter_scale=fs,
                                                      gamma=0, alpha=alpha)
    return freqs, alpha, lengths, cutoff


def cqt_model(y32: np.ndarray) -> np.ndarray:
    """librosa.cqt with an ideal decimator, computed at the full rate.

    Mirrors librosa.vqt step by step (early downsampling count, octave loop,
    hop halving, librosa.filters.wavelet kernels built at each octave's rate,
    lengths/n_fft scaling, FFT, sparsify_rows(0.01), 1/sqrt(length at 16 kHz)),
    except that instead of resampling the signal by d with soxr it takes the
    (n_fft * d)-point FFT of the full-rate frame: its bins 0 .. n_fft/2 are d
    times those an ideal (brick-wall) decimator would give, and that factor
    cancels against librosa's energy-preserving resample (x sqrt(d)) and its
    sqrt(sr / my_sr) basis factor together with the 1/sqrt(length) taken at the
    early-downsampled rate, leaving kernel_octave . X_full / sqrt(L_16k).
    This is the algorithm runtime/include/earshot/rt/cqt.h describes, built here
    from librosa's own filter code. Returns |C| as [frames, n_bins].
    """
    y = y32.astype(np.float64)
    hop, bpo, fs = CQT["hop_length"], CQT["bins_per_octave"], float(CQT["filter_scale"])
    freqs, alpha, lengths16, cutoff = _cqt_kernel_params()
    n_bins = len(freqs)
    n_octaves = int(np.ceil(n_bins / bpo))
    # librosa.core.constantq.__early_downsample_count
    count1 = max(0, int(np.ceil(np.log2((SR / 2.0) / cutoff)) - 1) - 1)
    twos = 0
    while hop % (2 ** (twos + 1)) == 0:
        twos += 1
    count2 = max(0, twos - n_octaves + 1)
    d = 2 ** min(count1, count2)
    my_hop = hop // d
    n_frames = 1 + len(y) // hop
    out = np.zeros((n_frames, n_bins))
    for i in range(n_octaves):
        sl = slice(max(0, n_bins - bpo * (i + 1)), n_bins - bpo * i)
        my_sr = SR / d
        basis, lengths = librosa.filters.wavelet(freqs=freqs[sl], sr=my_sr, filter_scale=fs, norm=1, pad_fft=True,
                                                 window="hann", gamma=0, alpha=alpha[sl], dtype=np.complex128)
        n_fft = basis.shape[1]
        basis = basis * (lengths[:, None] / float(n_fft))
        fb = np.fft.fft(basis, n=n_fft, axis=1)[:, : n_fft // 2 + 1]
        fb = librosa.util.sparsify_rows(fb, quantile=0.01).toarray()
        N = n_fft * d
        yp = np.pad(y, (N // 2, N // 2))
        idx = np.arange(N)[None, :] + hop * np.arange(n_frames)[:, None]
        X = np.fft.rfft(yp[idx], axis=1)[:, : n_fft // 2 + 1]
        out[:, sl] = np.abs(X @ fb.T) / np.sqrt(lengths16[sl])[None, :]
        if my_hop % 2 == 0:
            my_hop //= 2
            d *= 2
    return out


def cqt_naive(y32: np.ndarray) -> np.ndarray:
    """Diagnostic only (not saved): librosa's kernels built once at 16 kHz in a
    4096-point FFT, no per-octave grid, no sparsification. Shows how far a
    plain single-rate CQT lands from librosa.cqt. Returns [frames, n_bins]."""
    y = y32.astype(np.float64)
    hop = CQT["hop_length"]
    freqs, alpha, lengths, _ = _cqt_kernel_params()
    basis, _ = librosa.filters.wavelet(freqs=freqs, sr=SR, filter_scale=float(CQT["filter_scale"]), norm=1,
                                       pad_fft=True, window="hann", gamma=0, alpha=alpha, dtype=np.complex128)
    n_fft = basis.shape[1]
    fb = np.fft.fft(basis * (lengths[:, None] / n_fft), axis=1)[:, : n_fft // 2 + 1]
    yp = np.pad(y, (n_fft // 2, n_fft // 2))
    n_frames = 1 + len(y) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n_frames)[:, None]
    X = np.fft.rfft(yp[idx], axis=1)
    return np.abs(X @ fb.T) / np.sqrt(lengths)[None, :]


def cqt_edge_frames(n_frames: int) -> np.ndarray:
    """Frames whose longest kernel (bin 0) reaches past either end of the clip."""
    _, _, lengths, _ = _cqt_kernel_params()
    centre = np.arange(n_frames) * CQT["hop_length"]
    half = lengths[0] / 2
    return (centre - half < 0) | (centre + half > N_SAMPLES)


def amp_db(C: np.ndarray, ref) -> np.ndarray:
    return librosa.amplitude_to_db(C, ref=ref, amin=CQT_AMIN, top_db=None)


# ----------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT, help=f"output directory (default {OUT})")
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    # Remove this generator's previous output only (cases may have been renamed).
    for prefix in ("signal_", "fft_", "spectrum_", "logmel_", "mfcc_", "cqt_"):
        for old in out.glob(prefix + "*.npy"):
            old.unlink()

    written: list[str] = []

    def save(name: str, arr: np.ndarray) -> None:
        assert arr.dtype in (np.float32, np.float64), (name, arr.dtype)
        np.save(out / name, np.ascontiguousarray(arr))
        written.append(name)

    stamp: dict = {
        "generator": str(Path(__file__).resolve().relative_to(REPO)),
        "command": "/work/main/.venv/bin/python scripts/golden/make_golden.py",
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "librosa": librosa.__version__,
        "layout": "2-D arrays are [frames, features] (time-major); librosa output transposed",
    }

    # Signals ---------------------------------------------------------------
    signals = make_signals()
    y32s: dict[str, np.ndarray] = {}
    for name, (desc, x) in signals.items():
        y32 = x.astype(np.float32)
        y32s[name] = y32
        save(desc["file"], y32)
    stamp["signals"] = {name: desc for name, (desc, _) in signals.items()}

    # a. FFT ------------------------------------------------------------------
    stamp["fft"] = fft_cases(save)

    # b. Spectrum -------------------------------------------------------------
    spec_cases = {}
    for name, y32 in y32s.items():
        S = seed001_spectrum(y32)
        fn = f"spectrum_{name}.npy"
        save(fn, S.astype(np.float32))
        spec_cases[name] = {"file": fn, "shape": list(S.shape)}
    stamp["spectrum"] = {
        "reference": "NumPy float64, saved float32",
        "params": SPEC,
        "cpp": "kind kSpectrum, frame_length 256, frame_stride 128, center false, window kHamming, "
               "window_periodic false, subtract_mean true, power 1, max_hz 3000, compression kLog1p",
        "tolerance": "max |a - b| <= 1e-4",
        "cases": spec_cases,
    }

    # c, d. log-mel + MFCC ----------------------------------------------------
    mel_cases, mfcc_cases, diag_mel = {}, {}, {}
    for variant in MEL_VARIANTS:
        for name, y32 in y32s.items():
            S_db = logmel(y32, variant)                 # [40, T] float32 path (the reference)
            M = mfcc_from_db(S_db)                      # [13, T]
            fn = f"logmel_{variant}_{name}.npy"
            fm = f"mfcc_{variant}_{name}.npy"
            save(fn, S_db.T.astype(np.float32))
            save(fm, M.T.astype(np.float32))
            mel_cases[f"{variant}/{name}"] = {"file": fn, "shape": list(S_db.T.shape)}
            mfcc_cases[f"{variant}/{name}"] = {"file": fm, "shape": list(M.T.shape)}
            # Diagnostic: the same pipeline in float64. The spread between the two
            # is the rounding noise any float32 implementation may show.
            S64 = logmel(y32.astype(np.float64), variant)
            M64 = mfcc_from_db(S64)
            rel = np.abs(S_db - S64) / np.maximum(np.abs(S64), 1.0)
            per_frame = np.abs(M - M64).max(axis=0) / np.abs(M64).max(axis=0)
            diag_mel[f"{variant}/{name}"] = {
                "logmel_max_rel_f32_vs_f64": float(rel.max()),
                "logmel_max_abs_db_f32_vs_f64": float(np.abs(S_db - S64).max()),
                "mfcc_max_frame_rel_f32_vs_f64": float(per_frame.max()),
            }
    mel_params = {v: {**MEL_COMMON, **p, "sr": SR} for v, p in MEL_VARIANTS.items()}
    stamp["logmel"] = {
        "reference": "librosa.power_to_db(librosa.feature.melspectrogram(y=float32 y, ...), ref=1.0, amin=1e-10, "
                     "top_db=None), transposed to [frames, n_mels], saved float32",
        "params": mel_params,
        "db": DB_COMMON,
        "cpp": "kind kMel, frame_length 512, frame_stride 160, center true, window kHann, window_periodic true, "
               "power 2, n_mels 40, fmin 0, fmax 8000, mel_scale/mel_norm per variant, compression kDb, amin 1e-10",
        "tolerance": "|a - b| <= 1e-3 * max(|b|, 1) elementwise",
        "cases": mel_cases,
        "diagnostic_float32_vs_float64_librosa": diag_mel,
    }
    stamp["mfcc"] = {
        "reference": "librosa.feature.mfcc(S=<logmel reference, [n_mels, frames]>, n_mfcc=13, dct_type=2, "
                     "norm='ortho'), transposed to [frames, 13], saved float32",
        "params": MFCC_COMMON,
        "cpp": "as logmel, kind kMfcc, n_mfcc 13",
        "tolerance": "per frame: max |a - b| <= 1e-3 * max |b| over that frame",
        "cases": mfcc_cases,
    }

    # e. CQT ------------------------------------------------------------------
    cqt_cases, diag_cqt = {}, {}
    for name, y32 in y32s.items():
        C = cqt_mag(y32)                                   # [36, T]
        db = amp_db(C, 1.0)
        dbmax = amp_db(C, np.max)
        dbmin = amp_db(C, np.min)
        M = cqt_model(y32)                                 # [T, 36]
        files = {}
        for tag, arr in (("mag", C.T), ("db", db.T), ("dbmax", dbmax.T), ("dbmin", dbmin.T), ("model_mag", M)):
            fn = f"cqt_{tag}_{name}.npy"
            save(fn, arr.astype(np.float32))
            files[tag] = fn
        cqt_cases[name] = {"files": files, "shape": list(C.T.shape)}
        # Diagnostics: how far the ideal-decimator model and a naive single-rate
        # CQT land from librosa.cqt, in the C++ test's measures.
        ref = dbmax.T
        edge = cqt_edge_frames(ref.shape[0])[:, None] & np.ones_like(ref, bool)
        mid, strong = ref > -60, ref > -30
        d = {}
        for label, est in (("model", M), ("naive_single_rate", cqt_naive(y32))):
            e = np.abs(librosa.amplitude_to_db(est, ref=np.max, amin=CQT_AMIN, top_db=None) - ref)
            d[label] = {
                "interior_max_abs_db_ref_above_-60": float(e[mid & ~edge].max()),
                "edge_max_abs_db_ref_above_-30": float(e[strong & edge].max()),
                "all_max_abs_db_ref_above_-60": float(e[mid].max()),
                "max_abs_mag_over_peak": float(np.abs(est - C.T).max() / C.max()),
            }
        diag_cqt[name] = d
    stamp["cqt"] = {
        "reference": "np.abs(librosa.cqt(float32 y, ...)) transposed to [frames, n_bins], saved float32; "
                     "db: amplitude_to_db(C, ref=1.0, amin=1e-5, top_db=None); dbmax: ref=np.max; dbmin: ref=np.min; "
                     "model_mag: cqt_model() = librosa.cqt with an ideal decimator (see make_golden.py)",
        "params": {**CQT, "tuning": 0.0, "window": "hann", "norm": 1, "sparsity": 0.01, "scale": True,
                   "pad_mode": "constant", "res_type": "soxr_hq"},
        "db": {"amin": CQT_AMIN, "top_db": None},
        "edge_frames": [int(t) for t in np.flatnonzero(cqt_edge_frames(1 + N_SAMPLES // CQT["hop_length"]))],
        "cpp": "kind kCqt, center true, window kRect (kernels carry their own Hann), cqt_fmin 220, cqt_bins 36, "
               "bins_per_octave 12, filter_scale 2, frame_stride 512, power 1, compression kDb, amin 1e-5; "
               "then rt::db_rereference(kMax / kMin, top_db 0) over the whole [frames, bins] array",
        "tolerance": "see docs/golden.md (librosa: interior frames 1 dB above -60 dB re max, Pearson >= 0.999; "
                     "edge frames 4 dB above -30 dB; model: see test)",
        "cases": cqt_cases,
        "diagnostic_vs_librosa": diag_cqt,
    }

    stamp["files"] = sorted(written)
    total = sum((out / f).stat().st_size for f in written)
    stamp["total_bytes_npy"] = total
    with open(out / "STAMP.json", "w") as fh:
        json.dump(stamp, fh, indent=2, sort_keys=False)
        fh.write("\n")

    print(f"wrote {len(written)} arrays, {total / 1e6:.2f} MB, to {out}")
    worst_mel = max(d["logmel_max_rel_f32_vs_f64"] for d in diag_mel.values())
    worst_mfcc = max(d["mfcc_max_frame_rel_f32_vs_f64"] for d in diag_mel.values())
    print(f"diagnostic: librosa float32 vs float64 log-mel max rel {worst_mel:.2e}, "
          f"mfcc max frame rel {worst_mfcc:.2e}")
    for name, d in diag_cqt.items():
        m, n = d["model"], d["naive_single_rate"]
        print(f"diagnostic: CQT vs librosa {name:16s} model: interior {m['interior_max_abs_db_ref_above_-60']:.3f} dB, "
              f"edge {m['edge_max_abs_db_ref_above_-30']:.3f} dB | naive single-rate: interior "
              f"{n['interior_max_abs_db_ref_above_-60']:.2f} dB")
    if total > 3_000_000:
        print("error: golden data exceeds 3 MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
