#!/usr/bin/env python3
"""Reference Python pipeline (SPEC.md §1-2), the baseline serkit is benchmarked against.

Per file, exactly as a librosa + scipy user writes it (the same chain as
tools/parity/make_fixtures.py): librosa.load(sr=44100, mono) -> effects.trim(top_db=60)
-> scipy.signal.wiener(y, 3) -> util.fix_length(132300) -> melspectrogram(n_fft=2048,
hop=512, n_mels=128, power=2) -> power_to_db(ref=1, amin=1e-10, top_db=80).
Sequential, one process, like the paper's notebooks.

Usage: pipeline.py <file-or-folder>... [--out features.npy] [--warmup N]
Writes float32 [n_files, 128, 259] and prints one JSON line:
  {"files", "seconds", "cpuSeconds", "filesPerSecond", "audioSeconds", "importSeconds",
   "warmupFiles", "maxRssMB", "perFileSeconds"} (perFileSeconds: wall time of each file's
   log_mel, in input order)
"seconds" (wall) and "cpuSeconds" (this process's CPU time) cover processing and writing,
after N untimed warm-up files (default 0: librosa's first call builds its caches);
module import time is reported apart.
"""

import time

_t0 = time.perf_counter()
import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
from pathlib import Path  # noqa: E402

import librosa  # noqa: E402
import numpy as np  # noqa: E402
import scipy.signal  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - _t0
SR, N_SAMPLES = 44100, 132300


def log_mel(path):
    """One file -> ([128, 259] float32 log-mel, seconds of audio in the input)."""
    y, _ = librosa.load(path, sr=SR, mono=True)  # soxr_hq resampling, channels averaged
    audio_seconds = len(y) / SR
    y, _ = librosa.effects.trim(y, top_db=60, frame_length=2048, hop_length=512)
    with np.errstate(divide="ignore", invalid="ignore"):  # scipy replaces v == 0 cells by m
        y = scipy.signal.wiener(y, 3)
    y = librosa.util.fix_length(y, size=N_SAMPLES)
    S = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=2048, hop_length=512, n_mels=128, power=2.0)
    return librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0).astype(np.float32), audio_seconds


def expand(inputs):
    """Files as given; folders expanded to their .wav/.flac files, recursively, sorted."""
    files = []
    for p in map(Path, inputs):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.suffix.lower() in (".wav", ".flac"))
        else:
            files.append(p)
    return files


def main():
    ap = argparse.ArgumentParser(description="librosa + scipy reference log-mel pipeline")
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--out", default="features.npy")
    ap.add_argument("--warmup", type=int, default=0, help="untimed warm-up files first")
    args = ap.parse_args()
    files = expand(args.inputs)
    for f in files[: args.warmup]:
        log_mel(f)
    t = time.perf_counter()
    cpu = time.process_time()
    feats, audio, per_file = [], 0.0, []
    for f in files:
        t_file = time.perf_counter()
        x, secs = log_mel(f)
        per_file.append(time.perf_counter() - t_file)
        feats.append(x)
        audio += secs
    np.save(args.out, np.stack(feats) if feats else np.zeros((0, 128, 259), np.float32))
    seconds = time.perf_counter() - t
    cpu_seconds = time.process_time() - cpu
    print(json.dumps({
        "files": len(files), "seconds": round(seconds, 4), "cpuSeconds": round(cpu_seconds, 4),
        "filesPerSecond": round(len(files) / seconds, 3) if seconds else None,
        "audioSeconds": round(audio, 3), "importSeconds": round(IMPORT_SECONDS, 4),
        "warmupFiles": min(args.warmup, len(files)),
        "maxRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "perFileSeconds": [round(x, 6) for x in per_file],
    }))


if __name__ == "__main__":
    main()
