#!/usr/bin/env python3
"""Write the librosa fixtures for the augmentation parity test
(crates/ser-dsp/tests/augment_parity.rs): time_stretch at 1.1 and 0.8 and
pitch_shift by +1.5 semitones of one pre-processed utterance.

Usage (from the repo root, with the venv of tools/parity/requirements.txt):
    .venv/bin/python tools/parity/make_augment_fixtures.py [--data ../shared/data]
Deterministic; Python is only needed to regenerate these files.
"""

import argparse
import json
from pathlib import Path

import librosa
import numpy as np
import scipy.signal

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "crates" / "ser-dsp" / "tests" / "fixtures" / "augment"
SR = 44100
SOURCE = "emodb/wav/03a01Fa.wav"  # 22.05 kHz: short, so the fixtures stay small


def write_f32(name, arr):
    a = np.ascontiguousarray(np.asarray(arr, dtype="<f4"))
    (OUT / name).write_bytes(a.tobytes())
    return {"file": name, "shape": list(a.shape)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    # The waveform augmentations see: loaded at 44.1 kHz, trimmed, Wiener-filtered (SPEC §3).
    y, _ = librosa.load(Path(args.data) / SOURCE, sr=SR)
    y, _ = librosa.effects.trim(y, top_db=60, frame_length=2048, hop_length=512)
    y = scipy.signal.wiener(y, 3).astype(np.float32)
    manifest = {
        "librosa": librosa.__version__,
        "source": SOURCE,
        "sample_rate": SR,
        "input": write_f32("input.f32", y),
        "time_stretch": [
            {"rate": r, **write_f32(f"stretch_{r}.f32", librosa.effects.time_stretch(y, rate=r))}
            for r in (1.1, 0.8)
        ],
        "pitch_shift": [
            {"n_steps": s, **write_f32(f"pitch_{s}.f32", librosa.effects.pitch_shift(y, sr=SR, n_steps=s))}
            for s in (1.5,)
        ],
    }
    (OUT / "augment.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps({k: v for k, v in manifest.items() if k != "input"}, indent=1))


if __name__ == "__main__":
    main()
