#!/usr/bin/python3
"""NumPy reference data for seed 003's digitizer (earshot's rule = "np_digitize").

Writes tests/golden/digitize/*.npy and tests/golden/digitize/STAMP.json,
checked by tests/host/digitize_golden_test.cc. Nothing here imports earshot.
Run with Debian's interpreter (python3-numpy):

    /usr/bin/python3 scripts/golden/make_digitize_golden.py

The seed (EpyNN nnlive/author_music/prepare_dataset.py, clips_music):

    wav_data = wav_data.astype('int64')
    wav_data = (wav_data + np.abs(np.min(wav_data)))
    wav_data = wav_data / np.max(wav_data)          # per FILE, at 44.1 kHz
    bins = [i / (n_bins - 1) for i in range(n_bins)]
    wav_data = np.digitize(wav_data, bins, right=True)
    wav_resampled = wav_data[::int(wav_sampling_rate / SAMPLING_RATE)]
    clips = [wav_resampled[i * N_FEATURES:(i+1) * N_FEATURES] for i in range(N_CLIPS)]

Files:
    u.npy            float64 [n]   normalised values: every edge i/15, the
                                   doubles next to them, 0, 1, random values
    u_codes16.npy    uint8 [n]     np.digitize(u, [i/15 ...], right=True)
    u_codes256.npy   uint8 [n]     the same with 256 levels (edges i/255)
    s16_codes{L}.npy uint8 [65536] np.digitize((x + 32768) / 65535, edges, right=True)
                                   for every int16 x, -32768 .. 32767 in order,
                                   and L levels: earshot's range = "fixed"
    file_s16.npy     int16 [n]     a 44.1 kHz "recording" (a random walk with
                                   a negative minimum, as audio has)
    file_clips.npy   uint8 [4, 2500] the seed's clips_music(file, TIME=0.25):
                                   min-max over the whole file at 44.1 kHz, the
                                   seed's digitize, x[::4], clips of 2500 samples

Deterministic: fixed seed; the only wall-clock input is the date in STAMP.json.
"""

from __future__ import annotations

import datetime
import json
import platform
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "golden" / "digitize"


def seed_bins(n_bins: int) -> list[float]:
    return [i / (n_bins - 1) for i in range(n_bins)]


def normalised_values(rng: np.random.Generator) -> np.ndarray:
    u = [0.0, 1.0, 0.5, 1e-300, 5e-324]
    for levels in (16, 256):
        for e in seed_bins(levels):
            u += [e, np.nextafter(e, -np.inf), np.nextafter(e, np.inf)]
    u += list(rng.uniform(0.0, 1.0, 2000))
    u = np.clip(np.array(u, dtype=np.float64), 0.0, 1.0)
    return u


def seed_clips(x: np.ndarray, step: int, n_features: int, n_clips: int) -> np.ndarray:
    """clips_music's arithmetic on int16 samples x (a mono file)."""
    d = x.astype("int64")
    d = d + np.abs(np.min(d))
    d = d / np.max(d)
    d = np.digitize(d, seed_bins(16), right=True)
    r = d[::step]
    return np.stack([r[i * n_features:(i + 1) * n_features] for i in range(n_clips)]).astype(np.uint8)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    u = normalised_values(rng)
    np.save(OUT / "u.npy", u)
    np.save(OUT / "u_codes16.npy", np.digitize(u, seed_bins(16), right=True).astype(np.uint8))
    np.save(OUT / "u_codes256.npy", np.digitize(u, seed_bins(256), right=True).astype(np.uint8))

    s16 = np.arange(-32768, 32768, dtype=np.int64)
    fixed_levels = (2, 15, 16, 256)
    for levels in fixed_levels:
        codes = np.digitize((s16 + 32768) / 65535, seed_bins(levels), right=True)
        np.save(OUT / f"s16_codes{levels}.npy", codes.astype(np.uint8))

    # 1.1 s at 44.1 kHz: a random walk, centred, scaled into int16 with a
    # negative minimum (the seed adds |min|, which is min-max only then).
    rate, seconds, time_s = 44100, 1.1, 0.25
    walk = np.cumsum(rng.normal(0.0, 1.0, int(rate * seconds)))
    walk -= walk.mean()
    x = np.round(walk / np.max(np.abs(walk)) * 30000.0).astype(np.int16)
    assert x.min() < 0
    np.save(OUT / "file_s16.npy", x)
    sampling_rate = 10000                      # the seed's SAMPLING_RATE
    step = int(rate / sampling_rate)           # 4: 11,025 Hz
    n_features = int(sampling_rate * time_s)   # 2500
    n_clips = int((x.shape[0] / rate) / time_s)
    np.save(OUT / "file_clips.npy", seed_clips(x, step, n_features, n_clips))

    stamp = {
        "generator": "scripts/golden/make_digitize_golden.py",
        "command": "/usr/bin/python3 scripts/golden/make_digitize_golden.py",
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "rule": "np.digitize(u, [i / (levels - 1) for i in range(levels)], right=True)",
        "fixed_levels": list(fixed_levels),
        "file": {"rate": rate, "samples": int(x.shape[0]), "decimate": step, "clip_samples": n_features,
                 "clips": n_clips, "normalisation": "(x + |min|) / max(x + |min|) over the whole file"},
    }
    (OUT / "STAMP.json").write_text(json.dumps(stamp, indent=2) + "\n")
    print(f"wrote {OUT} (numpy {np.__version__}, python {platform.python_version()})", file=sys.stderr)


if __name__ == "__main__":
    main()
