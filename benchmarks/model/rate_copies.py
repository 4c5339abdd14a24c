#!/usr/bin/env python3
"""Copies of audio files at a lower sample rate, for the band-limit check of a model
(RESULTS.md, "Pretrained RAVDESS model, final fit": 16 and 8 kHz recordings).

Usage: rate_copies.py <out-dir> <rate-Hz> <folder>...
Writes <out-dir>/<folder name>/<file stem>.wav for every .wav/.flac of each folder: the samples
resampled to <rate-Hz> with soxr's HQ converter (librosa's default), as 16-bit PCM, so the
copy has no content above <rate-Hz>/2, like a recording made at that rate. Needs soundfile and
soxr (the benchmark venv: python3 -m venv .venv-bench && .venv-bench/bin/pip install -r
benchmarks/reference/requirements.txt).
"""
import sys

import soxr
from audio_copies import write_copies


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, rate, folders = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    n = write_copies(out, folders, lambda y, sr: (soxr.resample(y, sr, rate, "HQ"), rate))
    print(f"{n} files at {rate} Hz in {out}")


if __name__ == "__main__":
    main()
