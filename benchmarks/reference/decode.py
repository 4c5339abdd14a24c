#!/usr/bin/env python3
"""Decoding alone, as librosa.load does it: soundfile.read (libsndfile) to float32, per file.

The reference side of stage_profile's decode rows (crates/ser-dsp/benches/stage_profile.rs):
the same files, timed per container after one untimed pass.

Usage: decode.py <file-or-folder>... [--repeat 3]
Prints one line per container: files, µs per file, ns per sample.
"""

import argparse
import time
from collections import defaultdict

import soundfile as sf

from pipeline import expand  # the same file list as the reference pipeline (this folder)


def main():
    ap = argparse.ArgumentParser(description="soundfile decoding time per container")
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes after one untimed")
    args = ap.parse_args()
    files = expand(args.inputs)
    seconds, samples, count = defaultdict(float), defaultdict(int), defaultdict(int)
    for rep in range(args.repeat + 1):
        for f in files:
            t = time.perf_counter()
            y, _ = sf.read(f, dtype="float32")
            dt = time.perf_counter() - t
            if rep > 0:
                c = f.suffix[1:].upper()
                seconds[c] += dt
                samples[c] += len(y)
                count[c] += 1
    for c in sorted(seconds):
        print(
            f"{c}: {count[c] // args.repeat} files, {seconds[c] / count[c] * 1e6:.0f} µs per file, "
            f"{seconds[c] / samples[c] * 1e9:.2f} ns per sample (soundfile {sf.__version__}, "
            f"{sf.__libsndfile_version__})"
        )


if __name__ == "__main__":
    main()
