#!/usr/bin/env python3
"""Build the audio-format fixtures of crates/ser-dsp/tests/decode_formats.rs.

One 0.3 s speech excerpt (EMO-DB 03a01Fa.wav, 16 kHz mono 16-bit, from ../shared/data)
written in every format serkit reads, plus a few it refuses, and the references the
tests compare against:

- lossless kinds (WAV PCM/float/EXTENSIBLE/RF64/RIFX, FLAC, AIFF, AIFC, CAF, CAF-ALAC,
  M4A-ALAC, FLAC in Matroska) must decode to exactly the samples of `source.wav`;
- A-law and mu-law: `*.ref.f32` is what libsndfile (soundfile) decodes;
- lossy kinds (MP3, Ogg Vorbis, M4A-AAC, ADTS AAC): `*.ref.f32` is what
  `librosa.load(path, sr=None)` decodes (soundfile for MP3/Vorbis, audioread + ffmpeg
  for AAC) from the same encoded file;
- unsupported kinds (Ogg Opus, WMA, Sun AU) must give an error naming the format.

Also `fixtures.json` "flac_parity": for every FLAC of ../shared/data/ravdess/Actor_03..12, the
frame count and the FNV-1a 64 hash of the float32 mono samples libsndfile decodes
(the original WAV samples), which decode_formats.rs checks bit for bit.

Needs: ffmpeg (apt), and `pip install -r tools/parity/requirements.txt` (soundfile,
librosa). Deterministic apart from encoder versions; the committed fixtures are
what the tests use, Python is never needed to build or test.

    .venv/bin/python tools/make-audio-fixtures.py
"""

import json
import subprocess
import sys
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "crates" / "ser-dsp" / "tests" / "fixtures" / "audio"
SOURCE = DATA / "emodb-original" / "wav" / "03a01Fa.wav"
START, LENGTH = 8000, 4800  # 0.5 s in, 0.3 s long, at 16 kHz


def ffmpeg(src: Path, dst: Path, *args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(src), *args,
         "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", str(dst)],
        check=True,
    )


def f32(path: Path, samples: np.ndarray) -> None:
    np.asarray(samples, dtype="<f4").tofile(path)


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def mono_f32(path: Path) -> np.ndarray:
    y, _ = sf.read(path, dtype="float32", always_2d=True)
    if y.shape[1] == 1:
        return y[:, 0]
    acc = y[:, 0].copy()
    for c in range(1, y.shape[1]):
        acc = (acc + y[:, c]).astype(np.float32)
    return (acc * np.float32(1.0 / y.shape[1])).astype(np.float32)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    pcm, sr = sf.read(SOURCE, dtype="int16")
    assert sr == 16000 and pcm.ndim == 1
    clip = pcm[START:START + LENGTH]
    src = OUT / "source.wav"
    sf.write(src, clip, sr, subtype="PCM_16")

    # Lossless: every one decodes to exactly clip / 32768.
    sf.write(OUT / "pcm24-extensible.wav", clip / 32768.0, sr, format="WAVEX", subtype="PCM_24")
    sf.write(OUT / "float32.wav", clip / 32768.0, sr, format="WAV", subtype="FLOAT")
    sf.write(OUT / "rf64.wav", clip, sr, format="RF64", subtype="PCM_16")
    sf.write(OUT / "rifx.wav", clip, sr, format="WAV", subtype="PCM_16", endian="BIG")
    sf.write(OUT / "pcm16.aiff", clip, sr, format="AIFF", subtype="PCM_16")
    sf.write(OUT / "float32.aifc", clip / 32768.0, sr, format="AIFF", subtype="FLOAT")
    sf.write(OUT / "pcm16.caf", clip, sr, format="CAF", subtype="PCM_16")
    sf.write(OUT / "pcm16.flac", clip, sr, format="FLAC", subtype="PCM_16")
    ffmpeg(src, OUT / "alac.m4a", "-c:a", "alac")
    ffmpeg(src, OUT / "flac.mka", "-c:a", "flac")
    # ffmpeg's CAF-ALAC (its magic cookie wrapped in frma/alac atoms). libsndfile's, with a
    # bare 24-byte cookie, is refused by symphonia 0.6's CAF reader ("the header is truncated").
    ffmpeg(src, OUT / "alac.caf", "-c:a", "alac")
    # A-law / mu-law: references from libsndfile.
    for name, subtype in [("alaw.wav", "ALAW"), ("ulaw.wav", "ULAW")]:
        sf.write(OUT / name, clip, sr, format="WAV", subtype=subtype)
        f32(OUT / f"{name}.ref.f32", sf.read(OUT / name, dtype="float32")[0])
    # Lossy: references from librosa on the same encoded file.
    ffmpeg(src, OUT / "lossy.mp3", "-c:a", "libmp3lame", "-b:a", "64k")
    ffmpeg(src, OUT / "lossy.ogg", "-c:a", "libvorbis", "-q:a", "3")
    ffmpeg(src, OUT / "aac.m4a", "-c:a", "aac", "-b:a", "64k")
    ffmpeg(src, OUT / "adts.aac", "-c:a", "aac", "-b:a", "64k", "-f", "adts")
    refs = {}
    for name in ["lossy.mp3", "lossy.ogg", "aac.m4a", "adts.aac"]:
        y, rate = librosa.load(OUT / name, sr=None, mono=True)
        assert rate == sr, (name, rate)
        f32(OUT / f"{name}.ref.f32", y)
        refs[name] = {"samples": int(len(y))}
    # Unsupported: named in the error.
    ffmpeg(src, OUT / "opus.ogg", "-c:a", "libopus", "-b:a", "16k")
    ffmpeg(src, OUT / "wma.wma", "-c:a", "wmav2", "-b:a", "32k")
    sf.write(OUT / "ulaw.au", clip, sr, format="AU", subtype="ULAW")

    parity = {}
    for actor in range(3, 13):
        for path in sorted((DATA / "ravdess" / f"Actor_{actor:02d}").glob("*.flac")):
            y = mono_f32(path)
            parity[str(path.relative_to(DATA))] = [int(len(y)), fnv1a64(y.astype("<f4").tobytes())]
    meta = {
        "source": f"emodb-original/wav/03a01Fa.wav samples {START}..{START + LENGTH}",
        "librosa": librosa.__version__,
        "soundfile": sf.__version__,
        "libsndfile": sf.__libsndfile_version__,
        "ffmpeg": subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0],
        "lossy_references": refs,
    }
    # One line per parity file: {"path": [frames, fnv1a64 of the float32 mono samples]}.
    text = json.dumps(meta, indent=1)[:-2] + ',\n "flac_parity": {\n'
    text += ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in parity.items())
    (OUT / "fixtures.json").write_text(text + "\n }\n}\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{len(list(OUT.iterdir()))} files, {total / 1024:.0f} KiB in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
