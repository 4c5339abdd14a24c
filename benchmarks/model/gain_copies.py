#!/usr/bin/env python3
"""Copies of audio files at lower levels, for the gain-robustness check of a model
(RESULTS.md, "Gain robustness of the shipped RAVDESS model").

Usage: gain_copies.py <out-dir> <gain-dB> <folder>...
Writes <out-dir>/<folder name>/<file stem>.wav for every .wav/.flac of each folder: the samples
times 10^(gain/20), as 16-bit PCM at the file's own rate. Needs soundfile (the reference venv:
python3 -m venv .venv && .venv/bin/pip install -r tools/parity/requirements.txt).
"""
import sys

from audio_copies import write_copies


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, gain_db, folders = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    g = 10 ** (gain_db / 20)
    n = write_copies(out, folders, lambda y, sr: (y * g, sr))
    print(f"{n} files at {gain_db:+g} dB in {out}")


if __name__ == "__main__":
    main()
