"""Shared by gain_copies.py and rate_copies.py: write a transformed copy of every audio file of
some folders, as <out-dir>/<folder name>/<file stem>.wav (16-bit PCM)."""
from pathlib import Path

import soundfile as sf


def write_copies(out, folders, transform):
    """`transform(samples, rate) -> (samples, rate)` for each .wav/.flac of each folder; returns
    how many files were written."""
    n = 0
    for folder in map(Path, folders):
        dest = Path(out) / folder.name
        dest.mkdir(parents=True, exist_ok=True)
        for f in sorted(p for p in folder.iterdir() if p.suffix.lower() in (".wav", ".flac")):
            y, sr = sf.read(f, dtype="float32")
            y, sr = transform(y, sr)
            sf.write(dest / (f.stem + ".wav"), y, sr, subtype="PCM_16")
            n += 1
    return n
