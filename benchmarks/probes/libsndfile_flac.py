"""The same 120 FLAC files decoded from memory by libsndfile through soundfile (what librosa
reads FLAC with), three rounds: .venv-bench/bin/python benchmarks/probes/libsndfile_flac.py [data]"""
import glob
import io
import sys
import time

import soundfile as sf

data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
files = sorted(glob.glob(f"{data}/ravdess/Actor_03/*.flac")) + sorted(glob.glob(f"{data}/ravdess/Actor_04/*.flac"))
blobs = [open(f, "rb").read() for f in files]
for _ in range(3):
    t = time.perf_counter()
    for b in blobs:
        sf.read(io.BytesIO(b), dtype="float32")
    print(f"libsndfile {sf.__libsndfile_version__}: {(time.perf_counter() - t) / len(blobs) * 1e6:.1f} us/file")
