#!/usr/bin/env python3
"""Write the librosa/scipy parity fixtures for crates/ser-dsp/tests/parity.rs.

Usage (from the repo root):
    python3 -m venv .venv && .venv/bin/pip install -r tools/parity/requirements.txt
    .venv/bin/python tools/parity/make_fixtures.py [--data ../shared/data]

Output: crates/ser-dsp/tests/fixtures/*.f32 (raw little-endian float32) and
fixtures.json (shapes, sources, parameters, library versions). Deterministic:
no randomness; re-running gives byte-identical files for the same versions.
Python is only needed to regenerate these files, never to build or test.
"""

import argparse
import json
import platform
from pathlib import Path

import librosa
import numpy as np
import scipy
import scipy.signal
import soxr

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "crates" / "ser-dsp" / "tests" / "fixtures"

# SPEC §1-2 defaults.
SR = 44100
N_FFT, HOP, N_MELS = 2048, 512, 128
TOP_DB_TRIM, FRAME_TRIM, HOP_TRIM = 60, 2048, 512
WIENER_SIZE = 3
N_SAMPLES = 132300  # 3.0 s at 44.1 kHz
AMIN, TOP_DB = 1e-10, 80.0

# Files for the single-waveform mel/dB check and the whole-pipeline check.
MEL_SOURCE = "ravdess/Actor_01/03-01-05-02-01-01-01.wav"
PIPELINE_FILES = [
    "ravdess/Actor_01/03-01-02-01-01-02-01.wav",  # stereo in the original release
    "ravdess/Actor_01/03-01-05-02-01-01-01.wav",
    "ravdess/Actor_02/03-01-04-01-02-01-02.wav",
    "emodb/wav/03a01Fa.wav",
    "emodb/wav/03a04Ta.wav",
    "emodb/wav/16b10Wb.wav",
]
RESAMPLE_FILES = [  # (file, target rate); a mono file each, so no down-mix is involved
    ("ravdess/Actor_02/03-01-01-01-01-01-02.wav", 44100),  # 48 kHz -> 44.1 kHz
    ("emodb/wav/03a01Fa.wav", 44100),  # 22.05 kHz -> 44.1 kHz
]
RESAMPLE_SLICE_LEN = 22050  # compare a fixed middle slice of this many samples


def write_f32(name, arr):
    """Store arr as raw little-endian float32 (row-major) and return its manifest entry."""
    a = np.ascontiguousarray(np.asarray(arr, dtype="<f4"))
    (OUT / name).write_bytes(a.tobytes())
    return {"file": name, "shape": list(a.shape)}


def log_mel(y):
    """STFT -> power mel (Slaney) -> dB, exactly the SPEC §2 call chain."""
    S = librosa.feature.melspectrogram(
        y=y, sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, power=2.0,
        center=True, pad_mode="constant", htk=False, norm="slaney",
    )
    return librosa.power_to_db(S, ref=1.0, amin=AMIN, top_db=TOP_DB)


def preprocess(path):
    """SPEC §1: load at 44.1 kHz (soxr_hq, mono) -> trim -> wiener -> fix_length (float64)."""
    y, _ = librosa.load(path, sr=SR, mono=True)
    y, _ = librosa.effects.trim(y, top_db=TOP_DB_TRIM, frame_length=FRAME_TRIM, hop_length=HOP_TRIM)
    with np.errstate(divide="ignore", invalid="ignore"):  # v == 0 cells become m anyway
        y = scipy.signal.wiener(y, WIENER_SIZE)  # float64 from here on, as a plain user gets
    return librosa.util.fix_length(y, size=N_SAMPLES)


def frame_db(y):
    """Frame dB relative to the loudest frame, as librosa.effects.trim computes it."""
    mse = librosa.feature.rms(y=y, frame_length=FRAME_TRIM, hop_length=HOP_TRIM) ** 2
    return librosa.power_to_db(mse[0], ref=np.max, top_db=None)


def trim_margin(y):
    """Smallest |frame dB - (-top_db)| over all frames: how close trim came to a tie."""
    return float(np.min(np.abs(frame_db(y) + TOP_DB_TRIM)))


def edge_margins(y):
    """Signed dB above -top_db of the four frames that decide the bounds: the frame before
    the first kept one, the first kept, the last kept, the one after (None past the ends)."""
    db = frame_db(y) + TOP_DB_TRIM
    kept = np.flatnonzero(db > 0)
    if kept.size == 0:
        return [None] * 4
    idx = [kept[0] - 1, kept[0], kept[-1], kept[-1] + 1]
    return [round(float(db[i]), 6) if 0 <= i < len(db) else None for i in idx]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    data = Path(ap.parse_args().data).resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.f32"):
        old.unlink()
    m = {
        "generator": "tools/parity/make_fixtures.py",
        "versions": {
            "python": platform.python_version(), "librosa": librosa.__version__,
            "scipy": scipy.__version__, "soxr": soxr.__version__, "numpy": np.__version__,
        },
        "data_root": "../shared/data (relative to the repo root)",
        "layout": "raw little-endian float32, row-major; shape as listed",
    }

    # (a) mel/dB on one identical waveform. The waveform is librosa's pre-processed
    # version of MEL_SOURCE, rounded to float32 and stored; the reference dB is then
    # computed from exactly those float32 values, promoted to float64 (the exact answer).
    y32 = preprocess(data / MEL_SOURCE).astype(np.float32)
    db64 = log_mel(y32.astype(np.float64))
    db32 = log_mel(y32)  # librosa's own float32 path, only to report its own rounding
    m["mel_db"] = {
        "source": MEL_SOURCE,
        "params": {"sr": SR, "n_fft": N_FFT, "hop_length": HOP, "n_mels": N_MELS, "power": 2.0,
                   "center": True, "pad_mode": "constant", "htk": False, "norm": "slaney",
                   "ref": 1.0, "amin": AMIN, "top_db": TOP_DB},
        "waveform": write_f32("mel_input.f32", y32),
        "db": write_f32("mel_db.f32", db64),
        "note": "reference computed in float64 from the stored float32 waveform",
        "librosa_float32_vs_float64_max_abs_db": float(np.max(np.abs(db32 - db64))),
    }
    m["filterbank"] = {
        "params": {"sr": SR, "n_fft": N_FFT, "n_mels": N_MELS, "fmin": 0.0, "fmax": SR / 2, "norm": "slaney"},
        "slaney": write_f32("mel_fb_slaney.f32", librosa.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS)),
        "htk": write_f32("mel_fb_htk.f32", librosa.filters.mel(sr=SR, n_fft=N_FFT, n_mels=N_MELS, htk=True)),
    }

    # (b) trim bounds at the native rate on every shared file (decoding is exact there).
    files = sorted(p.relative_to(data).as_posix() for p in data.glob("ravdess/Actor_*/*.wav"))
    files += sorted(p.relative_to(data).as_posix() for p in data.glob("emodb/wav/*.wav"))
    trims = []
    for rel in files:
        y, sr = librosa.load(data / rel, sr=None, mono=True)
        _, (start, end) = librosa.effects.trim(y, top_db=TOP_DB_TRIM, frame_length=FRAME_TRIM,
                                               hop_length=HOP_TRIM)
        # The same after librosa.load's resampling to 44.1 kHz (the pipeline's trim input).
        y44, _ = librosa.load(data / rel, sr=SR, mono=True)
        _, (s44, e44) = librosa.effects.trim(y44, top_db=TOP_DB_TRIM, frame_length=FRAME_TRIM,
                                             hop_length=HOP_TRIM)
        trims.append({"path": rel, "sr": sr, "len": len(y), "start": int(start), "end": int(end),
                      "min_margin_db": round(trim_margin(y), 6),
                      "len_44k": len(y44), "start_44k": int(s44), "end_44k": int(e44),
                      "min_margin_db_44k": round(trim_margin(y44), 6),
                      "edge_margins_db_44k": edge_margins(y44)})
    m["trim"] = {"params": {"top_db": TOP_DB_TRIM, "frame_length": FRAME_TRIM, "hop_length": HOP_TRIM},
                 "note": "start/end at the native rate; *_44k after librosa.load(sr=44100) (soxr_hq); "
                         "edge_margins_db_44k: dB above -top_db of frames [first-1, first, last, last+1]",
                 "files": trims}

    # (c) Wiener on whole trimmed signals: the shortest trimmed EMO-DB utterance, and a 0.5-s
    # excerpt (taken as the input itself) of a trimmed RAVDESS utterance, both native rate.
    emo = [t for t in trims if t["path"].startswith("emodb/")]
    shortest = min(emo, key=lambda t: (t["end"] - t["start"], t["path"]))
    rav = "ravdess/Actor_01/03-01-01-01-01-01-01.wav"
    cases = []
    for i, (rel, excerpt) in enumerate([(shortest["path"], None), (rav, 24000)]):
        y, sr = librosa.load(data / rel, sr=None, mono=True)
        y, _ = librosa.effects.trim(y, top_db=TOP_DB_TRIM, frame_length=FRAME_TRIM, hop_length=HOP_TRIM)
        if excerpt:
            y = y[:excerpt]
        with np.errstate(divide="ignore", invalid="ignore"):  # v == 0 cells become m
            out = scipy.signal.wiener(y, WIENER_SIZE)  # computed in float64
        cases.append({"source": rel, "sr": sr, "excerpt": excerpt or "whole trimmed signal",
                      "input": write_f32(f"wiener_{i}_in.f32", y),
                      "output": write_f32(f"wiener_{i}_out.f32", out)})
    m["wiener"] = {"params": {"mysize": WIENER_SIZE}, "cases": cases}

    # (d) resampling with librosa's default (soxr_hq) at the native input rate; store a
    # fixed middle slice of the output, the Rust test resamples the whole file.
    cases = []
    for i, (rel, target) in enumerate(RESAMPLE_FILES):
        y, sr = librosa.load(data / rel, sr=None, mono=True)
        r = librosa.resample(y, orig_sr=sr, target_sr=target)  # res_type='soxr_hq'
        start = (len(r) - RESAMPLE_SLICE_LEN) // 2
        cases.append({"source": rel, "orig_sr": sr, "target_sr": target, "input_len": len(y),
                      "output_len": len(r), "slice_start": start, "slice_len": RESAMPLE_SLICE_LEN,
                      "output_slice": write_f32(f"resample_{i}.f32", r[start:start + RESAMPLE_SLICE_LEN])})
    m["resample"] = {"res_type": "soxr_hq", "cases": cases}

    # (e) whole pipeline, decode -> ... -> dB, in float64 as a plain librosa user gets it.
    cases = []
    for i, rel in enumerate(PIPELINE_FILES):
        cases.append({"source": rel, "db": write_f32(f"pipeline_{i}.f32", log_mel(preprocess(data / rel)))})
    m["pipeline"] = {"params": {"sr": SR, "trim_top_db": TOP_DB_TRIM, "wiener": WIENER_SIZE,
                                "n_samples": N_SAMPLES, **m["mel_db"]["params"]}, "cases": cases}

    (OUT / "fixtures.json").write_text(json.dumps(m, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total / 1e6:.2f} MB to {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
